"""A minute of strangers' sign-ins: memory stays bounded, the owner gets in.

The production profile under the checked-in gunicorn settings (2 workers x
4 threads, SQLite) with Django's default Argon2 cost (t=2, m=100 MiB, p=8)
and the default password-check cap. ``wrk`` (Debian package ``wrk``,
installed by ``make system-packages``) runs ``bench/stranger_flood.lua``
for ``FLOOD_SECONDS`` (60 unless ``FLOOD_TEST_SECONDS`` says otherwise),
twice at once: 62 connections from one client address and 2 from a
random address each request, all POSTing random usernames with random
64-character passwords. The one address is soon refused before any hash
(429: its sign-in limit, then its lock); the random addresses keep the
capped hasher busy (a wrong password checked, or 503 when the slot is
taken: the memory the bound is about). Meanwhile the test
samples the total RSS of the gunicorn master and workers, and every few
seconds the account's owner signs in from her known browser and loads the
dashboard.

The server always runs on a SQLite file of its own, so the test runs on
the suite's SQLite leg only (CI runs the suite once on each database).

The bound asserted is docs/performance.md's: idle RSS (measured after
warm-up sign-ins, about 220 MiB here) + WEB_CONCURRENCY x
(PASSWORD_CHECK_CONCURRENCY + PASSWORD_CHECK_RESERVED) x ARGON2_MEMORY_COST
(2 x 2 x 100 MiB), about 620 MiB; the peak measured is about 420 MiB.
Figures go to ``test-artifacts/reliability/sign_in_flood.json``.
"""

import json
import os
import re
import shutil
import subprocess
import time

import pytest

from .live import (
    BASE_DIR,
    CSRF_INPUT,
    Browser,
    GunicornServer,
    create_users,
    prepare,
    production_environment,
    save_figures,
)
from .load import PASSWORD

pytestmark = pytest.mark.live

FLOOD_SECONDS = int(os.environ.get("FLOOD_TEST_SECONDS", "60"))
PORT = 18650
OWNER_ADDRESS = "192.0.2.10"
FLOOD_ADDRESS = "203.0.113.7"
CONNECTIONS = {"one_address": 62, "random_addresses": 2}
WORKERS, PASSWORD_CHECK_SLOTS, ARGON2_MEMORY_MIB = 2, 1 + 1, 100


class BrowserAt(Browser):
    """A browser whose requests the proxy forwards from ``address``."""

    def __init__(self, port, address):
        super().__init__(port)
        self.address = address

    def request(self, method, path, body=None, headers=None):
        headers = {**(headers or {}), "X-Forwarded-For": self.address}
        return super().request(method, path, body, headers)


def owner_signs_in(device_cookie) -> tuple[int, int, int]:
    """Alice, signed out, signs in from her known browser and opens the
    dashboard, submitting again after a 503 or 429 as a person would
    (at most 10 times): (submits, sign-in status, dashboard status)."""
    browser = BrowserAt(PORT, OWNER_ADDRESS)
    browser.cookies.update(device_cookie)
    for submits in range(1, 11):  # noqa: B007
        login = browser.login("alice", PASSWORD)
        if login.status not in (429, 503):
            break
    return submits, login.status, browser.get("/dashboard/").status


