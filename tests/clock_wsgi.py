"""The site's WSGI application on a clock a test can move (tests only).

``gunicorn ... tests.clock_wsgi`` serves ``authsite.wsgi`` with
``django.utils.timezone.now`` and ``time.time`` running ``TEST_CLOCK_FILE``'s
number of seconds ahead of the real clock (0 while the file is missing):
a live test moves a running server's clock by writing that file, instead
of sleeping. Never part of the shipped code path: only the live tests name
this module.
"""

import os
import time
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

CLOCK_FILE = Path(os.environ["TEST_CLOCK_FILE"])
real_time = time.time
real_now = timezone.now


def offset() -> float:
    try:
        return float(CLOCK_FILE.read_text() or 0)
    except FileNotFoundError:
        return 0.0


def moved_time() -> float:
    return real_time() + offset()


def moved_now():
    return real_now() + timedelta(seconds=offset())


# Before the application is imported, so that every module's
# ``timezone.now()`` and ``time.time()`` are the moved ones.
time.time = moved_time
timezone.now = moved_now

from authsite.wsgi import application  # noqa: E402

__all__ = ["application"]
