"""跟踪办理: a reply of a follow-up class makes a commitment (跟踪事项) with a due date; the agency
reports progress and sends the 办理落实情况的报告 through the letter workflow, which fulfils it;
the clock reminds 30 and 7 days before; overdue ones are flagged; a report is never an answer."""

import datetime
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from proposals import workflow
from proposals.letters import rendering
from proposals.models import (
    Commitment,
    CommitmentProgress,
    CommitmentStatus,
    Deputy,
    HandlingEvent,
    Notice,
    Rating,
    Reply,
    ReplyKind,
)
from proposals.records import exports
from tests.conftest import TODAY, TWO_SECTIONS, editor_data, login, submit_opinion

pytestmark = pytest.mark.django_db

REPORT_SECTIONS = [
    (1, "关于提高工人待遇方面", "重点产业企业薪酬调查已覆盖全市，结果已向社会发布。"),
    (1, "关于弘扬劳模精神方面", "劳模宣传月活动已举办，事迹汇编已印发。"),
]


def issue_letter(reply, clerk, leader, sections=TWO_SECTIONS, **fields):
    """Edit, submit, sign off and issue a letter through the pages, as the agency does."""
    client = login(clerk)
    response = client.post(reverse("reply_edit", args=[reply.pk]), editor_data(reply, sections, **fields))
    assert response.status_code == 302, response.content.decode()[:1500]
    client.post(reverse("reply_submit", args=[reply.pk]))
    login(leader).post(reverse("reply_sign_off", args=[reply.pk]))
    client.post(reverse("reply_issue", args=[reply.pk]))
    reply = Reply.objects.get(pk=reply.pk)
    assert reply.status == "issued", [
        str(m) for m in client.get(reverse("reply_detail", args=[reply.pk])).context["messages"]
    ]
    return reply


@pytest.fixture
def session(draft):
    session = draft.proposal.session
    session.countersign_on = False  # 会签 is tested in its own module
    session.save()
    return session


def answer(draft, clerk, leader, cohandler, union_assignment, class_code="B"):
    submit_opinion(cohandler, union_assignment)
    return issue_letter(draft, clerk, leader, class_code=class_code)


@pytest.fixture
def b_issued(session, draft, clerk, leader, cohandler, union_assignment, pki):
    return answer(draft, clerk, leader, cohandler, union_assignment)


@pytest.fixture
def commitment(b_issued):
    return Commitment.objects.get(reply=b_issued)


def test_a_b_class_answer_becomes_a_commitment_due_at_the_end_of_the_year(commitment, b_issued, clerk):
    assert commitment.class_code == "B" and commitment.status == CommitmentStatus.OPEN
    assert commitment.assignment_id == b_issued.assignment_id
    year = b_issued.proposal.session.year or TODAY.year
    assert commitment.due_date == datetime.date(year, 12, 31)
    assert commitment.text == "按答复所列措施落实：关于提高工人待遇方面；关于弘扬劳模精神方面。"
    assert sorted(m.heading for m in commitment.measures.all()) == [
        "关于弘扬劳模精神方面",
        "关于提高工人待遇方面",
    ]
    event = HandlingEvent.objects.get(verb="commitment_create")
    assert event.reply_id == b_issued.pk and event.actor == clerk
    notice = Notice.objects.filter(user=clerk, text__startswith="跟踪事项：").get()
    assert notice.link == reverse("commitment_detail", args=[commitment.pk])
    assert "列为跟踪事项" in login(clerk).get(reverse("reply_detail", args=[b_issued.pk])).content.decode()


@pytest.mark.parametrize(
    ("classes", "code", "made"),
    [("B", "A", False), ("B", "B", True), ("B、C", "C", True), ("B、C", "D", False), ("", "B", False)],
)
def test_the_session_names_the_classes_that_are_followed_up(
    session, draft, clerk, leader, cohandler, union_assignment, pki, classes, code, made
):
    session.follow_up_classes = classes
    session.save()
    reply = answer(draft, clerk, leader, cohandler, union_assignment, class_code=code)
    assert Commitment.objects.filter(reply=reply).exists() is made


