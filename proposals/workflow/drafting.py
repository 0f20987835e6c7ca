"""Drafting: start a reply (prefilled from the proposal and the agency), save a draft with the
version check, submit it for review once every co-handler's opinion is in, return it with a
reason.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from proposals.letters import checks
from proposals.models import (
    Assignment,
    CoOpinion,
    Reply,
    ReplyCopy,
    ReplyEvent,
    User,
    UserRole,
    deadlines,
)
from proposals.supervision import notices
from proposals.workflow import grouping
from proposals.workflow.countersign import circulate, recall
from proposals.workflow.moves import (
    CO_ROLES,
    TRANSITIONS,
    EditConflict,
    S,
    WorkflowError,
    audit_write,
    bounded,
    co_assignments,
    locked,
    move,
    require_role,
    snapshot,
)
from proposals.workflow.receipt import receive_implicitly


@grouping.starts_group
@transaction.atomic
def start_reply(assignment: Assignment, user: User) -> Reply:
    """Open the first draft of the lead agency's reply, pre-filled from the proposal."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    require_role(user, assignment.agency_id, (UserRole.CLERK, UserRole.LEADER), "起草答复")
    if not assignment.answers_deputy:
        raise WorkflowError("协办、会办单位不答复代表，请填写会办意见。")
    receive_implicitly(assignment, user, "开始起草")
    existing = assignment.replies.answers().order_by("-round").first()
    if existing:
        return existing
    reply = Reply(assignment=assignment, round=1, created_by=user, due_date=deadlines.reply_due(assignment))
    reply.fill_defaults_from_agency()
    reply.consulted = [
        a.agency.short_name or a.agency.name
        for a in assignment.proposal.assignments.filter(role__in=CO_ROLES).select_related("agency")
    ]
    reply.opening = reply.default_opening()
    reply.save()
    ReplyCopy.objects.bulk_create(
        ReplyCopy(reply=reply, position=c.position, recipient=c.recipient, copies=c.copies)
        for c in assignment.agency.default_copies.all()
    )
    ReplyEvent.objects.create(reply=reply, actor=user, verb="start", to_status=S.DRAFT)
    audit_write("reply_start", reply, user)
    snapshot(reply, user)
    return reply


@grouping.shares_body
@transaction.atomic
def save_draft(reply: Reply, user: User, expected_version: int, apply: Callable[[Reply], None]) -> Reply:
    """Save the editor's changes: refused unless the draft is editable; raises EditConflict when
    someone else saved since `expected_version` was loaded. Keeps every saved version."""
    reply = locked(reply)
    require_role(user, reply.assignment.agency_id, (UserRole.CLERK, UserRole.LEADER), "修改答复")
    if not reply.is_editable:
        raise WorkflowError(f"答复当前为“{reply.get_status_display()}”，不能修改。")
    if reply.version != expected_version:
        raise EditConflict(reply)
    if not reply.versions.exists():
        # A draft loaded from a file (loadreply, the demo) has no version yet: keep it as it
        # stands first, so that this save, an import or a restore can be undone.
        snapshot(reply, user)
    apply(reply)
    reply.version += 1
    reply.save()
    snapshot(reply, user)
    audit_write("reply_save", reply, user, version=reply.version)
    return reply


def missing_opinions(reply: Reply) -> list[str]:
    """Co-handling agencies whose opinion is neither in nor past its deadline. Without a 交办日期
    there is no deadline: the entry says who can set it, so nobody waits forever."""
    today = timezone.localdate()
    missing = []
    for assignment in co_assignments(reply):
        opinion = CoOpinion.objects.filter(assignment=assignment, submitted_at__isnull=False).exists()
        due = assignment.due_date
        if opinion:
            continue
        if due is None:
            missing.append(
                f"{assignment.agency.name}（没有交办日期，无法计算会办期限，请委员会工作人员补填交办日期）"
            )
        elif due >= today:
            missing.append(f"{assignment.agency.name}（截止{due.year}年{due.month}月{due.day}日）")
    return missing


def lapsed_opinions(reply: Reply) -> list[str]:
    """Co-handling agencies whose opinion did not come by its deadline: the lead need not wait
    for them any longer, and the page says so instead of claiming every opinion is in."""
    today = timezone.localdate()
    lapsed = []
    for assignment in co_assignments(reply):
        due = assignment.due_date
        submitted = CoOpinion.objects.filter(assignment=assignment, submitted_at__isnull=False)
        if due is not None and due < today and not submitted.exists():
            lapsed.append(f"{assignment.agency.name}（截止{due.year}年{due.month}月{due.day}日）")
    return lapsed


def refuse_incomplete(reply: Reply, action: str) -> None:
    """发出前检查: an incomplete letter does not move on; the refusal lists everything missing."""
    found = checks.problems(reply)
    if found:
        raise WorkflowError(
            f"答复还不完整，暂不能{action}：{checks.summary(found)}请按“发出前检查”逐项补全。"
        )


@grouping.moves_together
@transaction.atomic
def submit(reply: Reply, user: User) -> Reply:
    reply = locked(reply)
    require_role(user, reply.assignment.agency_id, (UserRole.CLERK,), "提交审核")
    if reply.status in TRANSITIONS["submit"][0]:
        refuse_incomplete(reply, "提交审核")
        missing = missing_opinions(reply)
        if missing:
            raise WorkflowError(f"尚未收到{'、'.join(missing)}的会办意见，暂不能提交审核。")
    move(reply, user, "submit")
    latest = reply.versions.order_by("-number").first()
    if latest:
        latest.submitted = True
        latest.save(update_fields=["submitted"])
    circulation = circulate(reply, user)  # 会签, when the session's rule asks for it
    notices.reply_submitted(reply, user, circulation)
    return reply


@grouping.moves_together
@transaction.atomic
def withdraw(reply: Reply, user: User, reason: str) -> Reply:
    """撤回: the clerk takes a submission back before the leader has acted on it."""
    reply = locked(reply)
    require_role(user, reply.assignment.agency_id, (UserRole.CLERK,), "撤回提交")
    if not reason.strip():
        raise WorkflowError("撤回提交必须说明理由。")
    reason = bounded(reason, "撤回理由")
    move(reply, user, "withdraw", note=reason.strip())
    notices.reply_withdrawn(reply, user)
    recall(reply, user)
    return reply


@grouping.moves_together
@transaction.atomic
def return_reply(reply: Reply, user: User, reason: str) -> Reply:
    reply = locked(reply)
    require_role(user, reply.assignment.agency_id, (UserRole.LEADER,), "退回答复")
    if reply.status == S.SUBMITTED and not reason.strip():
        raise WorkflowError("退回修改必须说明理由。")
    reason = bounded(reason, "退回理由")
    move(reply, user, "return", note=reason.strip())
    notices.reply_returned(reply, user, reason.strip())
    recall(reply, user)
    return reply
