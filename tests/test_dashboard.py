"""The committee dashboard: filters, search, sorting, flags, and a constant number of queries."""

import datetime
import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proposals.models import (
    Agency,
    Assignment,
    CoOpinion,
    Deputy,
    Feedback,
    Proposal,
    ProposalAuthor,
    Reply,
    Role,
    Session,
    User,
    UserRole,
)

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = datetime.datetime(2022, 6, 10, 10, 0)


def proposal(session, number, title, lead, key=False):
    p = Proposal.objects.create(session=session, number=str(number), title=title, key_supervision=key)
    deputy = Deputy.objects.create(name=lead)
    ProposalAuthor.objects.create(proposal=p, deputy=deputy, position=1, is_lead=True)
    return p


@pytest.fixture
def world(committee_staff):
    session = Session.objects.create(name="市五届人大一次会议", year=2022)
    hr = Agency.objects.create(name="随州市人力资源和社会保障局", short_name="市人社局")
    edu = Agency.objects.create(name="随州市教育局", short_name="市教育局")
    union = Agency.objects.create(name="随州市总工会", short_name="市总工会")
    p1 = proposal(session, 1, "关于化解企业招工难的建议", "沈宝栋")
    a1 = Assignment.objects.create(proposal=p1, agency=hr, assigned_date=D(2022, 3, 1))
    r1 = Reply.objects.create(assignment=a1, status="issued", class_code="A", due_date=a1.due_on)
    Feedback.objects.create(
        reply=r1,
        deputy=p1.lead_author(),
        attitude="satisfied",
        rating="satisfied",
        recorded_by=committee_staff,
    )
    Assignment.objects.create(proposal=p1, agency=union, role=Role.CO, assigned_date=D(2022, 3, 1))
    p2 = proposal(session, 2, "关于加强职业教育的建议", "王芳")
    Assignment.objects.create(proposal=p2, agency=hr, assigned_date=D(2022, 3, 1))
    p3 = proposal(session, 10, "关于改善校园周边交通的建议", "李芸")
    a3 = Assignment.objects.create(proposal=p3, agency=edu, assigned_date=D(2022, 3, 15))
    Reply.objects.create(assignment=a3, status="draft", due_date=a3.due_on)
    p4 = proposal(session, 3, "关于发展乡村教育的建议", "纪占斌", key=True)
    a4 = Assignment.objects.create(proposal=p4, agency=edu, assigned_date=D(2022, 6, 1))
    Reply.objects.create(assignment=a4, status="submitted", class_code="B", due_date=a4.due_on)
    return {"session": session, "hr": hr, "edu": edu, "union": union}


def numbers(client, **params) -> list[str]:
    with time_machine.travel(TODAY, tick=False):
        response = client.get(reverse("dashboard"), params)
    assert response.status_code == 200
    return [(row.proposal.number, row.agency.short_name) for row in response.context["page"]]


@pytest.fixture
def cohandler_of_union(world):
    return User.objects.create(username="union-clerk", role=UserRole.CLERK, agency=world["union"])


@pytest.fixture
def staff(committee_staff):
    client = Client()
    client.force_login(committee_staff)
    return client


def test_default_view_sorted_by_due_date(world, staff):
    assert numbers(staff) == [
        ("1", "市总工会"),
        ("1", "市人社局"),
        ("2", "市人社局"),
        ("10", "市教育局"),
        ("3", "市教育局"),
    ]


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"agency": "AGENCY_EDU"}, [("10", "市教育局"), ("3", "市教育局")]),
        ({"role": "co"}, [("1", "市总工会")]),
        ({"status": "none"}, [("2", "市人社局")]),
        ({"status": "draft"}, [("10", "市教育局")]),
        ({"class": "B"}, [("3", "市教育局")]),
        ({"overdue": "1"}, [("1", "市总工会"), ("2", "市人社局")]),
        ({"due_soon": "1"}, [("10", "市教育局")]),
        ({"key": "1"}, [("3", "市教育局")]),
        ({"rating": "satisfied"}, [("1", "市人社局")]),
        ({"q": "职业教育"}, [("2", "市人社局")]),
        ({"q": "纪占斌"}, [("3", "市教育局")]),
        ({"q": "10"}, [("10", "市教育局")]),
        (
            {"sort": "-number"},
            [("10", "市教育局"), ("3", "市教育局"), ("2", "市人社局"), ("1", "市人社局"), ("1", "市总工会")],
        ),
    ],
)
def test_filters_search_and_sort(world, staff, params, expected):
    if params.get("agency") == "AGENCY_EDU":
        params = {**params, "agency": str(world["edu"].pk)}
    result = numbers(staff, **params)
    if params.get("sort") == "-number":
        assert [n for n, _ in result] == [n for n, _ in expected]
    else:
        assert result == expected


