"""Committee staff register proposals by hand, add and correct assignments, and reassign an
assignment to another agency (调整承办单位) without restarting its clock."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from proposals.models import (
    Agency,
    Assignment,
    AssignmentChange,
    AuditEvent,
    Proposal,
    Reply,
    ReplyEvent,
    Role,
    deadlines,
)
from tests.conftest import TODAY

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def session(seed_reply):
    return seed_reply.proposal.session


@pytest.fixture
def transport(db):
    return Agency.objects.create(
        name="随州市交通运输局",
        short_name="市交通运输局",
        leader_name="周建国",
        leader_phone="0722-3256001",
        handler_name="吴敏",
        handler_phone="0722-3256002",
    )


def entry(session, hr_agency, **changes) -> dict:
    data = {
        "session": session.pk,
        "number": "58",
        "title": "关于完善城区公交线路的建议",
        "kind": "建议",
        "addressee_title": "",
        "received_date": "2026-01-20",
        "lead_author": "刘国华",
        "co_authors": "陈静、周涛，王磊",
        "more_authors": "",
        "author_count": "",
        "body": "城区公交线路覆盖不足。",
        "lead_agency": hr_agency.pk,
        "co_agencies": [],
        "assigned_date": "2026-03-16",
        "key_supervision": "on",
    }
    data.update(changes)
    return data


def test_staff_register_a_proposal_with_its_assignments(committee_staff, session, hr_agency, union_agency):
    client = login(committee_staff)
    assert "登记建议／提案" in client.get(reverse("dashboard")).content.decode()
    response = client.post(
        reverse("proposal_create"), entry(session, hr_agency, co_agencies=[union_agency.pk])
    )
    proposal = Proposal.objects.get(session=session, number="58")
    assert response["Location"] == reverse("proposal_detail", args=[proposal.pk])
    assert proposal.author_names() == ["刘国华", "陈静", "周涛", "王磊"]
    assert proposal.lead_author().name == "刘国华" and proposal.key_supervision
    roles = {a.agency.name: (a.role, a.assigned_date, a.due_on) for a in proposal.assignments.all()}
    assert roles == {
        "随州市人力资源和社会保障局": (Role.LEAD, datetime.date(2026, 3, 16), datetime.date(2026, 6, 16)),
        "随州市总工会": (Role.CO, datetime.date(2026, 3, 16), datetime.date(2026, 4, 16)),
    }
    page = client.get(response["Location"]).content.decode()
    assert (
        "关于完善城区公交线路的建议" in page
        and "刘国华、陈静、周涛、王磊" in page
        and "2026年6月16日" in page
    )
    assert AuditEvent.objects.filter(event="proposal_create", object_id=str(proposal.pk)).exists()


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"number": "12"}, "该届次已有相同编号的建议／提案。"),
        ({"title": ""}, "标题不能为空。"),
        ({"lead_author": ""}, "领衔代表不能为空。"),
        ({"lead_agency": ""}, "请选择主办单位。"),
        ({"assigned_date": "2026-02-30"}, "交办日期无效。"),
        ({"assigned_date": ""}, "交办日期不能为空。"),
        ({"kind": "意见"}, "意见"),
    ],
)
def test_bad_entry_names_the_field_and_saves_nothing(committee_staff, session, hr_agency, changes, message):
    before = (Proposal.objects.count(), Assignment.objects.count())
    response = login(committee_staff).post(reverse("proposal_create"), entry(session, hr_agency, **changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert (Proposal.objects.count(), Assignment.objects.count()) == before


def test_lead_agency_cannot_also_co_handle(committee_staff, session, hr_agency):
    response = login(committee_staff).post(
        reverse("proposal_create"), entry(session, hr_agency, co_agencies=[hr_agency.pk])
    )
    assert "已是主办单位，不能同时协办" in response.content.decode()
    assert not Proposal.objects.filter(number="58").exists()


def test_only_committee_staff_register_and_edit(clerk, leader, outsider, seed_reply, session, hr_agency):
    proposal = seed_reply.proposal
    for user in (clerk, leader):
        client = login(user)
        assert client.get(reverse("proposal_create")).status_code == 403
        assert client.post(reverse("proposal_create"), entry(session, hr_agency)).status_code == 403
        assert client.post(reverse("proposal_edit", args=[proposal.pk]), {"title": "改"}).status_code == 403
        # The handling agency reads the proposal page but gets no staff buttons.
        page = client.get(reverse("proposal_detail", args=[proposal.pk])).content.decode()
        assert proposal.title in page and "调整承办单位" not in page
    assert login(outsider).get(reverse("proposal_detail", args=[proposal.pk])).status_code == 404
    assert not Proposal.objects.filter(number="58").exists()
    assert Proposal.objects.get(pk=proposal.pk).title == proposal.title


def test_staff_correct_a_proposal_and_its_authors(committee_staff, session, hr_agency):
    client = login(committee_staff)
    client.post(reverse("proposal_create"), entry(session, hr_agency))
    proposal = Proposal.objects.get(number="58")
    form = client.get(reverse("proposal_edit", args=[proposal.pk])).context["form"]
    assert form.initial["lead_author"] == "刘国华" and form.initial["co_authors"] == "陈静、周涛、王磊"
    data = entry(session, hr_agency, title="关于优化城区公交线路的建议", co_authors="陈静")
    response = client.post(reverse("proposal_edit", args=[proposal.pk]), data)
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.title == "关于优化城区公交线路的建议" and proposal.author_names() == ["刘国华", "陈静"]


def test_printed_facts_are_frozen_once_a_reply_went_out(
    committee_staff, seed_reply, hr_agency, clerk, leader, pki
):
    from proposals import workflow

    workflow.archive_issue(seed_reply, leader)
    proposal = seed_reply.proposal
    client = login(committee_staff)
    form = client.get(reverse("proposal_edit", args=[proposal.pk])).context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data.update(number="13")
    response = client.post(reverse("proposal_edit", args=[proposal.pk]), data)
    assert response.status_code == 400
    assert "随州市人力资源和社会保障局的答复已“已答复”，编号不能再修改" in response.content.decode()
    data.update(number=proposal.number, co_authors="")
    response = client.post(reverse("proposal_edit", args=[proposal.pk]), data)
    assert "提出人不能再修改" in response.content.decode()
    data.update(co_authors=form.initial["co_authors"], key_supervision="on")
    assert client.post(reverse("proposal_edit", args=[proposal.pk]), data).status_code == 302
    assert Proposal.objects.get(pk=proposal.pk).key_supervision


def test_printed_facts_are_frozen_while_a_reply_is_in_review(committee_staff, submitted):
    """As the import refuses it (test_intake_printed): the letter in review prints the title."""
    proposal = submitted.proposal
    client = login(committee_staff)
    form = client.get(reverse("proposal_edit", args=[proposal.pk])).context["form"]
    data = {name: ("" if value is None else value) for name, value in form.initial.items()}
    data.update(title="关于改善营商环境的建议")
    response = client.post(reverse("proposal_edit", args=[proposal.pk]), data)
    assert response.status_code == 400
    assert "随州市人力资源和社会保障局的答复已“待审核”，标题不能再修改" in response.content.decode()
    assert Proposal.objects.get(pk=proposal.pk).title == proposal.title


def test_add_an_agency_and_refuse_a_second_lead(committee_staff, seed_reply, transport, education_agency):
    proposal = seed_reply.proposal
    client = login(committee_staff)
    url = reverse("proposal_assign", args=[proposal.pk])
    response = client.post(url, {"agency": transport.pk, "role": "lead", "assigned_date": "2022-03-15"})
    assert (
        response.status_code == 400
        and "已有主办单位“随州市人力资源和社会保障局”" in response.content.decode()
    )
    response = client.post(url, {"agency": transport.pk, "role": "co", "assigned_date": "2022-03-15"})
    assert response.status_code == 302
    added = Assignment.objects.get(proposal=proposal, agency=transport)
    assert added.role == Role.CO and added.due_on == datetime.date(2022, 4, 15)
    # The agency already assigned is not offered again.
    response = client.post(url, {"agency": transport.pk, "role": "co", "assigned_date": "2022-03-15"})
    assert response.status_code == 400 and "所选单位已承办该件" in response.content.decode()
    assert Assignment.objects.filter(proposal=proposal, agency=transport).count() == 1


def test_correcting_the_date_moves_the_due_dates_and_is_logged(
    committee_staff, clerk, union_agency, seed_reply
):
    assignment = seed_reply.assignment
    client = login(committee_staff)
    url = reverse("assignment_edit", args=[assignment.pk])
    response = client.post(url, {"role": "lead", "assigned_date": "2022-03-31", "reason": ""})
    assert response.status_code == 400 and "修改交办必须说明理由" in response.content.decode()
    response = client.post(
        url, {"role": "lead", "assigned_date": "2022-03-31", "reason": "交办单据日期录入错误"}
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.assigned_date == datetime.date(2022, 3, 31)
    assert (
        assignment.due_on == deadlines.add_months(datetime.date(2022, 3, 31), 3) == datetime.date(2022, 6, 30)
    )
    assert Reply.objects.get(pk=seed_reply.pk).due_date == datetime.date(2022, 6, 30)
    change = AssignmentChange.objects.get(assignment=assignment)
    assert (change.from_date, change.to_date, change.reason) == (
        None,
        datetime.date(2022, 3, 31),
        "交办单据日期录入错误",
    )
    assert change.from_agency == change.to_agency == assignment.agency
    page = client.get(reverse("proposal_detail", args=[assignment.proposal_id])).content.decode()
    assert "交办单据日期录入错误" in page


def test_reassignment_keeps_the_date_and_the_draft_follows(committee_staff, clerk, transport, seed_reply):
    assignment = seed_reply.assignment
    original_date = datetime.date(2026, 10, 20)
    Assignment.objects.filter(pk=assignment.pk).update(assigned_date=original_date)
    assignment.refresh_from_db()
    assignment.save()
    due_before = assignment.due_on
    client = login(committee_staff)
    url = reverse("assignment_reassign", args=[assignment.pk])
    page = client.get(url).content.decode()
    assert "随州市交通运输局" in page and "交办日期不变" in page
    response = client.post(url, {"agency": transport.pk, "reason": ""})
    assert "调整承办单位必须说明理由" in response.content.decode()
    response = client.post(url, {"agency": transport.pk, "reason": "经协商，公交线路属市交通运输局职责"})
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.agency == transport and assignment.role == Role.LEAD
    assert assignment.assigned_date == original_date and assignment.due_on == due_before
    change = AssignmentChange.objects.get(assignment=assignment)
    assert change.from_agency.name == "随州市人力资源和社会保障局" and change.to_agency == transport
    assert change.reason == "经协商，公交线路属市交通运输局职责" and change.changed_by == committee_staff
    # The draft now belongs to the new agency, with its contact people; the old clerk loses it.
    reply = Reply.objects.get(pk=seed_reply.pk)
    assert (reply.leader_name, reply.handler_phone) == ("周建国", "0722-3256002")
    assert ReplyEvent.objects.filter(reply=reply, verb="reassign", note__contains="市交通运输局").exists()
    assert login(clerk).get(reverse("reply_detail", args=[reply.pk])).status_code == 404
    detail = client.get(reverse("proposal_detail", args=[assignment.proposal_id])).content.decode()
    assert "承办单位由“随州市人力资源和社会保障局”调整为“随州市交通运输局”" in detail
    assert AuditEvent.objects.filter(event="reassign", object_id=str(assignment.pk)).exists()


def test_reassignment_is_refused_after_sign_off_and_to_an_assigned_agency(
    committee_staff, seed_reply, transport, union_agency, leader, pki
):
    from proposals import workflow

    assignment = seed_reply.assignment
    client = login(committee_staff)
    url = reverse("assignment_reassign", args=[assignment.pk])
    response = client.post(url, {"agency": union_agency.pk, "reason": "调整"})
    assert response.status_code == 400 and "所选单位不能承办" in response.content.decode()
    workflow.archive_issue(seed_reply, leader)
    response = client.post(url, {"agency": transport.pk, "reason": "调整"})
    assert (
        response.status_code == 400 and "第1轮答复已“已答复”，不能再调整承办单位" in response.content.decode()
    )
    assert Assignment.objects.get(pk=assignment.pk).agency_id == seed_reply.agency.pk
    assert not AssignmentChange.objects.exists()


def test_the_new_agency_signs_for_a_reassigned_item_and_both_are_told(
    committee_staff, clerk, transport, seed_reply
):
    """调整承办单位 hands the item over: the new agency signs for it afresh (its window from today),
    the agency that had it learns it no longer handles it."""
    from proposals.models import Notice, User, UserRole

    new_clerk = User.objects.create(
        username="transport_clerk", first_name="吴敏", role=UserRole.CLERK, agency=transport
    )
    assignment = seed_reply.assignment
    login(committee_staff).post(
        reverse("assignment_reassign", args=[assignment.pk]),
        {"agency": transport.pk, "reason": "经协商，公交线路属市交通运输局职责"},
    )
    assignment.refresh_from_db()
    assert assignment.received_at is None and assignment.handed_on == TODAY and not assignment.receipt_deemed
    old = Notice.objects.get(user=clerk)
    assert old.text.startswith("调整承办单位：") and "本单位不再办理" in old.text
    new = Notice.objects.get(user=new_clerk)
    assert new.text.startswith("待签收：") and "交办日期不变" in new.text
    home = login(new_clerk).get(reverse("home")).content.decode()
    assert "待签收" in home and reverse("assignment_receive", args=[assignment.pk]) in home
