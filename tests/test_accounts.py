"""Accounts (SEC-01 to SEC-05): password rules, forced change of initial passwords, lockout,
idle and absolute session limits, sessions ended on logout and when an account is disabled."""

import datetime

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from proposals.models import AuditEvent, User, UserRole
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


LOCKED = "登录失败次数过多，已暂时锁定，请30分钟后再试。"


def sign_in(client: Client, username: str, password: str = PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.mark.parametrize(
    "password, problem",
    [
        ("Ab1!", "太短"),
        ("suizhou2026", "至少3类"),
        ("SUIZHOUREN", "至少3类"),
        ("12345678", "只包含数字"),
        ("Password1", "太常见"),
        ("Clerk.user1", "相似"),
        ("Sz-2026-renshe", None),
        ("随州市人社局Reply2026", None),
        ("Aa1" + "长" * 61, None),
        ("Aa1!" + "x" * 196, None),
    ],
)
def test_password_rules(password, problem, clerk):
    clerk.username, clerk.first_name = "clerk.user", "孙建波"
    if problem is None:
        validate_password(password, clerk)
        return
    with translation.override("zh-hans"):
        try:
            validate_password(password, clerk)
        except ValidationError as refused:
            messages = " ".join(str(m) for m in refused.messages)
        else:
            pytest.fail(f"{password!r} was accepted")
    assert problem in messages


@pytest.mark.parametrize("length", [64, 200])
def test_long_passwords_log_in_whole(clerk, length):
    password = ("Aa1!" * 60)[:length]
    clerk.set_password(password)
    clerk.save()
    assert sign_in(Client(), "clerk", password).status_code == 302
    # Not truncated: the same password one character shorter is refused.
    assert sign_in(Client(), "clerk", password[:-1]).status_code == 200


def test_an_initial_password_must_be_changed_first(sysadmin, hr_agency):
    admin = Client()
    admin.force_login(sysadmin)
    response = admin.post(
        reverse("admin:proposals_user_add"),
        {
            "username": "newclerk",
            "password1": "Initial-2026x",
            "password2": "Initial-2026x",
            "usable_password": "true",
            "role": UserRole.CLERK,
            "agency": hr_agency.pk,
            "office": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="newclerk")
    assert user.must_change_password
    client = Client()
    assert sign_in(client, "newclerk", "Initial-2026x").status_code == 302
    for url in (reverse("home"), reverse("queue"), reverse("notices")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("password_change")
    page = client.get(reverse("password_change")).content.decode()
    assert "初始密码" in page
    response = client.post(
        reverse("password_change"),
        {"old_password": "Initial-2026x", "new_password1": "password", "new_password2": "password"},
    )
    assert response.status_code == 400 and "至少3类" in response.content.decode()
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "Initial-2026x",
            "new_password1": "Hubei-Suizhou-7",
            "new_password2": "Hubei-Suizhou-7",
        },
    )
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    user.refresh_from_db()
    assert not user.must_change_password and user.password_changed_at is not None
    assert AuditEvent.objects.filter(event="password_change", object_id=str(user.pk)).count() == 1
    # A reset by the administrator is an initial password again.
    response = admin.post(
        reverse("admin:auth_user_password_change", args=[user.pk]),
        {"password1": "Reset-Pass-2026", "password2": "Reset-Pass-2026", "usable_password": "true"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.must_change_password


def test_five_failures_lock_the_account_for_thirty_minutes(clerk):
    client = Client()
    for _ in range(4):
        response = sign_in(client, "clerk", "wrong-Password-1")
        assert response.status_code == 200 and "用户名或密码不正确" in response.content.decode()
    locked = sign_in(client, "clerk", "wrong-Password-1")
    assert locked.status_code == 429 and LOCKED in locked.content.decode()
    # Locked: the right password is refused too.
    assert sign_in(client, "clerk").status_code == 429
    assert "_auth_user_id" not in client.session
    # An unknown user name gets the very same answers (from another address: one address has
    # ten sign-in attempts a minute, test_rate_limits).
    stranger = Client(REMOTE_ADDR="10.0.0.2")
    unknown = [sign_in(stranger, "nobody", "wrong-Password-1") for _ in range(5)]
    assert [r.status_code for r in unknown] == [200, 200, 200, 200, 429]
    assert LOCKED in unknown[-1].content.decode() and LOCKED in locked.content.decode()
    assert AuditEvent.objects.filter(event="login_failed", outcome="failed").count() >= 10
    # One lockout event per refused attempt while locked: clerk twice, the unknown name once.
    assert AuditEvent.objects.filter(event="lockout").count() == 3
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31)):
        assert sign_in(Client(), "clerk").status_code == 302


def test_idle_sessions_expire_after_thirty_minutes_and_any_after_twelve_hours(clerk):
    start = timezone.now()
    client = Client()
    with time_machine.travel(start, tick=False):
        assert sign_in(client, "clerk").status_code == 302
    # Active every 25 minutes: the idle limit keeps moving.
    moment = start
    for _ in range(4):
        moment += datetime.timedelta(minutes=25)
        with time_machine.travel(moment, tick=False):
            assert client.get(reverse("home")).status_code == 200
    with time_machine.travel(moment + datetime.timedelta(minutes=31), tick=False):
        response = client.get(reverse("home"))
        assert response.status_code == 302 and reverse("login") in response["Location"]
    # Never idle, but 12 hours after login the session ends all the same.
    client = Client()
    with time_machine.travel(start, tick=False):
        sign_in(client, "clerk")
    moment = start
    while moment < start + datetime.timedelta(hours=12):
        moment += datetime.timedelta(minutes=20)
        with time_machine.travel(moment, tick=False):
            response = client.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_logout_ends_the_session_on_the_server(clerk):
    client = Client()
    sign_in(client, "clerk")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value  # __Host-sessionid when secure (SEC-05)
    assert Session.objects.filter(session_key=cookie).exists()
    client.post(reverse("logout"))
    assert not Session.objects.filter(session_key=cookie).exists()
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = cookie
    response = replay.get(reverse("home"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    assert AuditEvent.objects.filter(event="logout", actor=clerk).count() == 1


def test_disabling_an_account_ends_its_sessions(clerk, sysadmin):
    first, second = Client(), Client()
    sign_in(first, "clerk")
    sign_in(second, "clerk")
    assert first.get(reverse("home")).status_code == 200
    clerk.is_active = False
    clerk.save()
    for client in (first, second):
        response = client.get(reverse("home"))
        assert response.status_code == 302 and reverse("login") in response["Location"]
    assert not [s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(clerk.pk)]
    change = AuditEvent.objects.filter(event="user_change", object_id=str(clerk.pk)).latest("seq")
    assert change.detail == {"action": "update", "changes": {"is_active": [True, False]}}


def test_logins_and_role_changes_are_audited_with_ip_and_offset(clerk):
    client = Client(REMOTE_ADDR="10.12.0.7")
    sign_in(client, "clerk", "wrong-Password-1")
    sign_in(client, "clerk")
    failed = AuditEvent.objects.get(event="login_failed")
    assert (failed.actor, failed.actor_name, failed.ip, failed.outcome) == (
        None,
        "clerk",
        "10.12.0.7",
        "failed",
    )
    ok = AuditEvent.objects.get(event="login")
    assert (ok.actor, ok.actor_role, ok.ip, ok.outcome) == (clerk, "clerk", "10.12.0.7", "ok")
    assert str(ok).endswith(" +08:00）")  # the time with its offset
    clerk.role = UserRole.LEADER
    clerk.save()
    change = AuditEvent.objects.filter(event="user_change", object_id=str(clerk.pk)).latest("seq")
    assert change.detail == {"action": "update", "changes": {"role": ["clerk", "leader"]}}
