"""Registration by hand (committee staff): a proposal with its authors, 交办 to more agencies,
correcting an assignment and 调整承办单位 (the 交办日期 stays, the reason is logged).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from proposals.models import (
    ANSWERING_ROLES as ANSWERING,
)
from proposals.models import (
    Assignment,
    CoOpinion,
    Reply,
    ReplyEvent,
    Role,
    User,
)
from proposals.supervision import notices
from proposals.workflow.intake import PRINTED
from proposals.workflow.moves import (
    S,
    WorkflowError,
    audit_write,
    bounded,
    refresh_due_dates,
    require_committee,
)


def _one_lead(proposal, role: str, agency, exclude_pk: int | None = None) -> None:
    """A proposal has one 主办 agency (several agencies answer separately as 分办)."""
    if role != Role.LEAD:
        return
    other = (
        proposal.assignments.filter(role=Role.LEAD).exclude(pk=exclude_pk).select_related("agency").first()
    )
    if other is not None:
        raise WorkflowError(
            f"该{proposal.kind}已有主办单位“{other.agency.name}”；其他单位可作为协办、会办或分办。"
        )


@transaction.atomic
def save_proposal(proposal, user: User, authors: list[str], changed: tuple[str, ...] = ()):
    """登记 or correct a proposal and its authors (lead first); returns the saved proposal.
    Once a reply is in review or out, the facts printed in it (届次, 编号, 类别, 标题, 称谓, 提出人)
    stay as they are (as the import refuses them: proposals.workflow.intake)."""
    require_committee(user, "登记和修改建议／提案")
    if not [name for name in authors if name.strip()]:
        raise WorkflowError("领衔代表不能为空。")
    printed = {
        "session": "届次",
        "number": "编号",
        "kind": "类别",
        "title": "标题",
        "addressee_title": "称谓",
    }
    frozen = [label for name, label in printed.items() if name in changed]
    if proposal.pk and proposal.author_names() != list(
        dict.fromkeys(n.strip() for n in authors if n.strip())
    ):
        frozen.append("提出人")
    printing = None
    if proposal.pk and frozen:  # the most advanced reply that prints them
        replies = list(Reply.objects.filter(assignment__proposal_id=proposal.pk, status__in=PRINTED))
        printing = min(replies, key=lambda reply: PRINTED[::-1].index(reply.status), default=None)
    if printing is not None:
        raise WorkflowError(
            f"{printing.agency.name}的答复已“{printing.get_status_display()}”，{'、'.join(frozen)}不能再修改"
            "（须与答复函一致）。"
        )
    creating = proposal.pk is None
    proposal.save()
    proposal.set_authors(authors)
    audit_write("proposal_create" if creating else "proposal_edit", proposal, user, fields=list(changed))
    return proposal


@transaction.atomic
def assign(proposal, user: User, agency, role: str, assigned_date) -> Assignment:
    """交办 one more agency; the clocks start from `assigned_date`."""
    require_committee(user, "交办")
    from proposals.models import Proposal

    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.assignments.filter(agency=agency).exists():
        raise WorkflowError(f"已交办给“{agency.name}”，不能重复交办。")
    _one_lead(proposal, role, agency)
    assignment = Assignment.objects.create(
        proposal=proposal, agency=agency, role=role, assigned_date=assigned_date
    )
    audit_write(
        "assignment_create", assignment, user, agency=agency.name, role=role, assigned_date=assigned_date
    )
    notices.to_receive(Assignment.objects.filter(pk=assignment.pk))
    return assignment


def _answered_or_in_review(assignment: Assignment) -> str | None:
    """Why the assignment can no longer change hands, or None."""
    busy = assignment.replies.exclude(status__in=(S.DRAFT, S.RETURNED)).order_by("-round").first()
    if busy is not None:
        return f"第{busy.round}轮答复已“{busy.get_status_display()}”"
    opinion = CoOpinion.objects.filter(assignment=assignment, submitted_at__isnull=False).first()
    if opinion is not None:
        return "会办意见已提交"
    return None


def _log_change(assignment: Assignment, user: User, reason: str, *, from_agency, from_role, from_date):
    from proposals.models import AssignmentChange

    return AssignmentChange.objects.create(
        assignment=assignment,
        from_agency=from_agency,
        to_agency=assignment.agency,
        from_role=from_role,
        to_role=assignment.role,
        from_date=from_date,
        to_date=assignment.assigned_date,
        reason=reason,
        changed_by=user,
    )


@transaction.atomic
def change_assignment(
    assignment: Assignment, user: User, role: str, assigned_date, reason: str
) -> Assignment:
    """Correct an assignment's role or 交办日期 (a typing error, a changed role), with a reason."""
    require_committee(user, "修改交办")
    if not reason.strip():
        raise WorkflowError("修改交办必须说明理由。")
    reason = bounded(reason, "修改理由")
    assignment = (
        Assignment.objects.select_for_update()
        .select_related("proposal__session", "agency")
        .get(pk=assignment.pk)
    )
    before_role, before_date = assignment.role, assignment.assigned_date
    if role == before_role and assigned_date == before_date:
        raise WorkflowError("办理方式和交办日期都没有变化。")
    if (role in ANSWERING) != (before_role in ANSWERING) and (
        assignment.replies.exists() or CoOpinion.objects.filter(assignment=assignment).exists()
    ):
        raise WorkflowError("该单位已开始办理，不能在答复代表和会办之间改变办理方式。")
    _one_lead(assignment.proposal, role, assignment.agency, exclude_pk=assignment.pk)
    assignment.role, assignment.assigned_date = role, assigned_date
    assignment.save(update_fields=["role", "assigned_date"])
    refresh_due_dates(assignment)
    _log_change(
        assignment,
        user,
        reason.strip(),
        from_agency=assignment.agency,
        from_role=before_role,
        from_date=before_date,
    )
    audit_write(
        "assignment_change",
        assignment,
        user,
        role=[before_role, role],
        assigned_date=[before_date, assigned_date],
        reason=reason.strip(),
    )
    return assignment


