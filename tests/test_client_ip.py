import pytest
from django.test import RequestFactory, override_settings

from accounts.security.ip import client_ip


def request_from(remote="203.0.113.9", forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


@override_settings(AUTHSITE_TRUSTED_PROXY_COUNT=0)
def test_spoofed_forwarded_for_is_ignored_without_trusted_proxies():
    assert client_ip(request_from(forwarded="1.2.3.4")) == "203.0.113.9"


@override_settings(AUTHSITE_TRUSTED_PROXY_COUNT=1)
def test_one_trusted_proxy_gives_the_address_it_appended():
    request = request_from(remote="10.0.0.2", forwarded="6.6.6.6, 198.51.100.7")

    assert client_ip(request) == "198.51.100.7"


@override_settings(AUTHSITE_TRUSTED_PROXY_COUNT=2)
def test_two_trusted_proxies_skip_the_nearer_one():
    request = request_from(
        remote="10.0.0.3", forwarded="6.6.6.6, 198.51.100.7, 10.0.0.2"
    )

    assert client_ip(request) == "198.51.100.7"


@pytest.mark.parametrize("forwarded", [None, "", "not-an-ip"])
@override_settings(AUTHSITE_TRUSTED_PROXY_COUNT=1)
def test_missing_or_garbled_header_falls_back_to_remote_addr(forwarded):
    assert client_ip(request_from(remote="10.0.0.2", forwarded=forwarded)) == "10.0.0.2"


@pytest.fixture
def fresh_process(monkeypatch):
    """Forget that this process already warned about missing headers."""
    monkeypatch.setattr("accounts.security.ip._warned_about_missing_header", False)


@override_settings(AUTHSITE_TRUSTED_PROXY_COUNT=2)
def test_missing_forwarded_entries_are_warned_about_once_per_process(
    fresh_process, caplog
):
    with caplog.at_level("WARNING", logger="accounts.ip"):
        client_ip(request_from(remote="10.0.0.2", forwarded="198.51.100.7"))
        client_ip(request_from(remote="10.0.0.2"))

    warnings = [r for r in caplog.records if r.name == "accounts.ip"]
    assert len(warnings) == 1
    assert "TRUSTED_PROXY_COUNT is 2" in warnings[0].getMessage()
    assert "1 X-Forwarded-For entries" in warnings[0].getMessage()


@override_settings(AUTHSITE_TRUSTED_PROXY_COUNT=1)
def test_requests_with_enough_forwarded_entries_log_nothing(fresh_process, caplog):
    with caplog.at_level("WARNING", logger="accounts.ip"):
        client_ip(request_from(remote="10.0.0.2", forwarded="198.51.100.7"))

    assert [r for r in caplog.records if r.name == "accounts.ip"] == []


@override_settings(AUTHSITE_TRUSTED_PROXY_COUNT=0)
def test_no_proxies_configured_logs_nothing(fresh_process, caplog):
    with caplog.at_level("WARNING", logger="accounts.ip"):
        client_ip(request_from(forwarded="1.2.3.4"))
        client_ip(request_from())

    assert [r for r in caplog.records if r.name == "accounts.ip"] == []
