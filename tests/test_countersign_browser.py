"""会签 and 督办审核 in a real browser, each person led by their 待办: the clerk submits, the leader is
told to wait for 会签; the co-handler reads the draft beside its 会办意见 and comments; the clerk
sees the comments, withdraws, edits and submits again; the co-handler agrees; the leader signs
off and the clerk sends the letter. Then, with 督办审核 on, committee staff change the class with a
reason before the letter goes out, and the agency sees why.

Screenshots of every step land in /tmp/shots/countersign/ for a person to look at.
"""

import re
from pathlib import Path

import pytest

from proposals.models import ClassCodeChange, Countersign, CountersignAnswer, Reply, ReplyStatus, Session
from tests.conftest import sign_in, submit_opinion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/countersign")
COMMENTS = "第二部分请写明市总工会2026年劳模宣传月的时间和形式。"


class Walk:
    def __init__(self, page, base, prefix: str):
        self.page, self.base, self.prefix, self.step = page, base, prefix, 0
        SHOTS.mkdir(parents=True, exist_ok=True)

    def shot(self, name: str) -> None:
        self.step += 1
        self.page.screenshot(path=SHOTS / f"{self.prefix}-{self.step:02d}-{name}.png", full_page=True)

    def as_(self, username: str) -> None:
        sign_in(self.page, self.base, username)

    def button(self, name: str) -> None:
        self.page.get_by_role("button", name=name, exact=True).click()
        self.page.wait_for_load_state("networkidle")

    def says(self, text: str) -> bool:
        return self.page.get_by_text(text).first.is_visible()


def test_a_draft_goes_through_countersign_to_sign_off_and_issue(
    live_server, draft, union_assignment, clerk, leader, cohandler, pki, page
):
    Session.objects.filter(pk=draft.proposal.session_id).update(countersign_on=True)
    submit_opinion(cohandler, union_assignment)
    walk = Walk(page, live_server.url, "a")
    reply_url = f"{walk.base}/replies/{draft.pk}/"

    walk.as_("clerk")
    page.goto(reply_url)
    walk.button("提交审核")
    assert walk.says("已提交领导审核。")
    assert Countersign.objects.filter(reply=draft, circulation=1).count() == 1

    # The leader cannot sign yet: the page says who has not countersigned.
    walk.as_("leader")
    assert page.locator("#todo-to_sign").get_by_role("link", name="等待会签").is_visible()
    page.goto(reply_url)
    assert walk.says("会签尚未完成，暂不能签发：随州市总工会（截止2026年12月8日）尚未会签")
    assert page.get_by_role("button", name="签发", exact=True).count() == 0
    walk.shot("leader-waits-for-countersign")

    # The co-handler's 待办 leads to the draft beside its own opinion; it returns comments.
    walk.as_("cohandler")
    assert page.locator("#todo-countersign .todo-item").count() == 1
    walk.shot("cohandler-todo")
    page.locator("#todo-countersign").get_by_role("link", name="会签").click()
    page.wait_for_url(re.compile(rf"/assignments/{union_assignment.pk}/countersign/$"))
    assert walk.says("答复稿（只读）") and walk.says("市总工会将继续开展劳模宣传月活动。")
    walk.shot("cohandler-reads-the-draft")
    walk.button("提出修改意见")  # empty: refused, nothing sent
    assert walk.says("提出修改意见必须写明具体意见。")
    assert Countersign.objects.get(reply=draft).answer == CountersignAnswer.PENDING
    page.get_by_label("修改意见（提出修改意见时必填；同意时可补充说明）").fill(COMMENTS)
    walk.button("提出修改意见")
    assert "确认提出修改意见？" in page.confirmations[-1]
    assert walk.says("修改意见已送主办单位。")
    assert Countersign.objects.get(reply=draft).answer == CountersignAnswer.COMMENTS
    walk.shot("cohandler-commented")

    # The clerk sees the comments in 待办 and beside the draft, withdraws, edits, resubmits.
    walk.as_("clerk")
    assert walk.says(f"会签意见：随州市总工会：{COMMENTS}")
    walk.shot("clerk-sees-the-comments")
    page.locator("#todo-countersign_comments").get_by_role("link", name="处理会签意见").click()
    page.wait_for_url(re.compile(rf"/replies/{draft.pk}/$"))
    assert page.locator(".countersign-rounds").get_by_text(COMMENTS).is_visible()
    walk.shot("clerk-reply-page-with-comments")
    page.get_by_label("领导审核前可以撤回修改：撤回理由").fill("按市总工会会签意见修改。")
    walk.button("撤回提交")
    assert walk.says("已撤回提交，答复回到起草中。")
    page.get_by_role("link", name="修改答复").click()
    page.wait_for_url(re.compile(rf"/replies/{draft.pk}/edit/$"))
    page.locator(".measure-paragraphs").last.fill(
        "积极开展劳模先进事迹宣传，2026年5月联合市总工会开展劳模宣传月活动。"
    )
    walk.button("保存")
    assert walk.says("答复已保存。")
    page.goto(reply_url)
    walk.button("提交审核")
    assert Countersign.objects.filter(reply=draft, circulation=2).count() == 1

    # The co-handler agrees with the new version.
    walk.as_("cohandler")
    page.locator("#todo-countersign").get_by_role("link", name="会签").click()
    assert walk.says("第2轮会签")
    walk.button("同意")
    assert walk.says("已同意该答复稿，主办单位将收到通知。")
    assert Countersign.objects.get(reply=draft, circulation=2).answer == CountersignAnswer.AGREED
    walk.shot("cohandler-agreed")

    # The leader signs off; the clerk sends it.
    walk.as_("leader")
    page.goto(reply_url)
    walk.button("签发")
    assert walk.says("已签发。")
    walk.as_("clerk")
    page.locator("#todo-to_send").get_by_role("link", name="发出答复").click()
    walk.button("答复代表（发出并定稿）")
    assert walk.says("答复已发出，答复函已定稿。")
    assert Reply.objects.get(pk=draft.pk).status == ReplyStatus.ISSUED
    timeline = page.locator(".timeline").inner_text()
    for step in ("送协办单位会签", "会签提出修改意见", "会签同意"):
        assert step in timeline
    walk.shot("clerk-issued-with-countersign-record")