@pytest.mark.parametrize(
    ("year", "due", "expected"),
    [
        (2026, None, datetime.date(2026, 12, 31)),
        (None, None, datetime.date(TODAY.year, 12, 31)),
        (2026, datetime.date(2027, 6, 30), datetime.date(2027, 6, 30)),
        # Never already past on the day of issue (an old session's letter): the issue year's end.
        (2022, None, datetime.date(2026, 12, 31)),
        (2026, datetime.date(2026, 6, 30), datetime.date(2026, 12, 31)),
    ],
)
def test_the_due_date_is_the_sessions_or_the_end_of_its_year(
    session, draft, clerk, leader, cohandler, union_assignment, pki, year, due, expected
):
    session.year, session.follow_up_due = year, due
    session.save()
    reply = answer(draft, clerk, leader, cohandler, union_assignment)
    assert Commitment.objects.get(reply=reply).due_date == expected


def reminders(day: datetime.date) -> int:
    return workflow.tick_clocks(day)["跟踪事项到期提醒"]


def test_the_agency_is_reminded_30_and_7_days_before_once_each(commitment, clerk, leader):
    Commitment.objects.filter(pk=commitment.pk).update(due_date=datetime.date(2027, 3, 31))
    Notice.objects.all().delete()
    assert reminders(datetime.date(2027, 2, 28)) == 0  # 31 days before
    assert reminders(datetime.date(2027, 3, 1)) == 1  # 30 days before
    assert reminders(datetime.date(2027, 3, 1)) == 0  # idempotent
    assert reminders(datetime.date(2027, 3, 10)) == 0
    assert reminders(datetime.date(2027, 3, 24)) == 1  # 7 days before
    assert reminders(datetime.date(2027, 3, 25)) == 0
    assert reminders(datetime.date(2027, 4, 2)) == 0  # overdue: flagged, not reminded
    commitment.refresh_from_db()
    assert commitment.reminded_30 and commitment.reminded_7
    events = HandlingEvent.objects.filter(verb="commitment_remind").order_by("at")
    assert [e.actor for e in events] == [None, None]
    assert [e.note for e in events] == [
        "距完成期限（2027年3月31日）还有30天",
        "距完成期限（2027年3月31日）还有7天",
    ]
    for user in (clerk, leader):
        texts = list(Notice.objects.filter(user=user).values_list("text", flat=True))
        assert len(texts) == 2 and all(t.startswith("跟踪事项到期提醒：") for t in texts)
        assert sorted("还有7天" in t for t in texts) == [False, True]


def test_a_commitment_first_seen_inside_7_days_gets_the_7_day_reminder_only(commitment):
    Commitment.objects.filter(pk=commitment.pk).update(due_date=TODAY + datetime.timedelta(days=5))
    assert reminders(TODAY) == 1
    assert reminders(TODAY) == 0
    assert HandlingEvent.objects.filter(verb="commitment_remind").count() == 1


def test_an_overdue_commitment_is_flagged_wherever_it_is_listed(commitment, clerk, leader, committee_staff):
    Commitment.objects.filter(pk=commitment.pk).update(due_date=TODAY - datetime.timedelta(days=3))
    page = login(clerk).get(reverse("commitment_detail", args=[commitment.pk])).content.decode()
    assert "跟踪逾期3天" in page
    listed = login(committee_staff).get(reverse("commitment_list"), {"state": "overdue"})
    assert [c.pk for c in listed.context["commitments"]] == [commitment.pk]
    assert "跟踪逾期3天" in listed.content.decode()
    assert (
        not login(committee_staff)
        .get(reverse("commitment_list"), {"state": "fulfilled"})
        .context["commitments"]
    )
    dashboard = login(committee_staff).get(reverse("dashboard"), {"follow_up": "overdue"})
    assert [row.pk for row in dashboard.context["page"]] == [commitment.assignment_id]
    assert "跟踪逾期</span>" in dashboard.content.decode()
    staff_groups = {g.key: g for g in login(committee_staff).get(reverse("home")).context["groups"]}
    assert staff_groups["follow_up_overdue"].count == 1
    for user in (clerk, leader):
        groups = {g.key: g for g in login(user).get(reverse("home")).context["groups"]}
        item = groups["follow_up"].items[0]
        assert item.pending and item.overdue_days == 3 and item.action == "报告落实情况"
    home = login(clerk).get(reverse("home")).content.decode()
    assert "已超期3天" in home
    assert "跟踪逾期3天" in login(clerk).get(reverse("queue")).content.decode()
    assert figures(committee_staff) == {"commitments": 1, "on_time": 0, "late": 0, "overdue": 1, "rate": 0.0}


def test_the_dashboard_filters_commitments_in_hand(commitment, committee_staff):
    client = login(committee_staff)
    assert [r.pk for r in client.get(reverse("dashboard"), {"follow_up": "open"}).context["page"]] == [
        commitment.assignment_id
    ]
    assert not client.get(reverse("dashboard"), {"follow_up": "overdue"}).context["page"].object_list


