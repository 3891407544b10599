"""``make bench``: sign-ins and page views against their baselines.

Starts the site under gunicorn on 127.0.0.1 (production settings over plain
HTTP, a throwaway database) and beside it, on the same gunicorn settings, a
stock Django site (``bench/stocksite/``: ``startproject`` settings, Django's
``LoginView``, a ``login_required`` dashboard, its own SQLite database).
Then it measures in one run:

1. the Argon2 ceiling: wall and CPU time of one ``verify`` with the
   configured cost, the logins/s that allows at best (cores / CPU seconds
   per verify), and the verifies/s of one process per server worker doing
   nothing but hashing, side by side;
2. sign-in throughput with wrk (GET the form, POST the credentials) against
   those hashing processes (target >= 0.95), the two measured in turns
   (``BENCH_TURNS`` each, alternating) while the servers are up, and the
   SQL queries of one sign-in POST; then, on the same server, the JSON
   API's sign-in (an app's POST to ``/api/app/v1/auth/login``) against the
   same ceiling, and the SQL queries of the app's "who am I"
   (``GET /api/app/v1/auth/session``, target 1);
3. signed-in dashboard requests/s and p50/p99 latency against the stock
   site's dashboard (target >= 1), the two measured in turns so that a
   shared machine's drift falls on both; and, for context, a bare view for
   a signed-in user only (the session and user checks, no page);
4. the SQL queries of one signed-in page view (and that none writes);
5. the peak RSS of the gunicorn processes during a bounded sign-in flood;
6. the latency of a sign-up and of a reset request with a slow mail server
   against a fast one (``bench/mail.py``; target about 1.0: email is queued).

Prints a table and writes ``var/bench/latest.json``. Linux only (reads
``/proc``); needs ``wrk`` (Debian package ``wrk``).
"""

from __future__ import annotations

import json
import os
import platform
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import mail as bench_mail
from tests.live import (
    CSRF_INPUT,
    Browser,
    GunicornServer,
    clean_environment,
    create_user,
    manage,
    throwaway_signing_key,
)

BASE_DIR = Path(__file__).resolve().parent.parent
OUT_DIR = BASE_DIR / "var" / "bench"
HOST = "127.0.0.1"
PORT = int(os.environ.get("BENCH_PORT", "8911"))
STOCK_PORT = PORT + 1
CORES = len(os.sched_getaffinity(0))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(CORES)))
PHASE_SECONDS = int(os.environ.get("BENCH_SECONDS", "12"))
# Sign-in and the processes hashing are measured in this many turns each,
# alternating (A B B A ...), so that a shared machine's drift falls on both.
TURNS = max(int(os.environ.get("BENCH_TURNS", "2")), 1)
# Both sites get these over authsite/gunicorn.conf.py: one sync worker per
# core, no worker recycling, no access log, so the server's own cost is
# measured plainly and the same way for both.
GUNICORN_OPTIONS = (
    f"--workers={WORKERS}",
    "--worker-class=sync",
    "--threads=1",
    "--max-requests=0",
    "--access-logfile=/dev/null",
    "--backlog=2048",
    "--timeout=60",
)
LOGIN_CONNECTIONS = 2 * WORKERS
FLOOD_CONNECTIONS = 64
PAGE_CONNECTIONS = 8
VERIFY_ROUNDS = 15
USERNAME = "bench"
EMAIL = "bench@example.com"
PASSWORD = "bench-" + secrets.token_urlsafe(16)
# Both sites serve these two paths.
LOGIN_PATH = "/accounts/login/"
DASHBOARD_PATH = "/dashboard/"
SIGNED_IN_BARE_PATH = "/bench/signed-in/"
API_LOGIN_PATH = "/api/app/v1/auth/login"
API_SESSION_PATH = "/api/app/v1/auth/session"
# Signed-in pages whose SQL queries are counted (the worst one is reported);
# add each new page of the signed-in area here.
SIGNED_IN_PAGES = [DASHBOARD_PATH]


