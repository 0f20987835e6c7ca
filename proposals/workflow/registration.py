"""Every change of a reply's status, and every write that must not race, goes through here.

The pipeline is data (TRANSITIONS). Each verb is one function that locks the reply
(`select_for_update`), checks who may do it and from which status, writes one `ReplyEvent`
row, then saves with `update_fields`. A refused move raises `WorkflowError` with a Chinese
message; nothing is written. A second click on the same button finds the status already
moved and is refused, so the state changes once.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from proposals.letters.interchange import export_letter
from proposals.models import (
    ANSWERING_ROLES as ANSWERING,
)
from proposals.models import (
    Assignment,
    CoOpinion,
    Deputy,
    Feedback,
    Publication,
    Rating,
    Reply,
    ReplyCopy,
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
    "issue": (frozenset({S.APPROVED}), S.ISSUED),
}
VERB_LABELS = {
    "start": "开始起草",
    "submit": "提交审核",
    "return": "退回修改",
    "sign_off": "签发",
    "issue": "答复代表",
    "reopen": "再次办理",
    "reassign": "调整承办单位",
}
CO_ROLES = (Role.CO, Role.JOINT)


class WorkflowError(Exception):
    """A refused action; the message is shown to the user as it is."""


class EditConflict(Exception):
    """Someone saved the draft since this editor loaded it."""

    def __init__(self, reply: Reply):
        super().__init__("答复已被他人修改")
        self.reply = reply


def _locked(reply: Reply) -> Reply:
    return (
        Reply.objects.select_for_update()
        .select_related("assignment__proposal__session", "assignment__agency")
        .get(pk=reply.pk)
    )


def _require(user: User, agency_id: int, roles: tuple[str, ...], action: str) -> None:
    if user.agency_id != agency_id or user.role not in roles:
        who = "、".join(UserRole(role).label for role in roles)
        raise WorkflowError(f"只有本单位的{who}可以{action}。")


def _audit(event: str, obj, user: User, **detail) -> None:
    """The audit row of a write, in the write's own transaction: both are saved or neither."""
    audit.record(None, event, obj, actor=user, **detail)


def _move(reply: Reply, user: User, verb: str, note: str = "", extra_fields: tuple[str, ...] = ()) -> Reply:
    sources, target = TRANSITIONS[verb]
    if reply.status not in sources:
        raise WorkflowError(f"答复当前为“{reply.get_status_display()}”，不能{VERB_LABELS[verb]}。")
    ReplyEvent.objects.create(
        reply=reply, actor=user, verb=verb, from_status=reply.status, to_status=target, note=note
    )
    _audit(f"reply_{verb}", reply, user, from_status=reply.status, to_status=target, note=note)
    reply.status = target
    reply.save(update_fields=["status", "updated_at", *extra_fields])
    return reply


