"""Gunicorn configuration: ``gunicorn -c authsite/gunicorn.conf.py authsite.wsgi``.

Threaded workers (gthread): a worker busy with a password hash (Argon2 holds
a core and ARGON2_MEMORY_COST of memory) still serves page views on its
other threads, and PASSWORD_CHECK_CONCURRENCY caps the hashes per worker.
Every value can be changed through the environment or the ``.env`` file
(see the README).
"""

import os
import subprocess
import sys
from pathlib import Path

from gunicorn.glogging import Logger

from accounts.security.logging import redact
from authsite import dotenv

dotenv.read()
# The project this file belongs to, where ``on_starting`` checks the settings.
PROJECT_DIR = Path(__file__).resolve().parent.parent

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Keep this default in step with WEB_CONCURRENCY in authsite/settings/base.py:
# the deployment checks read it too.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A request running longer than this is killed and its worker restarted.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so a slow leak cannot grow without bound.
max_requests = 2000
max_requests_jitter = 200
# Access and error logs go to stdout/stderr for the process manager.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'
# X-Forwarded-* from these addresses set wsgi.url_scheme; Django itself only
# trusts them through TRUSTED_PROXY_COUNT / SECURE_PROXY_SSL_HEADER.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# No runtime control socket (gunicornc): one less admin surface, and several
# servers on one machine would otherwise share $HOME/.gunicorn/gunicorn.ctl.
control_socket_disable = True


class RedactingLogger(Logger):
    """Gunicorn's logger without password-reset or verification tokens in
    the request line or referrer of the access log."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "q", "f"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return atoms


logger_class = RedactingLogger


def on_starting(server):
    """Load the settings once, in a process of their own, before any worker.

    A misconfigured site (production without ``SECRET_KEY``, say) then stops
    here with its one-line message, instead of every worker failing alike and
    gunicorn printing a traceback of its own as it shuts the others down. A
    separate process, so the master never imports the settings its workers
    would then inherit across a reload (HUP).
    """
    check = "from authsite.boot import load_server_settings; load_server_settings()"
    status = subprocess.run(  # noqa: S603
        [sys.executable, "-c", check], cwd=PROJECT_DIR, check=False
    ).returncode
    if status:
        if server.pidfile is not None:
            server.pidfile.unlink()
        sys.exit(status)