def site_environment() -> dict[str, str]:
    """Production settings over plain HTTP, with a throwaway key and database."""
    return clean_environment(
        DJANGO_SETTINGS_MODULE="bench.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        OIDC_RSA_PRIVATE_KEY=throwaway_signing_key(),
        ALLOWED_HOSTS=f"{HOST},testserver",
        SITE_URL=f"http://{HOST}:{PORT}",
        SECURE_SSL_REDIRECT="False",
        DATABASE_URL=os.environ.get(
            "BENCH_DATABASE_URL", f"sqlite:///{OUT_DIR / 'bench.sqlite3'}"
        ),
        STATIC_ROOT=str(OUT_DIR / "static"),
        # New-device notices stay on, written as files instead of sent.
        EMAIL_URL="filemail://",
        EMAIL_FILE_PATH=str(OUT_DIR / "mail"),
        LOG_LEVEL="WARNING",
        # Every bench sign-in comes from 127.0.0.1, hundreds a minute: lift
        # the per-address sign-in limit (and only it) to measure throughput.
        RATELIMIT_LOGIN="1000000/m",
        BENCH_USERNAME=USERNAME,
        BENCH_PASSWORD=PASSWORD,
    )


def prepare_stock_site() -> dict[str, str]:
    """Migrate the stock site's database and create the bench user there;
    return the site's environment."""
    env = clean_environment(DJANGO_SETTINGS_MODULE="bench.stocksite.settings")
    manage("migrate", "--noinput", env=env)
    create_user(env, USERNAME, PASSWORD)
    return env


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    meminfo = Path("/proc/meminfo").read_text()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
    mem_kib = int(re.search(r"^MemTotal:\s*(\d+)", meminfo, re.MULTILINE).group(1))
    return {
        "cores": CORES,
        "cpu": model.group(1).strip() if model else platform.processor(),
        "memory_gib": round(mem_kib / 1024**2, 1),
        "python": platform.python_version(),
    }


# --- measured in this process ------------------------------------------------


