"""签收 and 退办 in a real browser: two proposals handed to 市人社局 (one imported with the
交办导入, one registered by hand); the clerk signs for the imported one from the start page,
applies to hand the other back (with the agency that should take it), and committee staff
approve, passing it to 市教育局 with its 交办日期 unchanged."""

import datetime
from pathlib import Path

import pytest
from django.urls import reverse

from proposals import workflow
from proposals.models import Assignment, HandbackRequest, Proposal
from tests.conftest import TODAY, sign_in
from tests.test_accessibility_browser import axe_violations, describe
from tests.test_intake import HEADER, xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/receipt")
ASSIGNED = TODAY - datetime.timedelta(days=3)
REASON = "该建议所提校园周边交通安全事项属于市教育局职责，请调整承办单位。"


def register(number: str, title: str, session, staff, agency) -> Assignment:
    proposal = Proposal(session=session, number=number, title=title, body="建议内容。")
    workflow.register_proposal(proposal, staff, ["王建国", "李红梅"], agency, [], ASSIGNED)
    return Assignment.objects.get(proposal=proposal)


def imported(number: str, title: str, session, staff, agency) -> Assignment:
    """A proposal as the 交办导入 brings it in: one row of the session's list."""
    row = [number, title, "建议", "王建国", "李红梅", agency.name, "", "", ASSIGNED.isoformat(), ""]
    result = workflow.import_proposals(session, staff, "交办清单.xlsx", xlsx([HEADER, row]))
    assert not result.errors, result.errors
    return Assignment.objects.get(proposal__session=session, proposal__number=number)


def test_clerk_signs_for_one_and_hands_back_another_that_staff_reassign(
    live_server, seed_reply, clerk, committee_staff, outsider, page
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    session = seed_reply.proposal.session
    first = imported("31", "关于加强职业技能培训的建议", session, committee_staff, clerk.agency)
    second = register("32", "关于改善校园周边交通安全的建议", session, committee_staff, clerk.agency)

    # The clerk's start page lists both as 待签收 with the days left; 签收 the first.
    sign_in(page, base, "clerk")
    group = page.locator("#todo-to_receive")
    assert "待签收" in group.inner_text() and "关于加强职业技能培训的建议" in group.inner_text()
    item = group.locator(".todo-item").filter(has_text="第31号")
    assert "还剩7天" in item.inner_text()
    page.screenshot(path=SHOTS / "01-start-page.png", full_page=True)
    violations = axe_violations(page)  # WCAG 2.x AA, as every other page
    assert not violations, describe(violations)
    item.get_by_role("button", name="签收").click()
    page.wait_for_url(f"{base}/")
    assert page.get_by_text("已签收市五届人大一次会议第31号建议。").is_visible()
    assert any("确认签收" in text for text in page.confirmations)
    first.refresh_from_db()
    assert first.received_by == clerk
    assert "第31号" not in page.locator("#todo-to_receive").inner_text()
    page.screenshot(path=SHOTS / "02-signed.png", full_page=True)
    page.goto(f"{base}{reverse('queue')}")
    rows = page.locator("table.queue tbody tr")
    assert "已签收" in rows.filter(has_text="第31号").inner_text()
    assert rows.filter(has_text="第32号").get_by_role("button", name="签收").is_visible()
    page.screenshot(path=SHOTS / "02b-queue.png", full_page=True)

    # The second: 申请退办 from the proposal page, naming 市教育局.
    page.goto(f"{base}{reverse('proposal_detail', args=[second.proposal_id])}")
    page.get_by_role("link", name="申请退办").click()
    page.get_by_label("退办理由").fill(REASON)
    page.get_by_label("建议改由哪个单位承办（可不选）").select_option(label="随州市教育局")
    page.screenshot(path=SHOTS / "03-handback-form.png", full_page=True)
    violations = axe_violations(page)
    assert not violations, describe(violations)
    page.get_by_role("button", name="提交退办申请").click()
    page.wait_for_url(f"{base}{reverse('proposal_detail', args=[second.proposal_id])}")
    assert "退办申请中" in page.locator(".assignments").inner_text()
    page.screenshot(path=SHOTS / "04-pending.png", full_page=True)
    violations = axe_violations(page)
    assert not violations, describe(violations)

    # Committee staff: the request waits in their to-do list; approve it, to 市教育局.
    sign_in(page, base, "committee")
    handbacks = page.locator("#todo-handbacks")
    assert "第32号" in handbacks.inner_text()
    handbacks.get_by_role("link", name="处理退办申请").click()
    assert REASON in page.locator(".handback-reason").inner_text()
    page.get_by_label("同意退办，改由以下单位承办").check()
    assert page.get_by_label("改由承办单位").input_value() == str(outsider.agency_id)  # the suggestion
    page.get_by_label("处理意见").fill("经核实，属于市教育局职责。")
    page.screenshot(path=SHOTS / "05-decide.png", full_page=True)
    violations = axe_violations(page)
    assert not violations, describe(violations)
    page.get_by_role("button", name="确定").click()
    page.wait_for_url(f"{base}{reverse('proposal_detail', args=[second.proposal_id])}")
    assert page.get_by_text("已同意退办，交办日期不变").is_visible()
    row = page.locator(".assignments tbody tr").first
    text = row.inner_text()
    assert "随州市教育局" in text and f"{ASSIGNED.year}年{ASSIGNED.month}月{ASSIGNED.day}日" in text
    assert "待签收" in text
    assert (
        "承办单位由“随州市人力资源和社会保障局”调整为“随州市教育局”"
        in page.locator(".assignment-changes").inner_text()
    )
    page.screenshot(path=SHOTS / "06-reassigned.png", full_page=True)

    second.refresh_from_db()
    assert second.agency == outsider.agency and second.assigned_date == ASSIGNED
    assert second.handed_on == TODAY and second.received_at is None
    assert HandbackRequest.objects.get().approved is True

    # 市教育局's clerk now signs for it.
    sign_in(page, base, "outsider")
    item = page.locator("#todo-to_receive .todo-item").filter(has_text="第32号")
    assert "签收期限：2026年12月11日" in item.inner_text()  # 10 days from the day it was handed on
    item.get_by_role("button", name="签收").click()
    page.wait_for_url(f"{base}/")
    second.refresh_from_db()
    assert second.received_by == outsider
    page.screenshot(path=SHOTS / "07-new-agency-signed.png", full_page=True)