def _snapshot(reply: Reply, user: User, *, submitted: bool = False) -> ReplyVersion:
    number = (reply.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    return ReplyVersion.objects.create(
        reply=reply, number=number, saved_by=user, submitted=submitted, snapshot=export_letter(reply)
    )


def co_assignments(reply: Reply):
    return reply.proposal.assignments.filter(role__in=CO_ROLES).select_related("agency")


@transaction.atomic
def start_reply(assignment: Assignment, user: User) -> Reply:
    """Open the first draft of the lead agency's reply, pre-filled from the proposal."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    _require(user, assignment.agency_id, (UserRole.CLERK, UserRole.LEADER), "起草答复")
    if not assignment.answers_deputy:
        raise WorkflowError("协办、会办单位不答复代表，请填写会办意见。")
    existing = assignment.replies.order_by("-round").first()
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
    _audit("reply_start", reply, user)
    _snapshot(reply, user)
    return reply


@transaction.atomic
def save_draft(reply: Reply, user: User, expected_version: int, apply: Callable[[Reply], None]) -> Reply:
    """Save the editor's changes: refused unless the draft is editable; raises EditConflict when
    someone else saved since `expected_version` was loaded. Keeps every saved version."""
    reply = _locked(reply)
    _require(user, reply.assignment.agency_id, (UserRole.CLERK, UserRole.LEADER), "修改答复")
    if not reply.is_editable:
        raise WorkflowError(f"答复当前为“{reply.get_status_display()}”，不能修改。")
    if reply.version != expected_version:
        raise EditConflict(reply)
    apply(reply)
    reply.version += 1
    reply.save()
    _snapshot(reply, user)
    _audit("reply_save", reply, user, version=reply.version)
    return reply


def missing_opinions(reply: Reply) -> list[str]:
    """Co-handling agencies whose opinion is neither in nor past its deadline."""
    today = timezone.localdate()
    missing = []
    for assignment in co_assignments(reply):
        opinion = CoOpinion.objects.filter(assignment=assignment, submitted_at__isnull=False).exists()
        due = assignment.due_date
        if not opinion and (due is None or due >= today):
            deadline = f"（截止{due.year}年{due.month}月{due.day}日）" if due else ""
            missing.append(f"{assignment.agency.name}{deadline}")
    return missing


@transaction.atomic
def submit(reply: Reply, user: User) -> Reply:
    reply = _locked(reply)
    _require(user, reply.assignment.agency_id, (UserRole.CLERK,), "提交审核")
    if reply.status in TRANSITIONS["submit"][0]:
        missing = missing_opinions(reply)
        if missing:
            raise WorkflowError(f"尚未收到{'、'.join(missing)}的会办意见，暂不能提交审核。")
    _move(reply, user, "submit")
    latest = reply.versions.order_by("-number").first()
    if latest:
        latest.submitted = True
        latest.save(update_fields=["submitted"])
    return reply


@transaction.atomic
def return_reply(reply: Reply, user: User, reason: str) -> Reply:
    reply = _locked(reply)
    _require(user, reply.assignment.agency_id, (UserRole.LEADER,), "退回答复")
    if reply.status == S.SUBMITTED and not reason.strip():
        raise WorkflowError("退回修改必须说明理由。")
    return _move(reply, user, "return", note=reason.strip())


def drafted_by(reply: Reply, user: User) -> bool:
    return reply.created_by_id == user.pk or reply.versions.filter(saved_by=user).exists()


@transaction.atomic
def sign_off(reply: Reply, user: User) -> Reply:
    """签发: a leader of the agency who did not draft the reply approves the final text."""
    reply = _locked(reply)
    _require(user, reply.assignment.agency_id, (UserRole.LEADER,), "签发")
    if reply.status == S.SUBMITTED and drafted_by(reply, user):
        raise WorkflowError("起草人不能签发自己起草的答复，请由其他领导签发。")
    return _move(reply, user, "sign_off")


@transaction.atomic
def issue(reply: Reply, user: User) -> Reply:
    """Send the signed letter: fix its date, sign its PDF with the agency's certificate and
    seal, store it with its SHA-256 (and SM3), freeze the letter."""
    from proposals.letters import rendering, signing  # WeasyPrint and pyHanko only when really issuing

    reply = _locked(reply)
    _require(user, reply.assignment.agency_id, (UserRole.CLERK, UserRole.LEADER), "发出答复")
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
    prints = signing.fingerprints(pdf)
    reply.pdf_sha256, reply.pdf_sm3 = prints["sha256"], prints["sm3"]
    reply.pdf.save(rendering.pdf_filename(reply), ContentFile(pdf), save=False)
    return _move(reply, user, "issue", extra_fields=("date", "issued_on", "pdf", "pdf_sha256", "pdf_sm3"))


@transaction.atomic
def record_feedback(reply: Reply, user: User, deputy: Deputy, rating: str, note: str = "") -> Feedback:
    """A deputy's rating of an issued reply. A dissatisfied lead author opens the next round."""
    reply = _locked(reply)
    if user.role != UserRole.COMMITTEE:
        raise WorkflowError("办理评价由委员会工作人员登记。")
    if reply.status != S.ISSUED:
        raise WorkflowError("答复发出后才能登记代表评价。")
    authorship = reply.proposal.authorships.filter(deputy=deputy).first()
    if authorship is None:
        raise WorkflowError(f"{deputy.name}不是该{reply.proposal.kind}的提出人。")
    if rating not in Rating.values:
        raise WorkflowError("请选择满意、基本满意或不满意。")
    if reply.feedback.filter(deputy=deputy).exists():
        raise WorkflowError(f"已登记{deputy.name}对本轮答复的评价。")
    feedback = Feedback.objects.create(
        reply=reply, deputy=deputy, rating=rating, note=note.strip(), recorded_by=user
    )
    _audit("feedback", feedback, user, reply=reply.pk, deputy=deputy.name, rating=rating)
    if authorship.is_lead and rating == Rating.DISSATISFIED:
        reopen(reply, user, f"领衔代表{deputy.name}不满意：{note.strip() or '未填写意见'}")
    return feedback


def reopen(previous: Reply, user: User, note: str) -> Reply:
    """再次办理: a new draft for the next round, starting from the issued letter, due in 1 month."""
    today = timezone.localdate()
    reply = Reply.objects.get(pk=previous.pk)
    reply.pk = None
    reply._state.adding = True
    reply.round = previous.round + 1
    reply.status = S.DRAFT
    reply.version = 1
    reply.date = None
    reply.issued_on = None
    reply.pdf = ""
    reply.pdf_sha256 = ""
    reply.due_date = deadlines.rehandling_due(previous.proposal.session, today)
    reply.created_by = None
    reply.save()
    ReplyCopy.objects.bulk_create(
        ReplyCopy(reply=reply, position=c.position, recipient=c.recipient, copies=c.copies)
        for c in previous.copies.all()
    )
    _copy_measures(previous, reply)
    ReplyEvent.objects.create(reply=reply, actor=user, verb="reopen", to_status=S.DRAFT, note=note)
    _audit("reply_reopen", reply, user, previous=previous.pk, note=note)
    _snapshot(reply, user)
    return reply


def _copy_measures(source: Reply, target: Reply) -> None:
    from measures.models import Measure
    from measures.outline import measure_tree

    def copy(tree, parent):
        for measure, children in tree:
            new = Measure.objects.create(
                reply=target,
                parent=parent,
                level=measure.level,
                position=measure.position,
                heading=measure.heading,
                paragraphs=measure.paragraphs,
            )
            copy(children, new)

    copy(measure_tree(source), None)


@transaction.atomic
def save_opinion(assignment: Assignment, user: User, text: str, *, submit_now: bool) -> CoOpinion:
    """A co-handling agency writes (and submits) its 会办意见 to the lead agency."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    _require(user, assignment.agency_id, (UserRole.CLERK, UserRole.LEADER), "填写会办意见")
    if assignment.role not in CO_ROLES:
        raise WorkflowError("只有协办、会办单位填写会办意见。")
    if not text.strip():
        raise WorkflowError("会办意见不能为空。")
    opinion = CoOpinion.objects.filter(assignment=assignment).first()
    if opinion and opinion.is_submitted:
        raise WorkflowError("会办意见已提交，不能再修改。")
    opinion = opinion or CoOpinion(assignment=assignment)
    opinion.text = text.strip()
    opinion.written_by = user
    if submit_now:
        opinion.submitted_at = timezone.now()
    opinion.save()
    _audit("opinion_submit" if submit_now else "opinion_save", opinion, user)
    return opinion


@transaction.atomic
def publish(reply: Reply, user: User) -> Publication:
    """公开: a leader of the agency who did not draft the reply approves the public version,
    which is generated without phone numbers. Confidential proposals are never published."""
    from proposals.letters import rendering, signing

    reply = _locked(reply)
    _require(user, reply.assignment.agency_id, (UserRole.LEADER,), "批准公开")
    if reply.proposal.confidential:
        raise WorkflowError("该建议涉及保密要求，答复不得公开。")
    if reply.status != S.ISSUED:
        raise WorkflowError("答复发出后才能公开。")
    if drafted_by(reply, user):
        raise WorkflowError("公开须由未参与起草的领导审核。")
    if Publication.objects.filter(reply=reply).exists():
        raise WorkflowError("该答复已经公开。")
    pdf = rendering.render_public_pdf(reply)
    publication = Publication(reply=reply, approved_by=user, pdf_sha256=signing.fingerprints(pdf)["sha256"])
    publication.pdf.save(rendering.public_pdf_filename(reply), ContentFile(pdf), save=False)
    publication.save()
    _audit("publish", publication, user, reply=reply.pk, pdf_sha256=publication.pdf_sha256)
    return publication


@transaction.atomic
def archive_issue(reply: Reply, leader: User) -> Reply:
    """File a past reply that was answered outside the portal: the agency's leader takes the
    imported draft through submission, sign-off and issue in one step (each move recorded)."""
    reply = _locked(reply)
    _require(leader, reply.assignment.agency_id, (UserRole.LEADER,), "归档历史答复")
    if reply.status not in TRANSITIONS["submit"][0]:
        raise WorkflowError(f"答复当前为“{reply.get_status_display()}”，不能作为历史答复归档。")
    note = "导入历史答复归档"
    _move(reply, leader, "submit", note=note)
    _move(reply, leader, "sign_off", note=note)
    return issue(reply, leader)


@transaction.atomic
def request_extension(assignment: Assignment, user: User, reason: str):
    """延期申请: the lead agency asks for the extended deadline, giving its reason."""
    from proposals.models import Extension

    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    _require(user, assignment.agency_id, (UserRole.CLERK, UserRole.LEADER), "申请延期")
    if not assignment.answers_deputy:
        raise WorkflowError("只有主办、分办单位可以申请延期答复。")
    if not reason.strip():
        raise WorkflowError("申请延期必须说明理由。")
    if Extension.objects.filter(assignment=assignment).exists():
        raise WorkflowError("已经申请过延期。")
    extension = Extension.objects.create(assignment=assignment, reason=reason.strip(), requested_by=user)
    _audit("extension_request", extension, user, reason=extension.reason)
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
    _audit("extension_approve", extension, user)
    assignment = Assignment.objects.select_related("proposal__session").get(pk=assignment.pk)
    assignment.save(update_fields=["due_on"])
    _refresh_due_dates(assignment)
    return extension


@transaction.atomic
def supervise(assignment: Assignment, user: User, message: str):
    """督办: committee staff remind the agency; every active user of it gets an in-app notice and,
    where an address is on file, an e-mail (Django's mail backend). The notice is logged."""
    from django.urls import reverse

    from proposals.models import SupervisionNotice
    from proposals.supervision.notices import notify_agency

    if user.role != UserRole.COMMITTEE:
        raise WorkflowError("督办由委员会工作人员发出。")
    if not message.strip():
        raise WorkflowError("督办内容不能为空。")
    assignment = Assignment.objects.select_related("proposal__session", "agency").get(pk=assignment.pk)
    notice = SupervisionNotice.objects.create(assignment=assignment, message=message.strip(), sent_by=user)
    _audit("supervision_notice", notice, user, assignment=assignment.pk)
    proposal = assignment.proposal
    subject = f"督办通知：{proposal.session.name}第{proposal.number}号{proposal.kind}"
    text = f"{subject}（{proposal.title}）：{notice.message}"
    reply = assignment.replies.order_by("-round").first()
    link = reverse("reply_detail", args=[reply.pk]) if reply else reverse("queue")
    emailed = notify_agency(assignment.agency, subject, text, link)
    if emailed is not None:
        notice.emailed = emailed
        notice.save(update_fields=["emailed"])
    return notice


# --- intake by hand: proposals and assignments (committee staff) --------------------------------


def _require_committee(user: User, action: str) -> None:
    if user.role != UserRole.COMMITTEE:
        raise WorkflowError(f"只有委员会工作人员可以{action}。")


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
    Once a reply has gone out, the facts printed in it (届次, 编号, 类别, 提出人) stay as sent."""
    _require_committee(user, "登记和修改建议／提案")
    if not [name for name in authors if name.strip()]:
        raise WorkflowError("领衔代表不能为空。")
    printed = {"session": "届次", "number": "编号", "kind": "类别", "addressee_title": "称谓"}
    frozen = [label for name, label in printed.items() if name in changed]
    if proposal.pk and proposal.author_names() != list(
        dict.fromkeys(n.strip() for n in authors if n.strip())
    ):
        frozen.append("提出人")
    if (
        proposal.pk
        and frozen
        and Reply.objects.filter(assignment__proposal_id=proposal.pk, status=S.ISSUED).exists()
    ):
        raise WorkflowError(f"已有答复发出，{'、'.join(frozen)}不能再修改（须与已发出的答复函一致）。")
    creating = proposal.pk is None
    proposal.save()
    proposal.set_authors(authors)
    _audit("proposal_create" if creating else "proposal_edit", proposal, user, fields=list(changed))
    return proposal


@transaction.atomic
def assign(proposal, user: User, agency, role: str, assigned_date) -> Assignment:
    """交办 one more agency; the clocks start from `assigned_date`."""
    _require_committee(user, "交办")
    from proposals.models import Proposal

    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.assignments.filter(agency=agency).exists():
        raise WorkflowError(f"已交办给“{agency.name}”，不能重复交办。")
    _one_lead(proposal, role, agency)
    assignment = Assignment.objects.create(
        proposal=proposal, agency=agency, role=role, assigned_date=assigned_date
    )
    _audit("assignment_create", assignment, user, agency=agency.name, role=role, assigned_date=assigned_date)
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


def _refresh_due_dates(assignment: Assignment) -> None:
    for reply in assignment.replies.filter(round=1).exclude(status=S.ISSUED):
        reply.due_date = deadlines.reply_due(assignment)
        reply.save(update_fields=["due_date", "updated_at"])


@transaction.atomic
def change_assignment(
    assignment: Assignment, user: User, role: str, assigned_date, reason: str
) -> Assignment:
    """Correct an assignment's role or 交办日期 (a typing error, a changed role), with a reason."""
    _require_committee(user, "修改交办")
    if not reason.strip():
        raise WorkflowError("修改交办必须说明理由。")
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
    _refresh_due_dates(assignment)
    _log_change(
        assignment,
        user,
        reason.strip(),
        from_agency=assignment.agency,
        from_role=before_role,
        from_date=before_date,
    )
    _audit(
        "assignment_change",
        assignment,
        user,
        role=[before_role, role],
        assigned_date=[before_date, assigned_date],
        reason=reason.strip(),
    )
    return assignment


@transaction.atomic
def reassign(assignment: Assignment, user: User, agency, reason: str) -> Assignment:
    """调整承办单位: the assignment passes to `agency` and keeps its original 交办日期, so its
    deadlines do not restart. Refused once a reply is in review or out, or an opinion is in.
    A draft in progress passes with it, its contact block refilled for the new agency."""
    _require_committee(user, "调整承办单位")
    if not reason.strip():
        raise WorkflowError("调整承办单位必须说明理由。")
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
    assignment.agency = agency
    assignment.save(update_fields=["agency"])
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
    _audit(
        "reassign", assignment, user, from_agency=previous.name, to_agency=agency.name, reason=reason.strip()
    )
    return assignment


@transaction.atomic
def register_proposal(proposal, user: User, authors: list[str], lead_agency, co_agencies, assigned_date):
    """登记 a new proposal and 交办 it to its lead agency and co-handlers in one go."""
    save_proposal(proposal, user, authors)
    assign(proposal, user, lead_agency, Role.LEAD, assigned_date)
    for agency in co_agencies:
        assign(proposal, user, agency, Role.CO, assigned_date)
    return proposal