def test_committee_staff_change_the_class_before_the_letter_goes_out(
    live_server, submitted, clerk, leader, committee_staff, pki, page
):
    Session.objects.filter(pk=submitted.proposal.session_id).update(committee_review_on=True)
    walk = Walk(page, live_server.url, "b")
    reply_url = f"{walk.base}/replies/{submitted.pk}/"

    walk.as_("leader")
    page.goto(reply_url)
    walk.button("签发")
    assert "送委员会督办审核" in page.confirmations[-1]
    assert walk.says("答复已签发，正在等待委员会督办审核")
    walk.shot("leader-signed-waits-for-review")

    walk.as_("committee")
    assert page.locator("#todo-reviewing .todo-item").count() == 1
    page.locator("#todo-reviewing").get_by_role("link", name="督办审核").click()
    page.wait_for_url(re.compile(rf"/replies/{submitted.pk}/$"))
    page.get_by_label("办理结果分类（如需调整，请选择新的分类并说明理由）").select_option("B")
    walk.button("审核通过")  # no reason: refused, the choice kept
    assert walk.says("调整办理结果分类必须说明理由。")
    assert page.get_by_label("办理结果分类（如需调整，请选择新的分类并说明理由）").input_value() == "B"
    page.get_by_label("调整理由（调整分类时必填）").fill("技能培训补贴政策尚在落实，应列为正在解决。")
    walk.shot("committee-reviews")
    walk.button("审核通过")
    assert "B类" in page.confirmations[-1]
    assert walk.says("督办审核已通过")
    assert ClassCodeChange.objects.get().to_code == "B"

    walk.as_("clerk")
    page.goto(reply_url)
    assert walk.says("技能培训补贴政策尚在落实，应列为正在解决。")
    walk.button("答复代表（发出并定稿）")
    assert walk.says("答复已发出，答复函已定稿。")
    reply = Reply.objects.get(pk=submitted.pk)
    assert (reply.status, reply.class_code) == (ReplyStatus.ISSUED, "B")
    walk.shot("clerk-issued-with-the-new-class")
