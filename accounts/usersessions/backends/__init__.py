"""Session stores on ``accounts.Session``: ``db`` and ``cached_db``.

Set ``SESSION_STORE`` to choose; ``SESSION_ENGINE`` then points at one of
these modules, as Django's own backends are chosen.
"""
