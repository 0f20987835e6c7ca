"""签收 and 视为签收: a new assignment waits for its agency's receipt; the clerk or leader signs
(from the start page, 我的办理 or the proposal page), starting the work signs implicitly, and the
clock counts an assignment not signed for within the session's window as received. The window is
counted in calendar or working days across 春节 and 国庆 with their 调休 weekends."""

import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from proposals import workflow
from proposals.models import (
    Assignment,
    CalendarDay,
    HandlingEvent,
    HandlingVerb,
    Role,
    deadlines,
)
from proposals.supervision import statistics
from tests.conftest import TODAY, login

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def events(assignment, verb=None) -> list[HandlingEvent]:
    rows = HandlingEvent.objects.filter(assignment=assignment)
    return list(rows.filter(verb=verb) if verb else rows)


def on(day: datetime.date):
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI), tick=False
    )


# --- 签收 -----------------------------------------------------------------------------------------


def test_a_new_assignment_waits_and_the_clerk_signs_from_the_start_page(lead_assignment, clerk):
    assert lead_assignment.received_at is None
    client = login(clerk)
    home = client.get(reverse("home"))
    group = {g.key: g for g in home.context["groups"]}["to_receive"]
    assert group.count == 1 and group.items[0].due == TODAY  # 交办 10 days ago, 10 days to sign
    page = home.content.decode()
    assert "待签收" in page and reverse("assignment_receive", args=[lead_assignment.pk]) in page
    assert "今天到期" in page

    response = client.post(reverse("assignment_receive", args=[lead_assignment.pk]), {"next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    lead_assignment.refresh_from_db()
    assert lead_assignment.received_by == clerk and not lead_assignment.receipt_deemed
    assert [e.verb for e in events(lead_assignment)] == [HandlingVerb.RECEIVE]
    assert {g.key: g for g in client.get(reverse("home")).context["groups"]}["to_receive"].count == 0

    again = client.post(reverse("assignment_receive", args=[lead_assignment.pk]), follow=True)
    assert "已于2026年12月1日签收，不需要再签收" in again.content.decode()
    assert len(events(lead_assignment)) == 1


def test_the_proposal_page_and_the_queue_show_the_receipt(lead_assignment, clerk, leader):
    url = reverse("proposal_detail", args=[lead_assignment.proposal_id])
    page = login(clerk).get(url).content.decode()
    assert "待签收" in page and "请于2026年12月1日前（含当日）签收或申请退办" in page
    assert reverse("assignment_handback", args=[lead_assignment.pk]) in page
    queue = login(leader).get(reverse("queue")).content.decode()
    assert reverse("assignment_receive", args=[lead_assignment.pk]) in queue
    login(leader).post(reverse("assignment_receive", args=[lead_assignment.pk]), {"next": url})
    page = login(clerk).get(url).content.decode()
    assert "已签收" in page and "张春强" in page and "2026年12月1日" in page
    assert reverse("assignment_receive", args=[lead_assignment.pk]) not in page


def test_only_the_agency_signs(lead_assignment, union_assignment, cohandler, committee_staff, outsider):
    assert login(outsider).post(reverse("assignment_receive", args=[lead_assignment.pk])).status_code == 404
    refused = login(committee_staff).post(
        reverse("assignment_receive", args=[lead_assignment.pk]), follow=True
    )
    assert "只有本单位的经办人、主管领导／签发人可以签收" in refused.content.decode()
    with pytest.raises(workflow.WorkflowError):
        workflow.receive(lead_assignment, cohandler)
    lead_assignment.refresh_from_db()
    assert lead_assignment.received_at is None and not events(lead_assignment)
    # The co-handling (会办) agency signs for its own assignment.
    workflow.receive(union_assignment, cohandler)
    union_assignment.refresh_from_db()
    assert union_assignment.received_by == cohandler


def test_starting_the_work_signs_implicitly(lead_assignment, union_assignment, clerk, cohandler):
    login(clerk).post(reverse("assignment_start", args=[lead_assignment.pk]))
    lead_assignment.refresh_from_db()
    assert lead_assignment.received_by == clerk
    assert [e.note for e in events(lead_assignment, HandlingVerb.RECEIVE)] == ["开始起草时自动签收"]
    workflow.save_opinion(union_assignment, cohandler, "建议增加职工技能培训补贴。", submit_now=False)
    union_assignment.refresh_from_db()
    assert union_assignment.received_by == cohandler
    assert [e.note for e in events(union_assignment)] == ["填写会办意见时自动签收"]
    # Starting again (the draft exists) signs nothing twice.
    login(clerk).post(reverse("assignment_start", args=[lead_assignment.pk]))
    assert len(events(lead_assignment, HandlingVerb.RECEIVE)) == 1


def test_the_reply_page_shows_the_receipt(draft, clerk):
    page = login(clerk).get(reverse("reply_detail", args=[draft.pk])).content.decode()
    assert "已签收" in page and "孙建波" in page
    assert "签收" in [e.get_verb_display() for e in events(draft.assignment)]


# --- the window: calendar or working days, across 春节 and 国庆 ---------------------------------


WINDOWS = [
    # start, working days?, last day
    pytest.param(datetime.date(2026, 2, 12), False, datetime.date(2026, 2, 22), id="春节-自然日"),
    # Feb 13, 14 (调休 Saturday), then the holiday Feb 15-23, Feb 24-28 (28th 调休), Mar 2-4
    pytest.param(datetime.date(2026, 2, 12), True, datetime.date(2026, 3, 4), id="春节-工作日"),
    pytest.param(datetime.date(2026, 9, 28), False, datetime.date(2026, 10, 8), id="国庆-自然日"),
    # Sep 29, 30, the holiday Oct 1-7, Oct 8, 9, 10 (调休 Saturday), Oct 12-16
    pytest.param(datetime.date(2026, 9, 28), True, datetime.date(2026, 10, 16), id="国庆-工作日"),
    pytest.param(datetime.date(2027, 2, 3), True, datetime.date(2027, 2, 23), id="2027春节-工作日"),
    pytest.param(datetime.date(2027, 2, 3), False, datetime.date(2027, 2, 13), id="2027春节-自然日"),
]


def spring_festival_2027() -> None:
    """The package knows years up to 2026: the 2027 holiday and its 调休 as the admin enters them
    (a plausible schedule; the test is about the rule, not the State Council's notice)."""
    for offset in range(9):  # 2027年2月6日（除夕前一天）至14日放假
        CalendarDay.objects.create(
            day=datetime.date(2027, 2, 6) + datetime.timedelta(days=offset),
            is_workday=False,
            note="2027年春节",
        )
    for day in (datetime.date(2027, 1, 31), datetime.date(2027, 2, 20)):
        CalendarDay.objects.create(day=day, is_workday=True, note="2027年春节调休")


@pytest.mark.parametrize(("start", "working", "last"), WINDOWS)
def test_the_window_across_holidays(lead_assignment, clerk, committee_staff, start, working, last):
    # 2027: Feb 4, 5, then the holiday Feb 6-14, Feb 15-19, 20 (调休 Saturday), 22, 23.
    spring_festival_2027()
    session = lead_assignment.proposal.session
    session.receipt_working_days = working
    session.save()
    lead_assignment.assigned_date = start
    lead_assignment.save()
    assignment = Assignment.objects.select_related("proposal__session").get(pk=lead_assignment.pk)
    assert deadlines.receipt_due(assignment) == last

    # The last day still allows a request; the clock leaves it alone until the day after.
    with on(last):
        assert workflow.tick_clocks(last)["逾期未签收视为签收"] == 0
        request = workflow.request_handback(assignment, clerk, "不属于本单位职责。")
    workflow.decide_handback(request, committee_staff, approve=False, note="属于本单位职责，请办理。")
    after = last + datetime.timedelta(days=1)
    with on(after):
        with pytest.raises(workflow.WorkflowError, match=f"应在{last.year}年{last.month}月{last.day}日前"):
            workflow.request_handback(assignment, clerk, "不属于本单位职责。")
        assert workflow.tick_clocks(after)["逾期未签收视为签收"] == 1
        assert workflow.tick_clocks(after)["逾期未签收视为签收"] == 0
    assignment.refresh_from_db()
    assert assignment.receipt_deemed and assignment.received_by is None


# --- 视为签收 --------------------------------------------------------------------------------------


def test_the_clock_deems_received_once(lead_assignment, union_assignment, clerk, cohandler):
    workflow.receive(lead_assignment, clerk)  # signed in time: the clock leaves it alone
    assert workflow.tick_clocks(TODAY)["逾期未签收视为签收"] == 0  # today is the last day
    tomorrow = TODAY + datetime.timedelta(days=1)
    out = io.StringIO()
    call_command("tick_clocks", "--date", tomorrow.isoformat(), stdout=out)
    assert "逾期未签收视为签收：1件" in out.getvalue()
    union_assignment.refresh_from_db()
    assert union_assignment.receipt_deemed and union_assignment.received_at is not None
    (event,) = events(union_assignment)
    assert event.verb == HandlingVerb.DEEM_RECEIVED and event.actor is None
    assert event.note == "签收期限2026年12月1日已过，视为签收"
    out = io.StringIO()
    call_command("tick_clocks", "--date", tomorrow.isoformat(), stdout=out)
    assert "逾期未签收视为签收：0件" in out.getvalue() and len(events(union_assignment)) == 1
    lead_assignment.refresh_from_db()
    assert not lead_assignment.receipt_deemed and len(events(lead_assignment)) == 1
    with pytest.raises(workflow.WorkflowError, match="视为签收，不需要再签收"):
        workflow.receive(union_assignment, cohandler)


def test_a_pending_request_holds_the_clock(lead_assignment, clerk):
    workflow.request_handback(lead_assignment, clerk, "该事项属于市教育局职责。")
    assert workflow.tick_clocks(TODAY + datetime.timedelta(days=5))["逾期未签收视为签收"] == 0
    lead_assignment.refresh_from_db()
    assert lead_assignment.received_at is None


def test_no_date_no_clock(seed_reply):
    assignment = seed_reply.assignment
    assert assignment.assigned_date is None and deadlines.receipt_due(assignment) is None
    assert workflow.tick_clocks(TODAY + datetime.timedelta(days=400))["逾期未签收视为签收"] == 0


def test_a_past_window_not_yet_ticked_reads_late_not_waiting(lead_assignment, committee_staff):
    Assignment.objects.filter(pk=lead_assignment.pk).update(assigned_date=TODAY - datetime.timedelta(days=11))
    page = login(committee_staff).get(reverse("dashboard")).content.decode()
    assert "逾期未签收" in page
    proposal = login(committee_staff).get(reverse("proposal_detail", args=[lead_assignment.proposal_id]))
    assert "逾期未签收" in proposal.content.decode() and "签收期限2026年11月30日" in proposal.content.decode()


# --- dashboard and statistics ----------------------------------------------------------------


def test_the_dashboard_filters_and_badges(
    lead_assignment, union_assignment, clerk, cohandler, committee_staff
):
    workflow.receive(lead_assignment, clerk)
    client = login(committee_staff)
    waiting = client.get(reverse("dashboard"), {"receipt": "waiting"})
    assert [row.pk for row in waiting.context["page"]] == [union_assignment.pk]
    page = client.get(reverse("dashboard")).content.decode()
    assert "已签收" in page and "待签收" in page
    workflow.request_handback(union_assignment, cohandler, "不属于本单位职责。")
    pending = client.get(reverse("dashboard"), {"receipt": "handback"})
    assert [row.pk for row in pending.context["page"]] == [union_assignment.pk]
    assert "退办申请中" in pending.content.decode()
    workflow.tick_clocks(TODAY + datetime.timedelta(days=1))
    lead_assignment.refresh_from_db()
    assert "视为签收" not in client.get(reverse("dashboard")).content.decode()  # held by the request


def test_statistics_count_receipt_on_time(
    lead_assignment, union_assignment, clerk, committee_staff, outsider
):
    workflow.receive(lead_assignment, clerk)  # on its last day: on time
    workflow.tick_clocks(TODAY + datetime.timedelta(days=1))  # 总工会: 视为签收, late
    other = workflow.assign(
        lead_assignment.proposal, committee_staff, outsider.agency, Role.CO, TODAY
    )  # within its window: not counted yet
    rows = {row.agency: row for row in statistics.per_agency()}
    hr, union = rows["随州市人力资源和社会保障局"], rows["随州市总工会"]
    assert (hr.receipt_on_time, hr.receipt_counted, hr.receipt_rate) == (1, 1, 100.0)
    assert (union.receipt_on_time, union.receipt_counted, union.receipt_rate) == (0, 1, 0.0)
    assert rows["随州市教育局"].receipt_counted == 0 and other.received_at is None
    total = statistics.totals(list(rows.values()))
    assert (total.receipt_on_time, total.receipt_counted, total.receipt_rate) == (1, 2, 50.0)
    page = login(committee_staff).get(reverse("statistics")).content.decode()
    assert "按时签收" in page and "1/1" in page and "50.0%" in page
    sheet = load_workbook(
        io.BytesIO(
            b"".join(
                login(committee_staff).get(reverse("statistics_xlsx", args=["agencies"])).streaming_content
            )
        )
    ).active
    header = [cell.value for cell in sheet[1]]
    column = header.index("按时签收率%")
    values = {row[0].value: (row[column - 1].value, row[column].value) for row in sheet.iter_rows(min_row=2)}
    assert values["随州市人力资源和社会保障局"] == (1, 100.0) and values["合计"] == (1, 50.0)


def test_a_new_assignment_tells_the_agency_to_sign(lead_assignment, clerk, leader, committee_staff, outsider):
    workflow.assign(lead_assignment.proposal, committee_staff, outsider.agency, Role.CO, TODAY)
    from proposals.models import Notice

    (notice,) = Notice.objects.filter(user=outsider)
    assert notice.text == (
        "待签收：委员会新交办本单位市五届人大一次会议第12号建议（协办），请签收，或在签收期限内申请退办。"
    )
    assert notice.link == reverse("proposal_detail", args=[lead_assignment.proposal_id])
    assert not Notice.objects.filter(user__in=[clerk, leader]).exists()


def test_an_imported_list_tells_each_agency_once(db, committee_staff):
    from proposals.models import Agency, Notice, Session, User, UserRole
    from tests.test_intake import GOOD_ROWS, HEADER, xlsx

    for name, short in [
        ("随州市人力资源和社会保障局", "市人社局"),
        ("随州市总工会", "市总工会"),
        ("随州市教育局", "市教育局"),
        ("随州市交通运输局", "市交通运输局"),
    ]:
        Agency.objects.create(name=name, short_name=short)
    clerk = User.objects.create(
        username="edu",
        first_name="王丽",
        role=UserRole.CLERK,
        agency=Agency.objects.get(short_name="市教育局"),
    )
    session = Session.objects.create(name="市五届人大一次会议", year=2022)
    workflow.import_proposals(session, committee_staff, "清单.xlsx", xlsx([HEADER, *GOOD_ROWS]))
    (notice,) = Notice.objects.filter(user=clerk)
    assert notice.text.startswith("待签收：委员会新交办本单位市五届人大一次会议第12、13号2件建议提案")
    assert notice.link == reverse("home") + "#todo-to_receive"
    assert Assignment.objects.filter(received_at__isnull=True).count() == Assignment.objects.count() == 5
    workflow.import_proposals(session, committee_staff, "清单.xlsx", xlsx([HEADER, *GOOD_ROWS]))
    assert Notice.objects.filter(user=clerk).count() == 1  # nothing new the second time