def verify_samples() -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of ``VERIFY_ROUNDS`` verifies, one at a time."""
    from django.contrib.auth.hashers import get_hasher

    hasher = get_hasher()
    encoded = hasher.encode(PASSWORD, hasher.salt())
    walls, cpus = [], []
    for _ in range(VERIFY_ROUNDS):
        wall, cpu = time.perf_counter(), time.process_time()
        assert hasher.verify(PASSWORD, encoded)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus


def argon2_ceiling(before: tuple, after: tuple) -> dict:
    """Median wall and CPU time of one verify with the configured hasher.

    Sampled before the server starts and again after it stops, so the
    ceiling brackets the load phases on a machine whose speed drifts.
    """
    from django.contrib.auth.hashers import get_hasher

    hasher = get_hasher()
    walls, cpus = before[0] + after[0], before[1] + after[1]
    cpu = statistics.median(cpus)
    return {
        "hasher": hasher.algorithm,
        "time_cost": hasher.time_cost,
        "memory_cost_kib": hasher.memory_cost,
        "parallelism": hasher.parallelism,
        "verifies": len(cpus),
        "verify_wall_ms": round(statistics.median(walls) * 1000, 1),
        "verify_cpu_ms": round(cpu * 1000, 1),
        "verify_cpu_ms_before": round(statistics.median(before[1]) * 1000, 1),
        "verify_cpu_ms_after": round(statistics.median(after[1]) * 1000, 1),
        "max_logins_per_s": round(CORES / cpu, 2),
    }


def _verify_for(seconds: float) -> tuple[int, int, float]:
    """Verify back to back for ``seconds``; return the verifies that ended
    within them, all verifies, and the CPU seconds of all.

    Only the verifies that ended in time count, as wrk counts only the
    sign-ins answered in time: both lose the work under way at the end.
    """
    from django.contrib.auth.hashers import get_hasher

    hasher = get_hasher()
    encoded = hasher.encode(PASSWORD, hasher.salt())
    in_time, done = 0, 0
    cpu, deadline = time.process_time(), time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert hasher.verify(PASSWORD, encoded)
        done += 1
        in_time += time.monotonic() <= deadline
    return in_time, done, time.process_time() - cpu


def argon2_parallel_ceiling(seconds: float) -> dict:
    """Verifies/s with one hashing process per server worker, side by side.

    Hashes that run at once share memory bandwidth and caches (each works
    through ``ARGON2_MEMORY_COST``), so each costs more CPU than a lone one:
    this is the most sign-ins/s the server's workers could do if they did
    nothing but hash, measured rather than derived.
    """
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(WORKERS) as pool:
        results = pool.map(_verify_for, [seconds] * WORKERS)
    return {
        "verifies": sum(in_time for in_time, _, _ in results),
        "seconds": seconds,
        "done": sum(done for _, done, _ in results),
        "cpu_s": sum(cpu for _, _, cpu in results),
    }


def combined_hashing(turns: list[dict]) -> dict:
    """The hashing turns as one measurement."""
    count = sum(turn["verifies"] for turn in turns)
    seconds = sum(turn["seconds"] for turn in turns)
    return {
        "processes": WORKERS,
        "turns": len(turns),
        "verifies_per_s": round(count / seconds, 2),
        "cpu_ms_per_verify": round(
            sum(turn["cpu_s"] for turn in turns)
            * 1000
            / max(sum(turn["done"] for turn in turns), 1),
            1,
        ),
        "turns_per_s": [round(t["verifies"] / t["seconds"], 2) for t in turns],
    }


def combined_logins(turns: list[dict]) -> dict:
    """The sign-in turns as one measurement (totals; mean latencies)."""
    keys = ("logins", "failures", "requests", "errors", "duration_us")
    figures = {key: sum(turn[key] for turn in turns) for key in keys}
    figures.update(
        server_cpu_s=round(sum(turn["server_cpu_s"] for turn in turns), 3),
        server_logins=sum(turn["server_logins"] for turn in turns),
        p50_ms=round(statistics.mean(turn["p50_ms"] for turn in turns), 2),
        p99_ms=round(statistics.mean(turn["p99_ms"] for turn in turns), 2),
        peak_rss_mib=max(turn["peak_rss_mib"] for turn in turns),
        turns_per_s=[turn["per_s"] for turn in turns],
    )
    return with_rates(figures)


def count_queries() -> dict:
    """SQL queries of sign-in POSTs and of a view of each signed-in page.

    Sign-ins are counted from a returning browser (it carries the account's
    known-device cookie, as the sign-in benchmark's does) and from a new one
    (which also mails the account a new-device notice). Django counts the
    transaction statements (BEGIN, COMMIT on SQLite) as queries too.
    """
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    def login_post(client):
        client.get(LOGIN_PATH)
        token = client.cookies[settings.CSRF_COOKIE_NAME].value
        data = {"username": USERNAME, "password": PASSWORD}
        with CaptureQueriesContext(connection) as login:
            response = client.post(LOGIN_PATH, {**data, "csrfmiddlewaretoken": token})
        assert response.status_code == 302, response.status_code
        return [q["sql"] for q in login.captured_queries]

    client = Client(enforce_csrf_checks=True, HTTP_HOST=HOST)
    login_post(client)  # the account's first sign-in: no notice is due yet
    new_device = login_post(Client(enforce_csrf_checks=True, HTTP_HOST=HOST))
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    client.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
    known_device = login_post(client)
    pages = {}
    for path in SIGNED_IN_PAGES:
        # As wrk sees it: the first view after a sign-in also fills the
        # security checkup's cache (one more query), the next ones read it.
        client.get(path)
        with CaptureQueriesContext(connection) as page:
            response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        pages[path] = {
            "queries": len(page),
            "writes": sum(
                not q["sql"].lstrip().upper().startswith("SELECT")
                for q in page.captured_queries
            ),
        }
    # The app client: a session token from the JSON API's sign-in, sent in
    # the X-Session-Token header; no cookies.
    app = Client(HTTP_HOST=HOST)
    response = app.post(
        API_LOGIN_PATH,
        {"username": USERNAME, "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 200, response.status_code
    session_token = response.json()["meta"]["session_token"]
    with CaptureQueriesContext(connection) as who_am_i:
        response = app.get(API_SESSION_PATH, headers={"X-Session-Token": session_token})
    assert response.status_code == 200, response.status_code
    return {
        "api_session_queries": len(who_am_i),
        "api_session_sql": [q["sql"] for q in who_am_i.captured_queries],
        "login_post_queries": len(known_device),
        "login_post_sql": known_device,
        "login_post_queries_new_device": len(new_device),
        "login_post_sql_new_device": new_device,
        "pages": pages,
        "page_view_queries": max(p["queries"] for p in pages.values()),
        "page_view_writes": max(p["writes"] for p in pages.values()),
    }


# --- the servers -------------------------------------------------------------


def signed_in(server: GunicornServer, paths: list[str]) -> Browser:
    """A browser signed in to ``server`` as the bench user."""
    browser = Browser(server.port, https=False)
    status = browser.login(USERNAME, PASSWORD).status
    if status != 302:
        sys.exit(f"signing in on port {server.port} answered HTTP {status}")
    check_signed_in(browser, paths)
    return browser


def check_signed_in(browser: Browser, paths: list[str]) -> None:
    """Stop unless the browser's cookies really open the bench user's pages:
    wrk would count redirects to the sign-in page as page views."""
    for path in paths:
        response = browser.get(path)
        # The dashboard names its user; the bare view does not.
        named = path != DASHBOARD_PATH or USERNAME in response.body
        if response.status != 200 or not named:
            sys.exit(
                f"{path} on port {browser.port} answered HTTP {response.status} "
                "instead of the bench user's page"
            )


def server_cpu_seconds(server: GunicornServer) -> float:
    """User + system CPU time used so far by the gunicorn master and workers.

    Unlike throughput, CPU per request does not depend on what else the
    machine is running, so it is also reported for each phase.
    """
    ticks = 0
    for pid in server.pids():
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def wait_until_idle(server: GunicornServer) -> None:
    """Wait (at most 15 s) until the server stops using CPU."""
    before = server_cpu_seconds(server)
    for _ in range(75):
        time.sleep(0.2)
        now = server_cpu_seconds(server)
        if now - before < 0.01:
            return
        before = now


def session_count() -> int:
    """The site's sessions in the database: one more for every sign-in."""
    from accounts.models import Session

    return Session.objects.count()


class RssSampler(threading.Thread):
    """Peak summed RSS of the gunicorn master and its workers."""

    def __init__(self, server: GunicornServer):
        super().__init__(daemon=True)
        self.server = server
        self.peak_kib = 0
        self.running = True

    def run(self) -> None:
        while self.running:
            self.peak_kib = max(self.peak_kib, self.server.rss_kib())
            time.sleep(0.05)

    def stop(self) -> int:
        self.running = False
        self.join()
        return self.peak_kib


# --- wrk ---------------------------------------------------------------------


def wrk(
    script: str,
    port: int,
    path: str,
    *,
    connections: int,
    threads: int,
    seconds: int,
    headers: dict | None = None,
    env: dict | None = None,
) -> dict:
    args = [
        "wrk",
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        "--timeout=30s",
        f"--script={BASE_DIR / 'bench' / script}",
    ]
    for name, value in (headers or {}).items():
        args.append(f"--header={name}: {value}")
    args.append(f"http://{HOST}:{port}{path}")
    result = subprocess.run(
        args,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    )
    line = next(
        line for line in result.stdout.splitlines() if line.startswith("BENCH_JSON ")
    )
    figures = json.loads(line.removeprefix("BENCH_JSON "))
    figures["p50_ms"] = round(figures.pop("p50_us") / 1000, 2)
    figures["p99_ms"] = round(figures.pop("p99_us") / 1000, 2)
    return figures


def with_rates(figures: dict) -> dict:
    """Add operations per second and the server's CPU ms per operation.

    An operation is a completed sign-in where wrk counts them, else a
    request; the server's CPU is divided by the sign-ins it completed.
    """
    per_s = figures.get("logins", figures["requests"]) / (figures["duration_us"] / 1e6)
    done = figures.get("server_logins", figures["requests"])
    figures["per_s"] = round(per_s, 2)
    figures["server_cpu_ms_per_op"] = round(
        figures["server_cpu_s"] * 1000 / max(done, 1), 2
    )
    return figures


def measure(server: GunicornServer, script: str, path: str, **options) -> dict:
    """Run wrk against ``server``, adding its peak RSS and CPU time.

    Requests still in the workers when wrk stops are finished by them;
    their CPU time is counted after the server is idle again, and for
    sign-ins so are their sessions, so in-flight hashes are not charged
    to the sign-ins wrk saw complete.
    """
    signing_in = script != "pages.lua"
    cpu = server_cpu_seconds(server)
    sessions = session_count() if signing_in else 0
    sampler = RssSampler(server)
    sampler.start()
    try:
        figures = wrk(script, server.port, path, **options)
        wait_until_idle(server)
    finally:
        peak_kib = sampler.stop()
    figures["server_cpu_s"] = round(server_cpu_seconds(server) - cpu, 3)
    figures["peak_rss_mib"] = round(peak_kib / 1024, 1)
    if signing_in:
        figures["server_logins"] = session_count() - sessions
    return with_rates(figures)


def in_turns(measures: dict, seconds: int) -> dict:
    """Run each of two measures twice for half of ``seconds``, A B B A, so
    that a machine whose speed drifts slows both alike; combine the halves
    (their totals, and the mean of their latencies)."""
    (a, run_a), (b, run_b) = measures.items()
    halves = {a: [], b: []}
    for name, run in ((a, run_a), (b, run_b), (b, run_b), (a, run_a)):
        halves[name].append(run(max(seconds // 2, 1)))
    combined = {}
    for name, runs in halves.items():
        figures = {
            key: sum(run[key] for run in runs)
            for key in ("requests", "errors", "duration_us", "server_cpu_s")
        }
        figures.update(
            p50_ms=round(statistics.mean(run["p50_ms"] for run in runs), 2),
            p99_ms=round(statistics.mean(run["p99_ms"] for run in runs), 2),
            peak_rss_mib=max(run["peak_rss_mib"] for run in runs),
            halves_per_s=[run["per_s"] for run in runs],
        )
        combined[name] = with_rates(figures)
    return combined


def run_load(site: GunicornServer, stock: GunicornServer) -> dict:
    from accounts.conf import app_settings

    seconds = PHASE_SECONDS
    site_pages = [DASHBOARD_PATH, SIGNED_IN_BARE_PATH]
    user = signed_in(site, site_pages)
    stock_user = signed_in(stock, [DASHBOARD_PATH])
    device = app_settings.KNOWN_DEVICE_COOKIE_NAME

    out = {}
    turn_seconds = max(seconds // TURNS, 1)
    print(
        f"Sign-in and {WORKERS} processes hashing, in {TURNS} turns each "
        f"({turn_seconds} s) ...",
        flush=True,
    )

    def hashing():
        return argon2_parallel_ceiling(turn_seconds)

    def logins():
        return measure(
            site,
            "login.lua",
            LOGIN_PATH,
            connections=LOGIN_CONNECTIONS,
            threads=LOGIN_CONNECTIONS,
            seconds=turn_seconds,
            env={"BENCH_DEVICE_COOKIE": f"{device}={user.cookies[device]}"},
        )

    hashing_turns, login_turns = [], []
    for turn in range(TURNS):
        order = ((hashing, hashing_turns), (logins, login_turns))
        for run, results in order if turn % 2 == 0 else reversed(order):
            results.append(run())
    out["parallel"] = combined_hashing(hashing_turns)
    out["login"] = combined_logins(login_turns)
    print(f"API sign-in throughput ({seconds} s) ...", flush=True)
    out["api_login"] = measure(
        site,
        "api_login.lua",
        API_LOGIN_PATH,
        connections=LOGIN_CONNECTIONS,
        threads=LOGIN_CONNECTIONS,
        seconds=seconds,
    )

    def page_views(server, browser, path=DASHBOARD_PATH):
        """A measure of ``path`` with ``browser``'s cookies, for some seconds."""
        return lambda seconds: measure(
            server,
            "pages.lua",
            path,
            seconds=seconds,
            connections=PAGE_CONNECTIONS,
            threads=1,
            headers={"Cookie": browser.cookie_header},
        )

    print(
        f"Dashboards: warm-up, then this site and the stock site in turns "
        f"({seconds} s each) ...",
        flush=True,
    )
    page_views(site, user)(2)
    page_views(stock, stock_user)(2)
    out.update(
        in_turns(
            {
                "stock_dashboard": page_views(stock, stock_user),
                "dashboard": page_views(site, user),
            },
            seconds,
        )
    )
    print(f"Signed-in bare view ({seconds} s) ...", flush=True)
    out["signed_in_bare"] = page_views(site, user, SIGNED_IN_BARE_PATH)(seconds)
    check_signed_in(user, site_pages)
    check_signed_in(stock_user, [DASHBOARD_PATH])

    print(
        f"Sign-in flood ({FLOOD_CONNECTIONS} connections, {seconds} s) ...", flush=True
    )
    visitor = Browser(site.port, https=False)
    token = CSRF_INPUT.search(visitor.get(LOGIN_PATH).body)[1]
    out["flood"] = measure(
        site,
        "flood.lua",
        LOGIN_PATH,
        connections=FLOOD_CONNECTIONS,
        threads=2,
        seconds=seconds,
        env={"BENCH_CSRF_COOKIE": visitor.cookie_header, "BENCH_CSRF_TOKEN": token},
    )
    return out


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("make bench needs wrk: apt-get install wrk")
    # Before the bench does anything: other work on the machine lowers
    # throughput, and the load average says how much there is.
    load_before = os.getloadavg()[0]
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for path in OUT_DIR.glob("*.sqlite3*"):
        path.unlink()
    env = site_environment()
    # This process counts queries, sessions and hashes with the site's settings.
    os.environ.clear()
    os.environ.update(env)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    users.with_username(USERNAME).delete()  # left by a run on BENCH_DATABASE_URL
    users.create_user(USERNAME, EMAIL, PASSWORD, email_verified=True)
    stock_env = prepare_stock_site()
    from django.conf import settings

    results = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "make bench",
        "machine": machine(),
        "server": {
            "gunicorn_workers": WORKERS,
            "worker_class": "sync",
            "threads": 1,
            "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
            "settings": "bench.settings (production profile, plain HTTP)",
            "stock_settings": "bench.stocksite.settings (startproject, PBKDF2)",
        },
    }
    print(f"Argon2 ceiling ({VERIFY_ROUNDS} verifies) ...", flush=True)
    verifies_before = verify_samples()
    print("Counting queries ...", flush=True)
    results["queries"] = count_queries()

    with (
        GunicornServer(
            PORT, env, OUT_DIR / "gunicorn.log", options=GUNICORN_OPTIONS
        ) as site,
        GunicornServer(
            STOCK_PORT,
            stock_env,
            OUT_DIR / "stocksite-gunicorn.log",
            app="bench.stocksite.wsgi",
            options=GUNICORN_OPTIONS,
            ready=LOGIN_PATH,
        ) as stock,
    ):
        results.update(run_load(site, stock))
    print("Sign-ups and resets, fast then slow mail server ...", flush=True)
    results["mail"] = bench_mail.measure()
    print(f"Argon2 ceiling again ({VERIFY_ROUNDS} verifies) ...", flush=True)
    results["argon2"] = argon2_ceiling(verifies_before, verify_samples())
    parallel = results["argon2"]["parallel"] = results.pop("parallel")
    results["load_average"] = {
        "before": round(load_before, 2),
        "after": round(os.getloadavg()[0], 2),
    }
    login, api_login, dashboard, stock = (
        results["login"],
        results["api_login"],
        results["dashboard"],
        results["stock_dashboard"],
    )
    results["ratios"] = {
        "dashboard_vs_stock": round(dashboard["per_s"] / stock["per_s"], 3),
        "login_vs_parallel_verifies": round(
            login["per_s"] / parallel["verifies_per_s"], 3
        ),
        "api_login_vs_parallel_verifies": round(
            api_login["per_s"] / parallel["verifies_per_s"], 3
        ),
        "login_vs_ceiling": round(
            login["per_s"] / results["argon2"]["max_logins_per_s"], 3
        ),
        # The same from the servers' CPU time per operation: what throughput
        # would show on a machine with nothing else running.
        "dashboard_vs_stock_by_cpu": round(
            stock["server_cpu_ms_per_op"] / dashboard["server_cpu_ms_per_op"], 3
        ),
        "login_vs_ceiling_by_cpu": round(
            results["argon2"]["verify_cpu_ms"] / login["server_cpu_ms_per_op"], 3
        ),
        "sign_up_slow_vs_fast_mail": results["mail"]["sign_up_slow_vs_fast"],
        "reset_slow_vs_fast_mail": results["mail"]["reset_slow_vs_fast"],
    }
    (OUT_DIR / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    print(f"\nWritten to {OUT_DIR.relative_to(BASE_DIR) / 'latest.json'}")


def print_table(r: dict) -> None:
    a, q, m, ratios = r["argon2"], r["queries"], r["machine"], r["ratios"]
    login, api_login, flood = r["login"], r["api_login"], r["flood"]
    dash, stock, bare = r["dashboard"], r["stock_dashboard"], r["signed_in_bare"]

    def page(figures: dict) -> str:
        return (
            f"{figures['per_s']} req/s, p50 {figures['p50_ms']} ms, "
            f"p99 {figures['p99_ms']} ms, "
            f"{figures['server_cpu_ms_per_op']} ms server CPU each"
        )

    rows = [
        ("Machine", f"{m['cores']} cores, {m['cpu']}, {m['memory_gib']} GiB"),
        (
            "Load average",
            f"{r['load_average']['before']} before, {r['load_average']['after']} after",
        ),
        (
            "Servers",
            f"gunicorn, {r['server']['gunicorn_workers']} sync workers each, "
            f"{r['server']['database']}: this site, and a stock Django site",
        ),
        (
            "1. Argon2 verify (median)",
            f"{a['verify_wall_ms']} ms wall, {a['verify_cpu_ms']} ms CPU "
            f"({a['verify_cpu_ms_before']} before the load, "
            f"{a['verify_cpu_ms_after']} after)",
        ),
        ("   ceiling (cores / CPU)", f"{a['max_logins_per_s']} logins/s"),
        (
            f"   {a['parallel']['processes']} processes hashing at once",
            f"{a['parallel']['verifies_per_s']} verifies/s "
            f"({a['parallel']['cpu_ms_per_verify']} ms CPU each)",
        ),
        (
            "2. Sign-in (GET + POST)",
            f"{login['per_s']} logins/s, p50 {login['p50_ms']} ms; "
            f"{login['failures']} failed",
        ),
        ("   of the ceiling (cores / CPU)", f"{ratios['login_vs_ceiling']:.2f}"),
        (
            "   by server CPU",
            f"{login['server_cpu_ms_per_op']} ms per sign-in = "
            f"{ratios['login_vs_ceiling_by_cpu']:.2f} of a verify's",
        ),
        (
            "   SQL per sign-in POST",
            f"{q['login_post_queries']} (returning browser), "
            f"{q['login_post_queries_new_device']} (new device); "
            "BEGIN/COMMIT included",
        ),
        (
            "   API sign-in (app, JSON POST)",
            f"{api_login['per_s']} logins/s, p50 {api_login['p50_ms']} ms; "
            f"{api_login['failures']} failed; "
            f"{api_login['server_cpu_ms_per_op']} ms server CPU each",
        ),
        (
            "   SQL per API who-am-I (app)",
            f"{q['api_session_queries']} (GET {API_SESSION_PATH})",
        ),
        ("3. Dashboard", page(dash)),
        ("   stock Django dashboard", page(stock)),
        ("   signed-in bare view (no page)", page(bare)),
        (
            "4. SQL per page view (worst)",
            f"{q['page_view_queries']} ({q['page_view_writes']} writes)",
        ),
        (
            "5. Peak RSS, sign-in flood",
            f"{flood['peak_rss_mib']} MiB ({FLOOD_CONNECTIONS} connections, "
            f"{flood['per_s']} logins/s, {flood['errors']} errors)",
        ),
        ("6. Slow mail server / fast", bench_mail.summary(r["mail"])),
        ("Targets (this run)", ""),
        (
            "   dashboard / stock dashboard",
            f"{ratios['dashboard_vs_stock']:.2f} req/s "
            f"({dash['per_s']} / {stock['per_s']}), "
            f"{ratios['dashboard_vs_stock_by_cpu']:.2f} by server CPU; "
            "target >= 1",
        ),
        (
            "   sign-in / processes hashing",
            f"{ratios['login_vs_parallel_verifies']:.2f} "
            f"({login['per_s']} / {a['parallel']['verifies_per_s']}); "
            "target >= 0.95",
        ),
        (
            "   API sign-in / processes hashing",
            f"{ratios['api_login_vs_parallel_verifies']:.2f} "
            f"({api_login['per_s']} / {a['parallel']['verifies_per_s']}); "
            "target: the form's, within noise",
        ),
        (
            "   SQL per API who-am-I (app)",
            f"{q['api_session_queries']}; target 1",
        ),
        (
            "   SQL per signed-in page view",
            f"{q['page_view_queries']}, {q['page_view_writes']} writes; "
            "target 1, no writes",
        ),
        (
            "   sign-up, reset: slow / fast mail",
            f"{ratios['sign_up_slow_vs_fast_mail']:.2f}, "
            f"{ratios['reset_slow_vs_fast_mail']:.2f}; target about 1.0",
        ),
    ]
    width = max(len(name) for name, _ in rows)
    print()
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
