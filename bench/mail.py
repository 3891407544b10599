"""Does a slow mail server slow down sign-ups and reset requests?

Part of ``make bench`` (``bench/run.py``), or alone:

    .venv/bin/python -m bench.mail

Starts the production profile under gunicorn (SQLite in a temporary
directory, 2 workers, the database task backend) with ``db_worker`` beside
it, and times the POST of ``ROUNDS`` sign-ups and ``ROUNDS`` password-reset
requests (each after its own GET of the form) twice: once with the worker
delivering to a fast local mail server (aiosmtpd), once to a slow one that
waits ``SLOW_SECONDS`` (2 s) before answering each SMTP command, about 8 s
per message. Since email is queued, the ratio slow / fast of the median
latency should be about 1.0. For contrast, one sign-up on a server that
sends its email in the request (``TASKS_BACKEND=immediate``, as before the
outbox) to the slow mail server.

A few seconds plus the contrast's 8 s. Prints the figures; ``bench/run.py``
stores them in ``var/bench/latest.json`` (alone: merged into that file).
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from tests.live import (
    CSRF_INPUT,
    Browser,
    DbWorker,
    GunicornServer,
    SmtpServer,
    create_users,
    prepare,
    production_environment,
)

BASE_DIR = Path(__file__).resolve().parent.parent
OUT = BASE_DIR / "var" / "bench" / "latest.json"
BASE_PORT = int(os.environ.get("BENCH_PORT", "8911")) + 2
SITE_PORT, MAIL_PORT, IMMEDIATE_PORT = BASE_PORT, BASE_PORT + 1, BASE_PORT + 2
ROUNDS = 16
SLOW_SECONDS = 2.0
PASSWORD = "correct-horse-battery-staple"


def timed_post(port: int, path: str, fields: dict) -> float:
    """Seconds for the POST of the form at ``path`` (after a GET for CSRF)."""
    browser = Browser(port)
    token = CSRF_INPUT.search(browser.get(path).body)[1]
    body = urlencode({**fields, "csrfmiddlewaretoken": token})
    started = time.perf_counter()
    response = browser.request(
        "POST",
        path,
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"https://127.0.0.1{path}",
            "Origin": "https://127.0.0.1",
        },
    )
    seconds = time.perf_counter() - started
    assert response.status == 302, (path, response.status, response.body[:500])
    return seconds


def sign_up(port: int, name: str) -> float:
    return timed_post(
        port,
        "/accounts/signup/",
        {
            "username": name,
            "email": f"{name}@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


def reset(port: int, name: str) -> float:
    return timed_post(
        port, "/accounts/password/reset/", {"email": f"{name}@example.com"}
    )


def phase(env, tmp: Path, kind: str, delay: float) -> dict:
    """ROUNDS sign-ups and resets with the worker sending to this server."""
    with (
        SmtpServer(MAIL_PORT, delay=delay) as mail,
        DbWorker(env, tmp / f"worker-{kind}.log"),
    ):
        sign_ups = [sign_up(SITE_PORT, f"{kind}{n}") for n in range(ROUNDS)]
        resets = [reset(SITE_PORT, "alice") for _ in range(ROUNDS)]
        # How many went out meanwhile: all with the fast one, hardly any
        # with the slow one (the worker is still talking to it).
        delivered = len(mail.messages)
    return {
        "sign_up_median_ms": round(statistics.median(sign_ups) * 1000, 1),
        "reset_median_ms": round(statistics.median(resets) * 1000, 1),
        "delivered_meanwhile": delivered,
    }


def measure() -> dict:
    """The figures: fast and slow mail server, their ratios, the contrast."""
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        env = production_environment(
            tmp,
            WEB_CONCURRENCY="2",
            EMAIL_URL=f"smtp://127.0.0.1:{MAIL_PORT}",
            RATELIMIT_SIGNUP="100000/h",
            RATELIMIT_PASSWORD_RESET="100000/h",
            PASSWORD_CHECK_CONCURRENCY="0",
        )
        prepare(env)
        create_users(env, ("alice",), PASSWORD)
        with GunicornServer(SITE_PORT, env, tmp / "gunicorn.log"):
            sign_up(SITE_PORT, "warmup")  # load every module of the path
            fast = phase(env, tmp, "fast", 0)
            slow = phase(env, tmp, "slow", SLOW_SECONDS)
        immediate_env = {**env, "TASKS_BACKEND": "immediate"}
        with (
            SmtpServer(MAIL_PORT, delay=SLOW_SECONDS),
            GunicornServer(IMMEDIATE_PORT, immediate_env, tmp / "immediate.log"),
        ):
            in_request = sign_up(IMMEDIATE_PORT, "inrequest")
    return {
        "rounds": ROUNDS,
        "slow_mail_seconds_per_command": SLOW_SECONDS,
        "fast": fast,
        "slow": slow,
        "sign_up_slow_vs_fast": round(
            slow["sign_up_median_ms"] / fast["sign_up_median_ms"], 2
        ),
        "reset_slow_vs_fast": round(
            slow["reset_median_ms"] / fast["reset_median_ms"], 2
        ),
        "sign_up_sending_in_the_request_ms": round(in_request * 1000),
    }


def summary(m: dict) -> str:
    slow, fast = m["slow"], m["fast"]
    return (
        f"sign-up {slow['sign_up_median_ms']} / {fast['sign_up_median_ms']} ms"
        f" = {m['sign_up_slow_vs_fast']:.2f}, reset {slow['reset_median_ms']} / "
        f"{fast['reset_median_ms']} ms = {m['reset_slow_vs_fast']:.2f} "
        f"(slow / fast mail server, medians of {m['rounds']}); sending in the "
        f"request: {m['sign_up_sending_in_the_request_ms']} ms"
    )


def main() -> None:
    figures = measure()
    print(summary(figures))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    results = json.loads(OUT.read_text()) if OUT.exists() else {}
    results["mail"] = figures
    OUT.write_text(json.dumps(results, indent=2) + "\n")
    print(f"Written to {OUT.relative_to(BASE_DIR)}")


if __name__ == "__main__":
    main()
