"""并案办理: proposals of one session with the same subject handled together by one lead agency
(domain.md §3: one handling, one answer per deputy). Deadlines, ratings and statistics stay
per proposal: each member keeps its own assignment, 交办日期 and reply.

Contract:
- `group_proposals` (committee staff) makes the group: at least two proposals of one session,
  none in another group, none whose answer is in review or out, each led by `lead_agency` (a
  member without a lead is handed to it now through `registration.assign`, one that has it in
  another role through `registration.change_assignment`; one led by another agency is refused,
  pointing to 调整承办单位). Co-handlers are assigned to each member lacking them. Each member's
  lead assignment gets a GROUP_JOIN event; the agency's clerks and leaders are told.
- The group's *primary* letter is the round-1 answer of its lowest-numbered member. Every other
  member's answer has `body_source` = the primary: the clerk writes only the primary, and each
  save of it copies its body (`SHARED_FIELDS`, the measures, the 抄送 list; in a 一函联合答复
  also title, salutation, opening and 会商单位) into every member, each as a version of its own.
  Member answers are made (through drafting.start_reply, with the acting agency user) when the
  agency first starts, saves or submits the primary.
- The verbs of drafting and issuing are wrapped here: `starts_group` (start_reply),
  `shares_body` (save_draft), `moves_together` (submit, withdraw, return, sign-off, revoke) and
  `issues_together` (issue). A member cannot be acted on by itself (refused, naming the
  primary); the primary's move is followed, in the same transaction, by the same verb on every
  member (its own checks, event, audit row and, at issue, its own signed PDF), so one refused
  member refuses all. Members' notices are muted, except at issue (committee staff rate each).
- 会签 (`countersigns_together` on countersign.countersign): a co-handler answers the primary's
  circulation once; the same answer goes to its pending row on every member letter. 督办审核
  (review_pass, review_return) moves members like the other verbs.
- 一函联合答复: a member issued sends the primary's signed PDF (`joint_letter_pdf`).
- `split_group` (committee staff) while no member's answer is issued: body_source cleared,
  drafts kept (a joint letter's members get their own title, salutation and opening back).
"""

from __future__ import annotations

import contextvars
import functools

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from measures.models import Measure
from measures.outline import measure_tree, save_tree
from proposals.letters import wording
from proposals.models import (
    Assignment,
    Countersign,
    CountersignAnswer,
    HandlingVerb,
    LetterMode,
    Proposal,
    ProposalGroup,
    Reply,
    ReplyCopy,
    ReplyKind,
    ReplyStatus,
    Role,
    User,
)
from proposals.supervision import notices
from proposals.workflow.moves import (
    WorkflowError,
    audit_write,
    bounded,
    locked,
    record_handling,
    require_committee,
    snapshot,
)
from proposals.workflow.registration import assign, change_assignment

# What every member's letter takes from the primary; its own title, salutation and opening (which
# names the proposal) and the co-handlers it names stay its own unless the letter is joint.
SHARED_FIELDS = (
    "class_code",
    "closing",
    "heading_style",
    "doc_number",
    "signer",
    "publicity",
    "signature",
    "date",
    "leader_name",
    "leader_phone",
    "handler_name",
    "handler_phone",
    "postcode",
    "contact_style",
    "contact_block_text",
    "copy_style",
    "copy_line_text",
    "attachments",
)
JOINT_FIELDS = ("title", "salutation", "opening", "consulted")
OPEN = (ReplyStatus.DRAFT, ReplyStatus.RETURNED)

_following = contextvars.ContextVar("grouping_following", default=False)
_starter = None  # drafting.start_reply itself, registered by `starts_group`


# --- reading ----------------------------------------------------------------------------------


def number_key(proposal: Proposal) -> tuple[int, str]:
    return (len(proposal.number), proposal.number)


def members(group: ProposalGroup) -> list[Proposal]:
    """The group's proposals, lowest number first (the first one carries the primary letter)."""
    return sorted(group.proposals.select_related("session"), key=number_key)


def numbers_text(proposals) -> str:
    return "、".join(p.number for p in sorted(proposals, key=number_key))


