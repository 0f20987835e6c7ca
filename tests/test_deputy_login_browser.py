"""The deputies' login by code on a phone (390 × 844): committee staff open the account, the
deputy asks for a code, reads it from the test SMS backend, enters it and lands on 我的建议; the
page scrolls only vertically and its buttons are at least 44 px high. Screenshots in
/tmp/shots/parta/."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/parta")


def test_a_deputy_logs_in_by_code_on_a_phone(live_server, seed_reply, committee_staff, sms_outbox, chromium):
    SHOTS.mkdir(parents=True, exist_ok=True)
    deputy = seed_reply.proposal.lead_author()
    staff = login(committee_staff)
    staff.post(reverse("deputy_mobile", args=[deputy.pk]), {"mobile": "13971230001"})
    staff.post(reverse("deputy_account_open", args=[deputy.pk]))
    assert "deputy/login/" in sms_outbox[-1].text
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    base = live_server.url
    page.goto(base + reverse("login"))
    page.get_by_role("link", name="代表／委员登录").click()
    page.get_by_label("手机号码").fill("13971230001")
    page.get_by_role("button", name="获取验证码").click()
    page.get_by_label("短信验证码（6位数字）").wait_for()
    assert page.get_by_text("验证码已发送").is_visible()
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths
    small = page.evaluate(
        """Array.from(document.querySelectorAll('main .btn, main input.form-control'))
            .filter(e => e.getBoundingClientRect().height < 44).map(e => e.outerHTML)"""
    )
    assert small == []
    page.screenshot(path=SHOTS / "01-code-sent.png", full_page=True)
    code = re.search(r"\d{6}", sms_outbox[-1].text).group()
    page.get_by_label("短信验证码（6位数字）").fill(code)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(base + reverse("deputy_home"))
    page.screenshot(path=SHOTS / "02-deputy-home.png", full_page=True)
    context.close()
