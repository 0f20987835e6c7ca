"""The deputies' ratings: one per author and round, 办理态度 and 办理结果 each 满意 / 基本满意 /
不满意, as on the paper 征询意见表. The lead author's 办理结果 不满意 opens the next handling round
with the letter copied as its first draft. A 办理态度 不满意 is recorded, shown and counted in the
statistics but opens no round: re-handling answers the proposal again (domain.md §3 step 11), and
an answer does not change how the agency behaved; a deputy unhappy with the result says so in the
办理结果.
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
    ReplyKind,
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


def _chosen(value: str, label: str, missing: list[str]) -> str:
    if value not in Rating.values:
        missing.append(label)
    return value


def _require_both(attitude: str, rating: str, verb: str = "") -> None:
    missing: list[str] = []
    _chosen(attitude, "办理态度", missing)
    _chosen(rating, "办理结果", missing)
    if missing:
        raise WorkflowError(f"请选择{verb}{'和'.join(missing)}：满意、基本满意或不满意。")


@transaction.atomic
def record_feedback(
    reply: Reply, user: User, deputy: Deputy, *, attitude: str, rating: str, note: str = ""
) -> Feedback:
    """A deputy's rating of an issued reply: `attitude` the 办理态度, `rating` the 办理结果. The lead
    author's 办理结果 不满意 opens the next round; a 办理态度 不满意 alone is recorded and counted
    but does not reopen (see the module's docstring)."""
    reply = locked(reply)
    if user.role != UserRole.COMMITTEE:
        raise WorkflowError("办理评价由委员会工作人员登记。")
    if reply.status != S.ISSUED:
        raise WorkflowError("答复发出后才能登记代表评价。")
    if reply.kind != ReplyKind.ANSWER:
        raise WorkflowError("代表评价针对答复登记；办理落实情况的报告不单独评价。")
    return create_rating(reply, user, deputy, attitude=attitude, rating=rating, note=note, by_proxy=True)


def create_rating(
    reply: Reply, user: User, deputy: Deputy, *, attitude: str, rating: str, note: str, by_proxy: bool
) -> Feedback:
    """The one path that saves a rating, for staff (代录, `by_proxy`) and for the deputy online
    (`workflow.rate_online`): the caller has locked the reply and checked who may rate."""
    note = bounded(note, "意见")
    authorship = reply.proposal.authorships.filter(deputy=deputy).first()
    if authorship is None:
        raise WorkflowError(f"{deputy.name}不是该{reply.proposal.kind}的提出人。")
    _require_both(attitude, rating)
    if reply.feedback.filter(deputy=deputy).exists():
        raise WorkflowError(f"已登记{deputy.name}对本轮答复的评价。")
    feedback = Feedback.objects.create(
        reply=reply,
        deputy=deputy,
        attitude=attitude,
        rating=rating,
        note=note.strip(),
        recorded_by=user,
        by_proxy=by_proxy,
    )
    audit_write(
        "feedback",
        feedback,
        user,
        reply=reply.pk,
        deputy=deputy.name,
        attitude=attitude,
        rating=rating,
        by_proxy=by_proxy,
    )
    if authorship.is_lead and rating == Rating.DISSATISFIED:
        opened = reopen(reply, user, f"领衔代表{deputy.name}对办理结果不满意：{note.strip() or '未填写意见'}")
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
def correct_feedback(feedback: Feedback, user: User, *, attitude: str, rating: str, reason: str) -> Feedback:
    """更正评价: committee staff correct a wrongly recorded rating, giving the reason. Both values
    are given (the form offers the current ones); whichever of 办理态度 and 办理结果 differs is
    corrected, and its old and new values are kept. A lead author's 办理结果 corrected to 不满意
    opens the next round as a new rating would; once that round is open, the 不满意 that opened it
    cannot be corrected away (the 办理态度 still can be). 办理态度 never opens a round."""
    if user.role != UserRole.COMMITTEE:
        raise WorkflowError("办理评价由委员会工作人员更正。")
    feedback = Feedback.objects.select_for_update().select_related("reply", "deputy").get(pk=feedback.pk)
    reply = locked(feedback.reply)
    _require_both(attitude, rating, "更正后的")
    attitude_changed, rating_changed = attitude != feedback.attitude, rating != feedback.rating
    if not (attitude_changed or rating_changed):
        raise WorkflowError("更正后的办理态度和办理结果与原评价相同。")
    if not reason.strip():
        raise WorkflowError("更正评价必须说明理由。")
    reason = bounded(reason, "更正理由")
    is_lead = reply.proposal.authorships.filter(deputy=feedback.deputy, is_lead=True).exists()
    later = reply.assignment.replies.answers().filter(round__gt=reply.round).exists()
    if is_lead and rating_changed and feedback.rating == Rating.DISSATISFIED and later:
        raise WorkflowError(
            f"领衔代表对办理结果的不满意已开始第{reply.round + 1}轮办理，不能再更正；"
            "请在新一轮答复后登记评价。"
        )
    changes: dict[str, str] = {}
    if attitude_changed:
        changes.update(from_attitude=feedback.attitude, to_attitude=attitude)
    if rating_changed:
        changes.update(from_rating=feedback.rating, to_rating=rating)
    FeedbackCorrection.objects.create(feedback=feedback, reason=reason, corrected_by=user, **changes)
    feedback.attitude, feedback.rating = attitude, rating
    feedback.save(update_fields=["attitude", "rating"])
    audit_write(
        "feedback_correct",
        feedback,
        user,
        reply=reply.pk,
        deputy=feedback.deputy.name,
        **changes,
        reason=reason,
    )
    if is_lead and rating_changed and rating == Rating.DISSATISFIED and not later:
        opened = reopen(reply, user, f"领衔代表{feedback.deputy.name}对办理结果不满意（更正）：{reason}")
        notices.round_reopened(opened, feedback.deputy)
    return feedback
