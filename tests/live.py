"""Run the site under gunicorn: the live-server harness of tests and bench.

``GunicornServer`` starts ``gunicorn -c authsite/gunicorn.conf.py`` in the given
settings profile and waits for ``/healthz``; ``Browser`` is a small HTTP
client that keeps cookies itself, so it also sends ``Secure`` cookies to a
plain-HTTP test server (a TLS proxy is simulated with ``X-Forwarded-Proto``).
``make bench`` (``bench/run.py``, ``bench/flood.py``) uses both too.
``DbWorker``, ``SmtpServer`` and ``RedisServer`` start the email worker, a
local mail server and a Redis of the test's own, for the fault tests.
"""

import functools
import http.client
import json
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
THROWAWAY_KEY = "live-test-key-x7Qp2Lr9Zt4Vw8Ny3Km6Bh1Gd5Fs0Jc-not-for-production"
# Variables of the test run that must not leak into a server's profile.
SITE_VARIABLES = {
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ENV",
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "CACHE_URL",
    "WEB_CONCURRENCY",
}
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@functools.cache
def throwaway_signing_key() -> str:
    """An ID-token signing key (PEM) for this test run's servers only."""
    from accounts.oidc.keys import new_private_key

    return new_private_key()


def clean_environment(**overrides) -> dict[str, str]:
    """The current environment without site settings, plus ``overrides``."""
    env = {key: value for key, value in os.environ.items() if key not in SITE_VARIABLES}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "authsite.settings",
            # No test process asks the real Have I Been Pwned.
            "PWNED_PASSWORDS_URL": "",
            **overrides,
        }
    )
    return env


def copy_project(destination: Path) -> Path:
    """Copy the project's source to ``destination`` (no venv, data or .env)."""
    shutil.copytree(
        BASE_DIR,
        destination,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            ".env",
            "var",
            "*.sqlite3*",
            "node_modules",
            "test-artifacts",
        ),
    )
    return destination


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run manage.py in its own process with ``env``; return what happened."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def manage(*args: str, env: dict[str, str]) -> None:
    """Run manage.py with ``env``; raise if it fails."""
    result = run_manage(*args, env=env)
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr}")


def production_environment(tmp_path: Path, **overrides) -> dict[str, str]:
    """A production profile for 127.0.0.1 behind one simulated TLS proxy."""
    settings = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": THROWAWAY_KEY,
        "OIDC_RSA_PRIVATE_KEY": throwaway_signing_key(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://127.0.0.1",
        "TRUSTED_PROXY_COUNT": "1",
        "STATIC_ROOT": str(tmp_path / "static"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "EMAIL_URL": "smtp://127.0.0.1:25",
        "ARGON2_TIME_COST": "1",
        "ARGON2_MEMORY_COST": "8192",
        "ARGON2_PARALLELISM": "1",
        "LOG_LEVEL": "WARNING",
    }
    return clean_environment(**{**settings, **overrides})


def prepare(env: dict[str, str]) -> None:
    """Collect static files and migrate, as ``make serve`` does."""
    manage("collectstatic", "--noinput", env=env)
    manage("migrate", "--noinput", env=env)


def create_user(env, username, password):
    manage(
        "createsuperuser",
        "--noinput",
        env={
            **env,
            "DJANGO_SUPERUSER_USERNAME": username,
            "DJANGO_SUPERUSER_EMAIL": f"{username}@example.com",
            "DJANGO_SUPERUSER_PASSWORD": password,
        },
    )


def save_figures(name: str, figures: dict) -> None:
    """Keep a test's measured figures in ``test-artifacts/reliability/<name>.json``
    (docs/reliability.md quotes them) and print them (``pytest -s``)."""
    folder = BASE_DIR / "test-artifacts" / "reliability"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps(figures, indent=2))
    print(f"\n{name}: {json.dumps(figures)}")


def create_users(env, names, password):
    """Accounts named ``names`` (address ``<name>@example.com``), in one process."""
    manage(
        "shell",
        "--no-imports",
        "-c",
        "from accounts.models import User\n"
        f"for name in {list(names)!r}:\n"
        "    User.objects.create_user(\n"
        f"        name, f'{{name}}@example.com', {password!r}, email_verified=True\n"
        "    )",
        env=env,
    )


class GunicornServer:
    """``gunicorn -c authsite/gunicorn.conf.py [options] app`` on 127.0.0.1.

    ``options`` override the configuration file (gunicorn's command line
    wins); the server is ready once ``ready`` answers 200. ``project`` is
    the directory it runs from (a copy of the project, say).
    """

    def __init__(
        self,
        port: int,
        env: dict[str, str],
        log: Path,
        *,
        app: str = "authsite.wsgi",
        options: tuple[str, ...] = (),
        ready: str = "/healthz",
        project: Path = BASE_DIR,
    ):
        self.port = port
        self.project = project
        self.env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
        self.log = log
        self.command = [
            str(BIN / "gunicorn"),
            "-c",
            "authsite/gunicorn.conf.py",
            *options,
            app,
        ]
        self.ready = ready
        self.process = None

    def __enter__(self):
        self.log_file = self.log.open("wb")
        self.process = subprocess.Popen(
            self.command,
            cwd=self.project,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self.log.read_text())
            try:
                if Browser(self.port).get(self.ready).status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"gunicorn did not start:\n{self.log.read_text()}")

    def wait_for_log(self, text: str, timeout: float = 10) -> str:
        """The log once it holds ``text`` (gunicorn writes the access line
        after the response is sent), or as it is after ``timeout``."""
        deadline = time.monotonic() + timeout
        while text not in (log := self.log.read_text()) and time.monotonic() < deadline:
            time.sleep(0.1)
        return log

    def pids(self) -> list[int]:
        """The master's process id and its workers' (Linux: reads /proc)."""
        master = self.process.pid
        children = Path(f"/proc/{master}/task/{master}/children").read_text()
        return [master, *(int(pid) for pid in children.split())]

    def rss_kib(self) -> int:
        """Resident memory of the master and its workers, summed."""
        total = 0
        for pid in self.pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except FileNotFoundError:  # a worker that just exited
                continue
            match = re.search(r"^VmRSS:\s*(\d+)", status, re.MULTILINE)
            total += int(match[1]) if match else 0
        return total

    def __exit__(self, *exc_info):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log_file.close()


