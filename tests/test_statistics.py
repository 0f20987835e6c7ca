"""Statistics per agency and per session against a hand-computed fixture; Excel exports."""

import datetime
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from proposals.models import (
    Agency,
    Assignment,
    Communication,
    Deputy,
    Feedback,
    Proposal,
    ProposalAuthor,
    Reply,
    Role,
    Session,
)
from proposals.supervision import statistics

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def fixture_data(committee_staff):
    session = Session.objects.create(name="市五届人大一次会议", year=2022)
    hr = Agency.objects.create(name="随州市人力资源和社会保障局")
    edu = Agency.objects.create(name="=cmd|' /C calc'!A0")  # a name that looks like a formula
    by = committee_staff

    def item(
        number,
        agency,
        status=None,
        issued=None,
        class_code="",
        rating=None,
        contact=None,
        role=Role.LEAD,
        attitude=None,
    ):
        proposal = Proposal.objects.create(session=session, number=str(number), title=f"建议{number}")
        lead = Deputy.objects.create(name=f"代表{number}")
        ProposalAuthor.objects.create(proposal=proposal, deputy=lead, position=1, is_lead=True)
        assignment = Assignment.objects.create(
            proposal=proposal, agency=agency, role=role, assigned_date=D(2022, 3, 1)
        )
        if status:
            reply = Reply.objects.create(
                assignment=assignment,
                status=status,
                class_code=class_code,
                issued_on=issued,
                due_date=assignment.due_on,
            )
            if rating:
                Feedback.objects.create(
                    reply=reply, deputy=lead, attitude=attitude or rating, rating=rating, recorded_by=by
                )
        if contact:
            Communication.objects.create(
                assignment=assignment,
                day=D(2022, 3, 20),
                form=contact,
                participants="承办处室、代表",
                recorded_by=by,
            )
        return proposal

    item(1, hr, "issued", D(2022, 5, 1), "A", "satisfied", "meeting")  # on time, met
    item(2, hr, "issued", D(2022, 7, 5), "B", "basically", "phone")  # late; a call is no meeting
    item(3, hr, "draft")  # not answered
    p4 = item(4, edu, "issued", D(2022, 5, 20), "A", "dissatisfied", "visit")
    Assignment.objects.create(proposal=p4, agency=hr, role=Role.CO, assigned_date=D(2022, 3, 1))
    return session


def test_per_agency_and_totals_match_the_hand_count(fixture_data):
    rows = {row.agency: row for row in statistics.per_agency(fixture_data.pk)}
    hr = rows["随州市人力资源和社会保障局"]
    assert (hr.lead, hr.co, hr.answered, hr.on_time, hr.met) == (3, 1, 2, 1, 1)
    assert (hr.answer_rate, hr.on_time_rate, hr.meeting_rate) == (66.7, 33.3, 33.3)
    assert (hr.satisfied, hr.basically, hr.dissatisfied, hr.satisfaction_rate) == (1, 1, 0, 100.0)
    assert (hr.class_share("A"), hr.class_share("B"), hr.class_share("C")) == (50.0, 50.0, 0.0)
    edu = rows["=cmd|' /C calc'!A0"]
    assert (edu.lead, edu.answered, edu.answer_rate, edu.on_time_rate, edu.meeting_rate) == (
        1,
        1,
        100.0,
        100.0,
        100.0,
    )
    assert edu.satisfaction_rate == 0.0
    total = statistics.totals(list(rows.values()))
    assert (
        total.lead,
        total.co,
        total.answered,
        total.answer_rate,
        total.on_time_rate,
        total.meeting_rate,
    ) == (4, 1, 3, 75.0, 50.0, 50.0)
    assert total.satisfaction_rate == 66.7
    assert statistics.categories(total) == [
        ("A", "已经解决或基本解决", 2, 66.7),
        ("B", "正在解决", 1, 33.3),
        ("C", "列入规划解决", 0, 0.0),
        ("D", "受条件限制暂时难以解决", 0, 0.0),
        ("", "未分类", 0, 0.0),
    ]


def test_statistics_page_and_excel_without_formulas(fixture_data, committee_staff):
    client = Client()
    client.force_login(committee_staff)
    html = client.get(reverse("statistics"), {"session": fixture_data.pk}).content.decode()
    assert "66.7%" in html and "<svg" in html and "已经解决或基本解决" in html
    response = client.get(reverse("statistics_xlsx", args=["agencies"]), {"session": fixture_data.pk})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [list(row) for row in sheet.iter_rows()]
    risky = [cell for row in values for cell in row if isinstance(cell.value, str) and "cmd" in cell.value]
    assert risky and all(cell.data_type == "s" and cell.value.startswith("'=") for cell in risky)
    assert [c.value for c in values[-1][:5]] == ["合计", 4, 1, 3, 75]
    categories = client.get(reverse("statistics_xlsx", args=["categories"]))
    rows = list(
        load_workbook(io.BytesIO(b"".join(categories.streaming_content))).active.iter_rows(values_only=True)
    )
    assert rows[1] == ("A类", "已经解决或基本解决", 2, 66.7)


def test_statistics_use_a_fixed_number_of_queries(fixture_data, committee_staff):
    client = Client()
    client.force_login(committee_staff)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("statistics"))
        return len(queries)

    small = count()
    for number in range(50):
        agency = Agency.objects.create(name=f"随州市第{number}局")
        proposal = Proposal.objects.create(session=fixture_data, number=str(100 + number), title="建议")
        Assignment.objects.create(proposal=proposal, agency=agency, assigned_date=D(2022, 3, 1))
    assert count() == small


def test_statistics_are_for_committee_staff(fixture_data, clerk):
    client = Client()
    client.force_login(clerk)
    assert client.get(reverse("statistics")).status_code == 403
    assert client.get(reverse("statistics_xlsx", args=["agencies"])).status_code == 403


def test_unclassified_replies_and_missing_dates_are_counted_apart(fixture_data, committee_staff):
    """An answered reply without a class code: A/B/C/D and 未分类 add up to 100 %. An assignment
    without a 交办日期 has no deadline: it is not counted late, and the page says so."""
    hr = Agency.objects.get(name="随州市人力资源和社会保障局")
    proposal = Proposal.objects.create(session=fixture_data, number="5", title="建议5")
    assignment = Assignment.objects.create(
        proposal=proposal, agency=hr, role=Role.LEAD, assigned_date=D(2022, 3, 1)
    )
    Reply.objects.create(assignment=assignment, status="issued", class_code="", issued_on=D(2022, 5, 1))
    Assignment.objects.filter(proposal__session=fixture_data, proposal__number="3").update(due_on=None)
    rows = {row.agency: row for row in statistics.per_agency(fixture_data.pk)}
    row = rows["随州市人力资源和社会保障局"]
    assert (row.answered, row.class_share("A"), row.unclassified, row.unclassified_share) == (
        3,
        33.3,
        1,
        33.3,
    )
    assert (row.no_due, row.on_time_rate) == (1, 66.7)  # 2 on time of the 3 with a due date
    total = statistics.totals(list(rows.values()))
    shares = [share for _, _, _, share in statistics.categories(total)]
    assert sum(shares) == pytest.approx(100.0, abs=0.2)
    client = Client()
    client.force_login(committee_staff)
    html = client.get(reverse("statistics"), {"session": fixture_data.pk}).content.decode()
    assert "另1件无期限" in html and "<th>未分类</th>" in html
