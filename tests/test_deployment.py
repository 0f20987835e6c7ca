"""SEC-15 and SEC-23: production settings pass Django's deployment check; HTTPS, HSTS and secure
cookies behind the proxy; error pages show no traceback; an unknown Host gets 400.

This module is also the URLconf of its error-page tests (a view that fails on purpose)."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.test import Client
from django.urls import path, reverse

from suizhou_replies import urls as portal_urls
from tests.conftest import PASSWORD
from tests.test_security_headers import assert_security_headers

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parent.parent
PRODUCTION_HOST = "replies.example.gov.cn"


@login_not_required
def explode(request):
    raise RuntimeError("boom: SELECT password FROM proposals_user; SECRET_KEY=" + settings.SECRET_KEY[:8])


urlpatterns = [path("test-only/explode/", explode), *portal_urls.urlpatterns]
handler403 = portal_urls.handler403


def production_env(**extra) -> dict:
    """The environment of a production install: no DEBUG, a long random key, the real host name;
    none of the test suite's switches (DJANGO_HTTPS=0 from pytest.ini)."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_HTTPS", "DJANGO_SECURE", "DJANGO_HSTS", "DJANGO_DEBUG"))
    }
    env.update(
        DJANGO_DEBUG="0", DJANGO_SECRET_KEY=secrets.token_urlsafe(64), DJANGO_ALLOWED_HOSTS=PRODUCTION_HOST
    )
    env.update(extra)
    return env


def manage(*args, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=120
    )


def test_deploy_check_passes_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_fails_on_plain_http():
    """The check above is not vacuous: the same install declared plain http is refused."""
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(DJANGO_HTTPS="0"))
    assert result.returncode != 0
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


PRODUCTION_VALUES = """
import json
from django.conf import settings
print(json.dumps({name: getattr(settings, name) for name in (
    "DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "SESSION_COOKIE_NAME",
    "CSRF_COOKIE_SECURE", "CSRF_TRUSTED_ORIGINS", "X_FRAME_OPTIONS", "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY", "SECURE_CROSS_ORIGIN_OPENER_POLICY", "ALLOWED_HOSTS")}))
"""


def test_production_settings():
    result = manage(
        "shell",
        "-v",
        "0",
        "-c",
        PRODUCTION_VALUES,
        env=production_env(DJANGO_CSRF_TRUSTED_ORIGINS=f"https://{PRODUCTION_HOST}"),
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False and values["ALLOWED_HOSTS"] == [PRODUCTION_HOST]
    assert values["SECURE_SSL_REDIRECT"] is True
    assert (
        values["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    )
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert (
        values["SESSION_COOKIE_SECURE"] and values["SESSION_COOKIE_HTTPONLY"] and values["CSRF_COOKIE_SECURE"]
    )
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax" and values["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert values["CSRF_TRUSTED_ORIGINS"] == [f"https://{PRODUCTION_HOST}"]
    assert values["X_FRAME_OPTIONS"] == "DENY" and values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["SECURE_REFERRER_POLICY"] == values["SECURE_CROSS_ORIGIN_OPENER_POLICY"] == "same-origin"


@pytest.fixture
def https_settings(settings):
    """What production runs with (the suite itself serves plain http)."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 365 * 24 * 3600
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    return settings


def test_behind_the_proxy_http_is_redirected_and_https_gets_hsts(https_settings, clerk):
    client = Client()
    response = client.get(reverse("public_list"))
    assert response.status_code == 301 and response["Location"] == "https://testserver/public/"
    assert_security_headers(response)
    response = client.get(reverse("public_list"), HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert_security_headers(response)


def test_session_cookie_is_host_prefixed_secure_httponly_lax_and_renewed_at_login(https_settings, clerk):
    """SEC-05 over HTTPS: the cookie as the browser receives it; a new session key at login."""
    client = Client(HTTP_X_FORWARDED_PROTO="https")
    client.get(reverse("login"))
    client.cookies[settings.SESSION_COOKIE_NAME] = "attacker-chosen-session-key"
    response = client.post(reverse("login"), {"username": "clerk", "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert settings.SESSION_COOKIE_NAME == "__Host-sessionid"
    assert cookie["secure"] and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["path"] == "/" and not cookie["domain"]
    assert cookie.value != "attacker-chosen-session-key"
    assert response.cookies["csrftoken"]["secure"]


TRACE_MARKERS = (
    "Traceback",
    "RuntimeError",
    "boom",
    "SELECT",
    "SECRET_KEY",
    'File "',
    "django.",
    "settings.py",
    "Request Method",
    "Using the URLconf",
    "DisallowedHost",
    "Invalid HTTP_HOST",
)


def assert_no_trace(response):
    page = response.content.decode()
    for marker in TRACE_MARKERS:
        assert marker not in page, (response.status_code, marker)


def test_debug_is_off_in_the_suite():
    assert settings.DEBUG is False


@pytest.mark.urls("tests.test_deployment")
def test_a_failing_view_gives_the_plain_500_page(clerk):
    client = Client(raise_request_exception=False)
    for user in (None, clerk):
        if user:
            client.force_login(user)
        response = client.get("/test-only/explode/")
        assert response.status_code == 500
        assert "系统暂时出现错误" in response.content.decode()
        assert_no_trace(response)
        assert_security_headers(response, "500")


def test_404_and_403_pages_show_no_trace(clerk, committee_staff, seed_reply):
    client = Client()
    client.force_login(clerk)
    for url in ("/no-such-page/", "/replies/999999/", "/replies/999999/pdf/", "/static/no-such-file.css"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert_no_trace(response)
        assert_security_headers(response, url)
    assert "页面不存在" in client.get("/replies/999999/").content.decode()
    assert "页面不存在" in Client().get("/no-such-page/").content.decode()
    staff = Client()
    staff.force_login(committee_staff)
    response = staff.get(reverse("reply_edit", args=[seed_reply.pk]))
    assert response.status_code == 403 and "无权访问" in response.content.decode()
    assert_no_trace(response)
    assert_security_headers(response, "403")


@pytest.mark.parametrize(
    "host",
    [
        "evil.example.com",
        "replies.example.gov.cn.evil.example",
        "127.0.0.1:8000@evil",
        "localhost\r\nX-Injected: 1",
    ],
)
def test_unknown_host_gets_400(host, clerk):
    client = Client()
    client.force_login(clerk)
    for url in (reverse("home"), reverse("public_list"), reverse("login")):
        response = client.get(url, HTTP_HOST=host)
        assert response.status_code == 400, (host, url)
        assert "请求无效" in response.content.decode()
        assert_no_trace(response)
        assert_security_headers(response, f"400 {host}")
