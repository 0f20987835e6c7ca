"""督办审核: with the session's rule on, 签发 sends the reply to committee staff (待督办审核), who pass
it (changing the class code only with a reason, shown to the agency) or return it with a reason.
Issue is possible only after the review, so the signed PDF carries the final class."""

import subprocess

import pytest
from django.urls import reverse

from proposals import workflow
from proposals.models import (
    AuditEvent,
    ClassCodeChange,
    HandlingEvent,
    HandlingVerb,
    Notice,
    Reply,
    ReplyEvent,
    ReplyStatus,
    Session,
)
from tests.conftest import login

pytestmark = pytest.mark.django_db


def status(reply) -> str:
    return Reply.objects.get(pk=reply.pk).status


@pytest.fixture
def review_on(submitted):
    Session.objects.filter(pk=submitted.proposal.session_id).update(committee_review_on=True)
    return submitted


@pytest.fixture
def reviewing(review_on, leader, committee_staff):
    login(leader).post(reverse("reply_sign_off", args=[review_on.pk]))
    return Reply.objects.get(pk=review_on.pk)


def todo_count(user, key: str) -> int:
    groups = login(user).get(reverse("home")).context["groups"]
    return next(group.count for group in groups if group.key == key)


def test_without_the_rule_sign_off_approves_at_once(submitted, leader):
    login(leader).post(reverse("reply_sign_off", args=[submitted.pk]))
    assert status(submitted) == ReplyStatus.APPROVED


def test_sign_off_sends_the_reply_to_committee_review(reviewing, committee_staff, clerk, leader):
    assert reviewing.status == ReplyStatus.REVIEWING
    event = ReplyEvent.objects.filter(reply=reviewing).last()
    assert (event.verb, event.from_status, event.to_status) == ("sign_off_review", "submitted", "reviewing")
    assert AuditEvent.objects.filter(event="reply_sign_off_review").count() == 1
    assert Notice.objects.filter(user=committee_staff, text__startswith="待督办审核：").count() == 1
    assert Notice.objects.filter(user=clerk, text__contains="等待委员会督办审核").count() == 1
    assert todo_count(committee_staff, "reviewing") == 1
    # Not yet out: issue is refused; the pages say what it waits for.
    with pytest.raises(workflow.WorkflowError, match="待督办审核"):
        workflow.issue(reviewing, clerk)
    page = login(clerk).get(reverse("reply_detail", args=[reviewing.pk])).content.decode()
    assert "正在等待委员会督办审核" in page and reverse("reply_issue", args=[reviewing.pk]) not in page
    assert "已签发·未发出" in page
    staff_page = login(committee_staff).get(reverse("reply_detail", args=[reviewing.pk])).content.decode()
    assert reverse("reply_review_pass", args=[reviewing.pk]) in staff_page and "退回承办单位" in staff_page
    dashboard = login(committee_staff).get(reverse("dashboard") + "?status=reviewing").content.decode()
    assert "待督办审核" in dashboard and reverse("reply_detail", args=[reviewing.pk]) in dashboard


def test_passing_without_a_change_lets_the_agency_issue(reviewing, committee_staff, clerk, leader, pki):
    response = login(committee_staff).post(
        reverse("reply_review_pass", args=[reviewing.pk]), {"class_code": "A", "reason": ""}, follow=True
    )
    assert "督办审核已通过" in response.content.decode()
    assert status(reviewing) == ReplyStatus.APPROVED and not ClassCodeChange.objects.exists()
    assert Notice.objects.filter(user=clerk, text__startswith="督办审核通过：").count() == 1
    assert todo_count(committee_staff, "reviewing") == 0 and todo_count(clerk, "to_send") == 1
    login(clerk).post(reverse("reply_issue", args=[reviewing.pk]))
    assert status(reviewing) == ReplyStatus.ISSUED


def test_a_class_change_needs_a_reason_and_is_shown_to_the_agency(
    reviewing, committee_staff, clerk, leader, pki
):
    client = login(committee_staff)
    response = client.post(
        reverse("reply_review_pass", args=[reviewing.pk]), {"class_code": "B"}, follow=True
    )
    page = response.content.decode()
    assert "调整办理结果分类必须说明理由" in page
    assert status(reviewing) == ReplyStatus.REVIEWING and not ClassCodeChange.objects.exists()
    assert '<option value="B" selected>' in page  # the choice is kept for the next try
    response = client.post(
        reverse("reply_review_pass", args=[reviewing.pk]), {"class_code": "E", "reason": "x"}
    )
    assert status(reviewing) == ReplyStatus.REVIEWING
    reason = "培训补贴政策尚在落实中，应列为正在解决。"
    client.post(reverse("reply_review_pass", args=[reviewing.pk]), {"class_code": "B", "reason": reason})
    reply = Reply.objects.get(pk=reviewing.pk)
    assert (reply.status, reply.class_code) == (ReplyStatus.APPROVED, "B")
    change = ClassCodeChange.objects.get()
    assert (change.from_code, change.to_code, change.reason, change.changed_by) == (
        "A",
        "B",
        reason,
        committee_staff,
    )
    event = HandlingEvent.objects.get(verb=HandlingVerb.CLASS_CHANGE)
    assert event.reply == reply and reason in event.note
    notice = Notice.objects.get(user=clerk, text__startswith="督办审核通过：")
    assert "办理结果分类由A类调整为B类" in notice.text and reason in notice.text
    assert "。。" not in notice.text
    page = login(clerk).get(reverse("reply_detail", args=[reply.pk])).content.decode()
    assert "调整为<strong>B类</strong>" in page and reason in page and "调整办理结果分类" in page
    # The signed PDF is made after the review: it carries the final class.
    login(clerk).post(reverse("reply_issue", args=[reply.pk]))
    reply = Reply.objects.get(pk=reply.pk)
    assert reply.status == ReplyStatus.ISSUED
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=reply.pdf.open("rb").read(), capture_output=True, check=True
    ).stdout.decode()
    assert "(B)" in text and "(A)" not in text  # the class line under the letterhead


