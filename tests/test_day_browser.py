"""A whole day in a real browser, each person led by their 待办 and their notices: the clerk drafts,
is warned before leaving unsaved text, is refused an incomplete letter with the list, completes
and submits; the leader returns it with a reason; the clerk fixes it, resubmits, withdraws,
resubmits; the leader signs off, revokes, signs off again; the clerk sends it; committee staff
record both ratings and correct one; the audit page reads as Chinese, with no raw JSON.

Screenshots of every step land in test-artifacts/day/ for a person to look at.
"""

import re

import pytest

from proposals.models import Feedback, FeedbackCorrection, Reply, ReplyStatus
from tests.conftest import ARTIFACTS, sign_in, submit_opinion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = ARTIFACTS / "day"


class Day:
    def __init__(self, page, base):
        self.page, self.base, self.step = page, base, 0
        SHOTS.mkdir(parents=True, exist_ok=True)

    def shot(self, name: str) -> None:
        self.step += 1
        self.page.screenshot(path=SHOTS / f"{self.step:02d}-{name}.png", full_page=True)

    def as_(self, username: str) -> None:
        sign_in(self.page, self.base, username)

    def button(self, name: str) -> None:
        self.page.get_by_role("button", name=name, exact=True).click()
        self.page.wait_for_load_state("networkidle")

    def says(self, text: str) -> bool:
        return self.page.get_by_text(text).first.is_visible()


def test_a_whole_day_for_clerk_leader_and_committee(
    live_server, lead_assignment, union_assignment, clerk, leader, cohandler, committee_staff, pki, page
):
    day = Day(page, live_server.url)

    # The clerk's 待办 leads to the assignment to draft.
    day.as_("clerk")
    assert page.get_by_role("heading", name="待起草").is_visible()
    day.shot("clerk-todo")
    day.button("开始起草")
    page.wait_for_url(re.compile(r"/replies/\d+/edit/$"))
    reply = Reply.objects.get(assignment=lead_assignment)
    page.get_by_role("button", name="＋ 添加一条").click()
    page.locator(".measure-heading").last.fill("关于提高工人待遇方面")
    page.locator(".measure-paragraphs").last.fill("建立了重点产业企业薪酬调查工作机制。")
    page.wait_for_timeout(600)
    # Leaving with unsaved text asks first; the text is offered back and saved.
    page.get_by_role("link", name="返回").click()
    page.wait_for_url(re.compile(r"/replies/\d+/$"))
    assert "beforeunload" in page.confirmations
    page.goto(f"{day.base}/replies/{reply.pk}/edit/")
    day.button("恢复未保存的内容")
    day.shot("clerk-restored")
    day.button("保存")
    assert day.says("答复已保存。")

    # An incomplete letter is refused with the list; completed, it goes to the leader.
    page.goto(f"{day.base}/replies/{reply.pk}/")
    day.button("提交审核")
    assert day.says("答复还不完整，暂不能提交审核：请选择办理结果分类")
    day.shot("clerk-refused-incomplete")
    page.get_by_role("link", name="请选择办理结果分类（A、B、C、D类）。").click()
    page.get_by_label("办理结果分类").select_option("A")
    day.button("保存")
    submit_opinion(cohandler, union_assignment)
    page.goto(f"{day.base}/replies/{reply.pk}/")
    assert day.says("发出前检查：已齐全")
    day.button("提交审核")
    assert day.says("已提交领导审核。")

    # The leader's 待办 shows one reply to sign off and an unread notice; he returns it.
    day.as_("leader")
    assert page.locator("#todo-to_sign .todo-item").count() == 1
    assert page.locator("nav .badge").first.inner_text() == "1"
    day.shot("leader-todo")
    page.get_by_role("link", name="通知").click()
    assert day.says("待签发：市五届人大一次会议第12号建议的答复，孙建波已提交审核")
    page.locator(".notice-open").first.click()
    page.wait_for_url(re.compile(rf"/replies/{reply.pk}/$"))
    page.get_by_label("退回理由").fill("请补充今年的培训人数。")
    day.button("退回修改")
    assert day.says("已退回经办人修改。")

    # The clerk sees the reason at the top, fixes, resubmits, withdraws, resubmits.
    day.as_("clerk")
    assert day.says("退回理由：请补充今年的培训人数。")
    page.get_by_role("link", name="按退回意见修改").click()
    assert day.says("领导退回修改：请按以下意见修改后重新提交")
    day.shot("clerk-sees-the-reason")
    page.locator(".measure-paragraphs").first.fill("建立了重点产业企业薪酬调查工作机制。全年培训5172人次。")
    day.button("保存")
    page.goto(f"{day.base}/replies/{reply.pk}/")
    day.button("提交审核")
    page.get_by_label("领导审核前可以撤回修改：撤回理由").fill("发现培训人数有误。")
    day.button("撤回提交")
    assert day.says("已撤回提交，答复回到起草中。")
    day.button("提交审核")
    assert Reply.objects.get(pk=reply.pk).status == ReplyStatus.SUBMITTED

    # The leader signs off (asked first), revokes it, and signs off again.
    day.as_("leader")
    page.goto(f"{day.base}/replies/{reply.pk}/")
    day.button("签发")
    assert page.confirmations[-1].startswith("确认签发？")
    page.get_by_label("发出前可以撤销签发：撤销理由").fill("抄送单位需再核对。")
    day.button("撤销签发")
    assert day.says("已撤销签发，答复回到待审核。")
    day.button("签发")
    assert day.says("已签发。")

    # The clerk sends it (asked first).
    day.as_("clerk")
    assert page.locator("#todo-to_send .todo-item").count() == 1
    page.get_by_role("link", name="发出答复").click()
    day.button("答复代表（发出并定稿）")
    assert "发出后不能再修改或撤回" in page.confirmations[-1]
    assert day.says("答复已发出，答复函已定稿。")
    day.shot("clerk-issued")

    # Committee staff see it to rate, record both authors and correct one rating.
    day.as_("committee")
    assert page.locator("#todo-unrated .todo-item").count() == 1
    page.locator("#todo-unrated").get_by_role("link", name="登记评价").click()
    for attitude, rating in (("满意", "满意"), ("满意", "基本满意")):
        page.locator("#id_attitude").select_option(label=attitude)
        page.locator("#id_rating").select_option(label=rating)
        day.button("登记评价")
        assert f"办理态度“{attitude}”，办理结果“{rating}”" in page.confirmations[-1]
    assert Feedback.objects.filter(reply=reply).count() == 2
    page.locator("summary", has_text="更正评价").first.click()
    page.get_by_label("办理结果更正为").first.select_option(label="不满意")
    page.get_by_label("更正理由").first.fill("登记时选错，代表表示满意程度应为不满意。")
    day.button("更正评价")
    assert FeedbackCorrection.objects.count() == 1
    day.shot("committee-corrected")

    # The audit page reads as Chinese: no raw JSON in sight.
    page.goto(f"{day.base}/audit/")
    visible = page.locator("table.audit-log").inner_text()
    assert "{" not in visible and "from_status" not in visible and "proposals.Reply" not in visible
    assert "撤回提交" in visible and "撤销签发" in visible and "更正评价" in visible
    day.shot("audit")
