"""Login flood: does a wrong-password flood starve real users or memory?

Starts the production profile under gunicorn (authsite/gunicorn.conf.py, SQLite,
behind one simulated TLS proxy, Django's default Argon2 cost unless
overridden) and creates one user, who signs in once so that her browser is
a known device. Then, for each flood kind, on a fresh server and database:

* ``single``: ``--clients`` concurrent connections POST wrong passwords for
  random usernames, all from one client address (the X-Forwarded-For the
  proxy would write);
* ``distributed``: the same, each request from a random address, so no
  address reaches the lockout limit.

During each flood it samples the total RSS of the gunicorn master and
workers and, every ``--probe-every`` seconds, times the real user's sign-in
from her known browser (signed out: only the known-device cookie left) plus
a dashboard load, from her own address. Run from the repository root:

    .venv/bin/python -m bench.flood                 # both floods, the defaults
    .venv/bin/python -m bench.flood --kinds distributed --password-check-reserved 0

Bounded by design: each flood stops after ``--seconds``; a summary table is
printed and written to ``var/bench/flood.json``.
"""

import argparse
import json
import random
import secrets
import statistics
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
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
OWNER_ADDRESS = "192.0.2.10"
SINGLE_FLOOD_ADDRESS = "203.0.113.7"
OUT = Path(__file__).resolve().parent.parent / "var" / "bench" / "flood.json"


class BrowserAt(Browser):
    """A ``Browser`` whose requests the proxy forwards from ``address``.

    ``address`` may be a callable, giving each request its own address.
    """

    def __init__(self, port, address):
        super().__init__(port)
        self.address = address

    def request(self, method, path, body=None, headers=None):
        address = self.address() if callable(self.address) else self.address
        headers = {**(headers or {}), "X-Forwarded-For": address}
        return super().request(method, path, body, headers)


def random_address() -> str:
    """A random private address (not a secret: ``random`` is fine)."""
    octets = (random.randrange(256), random.randrange(256), random.randrange(1, 255))  # noqa: S311
    return "10.{}.{}.{}".format(*octets)


def flood_client(port, address, stop: threading.Event, statuses: Counter) -> None:
    """POST wrong passwords for random usernames until ``stop``.

    Like a script: it fetches the login page (CSRF cookie and token) once,
    then only POSTs.
    """
    browser = BrowserAt(port, address)
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


def real_user(port: int, device_cookie: dict) -> tuple[float, int, int, int]:
    """Seconds for sign-in + dashboard from the owner's known browser.

    The browser holds only the known-device cookie, as after signing out.
    Like a person, it submits the form again after a 503 or 429 (honouring
    ``Retry-After`` would only make the figure larger by that many seconds).
    Returns the seconds, the submits, and the last sign-in and dashboard
    statuses.
    """
    started = time.monotonic()
    browser = BrowserAt(port, OWNER_ADDRESS)
    browser.cookies.update(device_cookie)
    attempts = 0
    while True:
        attempts += 1
        login = browser.login("alice", PASSWORD)
        if login.status not in (429, 503) or attempts >= 10:
            break
    dashboard = browser.get("/dashboard/")
    return time.monotonic() - started, attempts, login.status, dashboard.status


