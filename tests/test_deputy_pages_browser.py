"""The deputy pages on a phone (390 × 844): 我的建议, the proposal with its issued letter, the
notices and the settings page scroll only vertically, and every tap target is at least 44 px
high. Screenshots land in /tmp/shots/deputy/ for a person to look at."""

from pathlib import Path

import pytest
from django.urls import reverse

from proposals.models import Deputy, User, UserRole
from tests.conftest import PASSWORD, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/deputy")


@pytest.mark.parametrize(("width", "height"), [(390, 844), (360, 740), (1280, 900)])
def test_every_deputy_page_fits_a_phone(width, height, live_server, issued, clerk, chromium):
    """At 390 × 844 (and 360 px, and on a desktop)."""
    shots = SHOTS if width == 390 else SHOTS / f"{width}"
    shots.mkdir(parents=True, exist_ok=True)
    deputy = issued.proposal.lead_author()
    user = User.objects.create(
        username="deputy_d", role=UserRole.DEPUTY, deputy=deputy, first_name=deputy.name
    )
    login(clerk).post(
        reverse("reply_communication", args=[issued.pk]),
        {
            "day": "2026-11-20",
            "form": "visit",
            "participants": "沈宝栋代表、经办人",
            "deputy_opinion": "希望加大技能补贴",
        },
    )
    Deputy.objects.filter(pk=deputy.pk).update(mobile="13800001111")
    user.set_password(PASSWORD)
    user.save()
    base = live_server.url
    context = chromium.new_context(
        viewport={"width": width, "height": height}, locale="zh-CN", is_mobile=width < 800
    )
    page = context.new_page()
    # Part A's password login, as a deputy does it.
    page.goto(base + reverse("deputy_login") + "?tab=password")
    page.get_by_label("手机号码").fill("13800001111")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(base + reverse("deputy_home"))
    pages = [
        ("home", reverse("deputy_home"), "我的建议"),
        ("proposal", reverse("deputy_proposal", args=[issued.proposal.pk]), "办理情况"),
        ("notices", reverse("deputy_notices"), "通知"),
        ("settings", reverse("deputy_settings"), "短信通知"),
    ]
    for index, (name, url, words) in enumerate(pages, 1):
        response = page.goto(base + url)
        assert response.status == 200, name
        page.wait_for_load_state("networkidle")
        assert page.get_by_text(words).first.is_visible(), name
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], (name, widths)
        small = page.evaluate(
            """Array.from(document.querySelectorAll('nav a, nav button, main .btn, a.deputy-card'))
                .filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < 44)
                .map(e => e.textContent.trim())"""
        )
        assert small == [], (name, small)
        page.screenshot(path=shots / f"{index:02d}-{name}.png", full_page=True)
    # The letter reads as text on the phone, and the PDF opens (inline) from the page.
    page.goto(base + reverse("deputy_proposal", args=[issued.proposal.pk]))
    assert page.get_by_text("关于提高工人待遇方面").first.is_visible()
    assert page.get_by_text("登门走访").first.is_visible()
    # The 署名 and date stay inside the screen (on A4 the 署名 hangs out on both sides).
    inside = page.evaluate(
        """['.letter-signature', '.letter-date', '.letter-agency', '.letter-title'].map(s => {
            const r = document.querySelector(s).getBoundingClientRect();
            return r.width > 0 && r.left >= 0 && r.right <= window.innerWidth; })"""
    )
    assert inside == [True, True, True, True], inside
    pdf = page.request.get(base + reverse("deputy_reply_pdf", args=[issued.pk]))
    assert pdf.status == 200 and pdf.headers["content-disposition"].startswith("inline")
    # Anything else is the 404 page, in the deputy's frame.
    response = page.goto(base + reverse("reply_detail", args=[issued.pk]))
    assert response.status == 404 and page.get_by_role("heading", name="页面不存在").is_visible()
    page.screenshot(path=shots / "05-not-found.png", full_page=True)
    context.close()
