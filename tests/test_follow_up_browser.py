"""跟踪办理 in a real browser: the clerk sends a B-class reply, finds the 跟踪事项 in the to-do list,
reports progress, drafts the 办理落实情况的报告 from the commitment page; the leader signs it off,
the clerk sends it (signed PDF), and the commitment reads 已落实.

Screenshots land in /tmp/shots/follow_up/ for a person to look at.
"""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from proposals.models import Commitment, CommitmentStatus, Reply, ReplyKind
from tests.conftest import login, sign_in, submit_opinion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/follow_up")


def test_a_b_class_reply_is_followed_up_and_fulfilled_with_a_second_letter(
    live_server, draft, clerk, leader, cohandler, union_assignment, committee_staff, pki, page
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    step = iter(range(1, 100))

    def shot(name: str) -> None:
        page.screenshot(path=SHOTS / f"{next(step):02d}-{name}.png", full_page=True)

    def button(name: str) -> None:
        page.get_by_role("button", name=name, exact=True).click()
        page.wait_for_load_state("networkidle")

    session = draft.proposal.session
    session.countersign_on = False  # 会签 has its own browser test
    session.save()
    Reply.objects.filter(pk=draft.pk).update(class_code="B")
    submit_opinion(cohandler, union_assignment)
    login(clerk).post(reverse("reply_submit", args=[draft.pk]))
    login(leader).post(reverse("reply_sign_off", args=[draft.pk]))

    # The clerk sends the B-class reply: it becomes a 跟踪事项.
    sign_in(page, base, "clerk")
    page.goto(f"{base}/replies/{draft.pk}/")
    button("答复代表（发出并定稿）")
    commitment = Commitment.objects.get(reply=draft)
    page.goto(f"{base}/")
    assert page.get_by_role("heading", name="跟踪事项").is_visible()
    shot("clerk-todo-follow-up")
    page.locator("#todo-follow_up").get_by_role("link", name="报告落实情况").click()
    page.wait_for_url(f"{base}/follow-up/{commitment.pk}/")
    assert page.get_by_text("跟踪办理中").first.is_visible()
    assert page.get_by_text("2026年12月31日（剩余30天）").is_visible()
    shot("commitment-open")

    # Progress, then the second letter.
    page.get_by_role("textbox", name="落实情况").fill("全市重点产业企业薪酬调查已完成，结果已向社会发布。")
    button("报告落实情况")
    assert page.get_by_text("落实情况已报告。").is_visible()
    assert page.get_by_text("全市重点产业企业薪酬调查已完成").first.is_visible()
    shot("progress-reported")
    button("起草办理落实情况的报告")
    page.wait_for_url(re.compile(r"/replies/\d+/edit/$"))
    report = Reply.objects.get(kind=ReplyKind.REPORT)
    paragraphs = page.locator(".measure-paragraphs")
    paragraphs.nth(0).fill("重点产业企业薪酬调查已覆盖全市，调查结果已向社会发布。")
    paragraphs.nth(1).fill("劳模宣传月活动已举办，劳模事迹汇编已印发。")
    shot("report-editor")
    button("保存")
    page.goto(f"{base}/replies/{report.pk}/")
    assert page.get_by_role("heading", name=re.compile("办理落实情况的报告")).first.is_visible()
    button("提交审核")
    assert page.get_by_text("已提交领导审核。").is_visible()
    shot("report-submitted")

    sign_in(page, base, "leader")
    page.goto(f"{base}/replies/{report.pk}/")
    button("签发")
    assert page.get_by_text("已签发。").is_visible()

    sign_in(page, base, "clerk")
    page.goto(f"{base}/replies/{report.pk}/")
    assert not page.get_by_role("link", name="征询意见表").count()
    button("发出报告（发出并定稿）")
    assert page.get_by_text("办理落实情况的报告已发出并定稿，跟踪事项已落实。").is_visible()
    report.refresh_from_db()
    assert report.status == "issued" and "办理落实情况的报告" in report.pdf.name
    assert page.get_by_text("跟踪事项已落实").first.is_visible()
    shot("report-issued")
    page.goto(f"{base}/follow-up/{commitment.pk}/")
    assert page.get_by_text("已落实").first.is_visible()
    assert page.get_by_text("按期落实").first.is_visible()
    shot("commitment-fulfilled")
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.FULFILLED and commitment.report_id == report.pk

    # Committee staff: the list, and the 跟踪办理 figures of the statistics.
    sign_in(page, base, "committee")
    page.goto(f"{base}/follow-up/")
    assert page.get_by_role("link", name="关于化解企业招工难的建议").is_visible()
    shot("staff-commitment-list")
    page.goto(f"{base}/statistics/")
    table = page.locator("table.follow-up-statistics")
    assert table.get_by_role("row", name=re.compile("合计")).inner_text().split() == [
        "合计",
        "1",
        "1",
        "0",
        "0",
        "100.0%",
    ]
    table.scroll_into_view_if_needed()
    shot("staff-statistics")
