"""Template fragments rendered once per process: ``{% cache ... using="fragments" %}``.

The account tab bar and the language list depend only on the code, the
active language and the page, never on the user, so each process keeps
them rendered in its own memory (the ``fragments`` cache) instead of
reversing URLs and translating labels on every page view. Nothing personal
and no CSRF token goes inside such a block. The development server reloads
edited templates without restarting, so it drops the fragments then too.
"""

from django.core.cache import caches

CACHE_ALIAS = "fragments"


def forget(sender, **kwargs):
    """Receiver for ``django.utils.autoreload.file_changed``."""
    caches[CACHE_ALIAS].clear()