def test_overdue_rows_are_highlighted(world, staff, cohandler_of_union):
    with time_machine.travel(TODAY, tick=False):
        html = staff.get(reverse("dashboard")).content.decode()
    assert html.count("table-danger") == 2 and html.count("table-warning") == 1
    assert "超期70天" in html  # the 市总工会 opinion was due on 1 April
    CoOpinion.objects.create(
        assignment=Assignment.objects.get(agency=world["union"]),
        text="会办意见",
        written_by=cohandler_of_union,
        submitted_at=datetime.datetime(2022, 4, 1, tzinfo=datetime.UTC),
    )
    assert numbers(staff, overdue="1") == [("2", "市人社局")]


def test_a_constant_number_of_queries(world, staff):
    def count() -> int:
        with time_machine.travel(TODAY, tick=False), CaptureQueriesContext(connection) as queries:
            staff.get(reverse("dashboard"), {"session": world["session"].pk})
        return len(queries)

    small = count()
    for number in range(100, 160):
        extra = proposal(world["session"], number, f"关于第{number}件事的建议", f"代表{number}")
        assignment = Assignment.objects.create(
            proposal=extra, agency=world["hr"], assigned_date=D(2022, 3, 1)
        )
        Reply.objects.create(assignment=assignment, status="draft", due_date=assignment.due_on)
    assert count() == small


def test_dashboard_is_for_committee_staff(world, clerk):
    client = Client()
    client.force_login(clerk)
    assert client.get(reverse("dashboard")).status_code == 403


def test_supervision_notice_reaches_the_agency(world, staff, mailoutbox, committee_staff):
    clerk = User.objects.create(
        username="hr-clerk", role=UserRole.CLERK, agency=world["hr"], email="clerk@hr.invalid"
    )
    late = Assignment.objects.get(proposal__number="2")
    response = staff.post(
        reverse("assignment_supervise", args=[late.pk]),
        {"message": "请于本周内答复代表。", "next": "/dashboard/?overdue=1"},
    )
    assert response["Location"] == "/dashboard/?overdue=1"
    notice = late.supervision_notices.get()
    assert notice.sent_by == committee_staff and notice.emailed == 1
    assert len(mailoutbox) == 1 and "请于本周内答复代表。" in mailoutbox[0].body
    agency_user = Client()
    agency_user.force_login(clerk)
    page = agency_user.get(reverse("queue")).content.decode()
    assert "通知 <span" in page
    assert "关于加强职业教育的建议" in agency_user.get(reverse("notices")).content.decode()
    assert "通知 <span" in agency_user.get(reverse("queue")).content.decode()  # reading changes nothing
    agency_user.post(reverse("notices_read"))
    assert "通知 <span" not in agency_user.get(reverse("queue")).content.decode()
    assert (
        agency_user.post(reverse("assignment_supervise", args=[late.pk]), {"message": "x"}).status_code == 302
    )
    assert late.supervision_notices.count() == 1  # agencies cannot send 督办


def test_large_demo_data_and_the_dashboard_benchmark(committee_staff):
    import io
    import json

    from django.core.management import call_command

    out = io.StringIO()
    call_command("seed_demo", "--proposals", "120", "--agencies", "8", stdout=out)
    assert "proposals 120，agencies 8" in out.getvalue()
    assert Proposal.objects.filter(session__name__contains="演示数据").count() == 120
    assert Agency.objects.count() >= 8
    out = io.StringIO()
    call_command("benchdashboard", "--repeat", "2", stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["assignments"] >= 120
    queries = {name: page["queries"] for name, page in figures.items() if name.startswith("dashboard")}
    assert len(set(queries.values())) == 1
    # The navigation bar's 待办 count, measured per role (the demo has a clerk, a leader, staff).
    assert len(figures["todo_count"]) == 3
    assert all(
        cost["queries"] > 0 and cost["notices_page_p50_ms"] > 0 for cost in figures["todo_count"].values()
    )


def headers(staff, **params) -> dict[str, tuple[str, str, str]]:
    """Each sortable column: (its aria-sort, the arrow shown, where clicking it goes)."""
    page = staff.get(reverse("dashboard"), params).content.decode()
    found = {}
    for attrs, href, label, mark in re.findall(
        r'<th scope="col"([^>]*)>\s*<a class="sort-link" href="([^"]*)"[^>]*>([^<]+)'
        r'<span class="sort-mark[^"]*" aria-hidden="true">(.)</span>',
        page,
    ):
        aria = re.search(r'aria-sort="(\w+)"', attrs)
        found[label] = (aria.group(1) if aria else "", mark, href.rsplit("sort=", 1)[1])
    return found


def test_sortable_columns_show_their_direction(world, staff):
    default = headers(staff)
    assert default["期限"] == ("ascending", "▲", "-due")  # the default order, and a click reverses it
    assert default["编号"] == ("", "⇅", "number")
    reversed_number = headers(staff, sort="-number")
    assert reversed_number["编号"] == ("descending", "▼", "number")
    assert reversed_number["期限"] == ("", "⇅", "due")
    assert set(default) == {"届次", "编号", "承办单位", "状态", "期限"}
