"""The whole journey in a real browser: draft, return, fix, sign off, issue, download, rate.

Screenshots of every page land in test-artifacts/journey/ for a person to look at.
"""

import datetime
import re
import subprocess

import pytest
from django.utils import timezone

from proposals import workflow
from proposals.models import Assignment, Reply
from tests.conftest import ARTIFACTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = ARTIFACTS / "journey"


@pytest.fixture
def open_proposal(seed_reply, union_agency, cohandler):
    """建议 12 assigned to 市人社局 (lead) and 市总工会 (会办), whose opinion is already in."""
    assignment = seed_reply.assignment
    seed_reply.delete()
    assigned = timezone.localdate() - datetime.timedelta(days=12)
    Assignment.objects.filter(proposal=assignment.proposal).update(assigned_date=assigned)
    union = Assignment.objects.get(agency=union_agency)
    workflow.save_opinion(
        union, cohandler, "市总工会每年五月开展劳模宣传月活动，建议在答复中写明。", submit_now=True
    )
    return assignment


class Journey:
    def __init__(self, page, base: str):
        self.page, self.base, self.step = page, base, 0

    def shot(self, name: str) -> None:
        self.step += 1
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SHOTS / f"{self.step:02d}-{name}.png", full_page=True)

    def login(self, username: str) -> None:
        sign_in(self.page, self.base, username)

    def open_reply(self) -> None:
        self.page.goto(f"{self.base}/replies/")
        self.page.get_by_role("link", name=re.compile("第12号建议的答复")).first.click()
        self.page.wait_for_url(re.compile(r"/replies/\d+/$"))

    def click(self, name: str) -> None:
        self.page.get_by_role("button", name=name).click()
        self.page.wait_for_load_state("networkidle")


def test_clerk_leader_and_committee_handle_the_seed_proposal(
    live_server, open_proposal, clerk, leader, committee_staff, pki, page
):  # noqa: F811
    journey = Journey(page, live_server.url)

    # The clerk drafts the reply: two sections typed in the editor, checked in the live preview.
    journey.login("clerk")
    page.get_by_role("link", name="我的办理").click()
    journey.shot("queue")
    journey.click("起草答复")
    page.wait_for_url(re.compile(r"/replies/\d+/edit/$"))
    assert "市总工会每年五月开展劳模宣传月活动" in page.locator("body").inner_text()
    for heading, text in (
        ("关于提高工人待遇方面", "完成了 275 家省级样本企业薪酬调查。"),
        ("关于弘扬劳模精神方面", "积极开展劳模先进事迹宣传。"),
    ):
        page.get_by_role("button", name="＋ 添加一条").click()
        page.locator(".measure-heading").last.fill(heading)
        page.locator(".measure-paragraphs").last.fill(text)
    preview = page.locator("#preview")
    preview.get_by_text("二、关于弘扬劳模精神方面").wait_for()
    assert "一、关于提高工人待遇方面" in preview.inner_text()
    page.get_by_label("办理结果分类").select_option("A")
    journey.shot("editor-preview")
    journey.click("保存")
    assert page.get_by_text("答复已保存。").is_visible()
    journey.open_reply()
    journey.click("提交审核")
    assert page.get_by_text("已提交领导审核。").is_visible()

    # The leader returns it with a reason.
    journey.login("leader")
    journey.open_reply()
    journey.shot("leader-review")
    page.get_by_label("退回理由").fill("第二部分请补充今年的具体数据。")
    journey.click("退回修改")
    assert page.get_by_text("已退回经办人修改。").is_visible()

    # The clerk fixes the second section and submits again.
    journey.login("clerk")
    journey.open_reply()
    assert "第二部分请补充今年的具体数据。" in page.locator(".timeline").inner_text()
    page.get_by_role("link", name="修改答复").click()
    page.locator(".measure-paragraphs").nth(1).fill(
        "积极开展劳模先进事迹宣传，今年推荐 7 名高技能人才参加“湖北工匠”表彰。"
    )
    journey.click("保存")
    journey.open_reply()
    journey.click("提交审核")

    # The leader sees what changed and signs off.
    journey.login("leader")
    journey.open_reply()
    page.get_by_role("link", name="查看修改").click()
    assert "今年推荐 7 名高技能人才" in page.locator("div.diff-added").inner_text()
    journey.shot("changes")
    journey.open_reply()
    journey.click("签发")
    assert page.get_by_text("已签发。").is_visible()
    assert page.confirmations[-1].startswith("确认签发？")

    # The clerk issues it and downloads the PDF.
    journey.login("clerk")
    journey.open_reply()
    journey.click("答复代表（发出并定稿）")
    assert page.get_by_text("答复已发出，答复函已定稿。").is_visible()
    assert "发出后不能再修改或撤回" in page.confirmations[-1]
    journey.shot("issued")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载 PDF").click()
    download = download_info.value
    assert download.suggested_filename == "市五届人大一次会议第12号建议-随州市人力资源和社会保障局答复.pdf"
    text = subprocess.run(["pdftotext", download.path(), "-"], capture_output=True, text=True).stdout
    flat = re.sub(r"\s+", "", text)
    assert "一、关于提高工人待遇方面" in flat and "今年推荐7名高技能人才" in flat

    # Committee staff record the lead author's rating.
    journey.login("committee")
    journey.open_reply()
    page.get_by_label("代表／委员").select_option(label="沈宝栋（领衔）")
    page.locator("#id_attitude").select_option(label="满意")
    page.locator("#id_rating").select_option(label="满意")
    journey.click("登记评价")
    assert page.get_by_text("已登记沈宝栋的评价。").is_visible()
    journey.shot("feedback")

    reply = Reply.objects.get(assignment=open_proposal)
    assert reply.status == "issued"
    assert list(reply.events.values_list("to_status", flat=True)) == [
        "draft",
        "submitted",
        "returned",
        "submitted",
        "approved",
        "issued",
    ]
    feedback = reply.feedback.get()
    assert (feedback.get_attitude_display(), feedback.get_rating_display()) == ("满意", "满意")


def test_reordering_and_indenting_sections_keeps_typed_text(live_server, open_proposal, clerk, page):  # noqa: F811
    journey = Journey(page, live_server.url)
    journey.login("clerk")
    reply = workflow.start_reply(open_proposal, clerk)
    page.goto(f"{live_server.url}/replies/{reply.pk}/edit/")
    page.on("dialog", lambda dialog: dialog.accept())
    for heading in ("甲", "乙", "丙"):
        page.get_by_role("button", name="＋ 添加一条").click()
        page.locator(".measure-heading").last.fill(f"{heading}小标题")
        page.locator(".measure-paragraphs").last.fill(f"{heading}的内容。")
    rows = page.locator("[data-measure-row]")
    rows.nth(2).get_by_title("上移").click()  # 甲 丙 乙
    rows.nth(2).get_by_title("降一级").click()  # 乙 under 丙
    rows.nth(0).get_by_title("删除这一条").click()  # 丙 (乙)
    page.get_by_role("button", name="＋ 添加一条").click()  # a new row takes the level of the one above
    page.locator(".measure-heading").last.fill("丁小标题")
    page.locator("#preview").get_by_text("（一）乙小标题").wait_for()
    journey.shot("editor-reordered")
    journey.click("保存")
    tree = [(m.level, m.heading, m.paragraphs) for m in reply.measures.order_by("level", "position")]
    assert tree == [(1, "丙小标题", "丙的内容。"), (2, "乙小标题", "乙的内容。"), (2, "丁小标题", "")]
    assert reply.measures.get(heading="乙小标题").parent.heading == "丙小标题"
