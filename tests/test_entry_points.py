"""The server entry points run the production profile unless told otherwise.

``gunicorn authsite.wsgi`` (and anything importing ``authsite.asgi``) with
no ``DJANGO_ENV`` in the environment or the ``.env`` file gets the strict
profile; ``manage.py`` stays development, so ``make run`` is unchanged.
Every process here runs from a copy of the project without a ``.env``
(unless the test writes one), so a developer's own file cannot pick the profile.
"""

import subprocess
import sys

import pytest

from .live import (
    BIN,
    THROWAWAY_KEY,
    Browser,
    GunicornServer,
    clean_environment,
    copy_project,
    prepare,
    production_environment,
    throwaway_signing_key,
)

PORTS = {"bare": 18470, "configured": 18471, "serving": 18472}
# The variables the production profile cannot start without.
PRODUCTION_VARIABLES = {
    "SECRET_KEY": THROWAWAY_KEY,
    "OIDC_RSA_PRIVATE_KEY": throwaway_signing_key(),
    "ALLOWED_HOSTS": "auth.example.com",
    "SITE_URL": "https://auth.example.com",
}
# Prints what the chosen profile decided: DEBUG and the session cookie name.
PROBE = (
    "import {module}; from django.conf import settings; "
    "print(settings.DEBUG, settings.SESSION_COOKIE_NAME)"
)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A copy of the project with no ``.env`` file."""
    return copy_project(tmp_path_factory.mktemp("entry") / "authsite")


def run(project, *command, env, timeout=120):
    """Run ``command`` in ``project`` with ``env``; return what happened."""
    return subprocess.run(
        command,
        cwd=project,
        env={**env, "PYTHONPATH": str(project)},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def import_probe(project, module, **env):
    """Import ``module`` in a clean environment plus ``env``; report the profile."""
    return run(
        project,
        sys.executable,
        "-c",
        PROBE.format(module=module),
        env=clean_environment(**env),
    )


@pytest.mark.live
@pytest.mark.parametrize(
    ("variant", "config"),
    [("bare", []), ("configured", ["-c", "authsite/gunicorn.conf.py"])],
)
def test_gunicorn_without_a_secret_key_exits_with_one_line_naming_it(
    project, tmp_path, variant, config
):
    command = [str(BIN / "gunicorn"), *config, "authsite.wsgi"]
    command += ["--bind", f"127.0.0.1:{PORTS[variant]}"]
    # HOME: a bare gunicorn opens its control socket under $HOME/.gunicorn/.
    env = clean_environment(ALLOWED_HOSTS="127.0.0.1", HOME=str(tmp_path))

    # Workers that failed to boot and were started again and again would
    # print the message again and again, and the timeout would end the test.
    result = run(project, *command, env=env, timeout=60)

    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    [message] = [line for line in output.splitlines() if "SECRET_KEY" in line]
    assert message.startswith(
        "authsite configuration error (DJANGO_ENV=production): SECRET_KEY must be set"
    )
    assert "Traceback" not in output


@pytest.fixture(scope="module")
def production_server(project, tmp_path_factory):
    """gunicorn with the production variables but no ``DJANGO_ENV`` at all."""
    tmp_path = tmp_path_factory.mktemp("entry-serving")
    env = production_environment(tmp_path)
    # manage.py still defaults to development, so it is told the profile.
    prepare(env)
    del env["DJANGO_ENV"]
    with GunicornServer(
        PORTS["serving"], env, tmp_path / "gunicorn.log", project=project
    ) as running:
        yield running


@pytest.mark.live
def test_gunicorn_with_the_production_variables_serves_the_sites_own_404(
    production_server,
):
    response = Browser(production_server.port).get("/no-such-page/")

    assert response.status == 404
    assert "There is no page at this address" in response.body
    assert "URLconf" not in response.body
    assert "Traceback" not in response.body


@pytest.mark.live
def test_gunicorn_with_the_production_variables_sets_secure_host_cookies(
    production_server,
):
    response = Browser(production_server.port).get("/accounts/login/")

    assert response.status == 200
    [csrf_cookie] = response.set_cookies
    assert csrf_cookie.startswith("__Host-csrftoken=")
    assert "; Secure" in csrf_cookie


@pytest.mark.parametrize("module", ["authsite.wsgi", "authsite.asgi"])
def test_importing_the_application_without_a_secret_key_exits_naming_it(
    project, module
):
    result = import_probe(project, module, ALLOWED_HOSTS="auth.example.com")

    assert result.returncode != 0
    assert result.stderr.startswith(
        "authsite configuration error (DJANGO_ENV=production): SECRET_KEY must be set"
    )
    assert len(result.stderr.splitlines()) == 1
    assert result.stdout == ""


@pytest.mark.parametrize("module", ["authsite.wsgi", "authsite.asgi"])
def test_importing_the_application_with_the_production_variables_runs_debug_off(
    project, module
):
    result = import_probe(project, module, **PRODUCTION_VARIABLES)

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "__Host-sessionid"]


@pytest.mark.parametrize("missing", ["ALLOWED_HOSTS", "SITE_URL"])
def test_production_names_a_missing_variable_in_one_line(project, missing):
    variables = {k: v for k, v in PRODUCTION_VARIABLES.items() if k != missing}

    result = import_probe(project, "authsite.wsgi", **variables)

    assert result.returncode != 0
    assert result.stderr == (
        "authsite configuration error (DJANGO_ENV=production): "
        f"Set the {missing} environment variable\n"
    )


def test_production_without_a_signing_key_exits_with_one_line_naming_it(project):
    variables = {
        k: v for k, v in PRODUCTION_VARIABLES.items() if k != "OIDC_RSA_PRIVATE_KEY"
    }

    result = import_probe(project, "authsite.wsgi", **variables)

    assert result.returncode != 0
    [line] = result.stderr.splitlines()
    assert line.startswith(
        "authsite configuration error (DJANGO_ENV=production): "
        "Set OIDC_RSA_PRIVATE_KEY (a PEM RSA private key) or "
        "OIDC_RSA_PRIVATE_KEY_FILE (its path)"
    )
    assert not (project / "var").exists()


def test_production_with_an_unreadable_signing_key_file_says_so(project, tmp_path):
    variables = {
        **{
            k: v for k, v in PRODUCTION_VARIABLES.items() if k != "OIDC_RSA_PRIVATE_KEY"
        },
        "OIDC_RSA_PRIVATE_KEY_FILE": str(tmp_path / "missing.pem"),
    }

    result = import_probe(project, "authsite.wsgi", **variables)

    assert result.returncode != 0
    assert result.stderr.startswith(
        "authsite configuration error (DJANGO_ENV=production): "
        "OIDC_RSA_PRIVATE_KEY_FILE names"
    )
    assert len(result.stderr.splitlines()) == 1


def test_wsgi_told_development_in_the_environment_runs_development(project):
    result = import_probe(project, "authsite.wsgi", DJANGO_ENV="development")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "sessionid"]


def test_wsgi_told_development_in_the_dotenv_file_runs_development(tmp_path):
    project = copy_project(tmp_path / "authsite")
    (project / ".env").write_text("DJANGO_ENV=development\n")

    result = import_probe(project, "authsite.wsgi")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "sessionid"]


def test_manage_py_still_defaults_to_development(project):
    result = run(
        project,
        sys.executable,
        "manage.py",
        "shell",
        "-c",
        "from django.conf import settings; "
        "print(settings.DEBUG, settings.SESSION_COOKIE_NAME)",
        env=clean_environment(),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["True", "sessionid"]


def test_runserver_loading_the_wsgi_application_keeps_the_development_profile(
    project,
):
    # runserver imports WSGI_APPLICATION (authsite.wsgi) once manage.py has
    # loaded the settings; that import must not switch the profile.
    result = run(
        project,
        sys.executable,
        "manage.py",
        "shell",
        "-c",
        "from django.core.servers.basehttp import get_internal_wsgi_application; "
        "get_internal_wsgi_application(); import os; from django.conf import "
        "settings; print(settings.DEBUG, os.environ['DJANGO_ENV'])",
        env=clean_environment(),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["True", "development"]