def test_returning_needs_a_reason_and_the_reason_shows_where_returns_show(
    reviewing, committee_staff, clerk, leader
):
    client = login(committee_staff)
    response = client.post(
        reverse("reply_review_return", args=[reviewing.pk]), {"return_reason": " "}, follow=True
    )
    assert (
        "督办审核退回必须说明理由" in response.content.decode() and status(reviewing) == ReplyStatus.REVIEWING
    )
    reason = "第二部分未逐条回应代表提出的三项建议，请补充。"
    client.post(reverse("reply_review_return", args=[reviewing.pk]), {"return_reason": reason})
    assert status(reviewing) == ReplyStatus.RETURNED
    notice = Notice.objects.get(user=clerk, text__startswith="督办审核退回：")
    assert reason in notice.text and notice.link == reverse("reply_edit", args=[reviewing.pk])
    assert Notice.objects.filter(user=leader, text__startswith="督办审核退回：").count() == 1
    page = login(clerk).get(reverse("reply_detail", args=[reviewing.pk])).content.decode()
    assert "委员会督办审核退回" in page and reason in page
    returned = login(clerk).get(reverse("home")).context["groups"]
    [group] = [g for g in returned if g.key == "returned"]
    assert group.count == 1 and group.items[0].note == reason
    # Resubmitted and signed again, it comes back for review.
    login(clerk).post(reverse("reply_submit", args=[reviewing.pk]))
    login(leader).post(reverse("reply_sign_off", args=[reviewing.pk]))
    assert status(reviewing) == ReplyStatus.REVIEWING


def test_only_committee_staff_review_and_only_while_it_waits(
    reviewing, clerk, leader, cohandler, outsider, sysadmin, committee_staff
):
    for person in (clerk, leader, cohandler, outsider, sysadmin):
        with pytest.raises(workflow.WorkflowError):
            workflow.review_pass(reviewing, person)
        with pytest.raises(workflow.WorkflowError):
            workflow.review_return(reviewing, person, "理由")
    page = login(sysadmin).get(reverse("reply_detail", args=[reviewing.pk])).content.decode()
    assert reverse("reply_review_pass", args=[reviewing.pk]) not in page
    workflow.review_pass(reviewing, committee_staff)
    with pytest.raises(workflow.WorkflowError, match="不能督办审核"):
        workflow.review_pass(reviewing, committee_staff)  # a second click
    with pytest.raises(workflow.WorkflowError, match="不能督办审核"):
        workflow.review_return(reviewing, committee_staff, "理由")
    assert ReplyEvent.objects.filter(reply=reviewing, verb="review_pass").count() == 1


def test_the_leader_takes_the_sign_off_back_before_the_review(reviewing, leader, committee_staff, clerk):
    page = login(leader).get(reverse("reply_detail", args=[reviewing.pk])).content.decode()
    assert "督办审核前可以撤销签发" in page
    login(leader).post(reverse("reply_revoke", args=[reviewing.pk]), {"reason": "联系人电话有误。"})
    assert status(reviewing) == ReplyStatus.SUBMITTED
    assert Notice.objects.filter(user=committee_staff, text__startswith="已撤销签发：").count() == 1
    assert todo_count(committee_staff, "reviewing") == 0
    with pytest.raises(workflow.WorkflowError):
        workflow.review_pass(reviewing, committee_staff)


def test_review_and_countersign_together(draft, clerk, leader, cohandler, union_assignment, committee_staff):
    from proposals.models import Countersign
    from tests.conftest import submit_opinion

    Session.objects.filter(pk=draft.proposal.session_id).update(countersign_on=True, committee_review_on=True)
    submit_opinion(cohandler, union_assignment)
    login(clerk).post(reverse("reply_submit", args=[draft.pk]))
    workflow.countersign(Countersign.objects.get(), cohandler, True)
    login(leader).post(reverse("reply_sign_off", args=[draft.pk]))
    assert status(draft) == ReplyStatus.REVIEWING
    # Revoked and signed again: the 会签 already given still stands.
    workflow.revoke_sign_off(draft, leader, "再核对一遍")
    workflow.sign_off(draft, leader)
    assert status(draft) == ReplyStatus.REVIEWING and Countersign.objects.count() == 1


def test_every_status_list_knows_the_review(reviewing, committee_staff, clerk):
    dashboard = login(committee_staff).get(reverse("dashboard")).content.decode()
    assert '<option value="reviewing"' in dashboard
    queue = login(clerk).get(reverse("queue")).content.decode()
    assert "status-reviewing" in queue and "待督办审核" in queue
