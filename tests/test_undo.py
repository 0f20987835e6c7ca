"""Undo where the rules allow, each a recorded event with a reason: the clerk withdraws a
submission, the leader revokes a sign-off before issue, a publication is withdrawn (410). After
issue the letter is out, and the page says so."""

import pytest
from django.urls import reverse

from proposals import workflow
from proposals.models import AuditEvent, Notice, Publication, Reply, ReplyEvent, ReplyStatus
from tests.conftest import login

pytestmark = pytest.mark.django_db


def status(reply) -> str:
    return Reply.objects.get(pk=reply.pk).status


def test_the_clerk_withdraws_a_submission_before_the_leader_acts(submitted, clerk, leader):
    page = login(clerk).get(reverse("reply_detail", args=[submitted.pk])).content.decode()
    assert "撤回提交" in page and 'data-confirm="确认撤回提交？' in page
    login(clerk).post(reverse("reply_withdraw", args=[submitted.pk]), {"reason": "发现数据有误，需要更正。"})
    assert status(submitted) == ReplyStatus.DRAFT
    event = ReplyEvent.objects.filter(reply=submitted).last()
    assert (event.verb, event.from_status, event.to_status, event.note) == (
        "withdraw",
        "submitted",
        "draft",
        "发现数据有误，需要更正。",
    )
    assert Notice.objects.filter(user=leader, text__startswith="已撤回：孙建波撤回了").count() == 1
    assert AuditEvent.objects.filter(event="reply_withdraw").count() == 1
    # Back in the clerk's drafts, editable again.
    assert login(clerk).get(reverse("reply_edit", args=[submitted.pk])).status_code == 200


def test_withdrawal_needs_a_reason_and_comes_too_late_after_sign_off(submitted, clerk, leader):
    response = login(clerk).post(reverse("reply_withdraw", args=[submitted.pk]), {"reason": " "}, follow=True)
    assert "撤回提交必须说明理由" in response.content.decode() and status(submitted) == ReplyStatus.SUBMITTED
    login(leader).post(reverse("reply_sign_off", args=[submitted.pk]))
    response = login(clerk).post(
        reverse("reply_withdraw", args=[submitted.pk]), {"reason": "太迟"}, follow=True
    )
    assert "不能撤回提交" in response.content.decode() and status(submitted) == ReplyStatus.APPROVED


def test_only_the_clerk_withdraws(submitted, leader, committee_staff):
    with pytest.raises(workflow.WorkflowError, match="只有本单位的经办人可以撤回提交"):
        workflow.withdraw(submitted, leader, "理由")
    with pytest.raises(workflow.WorkflowError):
        workflow.withdraw(submitted, committee_staff, "理由")


def test_the_leader_revokes_a_sign_off_before_issue(submitted, clerk, leader):
    login(leader).post(reverse("reply_sign_off", args=[submitted.pk]))
    page = login(leader).get(reverse("reply_detail", args=[submitted.pk])).content.decode()
    assert "撤销签发" in page
    login(leader).post(reverse("reply_revoke", args=[submitted.pk]), {"reason": "第三部分数据需再核实。"})
    assert status(submitted) == ReplyStatus.SUBMITTED
    assert Notice.objects.filter(user=clerk, text__startswith="已撤销签发：").count() == 1
    assert ReplyEvent.objects.filter(reply=submitted, verb="revoke", note="第三部分数据需再核实。").exists()
    # Waiting for review again: the leader can sign off again.
    login(leader).post(reverse("reply_sign_off", args=[submitted.pk]))
    assert status(submitted) == ReplyStatus.APPROVED


def test_after_issue_there_is_no_undo_and_the_page_says_so(issued, clerk, leader):
    with pytest.raises(workflow.WorkflowError, match="答复已发出，不能撤销签发"):
        workflow.revoke_sign_off(issued, leader, "理由")
    with pytest.raises(workflow.WorkflowError):
        workflow.withdraw(issued, clerk, "理由")
    page = login(clerk).get(reverse("reply_detail", args=[issued.pk])).content.decode()
    assert "答复已发出并定稿，不能撤回或修改" in page and "撤回提交" not in page


