"""The timeline of a reply (or of an assignment): its status changes (`ReplyEvent`) and the other
handling steps (`HandlingEvent`: 签收, 退办, 会签, 督办审核, 跟踪, 并案) in one list, oldest first,
each as a `Step` the templates read the same way."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from proposals.models import Assignment, HandlingEvent, Reply


@dataclass
class Step:
    at: datetime.datetime
    who: str  # the actor's name, or 系统 for what a clock did
    what: str  # the step in words: "签发（待审核 → 已签发）", "签收", "会签同意"
    note: str = ""
    is_status: bool = False


# A status change as the record says it, in the past: 发出答复 where the button says 答复代表.
STATUS_STEPS = {
    "start": "开始起草",
    "submit": "提交审核",
    "return": "退回修改",
    "withdraw": "撤回提交",
    "sign_off": "签发",
    "sign_off_review": "签发，送委员会督办审核",
    "review_pass": "督办审核通过",
    "review_return": "督办审核退回",
    "revoke": "撤销签发",
    "issue": "发出",
    "reopen": "再次办理",
    "reassign": "调整承办单位",
}


def status_step(event) -> str:
    """“提交审核（起草中 → 待审核）”: the verb, then the change of status it made."""
    change = f"{event.get_from_status_display() or '—'} → {event.get_to_status_display()}"
    verb = STATUS_STEPS.get(event.verb)
    if verb is None:
        return change
    if event.from_status == event.to_status:
        return verb
    return f"{verb}（{change}）"


def _actor(user) -> str:
    return user.display_name if user is not None else "系统"


def _handling_steps(events) -> list[Step]:
    return [Step(e.at, _actor(e.actor), e.get_verb_display(), e.note) for e in events]


def for_reply(reply: Reply) -> list[Step]:
    """The reply's status changes, its own handling events and its assignment's handling events
    that belong to no reply (签收, 退办, 并案), in time order."""
    steps = [
        Step(e.at, _actor(e.actor), status_step(e), e.note, is_status=True)
        for e in reply.events.select_related("actor")
    ]
    handling = HandlingEvent.objects.filter(assignment_id=reply.assignment_id, reply__isnull=True) | (
        HandlingEvent.objects.filter(reply=reply)
    )
    steps += _handling_steps(handling.select_related("actor"))
    return sorted(steps, key=lambda step: step.at)


def for_assignment(assignment: Assignment) -> list[Step]:
    """Every handling event of the assignment, for its proposal page."""
    return _handling_steps(assignment.handling_events.select_related("actor"))


FOLLOW_UP_VERBS = ("commitment_create", "commitment_progress", "commitment_remind", "commitment_fulfil")


def for_commitment(commitment) -> list[Step]:
    """A 跟踪事项's own steps: made, reminded, progress reported, fulfilled."""
    replies = [pk for pk in (commitment.reply_id, commitment.report_id) if pk]
    events = HandlingEvent.objects.filter(
        assignment_id=commitment.assignment_id, verb__in=FOLLOW_UP_VERBS, reply_id__in=replies
    )
    return _handling_steps(events.select_related("actor"))
