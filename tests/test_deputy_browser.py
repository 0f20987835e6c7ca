"""Issue 17 end to end on a phone (390 × 844): a deputy asks for a code, reads it from the test
SMS backend, logs in, sees 第12号 with its status, opens the issued letter and its PDF, rates
both items (the lead's 不满意 opens round 2 and the agency's to-do shows it), changes a rating
within 7 days; a co-signer sees the same proposal; a deputy of another proposal gets 404.
Screenshots in /tmp/shots/deputy-e2e/."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from proposals import sms
from proposals.models import (
    Deputy,
    Feedback,
    FeedbackCorrection,
    Proposal,
    ProposalAuthor,
    Rating,
    Reply,
    User,
    UserRole,
)
from tests.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/deputy-e2e")


def deputy_account(deputy, mobile: str) -> User:
    Deputy.objects.filter(pk=deputy.pk).update(mobile=mobile)
    return User.objects.create(
        username=f"deputy-{mobile}", role=UserRole.DEPUTY, deputy=deputy, first_name=deputy.name
    )


def phone(chromium):
    context = chromium.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # the 提交评价 confirmation
    return page


def log_in_by_code(page, base: str, mobile: str) -> None:
    page.goto(base + reverse("deputy_login"))
    page.get_by_label("手机号码").fill(mobile)
    page.get_by_role("button", name="获取验证码").click()
    page.get_by_label("短信验证码（6位数字）").wait_for()
    message = [m for m in sms.outbox if m.mobile == mobile][-1]
    page.get_by_label("短信验证码（6位数字）").fill(re.search(r"\d{6}", message.text).group())
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_url(base + reverse("deputy_home"))


def fits(page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths


def choose(page, name: str, value: str) -> None:
    page.locator(f"label[for='{name}-{value}']").click()


def test_a_deputy_logs_in_reads_the_answer_and_rates_it(live_server, issued, clerk, chromium):
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    proposal = issued.proposal
    lead = proposal.lead_author()
    co_signer = proposal.authorships.filter(is_lead=False).first().deputy
    deputy_account(lead, "13800001111")
    deputy_account(co_signer, "13800002222")
    other = Proposal.objects.create(session=proposal.session, number="31", title="关于加强农村公路养护的建议")
    stranger = Deputy.objects.create(name="王建国")
    ProposalAuthor.objects.create(proposal=other, deputy=stranger, position=1, is_lead=True)
    deputy_account(stranger, "13800003333")

    page = phone(chromium)
    log_in_by_code(page, base, "13800001111")
    card = page.locator(".deputy-card", has_text=f"第{proposal.number}号")
    assert card.first.is_visible() and "已答复" in card.first.inner_text()
    fits(page)
    page.screenshot(path=SHOTS / "01-home.png", full_page=True)

    card.first.click()
    page.wait_for_url(base + reverse("deputy_proposal", args=[proposal.pk]))
    assert page.get_by_text("关于提高工人待遇方面").first.is_visible()
    assert page.get_by_text("未评价").first.is_visible()
    fits(page)
    page.screenshot(path=SHOTS / "02-proposal.png", full_page=True)
    pdf = page.request.get(base + reverse("deputy_reply_pdf", args=[issued.pk]))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body()[:5] == b"%PDF-"

    page.get_by_role("link", name="填写征询意见表").click()
    page.wait_for_url(base + reverse("deputy_feedback", args=[issued.pk]))
    choose(page, "attitude", Rating.BASICALLY_SATISFIED)
    choose(page, "rating", Rating.DISSATISFIED)
    page.get_by_label("意见（可不填）").fill("技能补贴标准仍偏低，希望进一步提高。")
    fits(page)
    page.screenshot(path=SHOTS / "03-form.png", full_page=True)
    page.get_by_role("button", name="提交评价").click()
    page.get_by_text("已提交您的评价").wait_for()
    page.screenshot(path=SHOTS / "04-rated.png", full_page=True)
    feedback = Feedback.objects.get(reply=issued, deputy=lead)
    assert (feedback.attitude, feedback.rating, feedback.by_proxy) == (
        Rating.BASICALLY_SATISFIED,
        Rating.DISSATISFIED,
        False,
    )
    second = Reply.objects.get(assignment=issued.assignment, round=2)
    assert page.get_by_text("再次办理已经开始").first.is_visible()

    # Within 7 days the deputy changes the 办理态度; round 2 stays open.
    choose(page, "attitude", Rating.SATISFIED)
    page.get_by_role("button", name="提交修改").click()
    page.get_by_text("已提交您的评价").wait_for()
    assert FeedbackCorrection.objects.get(feedback=feedback).to_attitude == Rating.SATISFIED
    page.goto(base + reverse("deputy_proposal", args=[proposal.pk]))
    assert page.get_by_text("办理态度：满意").first.is_visible()
    page.screenshot(path=SHOTS / "05-changed.png", full_page=True)

    # The agency's to-do shows the second round.
    staff = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    sign_in(staff, base, clerk.username)
    assert staff.get_by_text("再次办理").first.is_visible()
    assert staff.locator(f"a[href='{reverse('reply_edit', args=[second.pk])}']").count() >= 1
    staff.screenshot(path=SHOTS / "06-agency-todo.png", full_page=True)

    # A co-signer sees the same proposal.
    co_page = phone(chromium)
    log_in_by_code(co_page, base, "13800002222")
    assert co_page.locator(".deputy-card", has_text=f"第{proposal.number}号").first.is_visible()
    co_page.goto(base + reverse("deputy_proposal", args=[proposal.pk]))
    assert co_page.get_by_text("关于提高工人待遇方面").first.is_visible()
    co_page.screenshot(path=SHOTS / "07-co-signer.png", full_page=True)

    # A deputy of another proposal gets 404 for it.
    other_page = phone(chromium)
    log_in_by_code(other_page, base, "13800003333")
    assert other_page.goto(base + reverse("deputy_proposal", args=[proposal.pk])).status == 404
    assert other_page.goto(base + reverse("deputy_feedback", args=[issued.pk])).status == 404
    other_page.screenshot(path=SHOTS / "08-other-deputy-404.png", full_page=True)