def label(proposal: Proposal) -> str:
    return f"第{proposal.number}号{proposal.kind}"


def lead_of(proposal: Proposal) -> Assignment | None:
    return proposal.assignments.filter(role=Role.LEAD).select_related("agency").first()


def answer_of(assignment: Assignment | None) -> Reply | None:
    if assignment is None:
        return None
    return assignment.replies.filter(kind=ReplyKind.ANSWER, round=1).first()


def primary_reply(group: ProposalGroup) -> Reply | None:
    return answer_of(lead_of(members(group)[0]))


def summary(proposal: Proposal, reply: Reply | None = None) -> dict | None:
    """What the proposal page, the reply page and the editor show of the proposal's group: the
    members (with their answers), the mode, the lead agency, the primary letter, and whether
    `reply` is a member letter (read-only, written on the primary)."""
    group = proposal.group if proposal.group_id else None
    if group is None:
        return None
    rows = []
    for member in members(group):
        lead = lead_of(member)
        rows.append({"proposal": member, "lead": lead, "reply": answer_of(lead)})
    primary = rows[0]
    is_member = bool(reply is not None and reply.body_source_id)
    return {
        "group": group,
        "rows": rows,
        "numbers": numbers_text(r["proposal"] for r in rows),
        "others": numbers_text(r["proposal"] for r in rows if r["proposal"].pk != proposal.pk),
        "primary": primary,
        "primary_reply": primary["reply"],
        "is_member": is_member,
        "is_primary": proposal.pk == primary["proposal"].pk,
        "joint": group.letter_mode == LetterMode.JOINT,
        "issued": any(r["reply"] and r["reply"].status == ReplyStatus.ISSUED for r in rows),
    }


def _member_refusal(reply: Reply) -> str:
    source = Reply.objects.select_related("assignment__proposal").get(pk=reply.body_source_id)
    return (
        f"本件与{label(source.proposal)}并案办理，答复正文和提交、签发、发出都在"
        f"{label(source.proposal)}的答复上进行，本件随之一同办理。"
    )


def _fresh_source(reply: Reply) -> int | None:
    return Reply.objects.filter(pk=reply.pk).values_list("body_source_id", flat=True).first()


# --- the group ----------------------------------------------------------------------------------


@transaction.atomic
def group_proposals(
    proposals,
    user: User,
    lead_agency,
    co_agencies=(),
    letter_mode: str = LetterMode.EACH,
    subject: str = "",
) -> ProposalGroup:
    """并案办理: the proposals are handled together by `lead_agency` (see the module's contract)."""
    require_committee(user, "并案办理")
    subject = bounded(subject, "并案事由", 200)
    if letter_mode not in LetterMode.values:
        raise WorkflowError("请选择答复方式。")
    pks = {p.pk for p in proposals}
    chosen = sorted(
        Proposal.objects.select_for_update().select_related("session").filter(pk__in=pks), key=number_key
    )
    if len(chosen) < 2:
        raise WorkflowError("并案办理至少需要两件建议／提案。")
    if len({p.session_id for p in chosen}) > 1:
        names = "、".join(dict.fromkeys(p.session.name for p in chosen))
        raise WorkflowError(f"并案办理的建议／提案须属于同一届次（所选分属{names}）。")
    co_agencies = [a for a in co_agencies if a.pk != lead_agency.pk]
    for proposal in chosen:
        if proposal.group_id:
            raise WorkflowError(f"{label(proposal)}已与其他建议／提案并案办理，请先撤销原并案。")
        lead = lead_of(proposal)
        if lead is not None and lead.agency_id != lead_agency.pk:
            raise WorkflowError(
                f"{label(proposal)}的主办单位是“{lead.agency.name}”，与并案的主办单位“{lead_agency.name}”"
                f"不同：请先在该{proposal.kind}页面“调整承办单位”，再并案办理。"
            )
        for reply in Reply.objects.filter(assignment__proposal=proposal, kind=ReplyKind.ANSWER):
            if reply.status not in OPEN:
                raise WorkflowError(
                    f"{label(proposal)}的答复已“{reply.get_status_display()}”，不能再并案办理。"
                )
    group = ProposalGroup.objects.create(
        session=chosen[0].session,
        lead_agency=lead_agency,
        letter_mode=letter_mode,
        subject=subject,
        created_by=user,
    )
    numbers = numbers_text(chosen)
    note = f"第{numbers}号并案办理，主办单位{lead_agency.name}，{group.get_letter_mode_display()}"
    if subject:
        note += f"；事由：{subject}"
    for proposal in chosen:
        lead = _lead_assignment(proposal, user, lead_agency)
        for agency in co_agencies:
            if not proposal.assignments.filter(agency=agency).exists():
                assign(proposal, user, agency, Role.CO, lead.assigned_date)
        proposal.group = group
        proposal.save(update_fields=["group"])
        record_handling(lead, HandlingVerb.GROUP_JOIN, user, note, reply=answer_of(lead), group=group.pk)
    primary = _gather(group, user, create=False)
    link = (
        reverse("reply_detail", args=[primary.pk])
        if primary
        else reverse("proposal_detail", args=[chosen[0].pk])
    )
    notices.group_formed(group, numbers, link, user)
    return group


