"""``make bench``: logins and page views against their physical limits.

Starts the site under gunicorn on 127.0.0.1 (production settings over plain
HTTP, a throwaway database), then measures in one run:

1. the Argon2 ceiling: wall and CPU time of one ``verify`` with the
   configured cost, and the logins/s the machine could do at best
   (cores / CPU seconds per verify);
2. sign-in throughput with wrk (GET the form, POST the credentials) as a
   fraction of that ceiling, and the SQL queries of one sign-in POST;
3. dashboard requests/s and p50/p99 latency against a bare "hello" view
   served by the same gunicorn, and against the same bare view for a
   signed-in user only (the session and user checks every signed-in page
   pays, with no page around them); the same three views are also timed
   in-process, calling the WSGI application with no server around it;
4. the SQL queries of one signed-in page view (and that none writes);
5. the peak RSS of the gunicorn processes during a bounded sign-in flood.

Prints a table and writes ``var/bench/latest.json``. Linux only (reads
``/proc``); needs ``wrk`` (Debian package ``wrk``).
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
OUT_DIR = BASE_DIR / "var" / "bench"
HOST = "127.0.0.1"
PORT = int(os.environ.get("BENCH_PORT", "8911"))
CORES = len(os.sched_getaffinity(0))
WORKERS = int(os.environ.get("BENCH_WORKERS", str(CORES)))
PHASE_SECONDS = int(os.environ.get("BENCH_SECONDS", "12"))
LOGIN_CONNECTIONS = 2 * WORKERS
FLOOD_CONNECTIONS = 64
PAGE_CONNECTIONS = 8
VERIFY_ROUNDS = 15
USERNAME = "bench"
EMAIL = "bench@example.com"
PASSWORD = "bench-" + secrets.token_urlsafe(16)
LOGIN_PATH = "/accounts/login/"
DASHBOARD_PATH = "/dashboard/"
HELLO_PATH = "/bench/hello/"
SIGNED_IN_HELLO_PATH = "/bench/signed-in/"
# Signed-in pages whose SQL queries are counted (the worst one is reported);
# add each new page of the signed-in area here.
SIGNED_IN_PAGES = [DASHBOARD_PATH]


def configure_environment() -> None:
    """Production settings over plain HTTP, with a throwaway key and database."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    sqlite_path = OUT_DIR / "bench.sqlite3"
    for path in OUT_DIR.glob("bench.sqlite3*"):
        path.unlink()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=f"{HOST},testserver",
        SITE_URL=f"http://{HOST}:{PORT}",
        SECURE_SSL_REDIRECT="False",
        DATABASE_URL=os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{sqlite_path}"),
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


def _verify_for(seconds: float) -> tuple[int, float]:
    """Verify back to back for ``seconds``; return the count and CPU seconds."""
    from django.contrib.auth.hashers import get_hasher

    hasher = get_hasher()
    encoded = hasher.encode(PASSWORD, hasher.salt())
    count, cpu, deadline = 0, time.process_time(), time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert hasher.verify(PASSWORD, encoded)
        count += 1
    return count, time.process_time() - cpu


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
    count = sum(c for c, _ in results)
    return {
        "processes": WORKERS,
        "verifies_per_s": round(count / seconds, 2),
        "cpu_ms_per_verify": round(sum(c for _, c in results) * 1000 / count, 1),
    }


