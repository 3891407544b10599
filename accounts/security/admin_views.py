"""The admin's security overview (``/admin/security/``) and its unlock button.

Reached through ``AdminSite.get_urls()``, so only staff signed in to the
admin get here, with the admin's CSRF protection; the overview needs
"Can view account event" (``accounts.view_authevent``), unlocking "Can
delete sign-in failure count" (``accounts.delete_lockoutcounter``), the
permission that already unlocks from the counts' own admin list.
"""

import logging

from django.contrib import messages
from django.contrib.admin.models import DELETION, LogEntry
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import lockout, overview
from .models import LockoutCounter

events_logger = logging.getLogger("accounts.events")

VIEW_PERMISSION = "accounts.view_authevent"
UNLOCK_PERMISSION = "accounts.delete_lockoutcounter"


def may_view(user) -> bool:
    return user.has_perm(VIEW_PERMISSION)


def security_overview(request, site):
    if not may_view(request.user):
        raise PermissionDenied
    context = {
        **site.each_context(request),
        **overview.overview(),
        "title": _("Security overview"),
        "may_unlock": request.user.has_perm(UNLOCK_PERMISSION),
    }
    return TemplateResponse(request, "admin/security_overview.html", context)


@require_POST
def security_unlock(request, site, pk):
    """Unlock one key (forget its counted failures): logged and audited."""
    if not request.user.has_perm(UNLOCK_PERMISSION):
        raise PermissionDenied
    counter = get_object_or_404(LockoutCounter, pk=pk)
    name = str(counter)
    counters = LockoutCounter.objects.filter(pk=counter.pk)
    LogEntry.objects.log_actions(
        request.user.pk,
        counters,
        DELETION,
        change_message=_("Unlocked from the security overview."),
        single_object=True,
    )
    lockout.delete_counters(counters)
    events_logger.info(
        "lock removed by admin=%s scope=%s",
        request.user.pk,
        counter.scope,
        extra={"event_type": "unlocked_by_admin", "user_id": request.user.pk},
    )
    messages.success(request, _("%(name)s was unlocked.") % {"name": name})
    return redirect("admin:security_overview")
