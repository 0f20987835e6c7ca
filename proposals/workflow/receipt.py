"""签收 and 退办: an agency signs for a new assignment, or asks, within the session's receipt
window, to hand it back; committee staff decide the request; a clock counts an assignment not
signed for in time as received (视为签收).

Contract:
- `receive(assignment, user)`: the agency's clerk or leader signs; refused when already signed.
  Starting a draft or writing a 会办意见 signs implicitly (`receive_implicitly`, with a note).
- `request_handback(assignment, user, reason, suggested_agency=None)`: within the window
  (`deadlines.receipt_due`, whether signed or not), one pending request at a time, reason
  required; the agency keeps seeing and working on the item while it is pending.
- `decide_handback(request, user, approve, agency=None, note="")`: committee staff; approval
  passes the assignment on through `registration.reassign` (the 交办日期 stays, so no clock
  restarts) and the new agency must sign (its window counts from `handed_on` = today);
  rejection needs a reason.
- The clock rule 逾期未签收视为签收 marks every assignment past its window (without a pending
  request) as received by nobody, once. Until it has run, readers show such an assignment as
  逾期未签收 (`state`), never as 待签收 within its time.
Each step writes a HandlingEvent (timeline) and an audit row and notifies who acts next.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Coalesce
from django.utils import timezone

from proposals.models import (
    Agency,
    Assignment,
    HandbackRequest,
    HandlingVerb,
    Session,
    User,
    UserRole,
    deadlines,
)
from proposals.supervision import notices
from proposals.workflow import clocks
from proposals.workflow.moves import (
    WorkflowError,
    bounded,
    record_handling,
    require_committee,
    require_role,
)
from proposals.workflow.registration import _answered_or_in_review, reassign

AGENCY_ROLES = (UserRole.CLERK, UserRole.LEADER)
HANDBACK_REASON_MAX = 500


def chinese_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _locked(assignment: Assignment) -> Assignment:
    return (
        Assignment.objects.select_for_update()
        .select_related("proposal__session", "agency")
        .get(pk=assignment.pk)
    )


def _pending(assignment: Assignment) -> HandbackRequest | None:
    return assignment.handback_requests.filter(decided_at__isnull=True).first()


def _sign(assignment: Assignment, user: User, note: str) -> None:
    assignment.received_at = timezone.now()
    assignment.received_by = user
    assignment.receipt_deemed = False
    assignment.save(update_fields=["received_at", "received_by", "receipt_deemed"])
    record_handling(assignment, HandlingVerb.RECEIVE, user, note)


@transaction.atomic
def receive(assignment: Assignment, user: User) -> Assignment:
    """签收: the agency's clerk or leader acknowledges the assignment."""
    assignment = _locked(assignment)
    require_role(user, assignment.agency_id, AGENCY_ROLES, "签收")
    if assignment.received_at is not None:
        when = timezone.localtime(assignment.received_at).date()
        how = "视为签收" if assignment.receipt_deemed else "签收"
        raise WorkflowError(f"该交办已于{chinese_date(when)}{how}，不需要再签收。")
    _sign(assignment, user, "")
    return assignment


def receive_implicitly(assignment: Assignment, user: User, what: str) -> None:
    """Starting the work (开始起草, 会办意见) signs for an assignment not yet signed for; the
    caller holds the assignment's lock and has checked the user's role."""
    if assignment.received_at is None:
        _sign(assignment, user, f"{what}时自动签收")


@transaction.atomic
def request_handback(
    assignment: Assignment, user: User, reason: str, suggested_agency: Agency | None = None
) -> HandbackRequest:
    """申请退办 within the receipt window, with a reason and perhaps the agency that should take it."""
    assignment = _locked(assignment)
    require_role(user, assignment.agency_id, AGENCY_ROLES, "申请退办")
    reason = bounded(reason, "退办理由", HANDBACK_REASON_MAX)
    if not reason:
        raise WorkflowError("申请退办必须说明理由。")
    due = deadlines.receipt_due(assignment)
    if due is not None and timezone.localdate() > due:
        raise WorkflowError(f"申请退办的期限已过：应在{chinese_date(due)}前（含当日）提出。")
    if _pending(assignment) is not None:
        raise WorkflowError("该交办已有待处理的退办申请，请等待委员会处理。")
    if suggested_agency is not None and suggested_agency.pk == assignment.agency_id:
        raise WorkflowError("建议承办单位不能是本单位。")
    blocked = _answered_or_in_review(assignment)
    if blocked:
        raise WorkflowError(f"{blocked}，不能再申请退办。")
    request = HandbackRequest.objects.create(
        assignment=assignment,
        agency=assignment.agency,
        reason=reason,
        suggested_agency=suggested_agency,
        requested_by=user,
    )
    note = reason + (f"（建议改由{suggested_agency.name}办理）" if suggested_agency else "")
    record_handling(assignment, HandlingVerb.HANDBACK_REQUEST, user, note)
    notices.handback_requested(request)
    return request