def in_process_cpu(rounds: int = 2000) -> dict:
    """CPU ms per request of each page view with no HTTP server around it.

    Calls the WSGI application directly with a signed-in cookie (best of 3
    rounds), so the difference from the figures under gunicorn is what HTTP
    and the server cost, and the differences between the views are Django's
    own work: the session and user checks, then the page.
    """
    import io

    from django.conf import settings
    from django.core.wsgi import get_wsgi_application
    from django.test import Client

    client = Client(HTTP_HOST=HOST)
    response = client.post(LOGIN_PATH, {"username": USERNAME, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    client.get(DASHBOARD_PATH)  # the CSRF cookie too, as a browser has it
    cookie = "; ".join(f"{name}={c.value}" for name, c in client.cookies.items())
    assert settings.SESSION_COOKIE_NAME in cookie
    application = get_wsgi_application()

    def view(path: str, cookie: str) -> None:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": HOST,
            "SERVER_PORT": str(PORT),
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": HOST,
            "HTTP_COOKIE": cookie,
            "REMOTE_ADDR": HOST,
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
        }
        statuses = []
        body = application(environ, lambda status, headers: statuses.append(status))
        b"".join(body)
        body.close()
        assert statuses[0].startswith("200"), (path, statuses)

    figures = {}
    for name, path, with_cookie in [
        ("hello", HELLO_PATH, ""),
        ("signed_in_hello", SIGNED_IN_HELLO_PATH, cookie),
        ("dashboard", DASHBOARD_PATH, cookie),
    ]:
        view(path, with_cookie)
        best = float("inf")
        for _ in range(3):
            cpu = time.process_time()
            for _ in range(rounds):
                view(path, with_cookie)
            best = min(best, time.process_time() - cpu)
        figures[f"{name}_cpu_ms"] = round(best * 1000 / rounds, 3)
    return figures


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
    return {
        "login_post_queries": len(known_device),
        "login_post_sql": known_device,
        "login_post_queries_new_device": len(new_device),
        "login_post_sql_new_device": new_device,
        "pages": pages,
        "page_view_queries": max(p["queries"] for p in pages.values()),
        "page_view_writes": max(p["writes"] for p in pages.values()),
    }


# --- the server ---------------------------------------------------------------


def start_gunicorn() -> subprocess.Popen:
    gunicorn = Path(sys.executable).with_name("gunicorn")
    log = open(OUT_DIR / "gunicorn.log", "w")  # noqa: SIM115  (closed with the server)
    server = subprocess.Popen(
        [
            str(gunicorn),
            "authsite.wsgi:application",
            f"--bind={HOST}:{PORT}",
            f"--workers={WORKERS}",
            # One sync worker per core, no worker recycling, no access log:
            # the server's own cost, measured plainly.
            "--worker-class=sync",
            "--threads=1",
            "--max-requests=0",
            "--access-logfile=/dev/null",
            "--backlog=2048",
            "--timeout=60",
        ],
        cwd=BASE_DIR,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            if get(HELLO_PATH)[0] == 200:
                return server
        except OSError:
            pass
        if server.poll() is not None:
            break
        time.sleep(0.2)
    stop(server)
    sys.exit(f"gunicorn did not start; see {OUT_DIR / 'gunicorn.log'}")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def get(path: str, cookie: str = "") -> tuple[int, dict, str]:
    conn = http.client.HTTPConnection(HOST, PORT, timeout=10)
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    response = conn.getresponse()
    body = response.read().decode()
    conn.close()
    return response.status, response.headers, body


def sign_in() -> tuple[str, str, str, str]:
    """Sign in over HTTP; return the CSRF cookie, its token, the session
    cookie and the known-device cookie."""
    _, headers, body = get(LOGIN_PATH)
    csrf_cookie = headers["Set-Cookie"].split(";")[0]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
    conn = http.client.HTTPConnection(HOST, PORT, timeout=10)
    form = f"csrfmiddlewaretoken={token}&username={USERNAME}&password={PASSWORD}"
    conn.request(
        "POST",
        LOGIN_PATH,
        body=form,
        headers={
            "Cookie": csrf_cookie,
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    response = conn.getresponse()
    response.read()
    conn.close()
    assert response.status == 302, response.status
    cookies = [c.split(";")[0] for c in response.headers.get_all("Set-Cookie")]
    session = next(c for c in cookies if "sessionid=" in c)
    device = next(c for c in cookies if "known_device=" in c)
    return csrf_cookie, token, session, device


def server_pids(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text()
    return [master, *(int(pid) for pid in children.split())]


def server_cpu_seconds(master: int) -> float:
    """User + system CPU time used so far by the gunicorn master and workers.

    Unlike throughput, CPU per request does not depend on what else the
    machine is running, so it is also reported for each phase.
    """
    ticks = 0
    for pid in server_pids(master):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def wait_until_idle(master: int) -> None:
    """Wait (at most 15 s) until the server stops using CPU."""
    before = server_cpu_seconds(master)
    for _ in range(75):
        time.sleep(0.2)
        now = server_cpu_seconds(master)
        if now - before < 0.01:
            return
        before = now


def session_count() -> int:
    """Sessions in the database: one more for every completed sign-in."""
    from accounts.models import Session

    return Session.objects.count()


class RssSampler(threading.Thread):
    """Peak summed RSS of the gunicorn master and its workers, from /proc."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kib = 0
        self.running = True

    def rss_kib(self) -> int:
        total = 0
        for pid in server_pids(self.pid):
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except FileNotFoundError:
                continue
            match = re.search(r"^VmRSS:\s*(\d+)", status, re.MULTILINE)
            total += int(match.group(1)) if match else 0
        return total

    def run(self) -> None:
        while self.running:
            self.peak_kib = max(self.peak_kib, self.rss_kib())
            time.sleep(0.05)

    def stop(self) -> int:
        self.running = False
        self.join()
        return self.peak_kib


# --- wrk -----------------------------------------------------------------------


def wrk(
    script: str,
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
    args.append(f"http://{HOST}:{PORT}{path}")
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
    seconds_run = figures["duration_us"] / 1e6
    figures["per_s"] = round(
        figures.get("logins", figures["requests"]) / seconds_run, 2
    )
    figures["p50_ms"] = round(figures.pop("p50_us") / 1000, 2)
    figures["p99_ms"] = round(figures.pop("p99_us") / 1000, 2)
    return figures


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("make bench needs wrk: apt-get install wrk")
    # Before the bench does anything: other work on the machine lowers
    # throughput, and the load average says how much there is.
    load_before = os.getloadavg()[0]
    configure_environment()
    sys.path.insert(0, str(BASE_DIR))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    users.with_username(USERNAME).delete()  # left by a run on BENCH_DATABASE_URL
    users.create_user(USERNAME, EMAIL, PASSWORD, email_verified=True)
    from django.conf import settings

    results = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "make bench",
        "machine": machine(),
        "server": {
            "gunicorn_workers": WORKERS,
            "worker_class": "sync",
            "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
            "settings": "bench.settings (production profile, plain HTTP)",
        },
    }
    print(f"Argon2 ceiling ({VERIFY_ROUNDS} verifies) ...", flush=True)
    verifies_before = verify_samples()
    print(f"Argon2, {WORKERS} processes hashing at once ...", flush=True)
    parallel = argon2_parallel_ceiling(PHASE_SECONDS / 2)
    print("Counting queries ...", flush=True)
    results["queries"] = count_queries()
    print("Page views in-process (no HTTP server) ...", flush=True)
    results["in_process"] = in_process_cpu()

    server = start_gunicorn()
    try:
        results.update(run_load(server))
    finally:
        stop(server)
    print(f"Argon2 ceiling again ({VERIFY_ROUNDS} verifies) ...", flush=True)
    results["argon2"] = argon2_ceiling(verifies_before, verify_samples())
    results["argon2"]["parallel"] = parallel
    results["load_average"] = {
        "before": round(load_before, 2),
        "after": round(os.getloadavg()[0], 2),
    }
    results["ratios"] = {
        "login_vs_ceiling": round(
            results["login"]["per_s"] / results["argon2"]["max_logins_per_s"], 3
        ),
        "login_vs_parallel_verifies": round(
            results["login"]["per_s"] / results["argon2"]["parallel"]["verifies_per_s"],
            3,
        ),
        "dashboard_vs_hello": round(
            results["dashboard"]["per_s"] / results["hello"]["per_s"], 3
        ),
        "signed_in_hello_vs_hello": round(
            results["signed_in_hello"]["per_s"] / results["hello"]["per_s"], 3
        ),
        "dashboard_vs_signed_in_hello": round(
            results["dashboard"]["per_s"] / results["signed_in_hello"]["per_s"], 3
        ),
        # The same two ratios from the server's CPU time per operation: what
        # throughput would show on a machine with nothing else running.
        "login_vs_ceiling_by_cpu": round(
            results["argon2"]["verify_cpu_ms"]
            / results["login"]["server_cpu_ms_per_op"],
            3,
        ),
        "dashboard_vs_hello_by_cpu": round(
            results["hello"]["server_cpu_ms_per_op"]
            / results["dashboard"]["server_cpu_ms_per_op"],
            3,
        ),
    }
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    print_table(results)
    print(f"\nWritten to {OUT_DIR.relative_to(BASE_DIR) / 'latest.json'}")


def check_signed_in(cookie: str) -> None:
    """Stop unless the cookie really opens the bench user's pages."""
    status, _, body = get(DASHBOARD_PATH, cookie)
    if status != 200 or USERNAME not in body:
        sys.exit(f"the dashboard answered HTTP {status} instead of the user's page")
    status = get(SIGNED_IN_HELLO_PATH, cookie)[0]
    if status != 200:
        sys.exit(f"the signed-in bare view answered HTTP {status} instead of 200")


def run_load(server: subprocess.Popen) -> dict:
    seconds = PHASE_SECONDS
    csrf_cookie, token, session, device = sign_in()
    page_cookie = f"{csrf_cookie}; {session}"
    check_signed_in(page_cookie)

    def phase(script, path, **options) -> dict:
        """Run wrk, adding the server's peak RSS and CPU time per operation.

        Requests still in the workers when wrk stops are finished by them;
        their CPU time is counted after the server is idle again, and for
        sign-ins so are their sessions, so in-flight hashes are not charged
        to the sign-ins wrk saw complete.
        """
        sampler = RssSampler(server.pid)
        sampler.start()
        cpu, sessions = server_cpu_seconds(server.pid), session_count()
        figures = wrk(script, path, **options)
        wait_until_idle(server.pid)
        cpu = server_cpu_seconds(server.pid) - cpu
        figures["peak_rss_mib"] = round(sampler.stop() / 1024, 1)
        if "logins" in figures:
            done = figures["server_logins"] = session_count() - sessions
        else:
            done = figures["requests"]
        figures["server_cpu_ms_per_op"] = round(cpu * 1000 / max(done, 1), 2)
        return figures

    out = {}
    print(f"Sign-in throughput ({seconds} s) ...", flush=True)
    out["login"] = phase(
        "login.lua",
        LOGIN_PATH,
        connections=LOGIN_CONNECTIONS,
        threads=LOGIN_CONNECTIONS,
        seconds=seconds,
        env={"BENCH_DEVICE_COOKIE": device},
    )
    print("Page views: warm-up, hello, signed-in hello, dashboard ...", flush=True)
    page_options = {"connections": PAGE_CONNECTIONS, "threads": 1}
    phase(
        "pages.lua",
        DASHBOARD_PATH,
        seconds=2,
        **page_options,
        headers={"Cookie": page_cookie},
    )
    out["hello"] = phase("pages.lua", HELLO_PATH, seconds=seconds, **page_options)
    out["signed_in_hello"] = phase(
        "pages.lua",
        SIGNED_IN_HELLO_PATH,
        seconds=seconds,
        **page_options,
        headers={"Cookie": page_cookie},
    )
    out["dashboard"] = phase(
        "pages.lua",
        DASHBOARD_PATH,
        seconds=seconds,
        **page_options,
        headers={"Cookie": page_cookie},
    )
    check_signed_in(page_cookie)

    print(
        f"Sign-in flood ({FLOOD_CONNECTIONS} connections, {seconds} s) ...", flush=True
    )
    out["flood"] = phase(
        "flood.lua",
        LOGIN_PATH,
        connections=FLOOD_CONNECTIONS,
        threads=2,
        seconds=seconds,
        env={"BENCH_CSRF_COOKIE": csrf_cookie, "BENCH_CSRF_TOKEN": token},
    )
    return out


def print_table(r: dict) -> None:
    a, q, m = r["argon2"], r["queries"], r["machine"]
    login, hello, dash, flood = r["login"], r["hello"], r["dashboard"], r["flood"]
    bare = r["signed_in_hello"]
    rows = [
        ("Machine", f"{m['cores']} cores, {m['cpu']}, {m['memory_gib']} GiB"),
        (
            "Load average",
            f"{r['load_average']['before']} before, {r['load_average']['after']} after",
        ),
        (
            "Server",
            f"gunicorn, {r['server']['gunicorn_workers']} sync workers, "
            f"{r['server']['database']}",
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
            f"{login['per_s']} logins/s = {r['ratios']['login_vs_ceiling']:.2f} of "
            f"ceiling (target >= 0.95); {login['failures']} failed",
        ),
        (
            "   vs processes hashing at once",
            f"{r['ratios']['login_vs_parallel_verifies']:.2f}",
        ),
        (
            "   by server CPU",
            f"{login['server_cpu_ms_per_op']} ms per sign-in = "
            f"{r['ratios']['login_vs_ceiling_by_cpu']:.2f} of ceiling",
        ),
        (
            "   SQL per sign-in POST",
            f"{q['login_post_queries']} (returning browser), "
            f"{q['login_post_queries_new_device']} (new device); "
            "BEGIN/COMMIT included",
        ),
        (
            "3. Hello view",
            f"{hello['per_s']} req/s, p50 {hello['p50_ms']} ms, "
            f"p99 {hello['p99_ms']} ms",
        ),
        (
            "   Signed-in bare view",
            f"{bare['per_s']} req/s, p50 {bare['p50_ms']} ms, "
            f"p99 {bare['p99_ms']} ms = "
            f"{r['ratios']['signed_in_hello_vs_hello']:.2f} of hello",
        ),
        (
            "   Dashboard",
            f"{dash['per_s']} req/s, p50 {dash['p50_ms']} ms, p99 {dash['p99_ms']} ms",
        ),
        (
            "   dashboard / hello",
            f"{r['ratios']['dashboard_vs_hello']:.2f} (target >= 0.8)",
        ),
        (
            "   by server CPU",
            f"{hello['server_cpu_ms_per_op']} vs {dash['server_cpu_ms_per_op']} ms "
            f"per request = {r['ratios']['dashboard_vs_hello_by_cpu']:.2f}",
        ),
        (
            "   dashboard / signed-in bare view",
            f"{r['ratios']['dashboard_vs_signed_in_hello']:.2f} "
            f"({bare['server_cpu_ms_per_op']} ms CPU per bare signed-in request)",
        ),
        (
            "   in-process, no HTTP server",
            f"hello {r['in_process']['hello_cpu_ms']}, signed-in bare view "
            f"{r['in_process']['signed_in_hello_cpu_ms']}, dashboard "
            f"{r['in_process']['dashboard_cpu_ms']} ms CPU per request",
        ),
        (
            "4. SQL per page view (worst)",
            f"{q['page_view_queries']} ({q['page_view_writes']} writes; "
            "target <= 2 and 0)",
        ),
        (
            "5. Peak RSS, sign-in flood",
            f"{flood['peak_rss_mib']} MiB ({FLOOD_CONNECTIONS} connections, "
            f"{flood['per_s']} logins/s, {flood['errors']} errors)",
        ),
    ]
    width = max(len(name) for name, _ in rows)
    print()
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
