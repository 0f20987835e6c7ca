"""Due dates from the 交办 date: month clocks, city calendar dates, extensions, working days."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from proposals import workflow
from proposals.models import Assignment, CalendarDay, Proposal, Role, Session, deadlines

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.mark.parametrize(
    "start,months,expected",
    [
        (D(2022, 1, 31), 3, D(2022, 4, 30)),
        (D(2023, 1, 31), 1, D(2023, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2022, 11, 30), 3, D(2023, 2, 28)),
        (D(2022, 3, 15), 3, D(2022, 6, 15)),
        (D(2022, 12, 31), 6, D(2023, 6, 30)),
    ],
)
def test_month_clocks_clamp_to_the_month_end(start, months, expected):
    assert deadlines.add_months(start, months) == expected


@pytest.fixture
def session():
    return Session.objects.create(
        name="市五届人大一次会议",
        year=2022,
        opinion_calendar_date=D(2022, 5, 31),
        reply_calendar_date=D(2022, 6, 30),
    )


def assignment(session, assigned, role=Role.LEAD, agency=None):
    from proposals.models import Agency

    proposal = Proposal.objects.create(
        session=session, number=str(Proposal.objects.count() + 1), title="关于某事的建议"
    )
    agency = agency or Agency.objects.get_or_create(name="随州市人力资源和社会保障局")[0]
    return Assignment.objects.create(proposal=proposal, agency=agency, role=role, assigned_date=assigned)


@pytest.mark.parametrize(
    "assigned,reply_due,opinion_due",
    [
        (D(2022, 3, 15), D(2022, 6, 15), D(2022, 4, 15)),  # the statutory clocks come first
        (D(2022, 4, 10), D(2022, 6, 30), D(2022, 5, 10)),  # 随州 calendar date for the reply
        (D(2022, 5, 10), D(2022, 6, 30), D(2022, 5, 31)),  # and for the co-handlers' opinions
    ],
)
def test_city_calendar_dates_win_when_earlier(session, assigned, reply_due, opinion_due):
    assert deadlines.reply_due(assignment(session, assigned)) == reply_due
    assert deadlines.co_opinion_due(assignment(session, assigned, Role.JOINT)) == opinion_due


def test_sessions_without_calendar_dates_use_the_clocks_only():
    plain = Session.objects.create(name="市政协五届一次会议", body="cppcc")
    assert deadlines.reply_due(assignment(plain, D(2022, 4, 10))) == D(2022, 7, 10)


def test_an_approved_extension_gives_six_months(session, clerk, committee_staff, hr_agency):
    lead = assignment(session, D(2022, 4, 10), agency=hr_agency)
    reply = workflow.start_reply(lead, clerk)
    assert reply.due_date == D(2022, 6, 30)
    with pytest.raises(workflow.WorkflowError, match="必须说明理由"):
        workflow.request_extension(lead, clerk, "  ")
    workflow.request_extension(lead, clerk, "涉及多部门协调，需列入下半年计划")
    assert deadlines.reply_due(Assignment.objects.get(pk=lead.pk)) == D(2022, 6, 30)  # not yet approved
    with pytest.raises(workflow.WorkflowError, match="委员会工作人员批准"):
        workflow.approve_extension(lead, clerk)
    workflow.approve_extension(lead, committee_staff)
    assert deadlines.reply_due(Assignment.objects.get(pk=lead.pk)) == D(2022, 10, 10)
    reply.refresh_from_db()
    assert reply.due_date == D(2022, 10, 10)


@pytest.mark.parametrize(
    "start,count,expected",
    [
        (D(2024, 2, 8), 1, D(2024, 2, 9)),  # Friday before 春节 is a working day
        (D(2024, 2, 8), 2, D(2024, 2, 18)),  # 10–17 Feb off; Sunday 18 Feb is a 调休 working day
        (D(2024, 2, 1), 3, D(2024, 2, 5)),  # Sunday 4 Feb is a 调休 working day and counts
        (D(2024, 9, 27), 1, D(2024, 9, 29)),  # 国庆: Sunday 29 Sept is a 调休 working day
        (D(2024, 9, 29), 2, D(2024, 10, 8)),  # 1–7 Oct off
        (D(2024, 10, 8), 4, D(2024, 10, 12)),  # Saturday 12 Oct works
    ],
)
def test_working_days_follow_holidays_and_adjusted_weekends(start, count, expected):
    assert deadlines.add_working_days(start, count) == expected


def test_feedback_and_publication_clocks_count_working_days(session):
    issued = D(2024, 9, 27)  # Friday before 国庆
    assert deadlines.feedback_due(session, issued) == deadlines.add_working_days(issued, 20)
    # 20 working days: 29–30 Sept, 8–12 Oct (12 Oct a Saturday worked), then weekdays to 30 Oct.
    assert deadlines.publication_due(session, issued) == D(2024, 10, 30)


def test_years_the_package_does_not_know_use_admin_days(session):
    assert deadlines.is_workday(D(2027, 2, 8))  # a Monday, no data for 2027: weekdays work
    CalendarDay.objects.create(day=D(2027, 2, 8), is_workday=False, note="2027年春节")
    CalendarDay.objects.create(day=D(2027, 2, 6), is_workday=True, note="2027年春节调休")
    assert not deadlines.is_workday(D(2027, 2, 8))
    assert deadlines.is_workday(D(2027, 2, 6))  # a Saturday made a working day
    assert deadlines.add_working_days(D(2027, 2, 5), 2) == D(2027, 2, 9)


def test_first_meeting_in_calendar_or_working_days(session):
    lead = assignment(session, D(2024, 9, 20))
    assert deadlines.meeting_due(lead) == D(2024, 10, 10)
    session.meeting_working_days = True
    session.save()
    lead.refresh_from_db()
    assert deadlines.meeting_due(lead) == deadlines.add_working_days(D(2024, 9, 20), 20)


@pytest.mark.parametrize(
    "today,flag",
    [
        (D(2022, 6, 22), ""),
        (D(2022, 6, 23), "due_soon"),
        (D(2022, 6, 30), "due_soon"),
        (D(2022, 7, 1), "overdue"),
    ],
)
def test_flags_due_soon_and_overdue(today, flag):
    assert deadlines.flag(D(2022, 6, 30), today) == flag


def test_overdue_shows_in_the_queue_the_day_after(session, clerk, hr_agency):
    lead = assignment(session, D(2022, 4, 10), agency=hr_agency)
    workflow.start_reply(lead, clerk)
    client = Client()
    with time_machine.travel(datetime.datetime(2022, 6, 30, 12, 0), tick=False):
        client.force_login(clerk)
        page = client.get(reverse("queue")).content.decode()
        assert "已超期" not in page and "今天到期" in page
    with time_machine.travel(datetime.datetime(2022, 7, 1, 12, 0), tick=False):
        client.force_login(clerk)  # a day later: the idle session has ended
        page = client.get(reverse("queue")).content.decode()
        assert "已超期1天" in page and "table-danger" in page


def test_extension_through_the_reply_page(session, clerk, committee_staff, hr_agency):
    lead = assignment(session, D(2022, 4, 10), agency=hr_agency)
    reply = workflow.start_reply(lead, clerk)
    agency_client, staff = Client(), Client()
    agency_client.force_login(clerk)
    staff.force_login(committee_staff)
    url = reverse("reply_extension", args=[reply.pk])
    assert "必须说明理由" in agency_client.post(url, {"reason": ""}, follow=True).content.decode()
    agency_client.post(url, {"reason": "需市财政统筹安排资金"})
    page = staff.get(reverse("reply_detail", args=[reply.pk])).content.decode()
    assert "待委员会批准" in page and "需市财政统筹安排资金" in page
    assert (
        "延期由委员会工作人员批准" in agency_client.post(url, {"approve": "1"}, follow=True).content.decode()
    )
    staff.post(url, {"approve": "1"})
    reply.refresh_from_db()
    assert reply.due_date == D(2022, 10, 10)
