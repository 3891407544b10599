"""Rules of the code's shape that no ordering or comment could hold.

Every way in signs in through ``accounts.login.flow``; state travels in the
objects the flow passes around, never on private attributes of the request.
"""

import ast
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.test import override_settings

from accounts.login import flow

APP = Path(flow.__file__).resolve().parent.parent
FLOW = Path(flow.__file__).resolve()
SOURCES = sorted(path for path in APP.rglob("*.py") if "migrations" not in path.parts)


def parsed(path):
    return ast.parse(path.read_text(), filename=str(path))


def calls_django_login(tree) -> bool:
    """Whether the module imports or calls ``django.contrib.auth.login``."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == "django.contrib.auth"
            and any(alias.name == "login" for alias in node.names)
        ):
            return True
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "login"
            and isinstance(node.value, ast.Name)
            and node.value.id == "auth"
        ):
            return True
    return False


def private_request_attributes(tree) -> list[str]:
    """``request._x = ...`` and ``setattr(request, "_x", ...)`` in the module."""
    found = []
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            if (
                isinstance(target, ast.Attribute)
                and target.attr.startswith("_")
                and isinstance(target.value, ast.Name)
                and target.value.id == "request"
            ):
                found.append(target.attr)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "setattr"
            and node.args
            and isinstance(node.args[0], ast.Name)
            and node.args[0].id == "request"
        ):
            found.append("setattr")
        if (
            isinstance(node, ast.Attribute)
            and node.attr == "__dict__"
            and isinstance(node.value, ast.Name)
            and node.value.id == "request"
        ):
            found.append("__dict__")
    return found


def test_the_sign_in_flow_is_the_only_caller_of_djangos_login():
    callers = [path for path in SOURCES if calls_django_login(parsed(path))]

    assert callers == [FLOW]


def test_the_rule_would_see_another_caller():
    assert calls_django_login(ast.parse("from django.contrib.auth import login"))
    assert calls_django_login(ast.parse("auth.login(request, user)"))
    assert not calls_django_login(ast.parse("from django.contrib.auth import logout"))


def test_project_code_sets_no_private_attribute_on_the_request():
    found = {
        str(path.relative_to(APP)): names
        for path in SOURCES
        if (names := private_request_attributes(parsed(path)))
    }

    assert found == {}


def test_the_rule_would_see_a_private_request_attribute():
    assert private_request_attributes(ast.parse("request._cache = {}"))
    assert private_request_attributes(ast.parse("setattr(request, '_x', 1)"))
    assert private_request_attributes(ast.parse("request.__dict__.setdefault('a')"))


def error_ids(**settings):
    with override_settings(**settings):
        return sorted(m.id for m in run_checks() if m.id.startswith("accounts."))


def with_replaced(listed, old, new):
    return [new if name == old else name for name in listed]


def test_djangos_session_middleware_in_place_of_the_projects_fails_the_check(
    settings,
):
    middleware = with_replaced(
        settings.MIDDLEWARE,
        "accounts.usersessions.middleware.SessionMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
    )

    assert error_ids(MIDDLEWARE=middleware) == ["accounts.E010"]


def test_djangos_authentication_middleware_in_place_of_the_projects_fails_the_check(
    settings,
):
    middleware = with_replaced(
        settings.MIDDLEWARE,
        "accounts.usersessions.middleware.AuthenticationMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
    )

    assert error_ids(MIDDLEWARE=middleware) == ["accounts.E010"]


def test_middleware_the_flow_needs_out_of_order_fails_the_check(settings):
    middleware = [
        name
        for name in settings.MIDDLEWARE
        if name != "accounts.security.middleware.LockedOutMiddleware"
    ]
    middleware.insert(0, "accounts.security.middleware.LockedOutMiddleware")

    assert error_ids(MIDDLEWARE=middleware) == ["accounts.E010"]


@pytest.mark.parametrize(
    "reorder",
    [
        lambda apps: [*apps[1:], apps[0]],  # accounts after contrib
        lambda apps: [
            "django.contrib.admin" if a == "accounts.apps.AdminConfig" else a
            for a in apps
        ],
    ],
)
def test_reordering_the_apps_the_flow_depends_on_fails_the_check(settings, reorder):
    assert error_ids(INSTALLED_APPS=reorder(list(settings.INSTALLED_APPS))) == [
        "accounts.E011"
    ]


def test_the_shipped_settings_pass_these_checks():
    assert error_ids() == []
