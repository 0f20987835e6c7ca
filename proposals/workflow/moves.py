"""The pipeline as data and the one way a status moves: the transitions, the labels of the
verbs, the refusal (`WorkflowError`), and the helpers every stage uses: lock the reply, check
the user's role, write the event and the audit row, save with `update_fields`.
"""

from __future__ import annotations

from proposals.letters.interchange import export_letter
from proposals.models import (
    Assignment,
    HandlingEvent,
    Reply,
    ReplyEvent,
    ReplyStatus,
    ReplyVersion,
    Role,
    User,
    UserRole,
    deadlines,
)
from proposals.records import audit

S = ReplyStatus


TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED),
    "return": (frozenset({S.SUBMITTED}), S.RETURNED),
    "sign_off": (frozenset({S.SUBMITTED}), S.APPROVED),
    # 督办审核 (the session's rule `committee_review_on`): 签发 goes to committee staff, who pass the
    # reply (and may change its class code) or return it to the agency with a reason.
    "sign_off_review": (frozenset({S.SUBMITTED}), S.REVIEWING),
    "review_pass": (frozenset({S.REVIEWING}), S.APPROVED),
    "review_return": (frozenset({S.REVIEWING}), S.RETURNED),
    "issue": (frozenset({S.APPROVED}), S.ISSUED),
    # Undo, before the next person acts: the drafter takes a submission back; the leader takes a
    # sign-off back before the letter is issued (or reviewed). After issue the letter is out: no undo.
    "withdraw": (frozenset({S.SUBMITTED}), S.DRAFT),
    "revoke": (frozenset({S.APPROVED, S.REVIEWING}), S.SUBMITTED),
}


VERB_LABELS = {
    "start": "开始起草",
    "submit": "提交审核",
    "return": "退回修改",
    "sign_off": "签发",
    "sign_off_review": "签发（送督办审核）",
    "review_pass": "督办审核通过",
    "review_return": "督办审核退回",
    "issue": "答复代表",
    "withdraw": "撤回提交",
    "revoke": "撤销签发",
    "reopen": "再次办理",
    "reassign": "调整承办单位",
}


CO_ROLES = (Role.CO, Role.JOINT)


class WorkflowError(Exception):
    """A refused action; the message is shown to the user as it is."""


REASON_MAX = 1000


def bounded(text: str, label: str, limit: int = REASON_MAX) -> str:
    """Free text a user typed, stripped; refused when longer than `limit` characters."""
    text = text.strip()
    if len(text) > limit:
        raise WorkflowError(f"{label}不能超过{limit}字（现有{len(text)}字）。")
    return text


class EditConflict(Exception):
    """Someone saved the draft since this editor loaded it."""

    def __init__(self, reply: Reply):
        super().__init__("答复已被他人修改")
        self.reply = reply


def locked(reply: Reply) -> Reply:
    return (
        Reply.objects.select_for_update()
        .select_related("assignment__proposal__session", "assignment__agency")
        .get(pk=reply.pk)
    )


ADMINISTRATOR_REFUSED = "系统管理员账号不能起草、签发或审核答复（三员分立）。"


def refuse_administrator(user: User) -> None:
    """三员分立 (SEC-08): an administrator account never drafts, signs or approves, whatever
    role or agency its row says."""
    if user.is_administrator:
        raise WorkflowError(ADMINISTRATOR_REFUSED)


def require_role(user: User, agency_id: int, roles: tuple[str, ...], action: str) -> None:
    refuse_administrator(user)
    if user.agency_id != agency_id or user.role not in roles:
        who = "、".join(UserRole(role).label for role in roles)
        raise WorkflowError(f"只有本单位的{who}可以{action}。")


def audit_write(event: str, obj, user: User, **detail) -> None:
    """The audit row of a write, in the write's own transaction: both are saved or neither."""
    audit.record(None, event, obj, actor=user, **detail)


def move(reply: Reply, user: User, verb: str, note: str = "", extra_fields: tuple[str, ...] = ()) -> Reply:
    sources, target = TRANSITIONS[verb]
    if reply.status not in sources:
        raise WorkflowError(f"答复当前为“{reply.get_status_display()}”，不能{VERB_LABELS[verb]}。")
    ReplyEvent.objects.create(
        reply=reply, actor=user, verb=verb, from_status=reply.status, to_status=target, note=note
    )
    audit_write(f"reply_{verb}", reply, user, from_status=reply.status, to_status=target, note=note)
    reply.status = target
    reply.save(update_fields=["status", "updated_at", *extra_fields])
    return reply


def snapshot(reply: Reply, user: User, *, submitted: bool = False) -> ReplyVersion:
    number = (reply.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    return ReplyVersion.objects.create(
        reply=reply, number=number, saved_by=user, submitted=submitted, snapshot=export_letter(reply)
    )


def co_assignments(reply: Reply):
    return reply.proposal.assignments.filter(role__in=CO_ROLES).select_related("agency")


def require_committee(user: User, action: str) -> None:
    refuse_administrator(user)
    if user.role != UserRole.COMMITTEE:
        raise WorkflowError(f"只有委员会工作人员可以{action}。")


def refresh_due_dates(assignment: Assignment) -> None:
    for reply in assignment.replies.answers().filter(round=1).exclude(status=S.ISSUED):
        reply.due_date = deadlines.reply_due(assignment)
        reply.save(update_fields=["due_date", "updated_at"])


def record_handling(
    assignment: Assignment,
    verb: str,
    user: User | None,
    note: str = "",
    *,
    reply: Reply | None = None,
    **detail,
) -> HandlingEvent:
    """One step of the handling that is not a reply's status change (签收, 退办, 会签, 督办审核,
    跟踪, 并案): its timeline row and its audit row, in the caller's transaction. `user` is None
    for what a clock did (视为签收, 视为同意, reminders); the timeline says 系统 then."""
    event = HandlingEvent.objects.create(assignment=assignment, reply=reply, verb=verb, actor=user, note=note)
    audit.record(None, verb, reply or assignment, actor=user, note=note, **detail)
    return event
