"""The optional ``.env`` file beside ``manage.py``, read before anything else.

The settings package and ``authsite.boot`` read it before the profile is
picked (so the file may name ``DJANGO_ENV`` too), and so does
``authsite/gunicorn.conf.py`` (so the file may set the workers and threads).
Variables already set in the real environment win over the file.
"""

from pathlib import Path

import environ

PATH = Path(__file__).resolve().parent.parent / ".env"


def read() -> None:
    if PATH.is_file():
        environ.Env.read_env(PATH)