def _lead_assignment(proposal: Proposal, user: User, agency) -> Assignment:
    """The member's lead assignment to the group's agency: kept, made the lead, or made now."""
    lead = lead_of(proposal)
    if lead is not None:
        return lead
    existing = proposal.assignments.filter(agency=agency).first()
    if existing is not None:
        return change_assignment(existing, user, Role.LEAD, existing.assigned_date, "并案办理，改为主办")
    dates = [d for d in proposal.assignments.values_list("assigned_date", flat=True) if d]
    return assign(proposal, user, agency, Role.LEAD, min(dates, default=timezone.localdate()))


def _gather(group: ProposalGroup, user: User, *, create: bool) -> Reply | None:
    """Link every member's answer to the primary and copy the body into those newly linked.
    With `create` (an agency user acting), missing answers are started first."""
    rows = members(group)
    lead = lead_of(rows[0])
    creating = create and _starter is not None and user.agency_id == group.lead_agency_id
    primary = answer_of(lead) or (_starter(lead, user) if creating and lead else None)
    if primary is None:
        return None
    primary = locked(primary)
    first_link = not primary.body_copies.exists()
    linked = []
    for proposal in rows[1:]:
        member_lead = lead_of(proposal)
        if member_lead is None or member_lead.agency_id != group.lead_agency_id:
            continue
        reply = answer_of(member_lead) or (_starter(member_lead, user) if creating else None)
        if reply is None or reply.body_source_id == primary.pk:
            continue
        Reply.objects.filter(pk=reply.pk).update(body_source=primary)
        linked.append(reply)
    if not linked:
        return primary
    if first_link and group.letter_mode == LetterMode.JOINT and primary.status in OPEN:
        _joint_wording(primary, group, user)
    for reply in linked:
        copy_body(primary, reply, user)
    return primary


def _joint_wording(primary: Reply, group: ProposalGroup, user: User) -> None:
    """一函联合答复: the title, salutation and opening name every member."""
    rows = members(group)
    first = rows[0]
    leads = [p.author_names()[0] for p in rows if p.author_names()]
    primary.title = wording.joint_title(first.session.name, [p.number for p in rows], first.kind)
    primary.salutation = wording.joint_salutation(leads, first.effective_addressee_title)
    primary.opening = wording.joint_opening(
        first.session.name, [(p.title, p.number) for p in rows], first.kind, primary.consulted
    )
    primary.version += 1
    primary.save()
    snapshot(primary, user)
    audit_write("reply_save", primary, user, version=primary.version, group=group.pk)


def _clone(tree) -> list:
    return [
        (Measure(level=m.level, heading=m.heading, paragraphs=m.paragraphs), _clone(children))
        for m, children in tree
    ]