@transaction.atomic
def decide_handback(
    request: HandbackRequest,
    user: User,
    *,
    approve: bool,
    agency: Agency | None = None,
    note: str = "",
) -> HandbackRequest:
    """Committee staff approve (the assignment passes to `agency`, 交办日期 kept) or reject (with a
    reason) a pending 退办 request."""
    require_committee(user, "处理退办申请")
    request = HandbackRequest.objects.select_for_update().get(pk=request.pk)
    if not request.is_pending:
        raise WorkflowError(f"该退办申请已处理（{request.state_label}），不能重复处理。")
    note = bounded(note, "处理意见", HANDBACK_REASON_MAX)
    assignment = _locked(request.assignment)
    if assignment.agency_id != request.agency_id and approve:
        raise WorkflowError(f"该交办已改由“{assignment.agency.name}”承办，不能再同意该单位原来的退办申请。")
    if approve:
        if agency is None:
            raise WorkflowError("同意退办须选择改由哪个单位承办。")
        if agency.pk == assignment.agency_id:
            raise WorkflowError(f"改由承办单位不能仍是“{agency.name}”。")
        previous = assignment.agency
        asked = request.reason.rstrip("。；;.")
        reason = f"同意{previous.name}退办：{asked}" + (f"；处理意见：{note}" if note else "")
        reassign(assignment, user, agency, reason[:1000], tell=False)  # the new agency signs afresh
        assignment = _locked(assignment)
        request.new_agency = agency
        event_note = f"改由{agency.name}承办，交办日期不变" + (f"：{note}" if note else "")
        record_handling(
            assignment, HandlingVerb.HANDBACK_APPROVE, user, event_note, from_agency=previous.name
        )
    else:
        if not note:
            raise WorkflowError("不同意退办必须说明理由。")
        record_handling(assignment, HandlingVerb.HANDBACK_REJECT, user, note)
    request.approved = approve
    request.decision_note = note
    request.decided_by = user
    request.decided_at = timezone.now()
    request.save(update_fields=["approved", "new_agency", "decision_note", "decided_by", "decided_at"])
    notices.handback_decided(request)
    return request


@clocks.rule("逾期未签收视为签收")
def deem_received(today: datetime.date) -> int:
    """Every assignment past its receipt window, not signed for and without a pending 退办
    request, counts as received: recorded once with nobody as the actor."""
    count = 0
    pending = HandbackRequest.objects.filter(assignment=OuterRef("pk"), decided_at__isnull=True)
    for session in Session.objects.all():
        # A working-day window is never shorter than a calendar one: these are the candidates.
        latest_start = today - datetime.timedelta(days=session.receipt_days + 1)
        candidates = (
            Assignment.objects.filter(proposal__session=session, received_at__isnull=True)
            .annotate(start=Coalesce("handed_on", "assigned_date"), pending=Exists(pending))
            .filter(start__lte=latest_start, pending=False)
            .select_related("proposal__session", "agency")
        )
        for candidate in candidates:
            due = deadlines.receipt_due(candidate)
            if due is None or today <= due:
                continue
            count += _deem(candidate, due, today)
    return count


@transaction.atomic
def _deem(assignment: Assignment, due: datetime.date, today: datetime.date) -> int:
    assignment = _locked(assignment)
    if assignment.received_at is not None:  # signed meanwhile
        return 0
    assignment.received_at = timezone.now()
    assignment.received_by = None
    assignment.receipt_deemed = True
    assignment.save(update_fields=["received_at", "received_by", "receipt_deemed"])
    record_handling(
        assignment, HandlingVerb.DEEM_RECEIVED, None, f"签收期限{chinese_date(due)}已过，视为签收"
    )
    return 1


# --- reading the state -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiptState:
    """What a list or page shows about an assignment's 签收."""

    key: str  # waiting, late, received, deemed
    label: str
    due: datetime.date | None

    @property
    def waiting(self) -> bool:
        return self.key in ("waiting", "late")


def state(
    assignment: Assignment, today: datetime.date | None = None, windows: dict | None = None
) -> ReceiptState:
    """待签收 (within the window), 逾期未签收 (past it, the clock not yet run), 已签收 or 视为签收.
    `windows` caches the last days by (start, rule) across the rows of one list: a working-day
    window reads the holiday calendar day by day."""
    today = today or timezone.localdate()
    if assignment.received_at is not None and not assignment.receipt_deemed:
        return ReceiptState("received", "已签收", None)
    due = _cached_due(assignment, windows if windows is not None else {})
    if assignment.received_at is not None:
        return ReceiptState("deemed", "视为签收", due)
    if due is not None and today > due:
        return ReceiptState("late", "逾期未签收", due)
    return ReceiptState("waiting", "待签收", due)


def _cached_due(assignment: Assignment, windows: dict) -> datetime.date | None:
    start = deadlines.receipt_start(assignment)
    if start is None:
        return None
    session = assignment.proposal.session
    key = (start, session.receipt_days, session.receipt_working_days)
    if key not in windows:
        windows[key] = deadlines.receipt_window_end(*key)
    return windows[key]


def may_request_handback(assignment: Assignment, today: datetime.date | None = None) -> bool:
    """Whether the window is still open and no answer is in review or out (the button is shown;
    the workflow checks again)."""
    due = deadlines.receipt_due(assignment)
    if due is not None and (today or timezone.localdate()) > due:
        return False
    return _answered_or_in_review(assignment) is None
