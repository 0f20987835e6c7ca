"""The dashboard and the statistics read an assignment's latest round: a draft second round
replaces an issued first one on the dashboard; statistics count the latest *issued* reply's class
and its lead author's rating, and the first round for 按时办复."""

import datetime

import pytest

from proposals.models import (
    Agency,
    Assignment,
    Deputy,
    Feedback,
    Proposal,
    ProposalAuthor,
    Reply,
    Role,
    Session,
)
from proposals.supervision import dashboard, statistics

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2022, 8, 10)


@pytest.fixture
def rounds(committee_staff):
    session = Session.objects.create(name="市五届人大一次会议", year=2022)
    hr = Agency.objects.create(name="随州市人力资源和社会保障局", short_name="市人社局")
    union = Agency.objects.create(name="随州市总工会", short_name="市总工会")

    def proposal(number):
        p = Proposal.objects.create(session=session, number=str(number), title=f"建议{number}")
        lead, other = Deputy.objects.create(name=f"领衔{number}"), Deputy.objects.create(name=f"联名{number}")
        ProposalAuthor.objects.create(proposal=p, deputy=lead, position=1, is_lead=True)
        ProposalAuthor.objects.create(proposal=p, deputy=other, position=2)
        return p, lead, other

    def rate(reply, deputy, rating):
        Feedback.objects.create(
            reply=reply, deputy=deputy, attitude=rating, rating=rating, recorded_by=committee_staff
        )

    # 1: answered on time in round 1 (B, 不满意), now re-handled: round 2 is a draft.
    p1, lead1, _ = proposal(1)
    a1 = Assignment.objects.create(proposal=p1, agency=hr, assigned_date=D(2022, 3, 1))
    r1 = Reply.objects.create(
        assignment=a1, round=1, status="issued", class_code="B", issued_on=D(2022, 5, 1), due_date=a1.due_on
    )
    rate(r1, lead1, "dissatisfied")
    Reply.objects.create(assignment=a1, round=2, status="draft", due_date=D(2022, 9, 1))
    # 2: late in round 1 (不满意), round 2 issued (A): 满意 from the lead, 不满意 from a co-author.
    p2, lead2, other2 = proposal(2)
    a2 = Assignment.objects.create(proposal=p2, agency=hr, assigned_date=D(2022, 3, 1))
    r2 = Reply.objects.create(
        assignment=a2, round=1, status="issued", class_code="C", issued_on=D(2022, 7, 5), due_date=a2.due_on
    )
    rate(r2, lead2, "dissatisfied")
    r2b = Reply.objects.create(
        assignment=a2,
        round=2,
        status="issued",
        class_code="A",
        issued_on=D(2022, 8, 1),
        due_date=D(2022, 9, 1),
    )
    rate(r2b, lead2, "satisfied")
    rate(r2b, other2, "dissatisfied")
    Assignment.objects.create(proposal=p2, agency=union, role=Role.CO, assigned_date=D(2022, 3, 1))
    return session


def shown(user, **filters):
    page = dashboard.page(user, dashboard.Filters(**filters), TODAY, "1")
    return [
        (
            row.proposal.number,
            row.agency.short_name,
            row.reply_status,
            row.reply_round,
            row.reply_class,
            row.lead_rating,
            row.done,
        )
        for row in page
    ]


def test_the_dashboard_shows_the_latest_round(rounds, committee_staff):
    assert shown(committee_staff, sort="number") == [
        ("1", "市人社局", "draft", 2, "", None, False),
        ("2", "市人社局", "issued", 2, "A", "satisfied", True),
        ("2", "市总工会", None, None, None, None, False),  # ties in the order of the assignments
    ]
    assert [n for n, *_ in shown(committee_staff, status="draft")] == ["1"]
    assert [n for n, *_ in shown(committee_staff, class_code="A")] == ["2"]
    assert shown(committee_staff, class_code="B") == shown(committee_staff, class_code="C") == []
    assert [n for n, *_ in shown(committee_staff, rating="satisfied")] == ["2"]
    assert shown(committee_staff, rating="dissatisfied") == []
    assert [(n, a) for n, a, *_ in shown(committee_staff, sort="-number")] == [
        ("2", "市人社局"),
        ("2", "市总工会"),
        ("1", "市人社局"),
    ]


def test_statistics_count_the_latest_issued_reply(rounds):
    hr, union = statistics.per_agency(rounds.pk)
    assert (hr.agency, hr.lead, hr.co, hr.answered, hr.on_time) == ("随州市人力资源和社会保障局", 2, 0, 2, 1)
    assert hr.classes == {"B": 1, "A": 1}
    assert (hr.satisfied, hr.basically, hr.dissatisfied) == (1, 0, 1)
    assert (union.agency, union.lead, union.co, union.answered) == ("随州市总工会", 0, 1, 0)
