"""Email on real servers: gunicorn answers, ``db_worker`` delivers, aiosmtpd receives.

The production profile (SQLite, one gunicorn worker) with the database task
backend; the mail server is a local aiosmtpd started, stopped and silenced
by each test. Waits are short (EMAIL_RETRY_DELAY=1, at most 2 s apart)
and bounded.
"""

import contextlib
import socket
import threading
import time
from collections import Counter

import pytest

from .live import (
    Browser,
    DbWorker,
    GunicornServer,
    SmtpServer,
    create_users,
    prepare,
    production_environment,
    save_figures,
)

pytestmark = pytest.mark.live

PASSWORD = "correct-horse-battery-staple"
SITE_PORT = 18570
MAIL_PORT = 18590
SILENT_PORT = 18591
USERS = ("alice", "bob", "carol")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("email-background")
    env = production_environment(
        tmp_path,
        WEB_CONCURRENCY="1",
        EMAIL_RETRY_DELAY="1",
        EMAIL_RETRY_MAX_DELAY="2",
        RATELIMIT_PASSWORD_RESET="1000/h",
        RATELIMIT_SIGNUP="1000/h",
        LOG_LEVEL="INFO",
    )
    prepare(env)
    create_users(env, USERS, PASSWORD)
    with GunicornServer(SITE_PORT, env, tmp_path / "gunicorn.log") as server:
        server.env_for_worker = env
        server.tmp_path = tmp_path
        yield server


@pytest.fixture
def worker(site, request):
    """Start ``db_worker`` sending to the port a test names: ``worker(port)``."""
    started = []

    def start(port):
        env = {**site.env_for_worker, "EMAIL_URL": f"smtp://127.0.0.1:{port}"}
        log = site.tmp_path / f"worker-{request.node.name}.log"
        started.append(DbWorker(env, log).__enter__())
        return started[-1]

    yield start
    for each in started:
        each.__exit__(None, None, None)


def backlog(site) -> dict:
    import json

    return json.loads(Browser(site.port).get("/healthz").body)["email"]


def request_reset(site, name):
    response = Browser(site.port).post_form(
        "/accounts/password/reset/", {"email": f"{name}@example.com"}
    )
    assert response.status == 302, response.body
    return response


def sign_up(site, name):
    response = Browser(site.port).post_form(
        "/accounts/signup/",
        {
            "username": name,
            "email": f"{name}@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status == 302, response.body
    assert response.header("Location") == "/accounts/signup/done/"
    return response


def recipients(messages) -> Counter:
    return Counter(message["To"] for message in messages)


def test_email_asked_for_while_the_mail_server_is_down_arrives_once_when_it_returns(
    site, worker
):
    mail_server = SmtpServer(MAIL_PORT)  # not started: nothing listens yet
    delivery = worker(MAIL_PORT)
    started = time.monotonic()
    for name in USERS:
        request_reset(site, name)
    sign_up(site, "dora")
    sign_up(site, "emil")
    expected = {f"{name}@example.com" for name in (*USERS, "dora", "emil")}

    # Every message fails at least twice: the server is really down.
    delivery.wait_for_log("Could not send", count=2 * len(expected))
    waiting = backlog(site)
    assert waiting["unsent"] == len(expected)
    assert waiting["oldest_unsent_seconds"] >= 1

    down_for = time.monotonic() - started
    failed_attempts = delivery.log.read_text().count("Could not send")
    with mail_server:
        back = time.monotonic()
        messages = mail_server.wait_for(len(expected))
        delivered_after = time.monotonic() - back
        time.sleep(3)  # longer than the longest wait: any second copy is due

        assert recipients(mail_server.messages) == dict.fromkeys(expected, 1)
    save_figures(
        "mail_server_down",
        {
            "emails": len(expected),
            "seconds_down": round(down_for, 1),
            "failed_attempts_while_down": failed_attempts,
            "seconds_to_deliver_all_after_return": round(delivered_after, 1),
            "delivered": len(mail_server.messages),
        },
    )
    assert backlog(site) == {"unsent": 0, "oldest_unsent_seconds": 0, "given_up": 0}
    reset = next(m for m in messages if m["To"] == "alice@example.com")
    assert "/accounts/reset/" in reset.get_body(("plain",)).get_content()


class SilentMailServer:
    """Accepts connections and says nothing until ``answer()``.

    Then every connection it holds, and each new one, is relayed to the
    real mail server on ``upstream``: a mail server that was stuck and
    recovers, with the worker's connection still open.
    """

    def __init__(self, port: int, upstream: int):
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", port))
        self.listener.settimeout(0.2)
        self.held: list[socket.socket] = []
        self.answering = threading.Event()
        self.closed = threading.Event()
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while not self.closed.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.sockets.append(client)
            if self.answering.is_set():
                self._relay(client)
            else:
                self.held.append(client)

    def _relay(self, client):
        server = socket.create_connection(("127.0.0.1", self.upstream))
        self.sockets.append(server)
        for source, sink in ((client, server), (server, client)):
            threading.Thread(
                target=self._pump, args=(source, sink), daemon=True
            ).start()

    @staticmethod
    def _pump(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for each in (source, sink):
                with contextlib.suppress(OSError):
                    each.shutdown(socket.SHUT_RDWR)

    def wait_for_connection(self, timeout: float = 30):
        deadline = time.monotonic() + timeout
        while not self.held:
            if time.monotonic() > deadline:
                raise TimeoutError("nobody connected to the silent mail server")
            time.sleep(0.05)

    def still_waiting(self) -> bool:
        """Whether every connection held is still open at the client's end:
        the client is waiting for the mail server to say something."""
        for client in self.held:
            try:
                if client.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b"":
                    return False
            except BlockingIOError:
                continue
        return True

    def answer(self):
        self.answering.set()
        for client in self.held:
            self._relay(client)

    def close(self):
        self.closed.set()
        self.listener.close()
        for each in self.sockets:
            each.close()


def test_sign_up_and_reset_do_not_wait_for_a_mail_server_that_never_answers(
    site, worker
):
    silent = SilentMailServer(SILENT_PORT, upstream=MAIL_PORT)
    try:
        with SmtpServer(MAIL_PORT) as mail_server:
            worker(SILENT_PORT)
            sign_up(site, "fritz")  # both answer normally ...
            request_reset(site, "bob")

            # ... while the mail server has not said a word: the worker is
            # still waiting for its greeting (a request that sent the email
            # itself would have answered only after giving up on it).
            silent.wait_for_connection()
            time.sleep(1)
            assert silent.still_waiting()
            assert mail_server.messages == []

            silent.answer()
            mail_server.wait_for(2)
            time.sleep(3)

            assert recipients(mail_server.messages) == {
                "fritz@example.com": 1,
                "bob@example.com": 1,
            }
    finally:
        silent.close()


def test_a_message_the_mail_server_refuses_for_good_is_given_up_at_once(site, worker):
    with SmtpServer(MAIL_PORT, refuse="550 5.1.1 No such user here") as mail_server:
        delivery = worker(MAIL_PORT)
        request_reset(site, "carol")

        log = delivery.wait_for_log("Gave up on the password_reset email")
        time.sleep(2)

        assert mail_server.messages == []
        assert "after 1 attempts" in log
        assert backlog(site)["given_up"] == 1
