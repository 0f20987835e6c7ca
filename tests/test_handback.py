"""申请退办 and its decision: within the receipt window the agency asks, with a reason and perhaps
the agency that should take it; committee staff approve (the assignment passes on with its 交办日期,
the new agency must sign) or reject with a reason. Every refusal writes nothing."""

import datetime

import pytest
from django.urls import reverse

from proposals import workflow
from proposals.models import (
    Assignment,
    AssignmentChange,
    HandbackRequest,
    HandlingEvent,
    HandlingVerb,
    Notice,
    User,
    UserRole,
)
from tests.conftest import TODAY, login

pytestmark = pytest.mark.django_db
REASON = "该建议所提职工技能培训补贴事项属于市教育局职责，不属于本单位职责。"


def verbs(assignment) -> list[str]:
    return list(HandlingEvent.objects.filter(assignment=assignment).values_list("verb", flat=True))


@pytest.fixture
def education_clerk(outsider):
    """The outsider is 市教育局's clerk: the agency an approved request passes the item to."""
    return outsider


@pytest.fixture
def education_leader(outsider):
    user = User(username="edu_leader", first_name="赵明", role=UserRole.LEADER, agency=outsider.agency)
    user.set_password("x-Suizhou-2026")
    user.save()
    return user


# --- the request ------------------------------------------------------------------------------


def test_the_clerk_applies_through_the_form_and_staff_are_told(
    lead_assignment, clerk, committee_staff, outsider
):
    url = reverse("assignment_handback", args=[lead_assignment.pk])
    form = login(clerk).get(url)
    assert form.status_code == 200 and "2026年12月1日前（含当日）" in form.content.decode()
    response = login(clerk).post(url, {"reason": REASON, "suggested_agency": outsider.agency_id})
    assert response.status_code == 302
    request = HandbackRequest.objects.get()
    assert (request.agency, request.suggested_agency, request.requested_by, request.is_pending) == (
        lead_assignment.agency,
        outsider.agency,
        clerk,
        True,
    )
    assert verbs(lead_assignment) == [HandlingVerb.HANDBACK_REQUEST]
    (notice,) = Notice.objects.filter(user=committee_staff)
    assert "退办申请" in notice.text and "建议改由随州市教育局办理" in notice.text
    assert notice.link == reverse("handback_decide", args=[request.pk])
    # The proposal page shows the pending request; the agency may still work on the item.
    page = login(clerk).get(reverse("proposal_detail", args=[lead_assignment.proposal_id])).content.decode()
    assert "退办申请中" in page and REASON in page
    reply = workflow.start_reply(lead_assignment, clerk)
    assert reply.pk and lead_assignment.replies.count() == 1
    # Staff find it in their to-do list and on the dashboard.
    home = login(committee_staff).get(reverse("home"))
    group = {g.key: g for g in home.context["groups"]}["handbacks"]
    assert group.count == 1 and group.items[0].link == reverse("handback_decide", args=[request.pk])


def test_a_request_after_signing_is_allowed_within_the_window(lead_assignment, clerk, leader):
    workflow.receive(lead_assignment, clerk)
    request = workflow.request_handback(lead_assignment, leader, REASON)
    assert request.is_pending and request.suggested_agency is None


def test_refusals_write_nothing(
    lead_assignment, union_assignment, clerk, cohandler, committee_staff, outsider
):
    def refused(user, reason=REASON, suggested=None, match=""):
        with pytest.raises(workflow.WorkflowError, match=match):
            workflow.request_handback(lead_assignment, user, reason, suggested)

    refused(clerk, "   ", match="必须说明理由")
    refused(clerk, "理" * 501, match="不能超过500字")
    refused(clerk, suggested=lead_assignment.agency, match="不能是本单位")
    refused(cohandler, match="只有本单位")
    refused(committee_staff, match="只有本单位")
    assert not HandbackRequest.objects.exists() and not verbs(lead_assignment)

    workflow.request_handback(lead_assignment, clerk, REASON)
    refused(clerk, match="已有待处理的退办申请")
    assert HandbackRequest.objects.count() == 1

    # After the window: the message names the last day.
    Assignment.objects.filter(pk=union_assignment.pk).update(
        assigned_date=TODAY - datetime.timedelta(days=11)
    )
    with pytest.raises(workflow.WorkflowError, match="申请退办的期限已过：应在2026年11月30日前"):
        workflow.request_handback(union_assignment, cohandler, REASON)