def copy_body(primary: Reply, member: Reply, user: User) -> None:
    """The primary's body into one member letter, as a version of the member's own."""
    member = locked(member)
    if member.status not in OPEN:
        return
    if not member.versions.exists():
        snapshot(member, user)  # what the member's draft was before, kept
    joint = member.proposal.group_id and member.proposal.group.letter_mode == LetterMode.JOINT
    for name in SHARED_FIELDS + (JOINT_FIELDS if joint else ()):
        setattr(member, name, getattr(primary, name))
    member.body_source = primary
    member.version += 1
    member.save()
    member.measures.all().delete()
    save_tree(member, _clone(measure_tree(primary)))
    member.copies.all().delete()
    ReplyCopy.objects.bulk_create(
        ReplyCopy(reply=member, position=c.position, recipient=c.recipient, copies=c.copies)
        for c in primary.copies.all()
    )
    snapshot(member, user)
    audit_write("reply_save", member, user, version=member.version, body_source=primary.pk)


def _group_of_primary(reply: Reply) -> ProposalGroup | None:
    """The group whose primary letter `reply` is, else None."""
    reply = Reply.objects.select_related("assignment__proposal__group").get(pk=reply.pk)
    proposal = reply.assignment.proposal
    if proposal.group_id is None or reply.round != 1 or reply.kind != ReplyKind.ANSWER:
        return None
    group = proposal.group
    if reply.assignment.role != Role.LEAD or members(group)[0].pk != proposal.pk:
        return None
    return group


# --- the wrapped verbs ---------------------------------------------------------------------------


def starts_group(func):
    """On drafting.start_reply: starting any member of a group starts (and links) them all."""
    global _starter
    _starter = func

    @functools.wraps(func)
    def wrapper(assignment: Assignment, user: User, *args, **kwargs):
        with transaction.atomic():
            reply = func(assignment, user, *args, **kwargs)
            proposal = Proposal.objects.select_related("group").get(pk=reply.assignment.proposal_id)
            if proposal.group_id and reply.round == 1 and reply.kind == ReplyKind.ANSWER:
                _gather(proposal.group, user, create=True)
                reply.refresh_from_db()
            return reply

    return wrapper


def shares_body(func):
    """On drafting.save_draft: a member letter is not edited itself; a save of the primary is
    copied into every member."""

    @functools.wraps(func)
    def wrapper(reply: Reply, user: User, *args, **kwargs):
        if _fresh_source(reply):
            raise WorkflowError(_member_refusal(reply))
        with transaction.atomic():
            saved = func(reply, user, *args, **kwargs)
            group = _group_of_primary(saved)
            if group is not None:
                _gather(group, user, create=True)
                for member in Reply.objects.filter(body_source=saved):
                    copy_body(saved, member, user)
            return saved

    return wrapper


def _together(func, *, quiet: bool):
    @functools.wraps(func)
    def wrapper(reply: Reply, user: User, *args, **kwargs):
        if _following.get():
            return func(reply, user, *args, **kwargs)
        if _fresh_source(reply):
            raise WorkflowError(_member_refusal(reply))
        group = _group_of_primary(reply)
        if group is None:
            return func(reply, user, *args, **kwargs)
        with transaction.atomic():
            if Reply.objects.filter(pk=reply.pk, status__in=OPEN).exists():
                _gather(group, user, create=True)  # a primary never saved in the portal
            moved = func(reply, user, *args, **kwargs)
            followers = sorted(
                Reply.objects.filter(body_source=moved).select_related("assignment__proposal"),
                key=lambda r: number_key(r.assignment.proposal),
            )
            for member in followers:
                token = _following.set(True)
                try:
                    if quiet:
                        with notices.muted():
                            func(member, user, *args, **kwargs)
                    else:
                        func(member, user, *args, **kwargs)
                except WorkflowError as problem:
                    raise WorkflowError(
                        f"并案的{label(member.assignment.proposal)}不能一同办理：{problem}"
                    ) from None
                finally:
                    _following.reset(token)
            return moved

    return wrapper


def moves_together(func):
    """On the status verbs: the primary's move moves every member the same way (members' notices
    muted: the primary's notice told whoever acts next)."""
    return _together(func, quiet=True)


def issues_together(func):
    """On issue: every member is issued with the primary, each with its own signed PDF (the joint
    letter's, for 一函联合答复) and its own notice to committee staff, who rate each proposal."""
    return _together(func, quiet=False)


