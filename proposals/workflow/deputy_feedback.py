"""The 征询意见表 online: a deputy (lead author or co-signer) rates an issued answer from their own
account, 办理态度 and 办理结果 each 满意 / 基本满意 / 不满意, with an optional opinion.

Contract:
- `rate_online(reply, user, attitude, rating, note)` is the one entry point. `user` is an active
  deputy account whose deputy is an author of the reply's proposal; the reply is an issued answer
  (a 办理落实情况的报告 is not rated). A first rating is accepted until the return period's last
  day, `deadlines.feedback_due(session, reply.issued_on)`, and saved through
  `feedback.create_rating` (by_proxy=False, recorded_by the deputy's account), so the lead
  author's 办理结果 不满意 opens the next round exactly as a rating entered by staff does.
- The deputy may change an online rating for `CHANGE_DAYS` calendar days after the day it was
  first made (the last day included), also when that runs past the return period; then it is
  final. Each change is a `FeedbackCorrection` (corrected_by the deputy's account, reason
  `ONLINE_CHANGE` and the new opinion if given) and an audit row, as staff corrections are.
- A lead author's 办理结果 changed to 不满意 opens the next round if it is not open yet. Changed
  away from 不满意 once that round is open, the round stays open (the agency has started again);
  the page says so.
- A rating committee staff entered from the paper form (代录) is not overwritten online: the
  deputy is refused and asked to contact the committee, who correct it (`correct_feedback`).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from proposals.models import Feedback, FeedbackCorrection, Rating, Reply, ReplyKind, User, deadlines
from proposals.supervision import notices
from proposals.workflow.feedback import _require_both, create_rating, reopen
from proposals.workflow.moves import S, WorkflowError, audit_write, bounded, locked

CHANGE_DAYS = 7
ONLINE_CHANGE = "代表本人在线修改"


def _day(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def rating_due(reply: Reply) -> datetime.date | None:
    """The last day of the return period for this answer (None before it is issued)."""
    if reply.issued_on is None:
        return None
    return deadlines.feedback_due(reply.assignment.proposal.session, reply.issued_on)


def change_until(feedback: Feedback) -> datetime.date:
    """The last day the deputy may change an online rating."""
    return timezone.localdate(feedback.recorded_at) + datetime.timedelta(days=CHANGE_DAYS)


def round_opened(reply: Reply) -> bool:
    return reply.assignment.replies.answers().filter(round__gt=reply.round).exists()


def _authorship(reply: Reply, user: User):
    if not (user.is_active and user.is_deputy and user.deputy_id):
        raise WorkflowError("只有代表／委员本人可以在线评价。")
    authorship = reply.proposal.authorships.filter(deputy_id=user.deputy_id).select_related("deputy").first()
    if authorship is None:
        raise WorkflowError(f"您不是该{reply.proposal.kind}的提出人，不能评价。")
    return authorship


@transaction.atomic
def rate_online(reply: Reply, user: User, attitude: str, rating: str, note: str = "") -> Feedback:
    """Rate an issued answer online, or change one's own online rating within `CHANGE_DAYS`."""
    reply = locked(reply)
    authorship = _authorship(reply, user)
    if reply.status != S.ISSUED or reply.kind != ReplyKind.ANSWER:
        raise WorkflowError("只能评价已发出的答复。")
    existing = Feedback.objects.select_for_update().filter(reply=reply, deputy_id=user.deputy_id).first()
    if existing is not None:
        return _change(reply, existing, user, authorship.is_lead, attitude, rating, note)
    today = timezone.localdate()
    due = rating_due(reply)
    if due is not None and today > due:
        raise WorkflowError(f"评价期限已于{_day(due)}届满，不能再在线评价；如有意见请联系委员会工作人员。")
    feedback = create_rating(
        reply, user, authorship.deputy, attitude=attitude, rating=rating, note=note, by_proxy=False
    )
    audit_write("feedback_online", feedback, user, reply=reply.pk, attitude=attitude, rating=rating)
    return feedback


def _change(
    reply: Reply, feedback: Feedback, user: User, is_lead: bool, attitude: str, rating: str, note: str
) -> Feedback:
    if feedback.by_proxy:
        who = feedback.recorded_by.get_full_name() or feedback.recorded_by.username
        raise WorkflowError(
            f"委员会工作人员{who}已根据纸质征询意见表代录您的评价（{_day(timezone.localdate(feedback.recorded_at))}），"
            "不能在线修改；如需更正请联系委员会工作人员。"
        )
    last = change_until(feedback)
    if timezone.localdate() > last:
        raise WorkflowError(f"评价只能在首次评价后{CHANGE_DAYS}日内修改（至{_day(last)}），现已不能修改。")
    _require_both(attitude, rating, "修改后的")
    note = bounded(note, "意见")
    attitude_changed, rating_changed = attitude != feedback.attitude, rating != feedback.rating
    if not (attitude_changed or rating_changed):
        raise WorkflowError("修改后的办理态度和办理结果与原评价相同。")
    changes: dict[str, str] = {}
    if attitude_changed:
        changes.update(from_attitude=feedback.attitude, to_attitude=attitude)
    if rating_changed:
        changes.update(from_rating=feedback.rating, to_rating=rating)
    reason = f"{ONLINE_CHANGE}：{note}" if note else ONLINE_CHANGE
    later = round_opened(reply)
    FeedbackCorrection.objects.create(feedback=feedback, reason=reason, corrected_by=user, **changes)
    feedback.attitude, feedback.rating = attitude, rating
    fields = ["attitude", "rating"]
    if note:
        feedback.note = note
        fields.append("note")
    feedback.save(update_fields=fields)
    audit_write("feedback_change", feedback, user, reply=reply.pk, **changes, reason=reason)
    if is_lead and rating_changed and rating == Rating.DISSATISFIED and not later:
        opened = reopen(
            reply, user, f"领衔代表{feedback.deputy.name}修改评价，对办理结果不满意：{note or '未填写意见'}"
        )
        notices.round_reopened(opened, feedback.deputy)
    return feedback
