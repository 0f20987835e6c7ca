"""The deputies' ratings: one per author and round; the lead author's 不满意 opens the next
handling round with the letter copied as its first draft.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from proposals.models import (
    Deputy,
    Feedback,
    FeedbackCorrection,
    Rating,
    Reply,
    ReplyCopy,
    ReplyEvent,
    User,
    UserRole,
    deadlines,
)
from proposals.supervision import notices
from proposals.workflow.moves import (
    S,
    WorkflowError,
    audit_write,
    bounded,
    locked,
    snapshot,
)


@transaction.atomic
def record_feedback(reply: Reply, user: User, deputy: Deputy, rating: str, note: str = "") -> Feedback:
    """A deputy's rating of an issued reply. A dissatisfied lead author opens the next round."""
    reply = locked(reply)
    if user.role != UserRole.COMMITTEE:
        raise WorkflowError("办理评价由委员会工作人员登记。")
    if reply.status != S.ISSUED:
        raise WorkflowError("答复发出后才能登记代表评价。")
    note = bounded(note, "意见")
    authorship = reply.proposal.authorships.filter(deputy=deputy).first()
    if authorship is None:
        raise WorkflowError(f"{deputy.name}不是该{reply.proposal.kind}的提出人。")
    if rating not in Rating.values:
        raise WorkflowError("请选择满意、基本满意或不满意。")
    if reply.feedback.filter(deputy=deputy).exists():
        raise WorkflowError(f"已登记{deputy.name}对本轮答复的评价。")
    feedback = Feedback.objects.create(
        reply=reply, deputy=deputy, rating=rating, note=note.strip(), recorded_by=user
    )
    audit_write("feedback", feedback, user, reply=reply.pk, deputy=deputy.name, rating=rating)
    if authorship.is_lead and rating == Rating.DISSATISFIED:
        opened = reopen(reply, user, f"领衔代表{deputy.name}不满意：{note.strip() or '未填写意见'}")
        notices.round_reopened(opened, deputy)
    return feedback


def reopen(previous: Reply, user: User, note: str) -> Reply:
    """再次办理: a new draft for the next round, starting from the issued letter, due in 1 month."""
    today = timezone.localdate()
    reply = Reply.objects.get(pk=previous.pk)
    reply.pk = None
    reply._state.adding = True
    reply.round = previous.round + 1
    reply.status = S.DRAFT
    reply.version = 1
    reply.date = None
    reply.issued_on = None
    reply.pdf = ""
    reply.pdf_sha256 = ""
    reply.due_date = deadlines.rehandling_due(previous.proposal.session, today)
    reply.created_by = None
    reply.save()
    ReplyCopy.objects.bulk_create(
        ReplyCopy(reply=reply, position=c.position, recipient=c.recipient, copies=c.copies)
        for c in previous.copies.all()
    )
    _copy_measures(previous, reply)
    ReplyEvent.objects.create(reply=reply, actor=user, verb="reopen", to_status=S.DRAFT, note=note)
    audit_write("reply_reopen", reply, user, previous=previous.pk, note=note)
    snapshot(reply, user)
    return reply


def _copy_measures(source: Reply, target: Reply) -> None:
    from measures.models import Measure
    from measures.outline import measure_tree

    def copy(tree, parent):
        for measure, children in tree:
            new = Measure.objects.create(
                reply=target,
                parent=parent,
                level=measure.level,
                position=measure.position,
                heading=measure.heading,
                paragraphs=measure.paragraphs,
            )
            copy(children, new)

    copy(measure_tree(source), None)


@transaction.atomic
def correct_feedback(feedback: Feedback, user: User, rating: str, reason: str) -> Feedback:
    """更正评价: committee staff correct a wrongly recorded rating, giving the reason; the old value
    is kept. A lead author's rating corrected to 不满意 opens the next round as a new rating would;
    once that round is open, the 不满意 that opened it cannot be corrected away."""
    if user.role != UserRole.COMMITTEE:
        raise WorkflowError("办理评价由委员会工作人员更正。")
    feedback = Feedback.objects.select_for_update().select_related("reply", "deputy").get(pk=feedback.pk)
    reply = locked(feedback.reply)
    if rating not in Rating.values:
        raise WorkflowError("请选择满意、基本满意或不满意。")
    if rating == feedback.rating:
        raise WorkflowError("更正后的评价与原评价相同。")
    if not reason.strip():
        raise WorkflowError("更正评价必须说明理由。")
    reason = bounded(reason, "更正理由")
    is_lead = reply.proposal.authorships.filter(deputy=feedback.deputy, is_lead=True).exists()
    later = reply.assignment.replies.filter(round__gt=reply.round).exists()
    if is_lead and feedback.rating == Rating.DISSATISFIED and later:
        raise WorkflowError(
            f"领衔代表的不满意已开始第{reply.round + 1}轮办理，不能再更正；请在新一轮答复后登记评价。"
        )
    previous = feedback.rating
    FeedbackCorrection.objects.create(
        feedback=feedback, from_rating=previous, to_rating=rating, reason=reason, corrected_by=user
    )
    feedback.rating = rating
    feedback.save(update_fields=["rating"])
    audit_write(
        "feedback_correct",
        feedback,
        user,
        reply=reply.pk,
        deputy=feedback.deputy.name,
        from_rating=previous,
        to_rating=rating,
        reason=reason,
    )
    if is_lead and rating == Rating.DISSATISFIED and not later:
        opened = reopen(reply, user, f"领衔代表{feedback.deputy.name}不满意（更正）：{reason}")
        notices.round_reopened(opened, feedback.deputy)
    return feedback
