"""Co-handling: a 协办/会办 agency saves and submits its 会办意见 to the lead agency."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from proposals.models import (
    Assignment,
    CoOpinion,
    User,
    UserRole,
)
from proposals.supervision import notices
from proposals.workflow.moves import (
    CO_ROLES,
    WorkflowError,
    audit_write,
    bounded,
    require_role,
)
from proposals.workflow.receipt import receive_implicitly


@transaction.atomic
def save_opinion(assignment: Assignment, user: User, text: str, *, submit_now: bool) -> CoOpinion:
    """A co-handling agency writes (and submits) its 会办意见 to the lead agency."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    require_role(user, assignment.agency_id, (UserRole.CLERK, UserRole.LEADER), "填写会办意见")
    if assignment.role not in CO_ROLES:
        raise WorkflowError("只有协办、会办单位填写会办意见。")
    if not text.strip():
        raise WorkflowError("会办意见不能为空。")
    text = bounded(text, "会办意见", 5000)
    opinion = CoOpinion.objects.filter(assignment=assignment).first()
    if opinion and opinion.is_submitted:
        raise WorkflowError("会办意见已提交，不能再修改。")
    receive_implicitly(assignment, user, "填写会办意见")
    opinion = opinion or CoOpinion(assignment=assignment)
    opinion.text = text.strip()
    opinion.written_by = user
    if submit_now:
        opinion.submitted_at = timezone.now()
    opinion.save()
    audit_write("opinion_submit" if submit_now else "opinion_save", opinion, user)
    if submit_now:
        notices.opinion_submitted(assignment, user)
    return opinion
