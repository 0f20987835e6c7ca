"""Supervision: an agency asks for 延期 and committee staff approve it (the due dates follow);
督办 reminders reach the agency's people.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from proposals.models import (
    Assignment,
    User,
    UserRole,
)
from proposals.supervision import notices
from proposals.workflow.moves import (
    WorkflowError,
    audit_write,
    bounded,
    refresh_due_dates,
    require_role,
)


@transaction.atomic
def request_extension(assignment: Assignment, user: User, reason: str):
    """延期申请: the lead agency asks for the extended deadline, giving its reason."""
    from proposals.models import Extension

    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    require_role(user, assignment.agency_id, (UserRole.CLERK, UserRole.LEADER), "申请延期")
    if not assignment.answers_deputy:
        raise WorkflowError("只有主办、分办单位可以申请延期答复。")
    if not reason.strip():
        raise WorkflowError("申请延期必须说明理由。")
    reason = bounded(reason, "延期理由")
    if Extension.objects.filter(assignment=assignment).exists():
        raise WorkflowError("已经申请过延期。")
    extension = Extension.objects.create(assignment=assignment, reason=reason.strip(), requested_by=user)
    audit_write("extension_request", extension, user, reason=extension.reason)
    notices.extension_requested(assignment, user, extension.reason)
    return extension


@transaction.atomic
def approve_extension(assignment: Assignment, user: User):
    """Committee staff approve the extension: the open reply's due date moves to the extended clock."""
    from proposals.models import Extension

    if user.role != UserRole.COMMITTEE:
        raise WorkflowError("延期由委员会工作人员批准。")
    extension = Extension.objects.select_for_update().filter(assignment=assignment).first()
    if extension is None:
        raise WorkflowError("没有待批准的延期申请。")
    if extension.approved_at:
        raise WorkflowError("该延期已经批准。")
    extension.approved_by, extension.approved_at = user, timezone.now()
    extension.save(update_fields=["approved_by", "approved_at"])
    audit_write("extension_approve", extension, user)
    assignment = Assignment.objects.select_related("proposal__session").get(pk=assignment.pk)
    assignment.save(update_fields=["due_on"])
    refresh_due_dates(assignment)
    notices.extension_approved(assignment, user)
    return extension


@transaction.atomic
def supervise(assignment: Assignment, user: User, message: str):
    """督办: committee staff remind the agency; every active user of it gets an in-app notice and,
    where an address is on file, an e-mail (Django's mail backend). The notice is logged."""
    from django.urls import reverse

    from proposals.models import SupervisionNotice

    if user.role != UserRole.COMMITTEE:
        raise WorkflowError("督办由委员会工作人员发出。")
    if not message.strip():
        raise WorkflowError("督办内容不能为空。")
    message = bounded(message, "督办内容")
    assignment = Assignment.objects.select_related("proposal__session", "agency").get(pk=assignment.pk)
    notice = SupervisionNotice.objects.create(assignment=assignment, message=message.strip(), sent_by=user)
    audit_write("supervision_notice", notice, user, assignment=assignment.pk)
    proposal = assignment.proposal
    subject = f"督办通知：{proposal.session.name}第{proposal.number}号{proposal.kind}"
    text = f"{subject}（{proposal.title}）：{notice.message}"
    reply = assignment.replies.answers().order_by("-round").first()
    link = reverse("reply_detail", args=[reply.pk]) if reply else reverse("queue")
    emailed = notices.notify_agency(assignment.agency, subject, text, link)
    if emailed is not None:
        notice.emailed = emailed
        notice.save(update_fields=["emailed"])
    return notice