def test_the_agency_reports_progress_and_edits_the_promise(commitment, clerk, leader, b_issued):
    client = login(clerk)
    url = reverse("commitment_progress", args=[commitment.pk])
    response = client.post(url, {"day": "2026-11-20", "text": "已完成全市薪酬调查。"})
    assert response.status_code == 302
    progress = CommitmentProgress.objects.get(commitment=commitment)
    assert (progress.day, progress.text, progress.reported_by) == (
        datetime.date(2026, 11, 20),
        "已完成全市薪酬调查。",
        clerk,
    )
    event = HandlingEvent.objects.get(verb="commitment_progress")
    assert event.note == "2026年11月20日：已完成全市薪酬调查。" and event.reply_id == b_issued.pk
    page = client.get(reverse("commitment_detail", args=[commitment.pk])).content.decode()
    assert "2026年11月20日" in page and "已完成全市薪酬调查。" in page
    # A refused report keeps what was typed.
    refused = client.post(url, {"day": "2026-12-25", "text": "明年的进展写不了。"})
    assert refused.status_code == 400
    assert (
        "落实情况的日期不能晚于今天。" in refused.content.decode()
        and "明年的进展写不了。" in refused.content.decode()
    )
    assert client.post(url, {"day": "", "text": "没有日期"}).status_code == 400
    assert CommitmentProgress.objects.count() == 1
    # The promise and its measures: the leader unticks one.
    first = commitment.measures.order_by("position").first()
    response = login(leader).post(
        reverse("commitment_edit", args=[commitment.pk]),
        {"text": "年底前完成薪酬调查。", "measures": [first.pk]},
    )
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert commitment.text == "年底前完成薪酬调查。" and list(commitment.measures.all()) == [first]
    refused = login(leader).post(
        reverse("commitment_edit", args=[commitment.pk]), {"text": " ", "measures": []}
    )
    assert refused.status_code == 400 and "请填写承诺事项。" in refused.content.decode()


def test_only_the_agency_and_committee_staff_see_a_commitment(
    commitment, cohandler, outsider, committee_staff
):
    detail = reverse("commitment_detail", args=[commitment.pk])
    assert login(committee_staff).get(detail).status_code == 200
    for user in (cohandler, outsider):
        client = login(user)
        assert client.get(detail).status_code == 404
        assert (
            client.post(
                reverse("commitment_progress", args=[commitment.pk]), {"day": "2026-12-01", "text": "x"}
            ).status_code
            == 404
        )
        assert client.post(reverse("commitment_report", args=[commitment.pk])).status_code == 404
        assert not client.get(reverse("commitment_list")).context["commitments"]
    staff = login(committee_staff).post(
        reverse("commitment_progress", args=[commitment.pk]), {"day": "2026-12-01", "text": "委员会代填。"}
    )
    assert staff.status_code == 400 and "可以报告落实情况" in staff.content.decode()
    assert login(committee_staff).post(reverse("commitment_report", args=[commitment.pk])).status_code == 302
    assert (
        not CommitmentProgress.objects.exists() and not Reply.objects.filter(kind=ReplyKind.REPORT).exists()
    )


def start_report(commitment, clerk) -> Reply:
    response = login(clerk).post(reverse("commitment_report", args=[commitment.pk]))
    report = Reply.objects.get(kind=ReplyKind.REPORT, assignment=commitment.assignment)
    assert response["Location"] == reverse("reply_edit", args=[report.pk])
    return report