@transaction.atomic
def reassign(assignment: Assignment, user: User, agency, reason: str, *, tell: bool = True) -> Assignment:
    """调整承办单位: the assignment passes to `agency` and keeps its original 交办日期, so its
    deadlines do not restart. Refused once a reply is in review or out, or an opinion is in.
    A draft in progress passes with it, its contact block refilled for the new agency. The new
    agency signs for it afresh (its receipt window counts from today); both agencies are told,
    unless the caller tells them itself (`tell=False`: an approved 退办)."""
    require_committee(user, "调整承办单位")
    if not reason.strip():
        raise WorkflowError("调整承办单位必须说明理由。")
    reason = bounded(reason, "调整理由")
    assignment = (
        Assignment.objects.select_for_update()
        .select_related("proposal__session", "agency")
        .get(pk=assignment.pk)
    )
    previous = assignment.agency
    if agency == previous:
        raise WorkflowError(f"新承办单位与原承办单位“{previous.name}”相同。")
    if assignment.proposal.assignments.filter(agency=agency).exists():
        raise WorkflowError(f"该{assignment.proposal.kind}已交办给“{agency.name}”。")
    blocked = _answered_or_in_review(assignment)
    if blocked:
        raise WorkflowError(f"{blocked}，不能再调整承办单位。")
    if assignment.proposal.group_id and assignment.role == Role.LEAD:
        raise WorkflowError(
            f"该{assignment.proposal.kind}已并案办理，主办单位随并案确定：请先在并案办理中撤销并案，再调整承办单位。"
        )
    assignment.agency = agency
    assignment.handed_on = timezone.localdate()
    assignment.received_at, assignment.received_by, assignment.receipt_deemed = None, None, False
    assignment.save(update_fields=["agency", "handed_on", "received_at", "received_by", "receipt_deemed"])
    note = f"承办单位由“{previous.name}”调整为“{agency.name}”：{reason.strip()}"
    for reply in assignment.replies.select_for_update():
        reply.fill_defaults_from_agency()
        reply.signature = ""
        reply.version += 1
        reply.save(
            update_fields=[
                "leader_name",
                "leader_phone",
                "handler_name",
                "handler_phone",
                "postcode",
                "contact_style",
                "copy_style",
                "signature",
                "version",
                "updated_at",
            ]
        )
        ReplyEvent.objects.create(
            reply=reply,
            actor=user,
            verb="reassign",
            from_status=reply.status,
            to_status=reply.status,
            note=note,
        )
    _log_change(
        assignment,
        user,
        reason.strip(),
        from_agency=previous,
        from_role=assignment.role,
        from_date=assignment.assigned_date,
    )
    audit_write(
        "reassign", assignment, user, from_agency=previous.name, to_agency=agency.name, reason=reason.strip()
    )
    if tell:
        notices.reassigned(assignment, previous, reason.strip())
    return assignment


@transaction.atomic
def register_proposal(proposal, user: User, authors: list[str], lead_agency, co_agencies, assigned_date):
    """登记 a new proposal and 交办 it to its lead agency and co-handlers in one go."""
    save_proposal(proposal, user, authors)
    assign(proposal, user, lead_agency, Role.LEAD, assigned_date)
    for agency in co_agencies:
        assign(proposal, user, agency, Role.CO, assigned_date)
    return proposal
