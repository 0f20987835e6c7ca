"""Review and issue: sign-off by a leader who did not draft it, issue (date fixed, PDF rendered,
signed and stored, letter frozen), issue of a letter signed on paper, and publication of
the public version.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from proposals.models import (
    Publication,
    Reply,
    User,
    UserRole,
)
from proposals.supervision import notices
from proposals.workflow import follow_up, grouping
from proposals.workflow.countersign import lapse_overdue, refusal, unsettled
from proposals.workflow.drafting import refuse_incomplete
from proposals.workflow.moves import (
    TRANSITIONS,
    VERB_LABELS,
    S,
    WorkflowError,
    audit_write,
    bounded,
    locked,
    move,
    require_role,
)


def drafted_by(reply: Reply, user: User) -> bool:
    return reply.created_by_id == user.pk or reply.versions.filter(saved_by=user).exists()


@grouping.moves_together
@transaction.atomic
def sign_off(reply: Reply, user: User) -> Reply:
    """签发: a leader of the agency who did not draft the reply approves the final text."""
    reply = locked(reply)
    require_role(user, reply.assignment.agency_id, (UserRole.LEADER,), "签发")
    if reply.status == S.SUBMITTED and drafted_by(reply, user):
        raise WorkflowError("起草人不能签发自己起草的答复，请由其他领导签发。")
    if reply.status == S.SUBMITTED:
        refuse_incomplete(reply, "签发")
        lapse_overdue(reply)
        waiting = unsettled(reply)
        if waiting:
            raise WorkflowError(refusal(waiting))
    if reply.proposal.session.committee_review_on:
        move(reply, user, "sign_off_review")  # 督办审核 first: committee staff pass or return it
        notices.review_requested(reply, user)
        return reply
    move(reply, user, "sign_off")
    notices.reply_signed_off(reply, user)
    return reply


@grouping.moves_together
@transaction.atomic
def revoke_sign_off(reply: Reply, user: User, reason: str) -> Reply:
    """撤销签发: a leader of the agency takes the sign-off back before the letter is issued; the
    reply waits for review again (sign off again, or return it)."""
    reply = locked(reply)
    require_role(user, reply.assignment.agency_id, (UserRole.LEADER,), "撤销签发")
    if reply.status == S.ISSUED:
        raise WorkflowError("答复已发出，不能撤销签发；如需更正，请与委员会工作人员联系。")
    if not reason.strip():
        raise WorkflowError("撤销签发必须说明理由。")
    reason = bounded(reason, "撤销理由")
    reviewing = reply.status == S.REVIEWING
    move(reply, user, "revoke", note=reason.strip())
    notices.sign_off_revoked(reply, user, reason.strip())
    if reviewing:
        notices.review_cancelled(reply, user, reason.strip())
    return reply


def issue(reply: Reply, user: User) -> Reply:
    """Send the signed letter: fix its date, sign its PDF with the agency's certificate and
    seal, store it with its SHA-256 (and SM3), freeze the letter; committee staff are told."""
    seal_checked(reply.assignment.agency)
    return _issue_signed(reply, user)


def seal_checked(agency) -> None:
    """Refuse to seal with an image that is not the uploaded one. Outside the issuing
    transaction, so that the audit row and the notice to committee staff are kept."""
    from proposals.records import integrity

    if not agency.seal:
        return
    try:
        integrity.verified_bytes(
            agency.seal, agency.seal_sha256, what=f"{agency.name}的电子印章图片", obj=agency
        )
    except integrity.TamperedFile as problem:
        raise WorkflowError(f"不能发出：{problem}") from None


@grouping.issues_together
@transaction.atomic
def _issue_signed(reply: Reply, user: User) -> Reply:
    reply = locked(reply)
    if reply.status == S.APPROVED:
        refuse_incomplete(reply, "发出")
    reply = _issue(reply, user)
    notices.reply_issued(reply, user)
    return reply


def _issue(reply: Reply, user: User) -> Reply:
    from proposals.letters import rendering, signing  # WeasyPrint and pyHanko only when really issuing

    reply = locked(reply)
    require_role(user, reply.assignment.agency_id, (UserRole.CLERK, UserRole.LEADER), "发出答复")
    if reply.status != S.APPROVED:
        raise WorkflowError(f"答复当前为“{reply.get_status_display()}”，不能{VERB_LABELS['issue']}。")
    agency = reply.agency
    if not signing.can_sign(agency) and settings.REPLY_SIGNING_REQUIRED:
        raise WorkflowError(
            f"{agency.name}尚未配置签章证书和电子印章，暂不能发出答复。请联系系统管理员"
            "（演示环境可运行 python manage.py make_demo_pki）。"
        )
    today = timezone.localdate()
    reply.date = reply.date or today
    reply.issued_on = today
    try:
        rendered = rendering.render_letter(reply)
        pdf = rendered.pdf
        if signing.can_sign(agency):
            pdf = signing.sign_letter(pdf, agency, rendered.seal_page, rendered.seal_box)
    except (rendering.LetterRenderingUnavailable, signing.SigningUnavailable) as problem:
        raise WorkflowError(str(problem)) from None
    pdf = grouping.joint_letter_pdf(reply) or pdf  # 一函联合答复: each member sends the one letter
    prints = signing.fingerprints(pdf)
    reply.pdf_sha256, reply.pdf_sm3 = prints["sha256"], prints["sm3"]
    reply.pdf.save(rendering.pdf_filename(reply), ContentFile(pdf), save=False)
    reply = move(reply, user, "issue", extra_fields=("date", "issued_on", "pdf", "pdf_sha256", "pdf_sm3"))
    follow_up.after_issue(reply, user)  # 跟踪办理: a B-class answer promises; a report fulfils
    return reply


def archive_issue(reply: Reply, leader: User) -> Reply:
    """File a past reply that was answered outside the portal: the agency's leader takes the
    imported draft through submission, sign-off and issue in one step (each move recorded)."""
    seal_checked(reply.assignment.agency)
    return _archive_signed(reply, leader)


@transaction.atomic
def _archive_signed(reply: Reply, leader: User) -> Reply:
    reply = locked(reply)
    require_role(leader, reply.assignment.agency_id, (UserRole.LEADER,), "归档历史答复")
    if reply.status not in TRANSITIONS["submit"][0]:
        raise WorkflowError(f"答复当前为“{reply.get_status_display()}”，不能作为历史答复归档。")
    note = "导入历史答复归档"
    move(reply, leader, "submit", note=note)
    move(reply, leader, "sign_off", note=note)
    return _issue(reply, leader)  # a letter of the past: nobody is waiting for it


@transaction.atomic
def publish(reply: Reply, user: User) -> Publication:
    """公开: a leader of the agency who did not draft the reply approves the public version,
    which is generated without phone numbers. Confidential proposals are never published."""
    from proposals.letters import rendering, signing

    reply = locked(reply)
    require_role(user, reply.assignment.agency_id, (UserRole.LEADER,), "批准公开")
    if reply.proposal.confidential:
        raise WorkflowError("该建议涉及保密要求，答复不得公开。")
    if reply.status != S.ISSUED:
        raise WorkflowError("答复发出后才能公开。")
    if drafted_by(reply, user):
        raise WorkflowError("公开须由未参与起草的领导审核。")
    publication = Publication.objects.select_for_update().filter(reply=reply).first()
    if publication and not publication.is_withdrawn:
        raise WorkflowError("该答复已经公开。")
    pdf = rendering.render_public_pdf(reply)
    if publication is None:
        publication = Publication(reply=reply)
    publication.approved_by, publication.approved_at = user, timezone.now()
    publication.withdrawn_at, publication.withdrawn_by, publication.withdraw_reason = None, None, ""
    publication.pdf_sha256 = signing.fingerprints(pdf)["sha256"]
    publication.pdf.save(rendering.public_pdf_filename(reply), ContentFile(pdf), save=False)
    publication.save()
    audit_write("publish", publication, user, reply=reply.pk, pdf_sha256=publication.pdf_sha256)
    return publication


@transaction.atomic
def withdraw_publication(reply: Reply, user: User, reason: str) -> Publication:
    """撤回公开: a leader of the agency takes the public version down, with a reason; its public
    page and PDF then answer 410. It can be approved again later."""
    reply = locked(reply)
    require_role(user, reply.assignment.agency_id, (UserRole.LEADER,), "撤回公开")
    publication = Publication.objects.select_for_update().filter(reply=reply).first()
    if publication is None or publication.is_withdrawn:
        raise WorkflowError("该答复没有公开，无需撤回。")
    if not reason.strip():
        raise WorkflowError("撤回公开必须说明理由。")
    reason = bounded(reason, "撤回公开理由")
    publication.withdrawn_at, publication.withdrawn_by = timezone.now(), user
    publication.withdraw_reason = reason.strip()
    publication.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason"])
    audit_write("unpublish", publication, user, reply=reply.pk, reason=publication.withdraw_reason)
    return publication