def test_the_report_goes_through_the_letter_workflow_and_fulfils_the_commitment(
    commitment, b_issued, clerk, leader, committee_staff
):
    report = start_report(commitment, clerk)
    assert report.round == b_issued.round and report.status == "draft"
    assert report.effective_title == "关于市五届人大一次会议第12号建议办理落实情况的报告"
    assert (
        report.opening.startswith("您（们）在市五届人大一次会议上提出的")
        and "现将办理落实情况报告如下" in report.opening
    )
    assert (report.handler_name, report.contact_style) == (b_issued.handler_name, b_issued.contact_style)
    assert [m.heading for m in report.measures.order_by("position")] == [
        "关于提高工人待遇方面",
        "关于弘扬劳模精神方面",
    ]
    assert rendering.download_filename(report).endswith("办理落实情况的报告（草稿未签发）.pdf")
    assert exports.archive_name(report) == "12-随州市人力资源和社会保障局-办理落实情况的报告.pdf"
    assert exports.archive_name(b_issued) == "12-随州市人力资源和社会保障局.pdf"
    commitment.refresh_from_db()
    assert commitment.report == report and commitment.status == CommitmentStatus.OPEN
    # A second report while one is open is refused.
    again = login(clerk).post(reverse("commitment_report", args=[commitment.pk]), follow=True)
    assert "已在办理中" in again.content.decode()
    assert Reply.objects.filter(kind=ReplyKind.REPORT).count() == 1
    Notice.objects.all().delete()
    report = issue_letter(report, clerk, leader, sections=REPORT_SECTIONS, class_code="A")
    assert report.pdf.name.endswith(".pdf") and "办理落实情况的报告" in report.pdf.name and report.pdf_sha256
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.FULFILLED and commitment.fulfilled_on == TODAY
    assert commitment.on_time
    fulfil = HandlingEvent.objects.get(verb="commitment_fulfil")
    assert fulfil.reply_id == report.pk and fulfil.note == "已发出办理落实情况的报告（按期落实）"
    assert Commitment.objects.count() == 1  # a report makes no commitment, whatever its class
    staff = Notice.objects.get(user=committee_staff)
    assert staff.text.startswith("已落实：") and "办理落实情况的报告" in staff.text
    # Its own place on the timeline; the commitment page says 已落实.
    timeline = login(clerk).get(reverse("reply_detail", args=[report.pk])).context["timeline"]
    assert [step.what for step in timeline][-2:] == ["发出（已签发 → 已答复）", "跟踪事项已落实"]
    page = login(clerk).get(reverse("commitment_detail", args=[commitment.pk])).content.decode()
    assert "已落实" in page and "按期落实" in page
    # Nothing more on a fulfilled commitment.
    with pytest.raises(workflow.WorkflowError, match="已落实"):
        workflow.report_progress(commitment, clerk, TODAY, "补报")
    with pytest.raises(workflow.WorkflowError, match="已落实"):
        workflow.start_report(commitment, clerk)
    with pytest.raises(workflow.WorkflowError, match="已落实"):
        workflow.edit_commitment(commitment, clerk, "改", [])


def test_a_report_is_not_an_answer(commitment, b_issued, clerk, leader, committee_staff):
    report = start_report(commitment, clerk)
    client = login(committee_staff)
    rows = [r for r in client.get(reverse("dashboard")).context["page"] if r.pk == b_issued.assignment_id]
    assert len(rows) == 1
    assert (rows[0].reply_pk, rows[0].reply_status, rows[0].reply_class) == (b_issued.pk, "issued", "B")
    # 开始起草 finds the answer, the 我的办理 list and the proposal page show the answer.
    login(clerk).post(reverse("assignment_start", args=[b_issued.assignment_id]))
    assert Reply.objects.filter(assignment=b_issued.assignment).count() == 2
    queue = login(clerk).get(reverse("queue")).content.decode()
    assert reverse("reply_detail", args=[b_issued.pk]) in queue
    proposal = client.get(reverse("proposal_detail", args=[b_issued.proposal.pk]))
    assert [row["reply"] for row in proposal.context["rows"] if row["reply"]] == [b_issued]
    # Ratings stay on answers.
    deputy = Deputy.objects.filter(authorships__proposal=b_issued.proposal).first()
    report = issue_letter(report, clerk, leader, sections=REPORT_SECTIONS, class_code="A")
    with pytest.raises(workflow.WorkflowError, match="办理落实情况的报告不单独评价"):
        workflow.record_feedback(
            report, committee_staff, deputy, attitude=Rating.SATISFIED, rating=Rating.SATISFIED
        )
    rows = [r for r in client.get(reverse("dashboard")).context["page"] if r.pk == b_issued.assignment_id]
    assert len(rows) == 1 and rows[0].reply_pk == b_issued.pk


def figures(user) -> dict:
    total = login(user).get(reverse("statistics")).context["total"]
    return {
        "commitments": total.commitments,
        "on_time": total.fulfilled_on_time,
        "late": total.fulfilled_late,
        "overdue": total.open_overdue,
        "rate": total.follow_up_rate,
    }