def test_a_publication_is_withdrawn_and_answers_410_then_approved_again(issued, leader, sysadmin, client):
    # A leader who did not draft approves publication (the drafting leader may not).
    from proposals.models import User, UserRole
    from tests.conftest import PASSWORD

    reviewer = User(username="leader2", first_name="李卫东", role=UserRole.LEADER, agency=issued.agency)
    reviewer.set_password(PASSWORD)
    reviewer.save()
    login(reviewer).post(reverse("reply_publish", args=[issued.pk]))
    assert client.get(reverse("public_reply", args=[issued.pk])).status_code == 200
    login(reviewer).post(
        reverse("reply_unpublish", args=[issued.pk]), {"reason": "涉及个人信息，需重新审核。"}
    )
    publication = Publication.objects.get(reply=issued)
    assert publication.is_withdrawn and publication.withdraw_reason == "涉及个人信息，需重新审核。"
    for name in ("public_reply", "public_reply_pdf"):
        response = client.get(reverse(name, args=[issued.pk]))
        assert response.status_code == 410 and "该答复已撤回公开" in response.content.decode()
    assert "涉及个人信息" not in client.get(reverse("public_list")).content.decode()
    assert issued.proposal.title not in client.get(reverse("public_list")).content.decode()
    assert AuditEvent.objects.filter(event="unpublish").count() == 1
    # It can be approved again.
    login(reviewer).post(reverse("reply_publish", args=[issued.pk]))
    assert client.get(reverse("public_reply", args=[issued.pk])).status_code == 200
    assert not Publication.objects.get(reply=issued).is_withdrawn


def test_withdrawing_a_publication_needs_a_reason(issued, leader):
    with pytest.raises(workflow.WorkflowError, match="该答复没有公开"):
        workflow.withdraw_publication(issued, leader, "理由")


def rate(staff, reply, deputy, rating, note="", attitude="satisfied"):
    return login(staff).post(
        reverse("reply_feedback", args=[reply.pk]),
        {"deputy": deputy.pk, "attitude": attitude, "rating": rating, "note": note},
    )


def test_committee_staff_correct_a_wrongly_recorded_rating(issued, committee_staff):
    from proposals.models import Feedback, FeedbackCorrection

    co_signer = issued.proposal.authorships.get(is_lead=False).deputy
    rate(committee_staff, issued, co_signer, "dissatisfied")
    feedback = Feedback.objects.get(reply=issued, deputy=co_signer)
    page = login(committee_staff).get(reverse("reply_detail", args=[issued.pk])).content.decode()
    assert reverse("feedback_correct", args=[feedback.pk]) in page and "更正评价" in page
    response = login(committee_staff).post(
        reverse("feedback_correct", args=[feedback.pk]),
        {"attitude": "satisfied", "rating": "satisfied", "reason": "登记时选错，代表表示满意。"},
    )
    assert response.status_code == 302
    feedback.refresh_from_db()
    correction = FeedbackCorrection.objects.get(feedback=feedback)
    assert (feedback.rating, correction.from_rating, correction.to_rating) == (
        "satisfied",
        "dissatisfied",
        "satisfied",
    )
    page = login(committee_staff).get(reverse("reply_detail", args=[issued.pk])).content.decode()
    assert "更正：办理结果：不满意 → 满意。理由：登记时选错，代表表示满意。" in page
    assert AuditEvent.objects.filter(event="feedback_correct").count() == 1


def test_a_correction_needs_a_reason_and_a_change(issued, committee_staff, clerk):
    from proposals.models import Feedback

    co_signer = issued.proposal.authorships.get(is_lead=False).deputy
    rate(committee_staff, issued, co_signer, "satisfied")
    feedback = Feedback.objects.get(reply=issued, deputy=co_signer)
    with pytest.raises(workflow.WorkflowError, match="必须说明理由"):
        workflow.correct_feedback(
            feedback, committee_staff, attitude="satisfied", rating="basically", reason=" "
        )
    with pytest.raises(workflow.WorkflowError, match="与原评价相同"):
        workflow.correct_feedback(
            feedback, committee_staff, attitude="satisfied", rating="satisfied", reason="理由"
        )
    with pytest.raises(workflow.WorkflowError, match="由委员会工作人员更正"):
        workflow.correct_feedback(feedback, clerk, attitude="satisfied", rating="basically", reason="理由")
    assert (
        login(clerk)
        .post(
            reverse("feedback_correct", args=[feedback.pk]),
            {"attitude": "satisfied", "rating": "basically", "reason": "理由"},
        )
        .status_code
        == 403
    )


def test_correcting_the_lead_authors_rating_to_dissatisfied_opens_round_2_once(
    issued, committee_staff, clerk
):
    from proposals.models import Feedback

    lead = issued.proposal.lead_author()
    rate(committee_staff, issued, lead, "satisfied")
    feedback = Feedback.objects.get(reply=issued, deputy=lead)
    workflow.correct_feedback(
        feedback, committee_staff, attitude="satisfied", rating="dissatisfied", reason="代表电话反映不满意。"
    )
    assert Reply.objects.filter(assignment=issued.assignment, round=2).count() == 1
    with pytest.raises(workflow.WorkflowError, match="已开始第2轮办理，不能再更正"):
        workflow.correct_feedback(
            Feedback.objects.get(pk=feedback.pk),
            committee_staff,
            attitude="satisfied",
            rating="satisfied",
            reason="又改回",
        )
