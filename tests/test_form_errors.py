"""Form errors are announced and tied to the inputs they concern."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("accounts:login")


def test_wrong_password_error_is_an_alert_describing_every_input(client, user):
    response = client.post(LOGIN_URL, {"username": "alice", "password": "wrong"})

    html = response.content.decode()
    assert response.status_code == 200
    assert '<div class="form-errors" role="alert" id="form-errors">' in html
    assert 'name="username"' in html
    # username, password and "remember me"
    assert html.count('aria-describedby="form-errors"') == 3


def test_missing_field_error_describes_only_that_input(client, user):
    response = client.post(LOGIN_URL, {"username": "alice", "password": ""})

    html = response.content.decode()
    assert 'id="form-errors"' not in html
    assert 'aria-describedby="id_password_error"' in html
    assert 'aria-invalid="true"' in html
    assert '<div id="id_password_error" role="alert">' in html


def test_a_clean_form_has_no_error_description(client):
    html = client.get(LOGIN_URL).content.decode()

    assert "aria-describedby" not in html
    assert "aria-invalid" not in html
