"""督办审核: committee staff review a signed reply before it goes out (issue 16 §3), when the
session's rule `committee_review_on` is on; `issuing.sign_off` then moves the reply to
REVIEWING instead of APPROVED.

The contract:
- `review_pass(reply, user, class_code="", reason="")`: REVIEWING → APPROVED. A class code other
  than the reply's (one of settings.REPLY_CLASS_CODES) needs a reason: a `ClassCodeChange` row,
  the reply's class updated, a CLASS_CHANGE event; the agency is told, with the change. Issue
  (发出) is possible only from APPROVED, so the signed PDF carries the final class.
- `review_return(reply, user, reason)`: REVIEWING → RETURNED with the reason (shown where return
  reasons show); the agency is told and edits, submits (会签 again if the text changed) and signs
  again.
- Only committee staff (never an administrator account); refused from any other status.
- The leader may still take the sign-off back while it is under review (`revoke_sign_off`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from proposals.models import ClassCodeChange, HandlingVerb, Reply, User
from proposals.supervision import notices
from proposals.workflow import grouping
from proposals.workflow.drafting import refuse_incomplete
from proposals.workflow.moves import (
    S,
    WorkflowError,
    bounded,
    locked,
    move,
    record_handling,
    require_committee,
)


@grouping.moves_together
@transaction.atomic
def review_pass(reply: Reply, user: User, class_code: str = "", reason: str = "") -> Reply:
    """审核通过, optionally changing the class code (with the reason)."""
    reply = locked(reply)
    require_committee(user, "督办审核")
    if reply.status != S.REVIEWING:
        raise WorkflowError(f"答复当前为“{reply.get_status_display()}”，不能督办审核。")
    class_code = class_code.strip().upper()
    reason = bounded(reason, "调整理由")
    change = None
    if class_code and class_code != reply.class_code:
        if class_code not in settings.REPLY_CLASS_CODES:
            known = "、".join(settings.REPLY_CLASS_CODES)
            raise WorkflowError(f"“{class_code}”不是已知的办理结果分类（可用：{known}）。")
        if not reason:
            raise WorkflowError("调整办理结果分类必须说明理由。")
        change = ClassCodeChange.objects.create(
            reply=reply, from_code=reply.class_code, to_code=class_code, reason=reason, changed_by=user
        )
        record_handling(
            reply.assignment,
            HandlingVerb.CLASS_CHANGE,
            user,
            f"{change.from_code or '未分类'}类 → {class_code}类：{reason}",
            reply=reply,
            from_code=change.from_code,
            to_code=class_code,
        )
        reply.class_code = class_code
    refuse_incomplete(reply, "通过督办审核")
    move(reply, user, "review_pass", note=reason, extra_fields=("class_code",))
    notices.review_passed(reply, user, change)
    return reply


@grouping.moves_together
@transaction.atomic
def review_return(reply: Reply, user: User, reason: str) -> Reply:
    """督办审核退回: back to the agency with the reason."""
    reply = locked(reply)
    require_committee(user, "督办审核")
    if reply.status != S.REVIEWING:
        raise WorkflowError(f"答复当前为“{reply.get_status_display()}”，不能督办审核。")
    reason = bounded(reason, "退回理由")
    if not reason:
        raise WorkflowError("督办审核退回必须说明理由。")
    move(reply, user, "review_return", note=reason)
    notices.review_returned(reply, user, reason)
    return reply
