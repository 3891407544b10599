"""Login flood: does a wrong-password flood starve real users or memory?

Starts the production profile under gunicorn (gunicorn.conf.py, SQLite, the
real Argon2 cost from settings unless overridden), then for ``--seconds``
sends ``--clients`` concurrent sign-ins with random usernames and wrong
passwords. Meanwhile it samples the total RSS of the gunicorn processes and,
every ``--probe-every`` seconds, times a real user's sign-in plus dashboard
load in a fresh browser. Run from the repository root:

    .venv/bin/python -m bench.flood                      # the defaults
    .venv/bin/python -m bench.flood --password-check-concurrency 0   # no cap

Bounded by design: it stops after ``--seconds`` and prints a summary.
"""

import argparse
import secrets
import statistics
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

from tests.live import (
    CSRF_INPUT,
    Browser,
    GunicornServer,
    create_user,
    prepare,
    production_environment,
)

PASSWORD = "correct-horse-battery-staple"


def process_tree_rss_mib(root_pid: int) -> float:
    """Total resident memory of ``root_pid`` and its children, in MiB."""
    pids, total_kib = [root_pid], 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == root_pid:
            pids.append(int(stat.parent.name))
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total_kib += int(line.split()[1])
    return total_kib / 1024


def flood_client(port: int, stop: threading.Event, statuses: Counter) -> None:
    """POST wrong passwords for random usernames until ``stop``.

    Like a script: it fetches the login page (CSRF cookie and token) once,
    then only POSTs.
    """
    browser = Browser(port)
    token = CSRF_INPUT.search(browser.get("/accounts/login/").body)[1]
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": "https://127.0.0.1/accounts/login/",
        "Origin": "https://127.0.0.1",
    }
    while not stop.is_set():
        body = urlencode(
            {
                "csrfmiddlewaretoken": token,
                "username": f"u{secrets.token_hex(6)}",
                "password": "wrong-password",
            }
        )
        try:
            response = browser.request("POST", "/accounts/login/", body, headers)
            statuses[response.status] += 1
        except OSError:
            statuses["connection error"] += 1


def real_user(port: int) -> tuple[float, int, int, int]:
    """Seconds for sign-in + dashboard in a fresh browser, attempts, statuses.

    Like a person, it submits the form again after a 503 (honouring
    ``Retry-After`` would only make the figure larger by that many seconds).
    """
    started = time.monotonic()
    browser = Browser(port)
    attempts = 0
    while True:
        attempts += 1
        login = browser.login("alice", PASSWORD)
        if login.status != 503 or attempts >= 10:
            break
    dashboard = browser.get("/dashboard/")
    return time.monotonic() - started, attempts, login.status, dashboard.status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=18451)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--probe-every", type=float, default=2)
    parser.add_argument("--workers", default="2")
    parser.add_argument("--threads", default="4")
    parser.add_argument("--password-check-concurrency", default="1")
    parser.add_argument("--password-check-timeout", default="2")
    parser.add_argument("--argon2-memory-cost", default="102400")
    parser.add_argument("--argon2-time-cost", default="2")
    parser.add_argument("--argon2-parallelism", default="8")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        env = production_environment(
            tmp_path,
            WEB_CONCURRENCY=args.workers,
            GUNICORN_THREADS=args.threads,
            PASSWORD_CHECK_CONCURRENCY=args.password_check_concurrency,
            PASSWORD_CHECK_TIMEOUT=args.password_check_timeout,
            ARGON2_MEMORY_COST=args.argon2_memory_cost,
            ARGON2_TIME_COST=args.argon2_time_cost,
            ARGON2_PARALLELISM=args.argon2_parallelism,
        )
        prepare(env)
        create_user(env, "alice", PASSWORD)
        with GunicornServer(args.port, env, tmp_path / "gunicorn.log") as server:
            pid = server.process.pid
            # Warm up: one sign-in per worker thread loads every module.
            for _ in range(int(args.workers) * 2):
                real_user(args.port)
            idle_rss = process_tree_rss_mib(pid)
            idle = [real_user(args.port)[0] for _ in range(3)]

            stop, statuses = threading.Event(), Counter()
            peak_rss, probes = idle_rss, []
            with ThreadPoolExecutor(max_workers=args.clients) as pool:
                for _ in range(args.clients):
                    pool.submit(flood_client, args.port, stop, statuses)
                deadline = time.monotonic() + args.seconds
                next_probe = time.monotonic() + 1
                while time.monotonic() < deadline:
                    peak_rss = max(peak_rss, process_tree_rss_mib(pid))
                    if time.monotonic() >= next_probe:
                        probes.append(real_user(args.port))
                        next_probe = time.monotonic() + args.probe_every
                    time.sleep(0.2)
                stop.set()

    flood_total = sum(statuses.values())
    latencies = [probe[0] for probe in probes]
    print(
        f"config: workers={args.workers} threads={args.threads} "
        f"PASSWORD_CHECK_CONCURRENCY={args.password_check_concurrency} "
        f"PASSWORD_CHECK_TIMEOUT={args.password_check_timeout} "
        f"argon2 m={args.argon2_memory_cost}KiB t={args.argon2_time_cost} "
        f"p={args.argon2_parallelism}"
    )
    print(
        f"flood: {args.clients} clients x {args.seconds:.0f} s, "
        f"{flood_total} requests, {flood_total / args.seconds:.1f}/s, "
        f"statuses {dict(statuses)}"
    )
    print(
        f"RSS of gunicorn (master + workers): idle {idle_rss:.0f} MiB, "
        f"peak during flood {peak_rss:.0f} MiB"
    )
    print(
        f"real user sign-in + dashboard, idle: median {statistics.median(idle):.2f} s"
    )
    print(
        f"real user during flood ({len(probes)} probes): "
        f"median {statistics.median(latencies):.2f} s, max {max(latencies):.2f} s, "
        f"attempts {[p[1] for p in probes]}, "
        f"final statuses {sorted({(p[2], p[3]) for p in probes})}"
    )


if __name__ == "__main__":
    main()