class Response:
    def __init__(self, raw: http.client.HTTPResponse):
        self.status = raw.status
        self.headers = raw.headers
        self.body = raw.read().decode("utf-8", "replace")

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    @property
    def set_cookies(self) -> list[str]:
        return self.headers.get_all("Set-Cookie") or []


class Browser:
    """Cookies, CSRF and ``X-Forwarded-Proto: https`` like a browser behind TLS."""

    def __init__(self, port: int, *, https: bool = True):
        self.port = port
        self.https = https
        self.origin = f"{'https' if https else 'http'}://127.0.0.1"
        self.cookies: dict[str, str] = {}

    @property
    def cookie_header(self) -> str:
        """The ``Cookie`` header this browser sends."""
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(self, method, path, body=None, headers=None) -> Response:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        all_headers = {"Host": "127.0.0.1", **(headers or {})}
        if self.https:
            all_headers["X-Forwarded-Proto"] = "https"
        if self.cookies:
            all_headers["Cookie"] = self.cookie_header
        try:
            connection.request(method, path, body=body, headers=all_headers)
            response = Response(connection.getresponse())
        finally:
            connection.close()
        for header in response.set_cookies:
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response

    def get(self, path, headers=None) -> Response:
        return self.request("GET", path, headers=headers)

    def post_form(self, path, data, *, csrf_from=None) -> Response:
        """GET ``csrf_from`` (default ``path``) for a token, then POST ``data``."""
        page = self.get(csrf_from or path)
        token = CSRF_INPUT.search(page.body)
        fields = {**data, "csrfmiddlewaretoken": token[1] if token else ""}
        return self.request(
            "POST",
            path,
            body=urlencode(fields),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"{self.origin}{path}",
                "Origin": self.origin,
            },
        )

    def login(self, username, password) -> Response:
        return self.post_form(
            "/accounts/login/", {"username": username, "password": password}
        )

    def logout(self) -> Response:
        return self.post_form("/accounts/logout/", {}, csrf_from="/dashboard/")


class DbWorker:
    """``manage.py db_worker`` in its own process, as ``make serve`` runs it.

    Polls every ``interval`` seconds (the default of 1 s, shortened so tests
    wait less); the log is the process's output, one JSON line per event in
    the production profile.
    """

    def __init__(self, env, log: Path, *, interval: float = 0.2):
        self.env = env
        self.log = log
        self.command = [
            sys.executable,
            "manage.py",
            "db_worker",
            "--interval",
            str(interval),
            "--no-startup-delay",
        ]
        self.process = None

    def __enter__(self):
        self.log_file = self.log.open("ab")
        self.process = subprocess.Popen(
            self.command,
            cwd=BASE_DIR,
            env=self.env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )
        self.wait_for_log("Starting worker", timeout=60)
        return self

    def wait_for_log(self, text: str, *, count: int = 1, timeout: float = 30) -> str:
        """The log once ``text`` appears ``count`` times; raise after ``timeout``."""
        deadline = time.monotonic() + timeout
        while (log := self.log.read_text()).count(text) < count:
            if self.process.poll() is not None:
                raise RuntimeError(f"db_worker exited:\n{log}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{text!r} x{count} not in the worker log:\n{log}")
            time.sleep(0.1)
        return log

    def __exit__(self, *exc_info):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log_file.close()


class SmtpServer:
    """A local mail server (aiosmtpd) that keeps what it receives in ``messages``.

    ``refuse`` answers every recipient with that reply instead (e.g.
    ``"550 5.1.1 No such user"``); ``delay`` makes it wait that many seconds
    before answering each command (a slow mail server). Start and stop it
    as often as a test needs.
    """

    def __init__(self, port: int, *, refuse: str | None = None, delay: float = 0):
        self.port = port
        self.refuse = refuse
        self.delay = delay
        self.messages: list = []
        self.controller = None

    async def _wait(self):
        if self.delay:
            import asyncio

            await asyncio.sleep(self.delay)

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        await self._wait()
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        await self._wait()
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        await self._wait()
        if self.refuse:
            return self.refuse
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        await self._wait()
        self.messages.append(
            message_from_bytes(envelope.original_content, policy=policy.default)
        )
        return "250 Message accepted for delivery"

    def start(self):
        from aiosmtpd.controller import Controller

        # aiosmtpd logs every SMTP command at INFO.
        logging.getLogger("mail.log").setLevel(logging.WARNING)

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def wait_for(self, count: int, *, timeout: float = 30) -> list:
        """The messages once there are ``count``; raise after ``timeout``."""
        deadline = time.monotonic() + timeout
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{len(self.messages)} of {count} messages arrived in {timeout} s"
                )
            time.sleep(0.1)
        return list(self.messages)


class RedisServer:
    """A ``redis-server`` of the test's own on ``port``, stopped and started at will.

    No persistence: a restart starts empty, as a cache may.
    """

    def __init__(self, port: int, log: Path):
        self.port = port
        self.log = log
        self.process = None

    @property
    def url(self) -> str:
        return f"rediscache://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "/usr/bin/redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--logfile",
                str(self.log),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()