def run_flood(kind: str, args, env: dict, tmp_path: Path) -> dict:
    """One flood on a fresh database and server; its figures."""
    prepare(env)
    create_user(env, "alice", PASSWORD)
    address = SINGLE_FLOOD_ADDRESS if kind == "single" else random_address
    with GunicornServer(args.port, env, tmp_path / f"gunicorn-{kind}.log") as server:
        owner = BrowserAt(args.port, OWNER_ADDRESS)
        assert owner.login("alice", PASSWORD).status == 302
        device_cookie = {
            name: value
            for name, value in owner.cookies.items()
            if "known_device" in name
        }
        assert device_cookie, "the sign-in set no known-device cookie"
        # Warm up: sign-ins load every module in each worker thread.
        for _ in range(int(args.workers) * 2):
            real_user(args.port, device_cookie)
        idle_rss = server.rss_kib() / 1024
        idle = [real_user(args.port, device_cookie)[0] for _ in range(3)]

        stop, statuses = threading.Event(), Counter()
        peak_rss, probes = idle_rss, []
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            for _ in range(args.clients):
                pool.submit(flood_client, args.port, address, stop, statuses)
            started = time.monotonic()
            deadline = started + args.seconds
            next_probe = started + 1
            while time.monotonic() < deadline:
                peak_rss = max(peak_rss, server.rss_kib() / 1024)
                if time.monotonic() >= next_probe:
                    probes.append(real_user(args.port, device_cookie))
                    next_probe = time.monotonic() + args.probe_every
                time.sleep(0.1)
            stop.set()
        flood_seconds = time.monotonic() - started
    latencies = [probe[0] for probe in probes]
    return {
        "kind": kind,
        "flood_requests": sum(statuses.values()),
        "flood_per_s": round(sum(statuses.values()) / flood_seconds, 1),
        "flood_statuses": {str(k): v for k, v in sorted(statuses.items(), key=str)},
        "idle_rss_mib": round(idle_rss),
        "peak_rss_mib": round(peak_rss),
        "owner_idle_median_s": round(statistics.median(idle), 2),
        "owner_probes": len(probes),
        "owner_median_s": round(statistics.median(latencies), 2),
        "owner_max_s": round(max(latencies), 2),
        "owner_submits": [probe[1] for probe in probes],
        "owner_final_statuses": sorted({(p[2], p[3]) for p in probes}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=18451)
    parser.add_argument("--kinds", default="single,distributed")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--probe-every", type=float, default=2)
    parser.add_argument("--workers", default="2")
    parser.add_argument("--threads", default="4")
    parser.add_argument("--password-check-concurrency", default="1")
    parser.add_argument("--password-check-reserved", default="1")
    parser.add_argument("--password-check-timeout", default="2")
    parser.add_argument("--argon2-memory-cost", default="102400")
    parser.add_argument("--argon2-time-cost", default="2")
    parser.add_argument("--argon2-parallelism", default="8")
    args = parser.parse_args()

    config = {
        "WEB_CONCURRENCY": args.workers,
        "GUNICORN_THREADS": args.threads,
        "PASSWORD_CHECK_CONCURRENCY": args.password_check_concurrency,
        "PASSWORD_CHECK_RESERVED": args.password_check_reserved,
        "PASSWORD_CHECK_TIMEOUT": args.password_check_timeout,
        "ARGON2_MEMORY_COST": args.argon2_memory_cost,
        "ARGON2_TIME_COST": args.argon2_time_cost,
        "ARGON2_PARALLELISM": args.argon2_parallelism,
    }
    results = []
    for kind in args.kinds.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            env = production_environment(Path(tmp), **config)
            results.append(run_flood(kind, args, env, Path(tmp)))

    slots = int(args.password_check_concurrency) + int(args.password_check_reserved)
    hashes = int(args.workers) * slots
    bound = (
        max(r["idle_rss_mib"] for r in results)
        + hashes * int(args.argon2_memory_cost) / 1024
    )
    print(" ".join(f"{name}={value}" for name, value in config.items()))
    print(
        f"memory bound: idle RSS + {args.workers} workers x {slots} slots x "
        f"{int(args.argon2_memory_cost) // 1024} MiB = {bound:.0f} MiB"
    )
    for r in results:
        print(
            f"\n{r['kind']} flood: {args.clients} clients x {args.seconds:.0f} s, "
            f"{r['flood_requests']} requests ({r['flood_per_s']}/s), "
            f"statuses {r['flood_statuses']}"
        )
        print(
            f"  RSS of gunicorn (master + workers): idle {r['idle_rss_mib']} MiB, "
            f"peak {r['peak_rss_mib']} MiB"
        )
        print(
            f"  owner (known device) sign-in + dashboard: idle median "
            f"{r['owner_idle_median_s']} s; during the flood ({r['owner_probes']} "
            f"probes) median {r['owner_median_s']} s, max {r['owner_max_s']} s, "
            f"submits {r['owner_submits']}, final statuses "
            f"{r['owner_final_statuses']}"
        )
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        json.dumps(
            {
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
                "command": "python -m bench.flood",
                "config": config,
                "clients": args.clients,
                "seconds": args.seconds,
                "memory_bound_mib": round(bound),
                "floods": results,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