def countersigns_together(func):
    """On countersign.countersign: a co-handler answers the primary's 会签 once; its pending row of
    the same circulation on every member letter gets the same answer (muted). A member's row is
    refused while the primary has a row of that agency: the answer is given there."""

    @functools.wraps(func)
    def wrapper(row, user: User, *args, **kwargs):
        if _following.get():
            return func(row, user, *args, **kwargs)
        reply = Reply.objects.get(pk=row.reply_id)
        if reply.body_source_id and _counterpart(reply.body_source_id, row.assignment.agency_id) is not None:
            raise WorkflowError(_member_refusal(reply).replace("提交、签发、发出", "会签"))
        with transaction.atomic():
            answered = func(row, user, *args, **kwargs)
            for member in Reply.objects.filter(body_source_id=row.reply_id):
                pending = _counterpart(member.pk, row.assignment.agency_id, pending_only=True)
                if pending is None:
                    continue
                token = _following.set(True)
                try:
                    with notices.muted():
                        func(pending, user, *args, **kwargs)
                except WorkflowError as problem:
                    raise WorkflowError(f"并案的{label(member.proposal)}不能一同会签：{problem}") from None
                finally:
                    _following.reset(token)
            return answered

    return wrapper


def _counterpart(reply_id: int, agency_id: int, *, pending_only: bool = False):
    """The latest-circulation 会签 row of `agency_id` on reply `reply_id`, if any."""
    rows = Countersign.objects.filter(reply_id=reply_id, assignment__agency_id=agency_id)
    row = rows.order_by("-circulation").first()
    if row is None or (pending_only and row.answer != CountersignAnswer.PENDING):
        return None
    return row


def joint_letter_pdf(reply: Reply) -> bytes | None:
    """For a member of a 一函联合答复 being issued: the primary's signed PDF, which it sends too."""
    if not reply.body_source_id:
        return None
    group = reply.proposal.group if reply.proposal.group_id else None
    if group is None or group.letter_mode != LetterMode.JOINT:
        return None
    source = Reply.objects.get(pk=reply.body_source_id)
    if source.status != ReplyStatus.ISSUED or not source.pdf:
        return None
    with source.pdf.open("rb") as stored:
        return stored.read()


# --- splitting ------------------------------------------------------------------------------------


@transaction.atomic
def split_group(group: ProposalGroup, user: User, reason: str) -> list[Proposal]:
    """撤销并案 while no member's answer has gone out; each proposal is handled on its own again,
    its draft kept. Returns the former members."""
    require_committee(user, "撤销并案")
    if not reason.strip():
        raise WorkflowError("撤销并案必须说明理由。")
    reason = bounded(reason, "撤销理由")
    group = (
        ProposalGroup.objects.select_for_update().select_related("session", "lead_agency").get(pk=group.pk)
    )
    rows = members(group)
    for proposal in rows:
        issued = Reply.objects.filter(
            assignment__proposal=proposal, kind=ReplyKind.ANSWER, status=ReplyStatus.ISSUED
        ).exists()
        if issued:
            raise WorkflowError(f"{label(proposal)}的答复已发出，不能再撤销并案。")
    joint = group.letter_mode == LetterMode.JOINT
    numbers = numbers_text(rows)
    for proposal in rows:
        lead = lead_of(proposal)
        reply = answer_of(lead)
        if reply is not None:
            reply = locked(reply)
            reply.body_source = None
            if joint and reply.status in OPEN:
                reply.title, reply.salutation = "", ""
                reply.opening = reply.default_opening()
                reply.version += 1
                reply.save()
                snapshot(reply, user)
            else:
                reply.save(update_fields=["body_source", "updated_at"])
        proposal.group = None
        proposal.save(update_fields=["group"])
        if lead is not None:
            record_handling(lead, HandlingVerb.GROUP_SPLIT, user, reason.strip(), reply=reply, group=group.pk)
    notices.group_split(group, numbers, reverse("queue"), user, reason.strip())
    group.delete()
    return rows
