"""Template fragments rendered once per process: ``{% cache ... using="fragments" %}``.

The account tab bar and the language list depend only on the code, the
active language, the page and the path the site is mounted at (the script
prefix, in every reversed URL), never on the user, so each process keeps
them rendered in its own memory (the ``fragments`` cache) instead of
reversing URLs and translating labels on every page view. A block's key
names everything its output depends on; nothing personal and no CSRF token
goes inside one. The development server reloads edited templates without
restarting, so it drops the fragments then too.
"""

from django.core.cache import caches

CACHE_ALIAS = "fragments"


def forget(sender, **kwargs):
    """Receiver for ``django.utils.autoreload.file_changed``."""
    caches[CACHE_ALIAS].clear()
