"""The admin carries the site's name and is Korean throughout in Korean."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from oauth2_provider.models import get_access_token_model

pytestmark = pytest.mark.django_db

KOREAN = {"accept-language": "ko"}


def test_the_admin_index_is_titled_with_the_sites_name(admin_client):
    body = admin_client.get(reverse("admin:index")).content.decode()

    assert "authsite administration" in body
    assert "<title>Site administration | authsite admin</title>" in body
    assert "Django administration" not in body
    assert "Django site admin" not in body


def test_the_korean_admin_index_is_titled_in_korean(admin_client):
    body = admin_client.get(reverse("admin:index"), headers=KOREAN).content.decode()

    assert "authsite 관리" in body
    assert "authsite administration" not in body
    assert "Django" not in re.sub(r"<script.*?</script>", "", body, flags=re.S)


def test_the_korean_index_names_the_otp_and_oauth_models_in_korean(admin_client):
    body = admin_client.get(reverse("admin:index"), headers=KOREAN).content.decode()

    for korean in ("2단계 인증", "인증 앱", "복구 코드 묶음"):
        assert korean in body
    for korean in ("앱 토큰(OAuth)", "액세스 토큰", "리프레시 토큰", "ID 토큰"):
        assert korean in body
    for english in (
        "Otp_Totp",
        "TOTP device",
        "Django OAuth Toolkit",
        "Access tokens",
        "Refresh tokens",
        "Grants",
    ):
        assert english not in body


def test_the_korean_authenticator_app_list_has_korean_columns_and_filters(
    admin_client, user
):
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    body = admin_client.get(
        reverse("admin:otp_totp_totpdevice_changelist"), headers=KOREAN
    ).content.decode()

    headers = re.findall(r'<th scope="col" class="[^"]*column-(\w+)[^"]*">', body)
    assert headers  # the list is there
    for korean in ("사용자", "이름", "확인됨", "만든 시각", "마지막 사용 시각"):
        assert korean in body
    for english in ("confirmed", "created at", "last used at", "TOTP device"):
        assert f">{english}<" not in body
        assert f"{english}</a>" not in body
    assert "By confirmed" not in body


def test_the_korean_recovery_code_list_has_korean_columns(admin_client, user):
    body = admin_client.get(
        reverse("admin:accounts_recoverycodedevice_changelist"), headers=KOREAN
    ).content.decode()

    assert "확인됨" in body
    assert ">confirmed<" not in body


def test_the_korean_access_token_list_is_korean(admin_client, user, make_app):
    get_access_token_model().objects.create(
        user=user,
        application=make_app("Wiki"),
        token="not-a-real-token",
        expires=timezone.now() + timedelta(hours=1),
        scope="openid",
    )

    body = admin_client.get(
        reverse("admin:oauth2_provider_accesstoken_changelist"), headers=KOREAN
    ).content.decode()

    assert "선택한 액세스 토큰 폐기" in body
    assert "Revoke selected access tokens" not in body
    assert ">토큰<" in body  # the masked token's column
    assert "not-a-real-token" not in body


def test_the_korean_application_form_is_korean(admin_client):
    body = admin_client.get(
        reverse("admin:accounts_application_add"), headers=KOREAN
    ).content.decode()

    for korean in ("클라이언트 종류", "리디렉션 URI", "기밀", "공개"):
        assert korean in body
    for english in ("Client type", "Redirect uris", "Confidential"):
        assert english not in body


def test_the_user_page_has_no_view_on_site_link(admin_client, user):
    body = admin_client.get(
        reverse("admin:accounts_user_change", args=[user.pk])
    ).content.decode()

    assert "viewsitelink" not in body
    assert "View on site" not in body


def test_translated_third_party_names_need_no_migration():
    out = StringIO()

    call_command("makemigrations", "--check", "--dry-run", stdout=out)

    assert "No changes detected" in out.getvalue()
