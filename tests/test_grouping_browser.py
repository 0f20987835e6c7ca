"""并案办理 in a real browser: committee staff register a second proposal and group it with 建议 12
from the dashboard's ticked rows; the clerk writes the body once on 建议 12's letter, the
leader signs off, the clerk issues; each proposal then has its own signed letter with its own
number and salutation.

Screenshots of every step land in /tmp/shots/grouping/ for a person to look at.
"""

import datetime
import re
import subprocess
from pathlib import Path

import pytest

from proposals import workflow
from proposals.models import Proposal, ProposalGroup, Reply, ReplyStatus, Role
from tests.conftest import TODAY, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/grouping")


def pdf_text(path: str) -> str:
    text = subprocess.run(["pdftotext", path, "-"], capture_output=True, text=True, check=True).stdout
    return "".join(text.split())


def test_two_proposals_grouped_and_answered_with_one_letter_each_from_one_body(
    live_server, lead_assignment, clerk, leader, committee_staff, pki, page
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    base, step = live_server.url, [0]

    def shot(name: str) -> None:
        step[0] += 1
        page.screenshot(path=SHOTS / f"{step[0]:02d}-{name}.png", full_page=True)

    def button(name: str) -> None:
        page.get_by_role("button", name=name, exact=True).click()
        page.wait_for_load_state("networkidle")

    first = lead_assignment.proposal
    second = Proposal(session=first.session, number="15", title="关于加强企业用工保障的建议", kind="建议")
    workflow.register_proposal(
        second,
        committee_staff,
        ["李四", "赵六"],
        lead_assignment.agency,
        [],
        TODAY - datetime.timedelta(days=5),
    )

    # Committee staff tick both rows on the dashboard and group them.
    sign_in(page, base, "committee")
    page.goto(f"{base}/dashboard/")
    page.get_by_label("选择第12号并案办理").check()
    page.get_by_label("选择第15号并案办理").check()
    shot("staff-dashboard-ticked")
    page.locator("#group-form").get_by_role("button", name="并案办理").click()
    page.wait_for_url(re.compile(r"/groups/new/"))
    assert page.get_by_label("并案的编号").input_value() == "12、15"
    page.get_by_label("并案事由").fill("均建议化解企业招工难")
    shot("staff-group-form")
    page.locator("form.card").get_by_role("button", name="并案办理").click()
    page.wait_for_url(re.compile(rf"/proposals/{first.pk}/$"))
    assert page.get_by_text("已将第12、15号并案办理").is_visible()
    assert page.locator(".group-card").get_by_text("每件分别答复（共用正文）").is_visible()
    shot("staff-proposal-group-card")
    assert ProposalGroup.objects.count() == 1

    # The clerk's 待办 marks both as grouped; starting leads to the first letter.
    sign_in(page, base, "clerk")
    assert page.locator(".todo-grouped").first.is_visible()
    shot("clerk-todo")
    page.locator("#todo-unstarted").get_by_role("button", name="开始起草").last.click()
    page.wait_for_url(re.compile(r"/replies/\d+/edit/$"))
    primary = Reply.objects.get(assignment=lead_assignment)
    member = Reply.objects.get(assignment__proposal=second, assignment__role=Role.LEAD)
    assert page.url.endswith(f"/replies/{primary.pk}/edit/")
    assert page.locator(".group-banner").get_by_text("本件与第15号建议并案办理", exact=False).is_visible()
    page.get_by_role("button", name="＋ 添加一条").click()
    page.locator(".measure-heading").last.fill("关于稳岗就业方面")
    page.locator(".measure-paragraphs").last.fill("落实稳岗返还政策，支持企业稳定用工。")
    page.get_by_label("办理结果分类").select_option("A")
    button("保存")
    assert page.get_by_text("答复已保存。").is_visible()
    shot("clerk-primary-editor")

    # The member's editor is read-only and points to the first letter; its letter is its own.
    page.goto(f"{base}/replies/{member.pk}/edit/")
    assert page.get_by_role("heading", name="本件答复不在此修改").is_visible()
    assert page.locator(".letter-sheet").get_by_text("李四、赵六代表：").is_visible()
    assert page.locator(".letter-sheet").get_by_text("关于稳岗就业方面").is_visible()
    shot("clerk-member-read-only")
    page.get_by_role("link", name="修改第12号建议的答复").click()
    page.wait_for_url(re.compile(rf"/replies/{primary.pk}/edit/$"))

    page.goto(f"{base}/replies/{primary.pk}/")
    button("提交审核")
    assert page.get_by_text("已提交领导审核。").is_visible()
    assert Reply.objects.get(pk=member.pk).status == ReplyStatus.SUBMITTED

    # The leader signs off once; the clerk issues once.
    sign_in(page, base, "leader")
    page.goto(f"{base}/replies/{primary.pk}/")
    button("签发")
    assert page.get_by_text("已签发。").is_visible()
    sign_in(page, base, "clerk")
    page.goto(f"{base}/replies/{primary.pk}/")
    button("答复代表（发出并定稿）")
    assert page.get_by_text("答复已发出").first.is_visible()
    shot("clerk-primary-issued")

    primary, member = Reply.objects.get(pk=primary.pk), Reply.objects.get(pk=member.pk)
    assert primary.status == member.status == ReplyStatus.ISSUED
    page.goto(f"{base}/replies/{member.pk}/")
    assert page.locator(".letter-sheet").get_by_text("对市五届人大一次会议第15号建议的答复").is_visible()
    shot("clerk-member-issued")
    mine, theirs = pdf_text(primary.pdf.path), pdf_text(member.pdf.path)
    assert "第12号建议" in mine and "沈宝栋、李芸等代表" in mine and "李四" not in mine
    assert "第15号建议" in theirs and "李四、赵六代表" in theirs and "沈宝栋" not in theirs
    assert "关于稳岗就业方面" in mine and "关于稳岗就业方面" in theirs