def test_a_refused_form_keeps_the_typed_text(lead_assignment, clerk):
    Assignment.objects.filter(pk=lead_assignment.pk).update(assigned_date=TODAY - datetime.timedelta(days=12))
    response = login(clerk).post(
        reverse("assignment_handback", args=[lead_assignment.pk]), {"reason": REASON}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "申请退办的期限已过：应在2026年11月29日前（含当日）提出" in page and REASON in page
    # The button is gone from the proposal page once the window has passed.
    detail = login(clerk).get(reverse("proposal_detail", args=[lead_assignment.proposal_id])).content.decode()
    assert reverse("assignment_handback", args=[lead_assignment.pk]) not in detail


def test_no_request_once_the_reply_is_submitted(submitted, clerk):
    with pytest.raises(workflow.WorkflowError, match="不能再申请退办"):
        workflow.request_handback(submitted.assignment, clerk, REASON)


# --- the decision -----------------------------------------------------------------------------


def test_approval_passes_the_item_on_and_keeps_the_assignment_date(
    lead_assignment, clerk, leader, committee_staff, education_clerk, education_leader
):
    workflow.receive(lead_assignment, clerk)
    before = Assignment.objects.get(pk=lead_assignment.pk)
    request = workflow.request_handback(lead_assignment, clerk, REASON, education_clerk.agency)
    page = login(committee_staff).get(reverse("handback_decide", args=[request.pk])).content.decode()
    assert REASON in page and "随州市教育局" in page and "交办日期" in page

    response = login(committee_staff).post(
        reverse("handback_decide", args=[request.pk]),
        {"decision": "approve", "agency": education_clerk.agency_id, "note": "经核实属于市教育局职责。"},
    )
    assert response.status_code == 302
    after = Assignment.objects.get(pk=lead_assignment.pk)
    assert after.agency == education_clerk.agency
    assert (after.assigned_date, after.due_on) == (before.assigned_date, before.due_on)
    assert after.handed_on == TODAY and after.received_at is None and after.received_by is None
    change = AssignmentChange.objects.get(assignment=after)
    assert (change.from_agency, change.to_agency, change.from_date, change.to_date) == (
        before.agency,
        education_clerk.agency,
        before.assigned_date,
        before.assigned_date,
    )
    assert REASON.rstrip("。") in change.reason
    request.refresh_from_db()
    assert (request.approved, request.new_agency, request.decided_by) == (
        True,
        education_clerk.agency,
        committee_staff,
    )
    assert verbs(after) == [
        HandlingVerb.RECEIVE,
        HandlingVerb.HANDBACK_REQUEST,
        HandlingVerb.HANDBACK_APPROVE,
    ]
    # Both sides are told: the old agency's clerk and leader, the new agency's clerk and leader.
    for user in (clerk, leader):
        assert Notice.objects.filter(user=user, text__startswith="退办已同意").exists()
    for user in (education_clerk, education_leader):
        assert Notice.objects.filter(user=user, text__startswith="待签收").exists()
    # The new agency signs within its own window, counted from the day it was handed on.
    home = login(education_clerk).get(reverse("home"))
    group = {g.key: g for g in home.context["groups"]}["to_receive"]
    assert group.count == 1 and group.items[0].due == TODAY + datetime.timedelta(days=10)
    assert login(clerk).get(reverse("proposal_detail", args=[after.proposal_id])).status_code == 404
    workflow.receive(after, education_clerk)


def test_rejection_needs_a_reason_and_the_agency_goes_on(lead_assignment, clerk, leader, committee_staff):
    request = workflow.request_handback(lead_assignment, clerk, REASON)
    response = login(committee_staff).post(
        reverse("handback_decide", args=[request.pk]), {"decision": "reject"}
    )
    assert response.status_code == 400 and "不同意退办必须说明理由" in response.content.decode()
    request.refresh_from_db()
    assert request.is_pending
    login(committee_staff).post(
        reverse("handback_decide", args=[request.pk]),
        {"decision": "reject", "note": "属于本单位职责，请按期办理。"},
    )
    request.refresh_from_db()
    assert request.approved is False and request.decision_note == "属于本单位职责，请按期办理。"
    lead_assignment.refresh_from_db()
    assert lead_assignment.agency == clerk.agency
    assert verbs(lead_assignment)[-1] == HandlingVerb.HANDBACK_REJECT
    for user in (clerk, leader):
        assert Notice.objects.filter(user=user, text__startswith="退办未同意").exists()
    page = login(clerk).get(reverse("proposal_detail", args=[lead_assignment.proposal_id])).content.decode()
    assert "退办申请未同意" in page and "属于本单位职责，请按期办理。" in page
    # A new request may follow within the window.
    workflow.request_handback(lead_assignment, clerk, REASON)


def test_decision_refusals(
    lead_assignment, union_assignment, clerk, leader, cohandler, committee_staff, outsider
):
    request = workflow.request_handback(lead_assignment, clerk, REASON)
    with pytest.raises(workflow.WorkflowError, match="只有委员会工作人员"):
        workflow.decide_handback(request, leader, approve=False, note="不同意。")
    with pytest.raises(workflow.WorkflowError, match="须选择改由哪个单位承办"):
        workflow.decide_handback(request, committee_staff, approve=True)
    with pytest.raises(workflow.WorkflowError, match="不能仍是"):
        workflow.decide_handback(request, committee_staff, approve=True, agency=lead_assignment.agency)
    with pytest.raises(workflow.WorkflowError, match="已交办给"):  # 总工会 already handles it
        workflow.decide_handback(request, committee_staff, approve=True, agency=union_assignment.agency)
    request.refresh_from_db()
    assert request.is_pending and not AssignmentChange.objects.exists()
    # Reassigned by hand meanwhile: the old request can no longer be approved, only rejected.
    other = workflow.request_handback(union_assignment, User.objects.get(username="cohandler"), REASON)
    workflow.reassign(union_assignment, committee_staff, outsider.agency, "经协商改由市教育局会办。")
    with pytest.raises(workflow.WorkflowError, match="已改由“随州市教育局”承办"):
        workflow.decide_handback(other, committee_staff, approve=True, agency=lead_assignment.agency)
    workflow.decide_handback(other, committee_staff, approve=False, note="已另行调整。")
    workflow.reassign(union_assignment, committee_staff, union_assignment.agency, "恢复原会办单位。")
    workflow.decide_handback(request, committee_staff, approve=True, agency=outsider.agency)
    with pytest.raises(workflow.WorkflowError, match="已处理（已同意），不能重复处理"):
        workflow.decide_handback(request, committee_staff, approve=False, note="再议。")
    assert AssignmentChange.objects.filter(assignment=lead_assignment).count() == 1
    # The decided request's page shows the outcome and no form.
    page = login(committee_staff).get(reverse("handback_decide", args=[request.pk])).content.decode()
    assert "已同意" in page and "改由随州市教育局承办" in page and 'name="decision"' not in page
    assert login(clerk).get(reverse("handback_decide", args=[request.pk])).status_code == 404


def test_the_timeline_shows_every_step(draft, clerk, committee_staff):
    request = workflow.request_handback(draft.assignment, clerk, REASON)
    workflow.decide_handback(request, committee_staff, approve=False, note="属于本单位职责。")
    page = login(clerk).get(reverse("reply_detail", args=[draft.pk])).content.decode()
    assert "申请退办" in page and "不同意退办" in page and "属于本单位职责。" in page


def test_the_button_is_gone_once_the_answer_is_in_review(submitted, clerk):
    """Within the window but with the answer submitted: no 申请退办 to click and be refused."""
    url = reverse("assignment_handback", args=[submitted.assignment_id])
    before = login(clerk).get(reverse("reply_detail", args=[submitted.pk])).content.decode()
    assert url not in before
    with pytest.raises(workflow.WorkflowError, match="不能再申请退办"):
        workflow.request_handback(submitted.assignment, clerk, REASON)
