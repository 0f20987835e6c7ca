"""Deputies' login by mobile and one-time code, or by password (proposals/views/deputy_login.py,
proposals/workflow/deputies.py): expiry, tries, rate limits, the same answer for unknown
numbers, hashed codes, audit rows, idle limit."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from proposals.models import AuditEvent, LoginCode, SmsLog, User, UserRole

pytestmark = pytest.mark.django_db
MOBILE = "13971230001"


@pytest.fixture
def deputy_user(seed_reply):
    deputy = seed_reply.proposal.lead_author()
    deputy.mobile = MOBILE
    deputy.save()
    user = User(username=f"deputy-{deputy.pk}", role=UserRole.DEPUTY, deputy=deputy, first_name=deputy.name)
    user.set_unusable_password()
    user.save()
    return user


def ask(client: Client, mobile: str = MOBILE):
    return client.post(reverse("deputy_login"), {"mobile": mobile, "step": "send"})


def enter(client: Client, code: str, mobile: str = MOBILE):
    return client.post(reverse("deputy_login"), {"mobile": mobile, "step": "code", "code": code})


def last_code(outbox) -> str:
    return re.search(r"\d{6}", outbox[-1].text).group()


def test_code_logs_in_and_lands_on_the_deputy_home(deputy_user, sms_outbox):
    client = Client()
    response = ask(client)
    assert response.status_code == 200 and "验证码已发送" in response.content.decode()
    assert [m.mobile for m in sms_outbox] == [MOBILE]
    response = enter(client, last_code(sms_outbox))
    assert response.status_code == 302 and response["Location"] == reverse("deputy_home")
    assert client.session["_auth_user_id"] == str(deputy_user.pk)
    assert AuditEvent.objects.filter(event="login", actor=deputy_user).exists()
    assert enter(Client(), last_code(sms_outbox)).status_code == 400, "a code is used once"


def test_code_expires_after_five_minutes(deputy_user, sms_outbox):
    client = Client()
    ask(client)
    with time_machine.travel(datetime.timedelta(minutes=5, seconds=1)):
        response = enter(client, last_code(sms_outbox))
    assert response.status_code == 400 and "已失效" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_fifth_wrong_try_ends_the_code(deputy_user, sms_outbox):
    client = Client()
    ask(client)
    code = last_code(sms_outbox)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert enter(client, wrong).status_code == 400
    assert enter(client, code).status_code == 400, "the right code after five wrong tries is refused"
    assert AuditEvent.objects.filter(event="login_code_failed").count() == 6


def test_one_code_a_minute_and_five_an_hour(deputy_user, sms_outbox):
    client = Client()
    assert ask(client).status_code == 200
    response = ask(client)
    assert response.status_code == 400 and "1分钟" in response.content.decode()
    for minute in range(1, 5):
        with time_machine.travel(datetime.timedelta(minutes=2 * minute)):
            assert ask(Client()).status_code == 200
    with time_machine.travel(datetime.timedelta(minutes=20)):
        response = ask(Client())
    assert response.status_code == 400 and "5次" in response.content.decode()
    assert len(sms_outbox) == 5
    with time_machine.travel(datetime.timedelta(minutes=61)):
        assert ask(Client()).status_code == 200


def test_an_unknown_number_gets_the_same_answer_and_no_sms(deputy_user, sms_outbox):
    known = ask(Client()).content.decode()
    unknown = ask(Client(), "13600009999").content.decode()

    def strip(html: str) -> str:
        return re.sub(r'(value|nonce)="[^"]*"', "", html)

    assert strip(known).replace(MOBILE, "X") == strip(unknown).replace("13600009999", "X")
    assert LoginCode.objects.filter(mobile="13600009999").count() == 1
    assert [m.mobile for m in sms_outbox] == [MOBILE]
    assert ask(Client(), "13600009999").status_code == 400, "the unknown number is rate limited too"


def test_codes_are_stored_hashed_and_logged_masked(deputy_user, sms_outbox):
    ask(Client())
    code = last_code(sms_outbox)
    row = LoginCode.objects.get()
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert code not in SmsLog.objects.get().text and "******" in SmsLog.objects.get().text
    assert not any(code in str(event.detail) for event in AuditEvent.objects.all())
    sent = AuditEvent.objects.get(event="login_code")
    assert sent.detail["username"] == "139****0001"


def test_malformed_number_is_refused_in_chinese(deputy_user, sms_outbox):
    response = ask(Client(), "12345")
    assert response.status_code == 400 and "11位手机号码" in response.content.decode()
    assert not sms_outbox


def test_an_inactive_account_gets_no_code(deputy_user, sms_outbox):
    User.objects.filter(pk=deputy_user.pk).update(is_active=False)
    assert ask(Client()).status_code == 200
    assert not sms_outbox


def test_password_set_by_the_deputy_then_password_login(deputy_user, sms_outbox):
    client = Client()
    client.force_login(deputy_user)
    form = client.get(reverse("deputy_password")).content.decode()
    rules = form[form.index("新密码") :]
    assert "<li>" in rules and "&lt;" not in rules  # the password rules as a list, not escaped HTML
    response = client.post(
        reverse("deputy_password"), {"new_password1": "Suizhou#2026a", "new_password2": "Suizhou#2026a"}
    )
    assert response.status_code == 302
    assert (
        client.post(reverse("deputy_password"), {"new_password1": "123", "new_password2": "123"}).status_code
        == 400
    )
    fresh = Client()
    data = {"mobile": MOBILE, "step": "password", "password": "wrong-Pass1"}
    assert fresh.post(reverse("deputy_login"), data).status_code == 400
    assert AuditEvent.objects.filter(event="login_failed").exists()
    data["password"] = "Suizhou#2026a"
    response = fresh.post(reverse("deputy_login"), data)
    assert response.status_code == 302 and response["Location"] == reverse("deputy_home")
    assert AuditEvent.objects.filter(event="deputy_password", actor=deputy_user).exists()


def test_staff_pages_do_not_take_deputy_password_page(clerk):
    assert Client().get(reverse("deputy_password")).status_code == 302
    client = Client()
    client.force_login(clerk)
    assert client.get(reverse("deputy_password")).status_code == 404


def test_deputy_sessions_end_after_thirty_idle_minutes(deputy_user, sms_outbox):
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    client = Client()
    ask(client)
    enter(client, last_code(sms_outbox))
    assert client.get(reverse("deputy_home")).status_code == 200
    with time_machine.travel(datetime.timedelta(minutes=31)):
        response = client.get(reverse("deputy_home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("deputy_login"))


def test_the_main_login_page_links_the_deputy_login():
    assert reverse("deputy_login") in Client().get(reverse("login")).content.decode()


def test_a_signed_out_deputy_link_leads_to_the_deputy_login_and_back(db, client):
    """An SMS link opened while signed out: the deputies' login (not the staff's), then the page;
    a 'next' outside the deputy pages is ignored; 退出 returns to the deputies' login."""
    from proposals.models import Deputy, User, UserRole

    target = reverse("deputy_notices")
    response = client.get(target)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('deputy_login')}?next={target}"
    page = client.get(response["Location"]).content.decode()
    assert f'name="next" value="{target}"' in page
    deputy = Deputy.objects.create(name="沈宝栋", mobile="13900000009")
    user = User(username="deputy-x", role=UserRole.DEPUTY, deputy=deputy, first_name="沈宝栋")
    user.set_password("Suizhou-2026-daibiao")
    user.save()
    login = reverse("deputy_login")
    done = client.post(
        login,
        {"step": "password", "mobile": "13900000009", "password": "Suizhou-2026-daibiao", "next": target},
    )
    assert done["Location"] == target
    client.logout()
    elsewhere = client.post(
        login,
        {"step": "password", "mobile": "13900000009", "password": "Suizhou-2026-daibiao", "next": "/audit/"},
    )
    assert elsewhere["Location"] == reverse("deputy_home")
    home = client.get(reverse("deputy_home")).content.decode()
    assert f'<input type="hidden" name="next" value="{login}">' in home