def flood(connections, env) -> subprocess.Popen:
    """``wrk`` running bench/stranger_flood.lua for FLOOD_SECONDS."""
    return subprocess.Popen(
        [
            shutil.which("wrk"),
            "-t1",
            f"-c{connections}",
            f"-d{FLOOD_SECONDS}s",
            "--timeout=30s",
            "-s",
            str(BASE_DIR / "bench" / "stranger_flood.lua"),
            f"http://127.0.0.1:{PORT}",
        ],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wrk_results(output) -> dict:
    match = re.search(r"^BENCH_JSON (.*)$", output, re.MULTILINE)
    assert match, output
    return json.loads(match[1])


@pytest.fixture
def server(tmp_path):
    env = production_environment(
        tmp_path,
        WEB_CONCURRENCY=str(WORKERS),
        GUNICORN_THREADS="4",
        ARGON2_TIME_COST="2",
        ARGON2_MEMORY_COST=str(ARGON2_MEMORY_MIB * 1024),
        ARGON2_PARALLELISM="8",
        PASSWORD_CHECK_CONCURRENCY="1",
        PASSWORD_CHECK_RESERVED="1",
    )
    prepare(env)
    create_users(env, ("alice",), PASSWORD)
    with GunicornServer(PORT, env, tmp_path / "gunicorn.log") as server:
        yield server


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql")),
    reason="runs on the SQLite leg: the server's database is its own SQLite file",
)
def test_a_minute_of_strangers_signing_in_keeps_memory_bounded_and_lets_the_owner_in(
    server,
):
    assert shutil.which("wrk"), "the flood needs wrk: make system-packages"
    owner = BrowserAt(PORT, OWNER_ADDRESS)
    assert owner.login("alice", PASSWORD).status == 302
    device_cookie = {k: v for k, v in owner.cookies.items() if "known_device" in k}
    assert device_cookie, "the sign-in set no known-device cookie"
    for _ in range(2 * WORKERS):  # warm up: each worker loads what a sign-in needs
        owner_signs_in(device_cookie)
    idle_rss = server.rss_kib() / 1024
    bound = idle_rss + WORKERS * PASSWORD_CHECK_SLOTS * ARGON2_MEMORY_MIB

    visitor = Browser(PORT)
    token = CSRF_INPUT.search(visitor.get("/accounts/login/").body)[1]
    csrf = {"BENCH_CSRF_COOKIE": visitor.cookie_header, "BENCH_CSRF_TOKEN": token}
    floods = {
        "one_address": flood(
            CONNECTIONS["one_address"], {**csrf, "BENCH_FLOOD_ADDRESS": FLOOD_ADDRESS}
        ),
        "random_addresses": flood(CONNECTIONS["random_addresses"], csrf),
    }
    peak_rss, probes = idle_rss, []
    next_probe = time.monotonic() + 2
    while any(each.poll() is None for each in floods.values()):
        peak_rss = max(peak_rss, server.rss_kib() / 1024)
        if time.monotonic() >= next_probe:
            probes.append(owner_signs_in(device_cookie))
            next_probe = time.monotonic() + 3
        time.sleep(0.1)
    outputs = {name: each.stdout.read() for name, each in floods.items()}
    results = {name: wrk_results(output) for name, output in outputs.items()}
    seconds = max(each["duration_us"] for each in results.values()) / 1e6
    requests = sum(each["requests"] for each in results.values())

    save_figures(
        "sign_in_flood",
        {
            "seconds": round(seconds),
            "requests": requests,
            "requests_per_s": round(requests / seconds),
            **{
                name: {
                    "connections": CONNECTIONS[name],
                    "requests": each["requests"],
                    "answers": {
                        k: each[k] for k in ("checked", "locked", "busy", "other")
                    },
                    "socket_errors": each["errors"],
                }
                for name, each in results.items()
            },
            "idle_rss_mib": round(idle_rss),
            "peak_rss_mib": round(peak_rss),
            "bound_mib": round(bound),
            "owner_probes": len(probes),
            "owner_submits": [submits for submits, *_ in probes],
        },
    )
    for name, each in results.items():
        assert each["requests"] > 0, outputs[name]
        assert each["other"] == 0, each
        assert each["errors"] == 0, outputs[name]
    # The random addresses reached the hasher, the one address was stopped.
    assert results["random_addresses"]["checked"] > 0
    assert results["one_address"]["locked"] > 0
    assert peak_rss <= bound, f"peak RSS {peak_rss:.0f} MiB > bound {bound:.0f} MiB"
    assert probes, "the owner never tried to sign in during the flood"
    assert all((login, page) == (302, 200) for _, login, page in probes), probes
    assert "Traceback" not in server.log.read_text()