def test_a_late_report_counts_as_fulfilled_late(commitment, clerk, leader, committee_staff):
    Commitment.objects.filter(pk=commitment.pk).update(due_date=TODAY - datetime.timedelta(days=1))
    report = start_report(commitment, clerk)
    issue_letter(report, clerk, leader, sections=REPORT_SECTIONS, class_code="A")
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.FULFILLED and commitment.on_time is False
    assert HandlingEvent.objects.get(verb="commitment_fulfil").note.endswith("（逾期落实）")
    assert figures(committee_staff) == {"commitments": 1, "on_time": 0, "late": 1, "overdue": 0, "rate": 0.0}
    sheet = login(committee_staff).get(reverse("statistics_xlsx", args=["follow_up"]))
    rows = list(openpyxl.load_workbook(io.BytesIO(b"".join(sheet.streaming_content))).active.values)
    assert rows[0] == ("承办单位", "跟踪事项", "按期落实", "逾期落实", "逾期未落实", "跟踪落实率%")
    assert rows[-1] == ("合计", 1, 0, 1, 0, 0)


def test_no_commitment_no_figure_and_one_on_time_counts_fully(commitment, clerk, leader, committee_staff):
    assert figures(committee_staff) == {"commitments": 1, "on_time": 0, "late": 0, "overdue": 0, "rate": 0.0}
    report = start_report(commitment, clerk)
    issue_letter(report, clerk, leader, sections=REPORT_SECTIONS, class_code="A")
    assert figures(committee_staff) == {
        "commitments": 1,
        "on_time": 1,
        "late": 0,
        "overdue": 0,
        "rate": 100.0,
    }
    total = login(committee_staff).get(reverse("statistics")).context["total"]
    assert (total.answered, total.classes) == (1, {"B": 1})  # the report is no second answer


def test_the_report_is_countersigned_like_an_answer_when_the_session_says_so(
    commitment, session, clerk, leader, cohandler
):
    from proposals.models import Countersign

    session.countersign_on = True
    session.save()
    report = start_report(commitment, clerk)
    client = login(clerk)
    client.post(reverse("reply_edit", args=[report.pk]), editor_data(report, REPORT_SECTIONS, class_code="A"))
    client.post(reverse("reply_submit", args=[report.pk]))
    row = Countersign.objects.get(reply=report)
    assert row.assignment.agency == cohandler.agency
    with pytest.raises(workflow.WorkflowError, match="会签"):
        workflow.sign_off(report, leader)
    workflow.countersign(row, cohandler, True)
    workflow.sign_off(report, leader)
    client.post(reverse("reply_issue", args=[report.pk]))
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.FULFILLED


def test_the_audit_page_reads_the_follow_up_steps_in_chinese(commitment, clerk, committee_staff):
    login(clerk).post(
        reverse("commitment_progress", args=[commitment.pk]), {"day": "2026-12-01", "text": "已开工。"}
    )
    login(clerk).post(
        reverse("commitment_edit", args=[commitment.pk]), {"text": "年底前完成。", "measures": []}
    )
    page = login(committee_staff).get(reverse("audit_log")).content.decode()
    for words in ("列为跟踪事项", "报告落实情况", "修改跟踪事项", "跟踪事项", "年底前完成。"):
        assert words in page
    assert not re.search(r">[^<]*commitment_", page)  # codes only as the filter's option values


def test_a_report_draft_offers_no_extension_and_no_hand_back(commitment, clerk):
    """延期 and 申请退办 belong to the answer: the report's page offers neither."""
    report = start_report(commitment, clerk)
    page = login(clerk).get(reverse("reply_detail", args=[report.pk])).content.decode()
    assert "申请延期" not in page
    assert reverse("assignment_handback", args=[report.assignment_id]) not in page
    assert "修改报告" in page and "修改答复" not in page and "报告期限" in page
    editor = login(clerk).get(reverse("reply_edit", args=[report.pk])).content.decode()
    assert "报告内容（逐条报告落实情况）" in editor and "答复内容" not in editor


def test_a_report_waiting_for_committee_review_is_in_the_staffs_to_do(
    commitment, session, clerk, leader, committee_staff
):
    session.committee_review_on = True
    session.save()
    report = start_report(commitment, clerk)
    client = login(clerk)
    client.post(reverse("reply_edit", args=[report.pk]), editor_data(report, REPORT_SECTIONS, class_code="A"))
    client.post(reverse("reply_submit", args=[report.pk]))
    login(leader).post(reverse("reply_sign_off", args=[report.pk]))
    assert Reply.objects.get(pk=report.pk).status == "reviewing"
    home = login(committee_staff).get(reverse("home")).content.decode()
    todo = home[home.index("待督办审核") :]
    assert "审核落实情况报告" in todo and reverse("reply_detail", args=[report.pk]) in todo
