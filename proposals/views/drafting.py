"""Drafting and review (经办人, 主管领导): the start page, 我的办理, a reply's page, the editor
with its live preview and conflict page, the workflow buttons (start, submit, return, sign
off, issue, publish), 沟通记录 and 延期, and the comparison of versions.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from measures.forms import MeasureRowFormSet
from measures.outline import measure_rows, outline_to_tree, save_tree
from proposals import workflow
from proposals.forms import CommunicationForm, FeedbackCorrectionForm, FeedbackForm, ReplyForm, ReturnForm
from proposals.letters import checks, compare, public, rendering
from proposals.models import (
    Assignment,
    Commitment,
    CommitmentStatus,
    CoOpinion,
    Extension,
    Proposal,
    Publication,
    Reply,
    ReplyKind,
    ReplyStatus,
    ReplyVersion,
    UserRole,
    deadlines,
)
from proposals.records import audit
from proposals.supervision import notices, timeline, todo
from proposals.views import countersign as countersign_views
from proposals.views import grouping as grouping_views
from proposals.views import review as review_views
from proposals.views.shared import act, assignment_for, reply_for
from proposals.workflow import grouping

HOME_PAGE_SIZE = 50


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """待办, everyone's start page: what waits for this user, grouped, most urgent first."""
    groups = todo.for_user(request.user, timezone.localdate())
    return render(request, "proposals/home.html", {"groups": groups, "todo_total": todo.total(groups)})


@require_GET
def reply_list(request: HttpRequest) -> HttpResponse:
    """全部答复: the proposals and replies this user may see, paged."""
    from django.core.paginator import Paginator

    replies = (
        Reply.objects.for_user(request.user)
        .select_related("assignment__proposal__session", "assignment__agency")
        .order_by("assignment__proposal__session__name", "assignment__proposal__number", "round", "pk")
    )
    proposals = (
        Proposal.objects.for_user(request.user)
        .select_related("session")
        .prefetch_related("assignments__agency", "authorships__deputy")
        .order_by("session", "number", "pk")
    )
    # Paged: committee staff see every reply of every session here.
    return render(
        request,
        "proposals/reply_list.html",
        {
            "replies": Paginator(replies, HOME_PAGE_SIZE).get_page(request.GET.get("replies")),
            "proposals": Paginator(proposals, HOME_PAGE_SIZE).get_page(request.GET.get("proposals")),
        },
    )


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """我的办理: my agency's assignments, most urgent first."""
    assignments = (
        Assignment.objects.for_user(request.user)
        .filter(agency_id=request.user.agency_id)
        .select_related("proposal__session", "agency")
        .prefetch_related(
            Prefetch("replies", Reply.objects.answers().order_by("-round")),
            Prefetch("opinion", CoOpinion.objects.all()),
            "countersigns",
        )
    )
    rows = []
    for assignment in assignments:
        reply = assignment.replies.all()[0] if assignment.replies.all() else None
        opinion = getattr(assignment, "opinion", None) if not assignment.answers_deputy else None
        due = reply.due_date if reply and reply.due_date else assignment.due_date
        done = (reply and reply.status == ReplyStatus.ISSUED) or (opinion and opinion.is_submitted)
        left = deadlines.days_left(due)
        rows.append(
            {
                "assignment": assignment,
                "reply": reply,
                "opinion": opinion,
                "due": due,
                "days_left": left,
                "overdue_days": -left if left is not None and left < 0 else 0,
                "done": bool(done),
            }
        )
    rows.sort(key=lambda r: (r["done"], r["days_left"] is None, r["days_left"] or 0))
    commitments = (
        Commitment.objects.for_user(request.user)
        .filter(assignment__agency_id=request.user.agency_id, status=CommitmentStatus.OPEN)
        .select_related("assignment__proposal__session", "report")
        .order_by("due_date", "pk")
    )
    return render(request, "proposals/queue.html", {"rows": rows, "commitments": commitments})


@require_GET
def reply_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One reply: facts, actions allowed now, timeline, opinions, versions and the letter."""
    reply = reply_for(request, pk)
    user = request.user
    same_agency = user.agency_id == reply.assignment.agency_id
    can_rate = (
        user.role == UserRole.COMMITTEE
        and reply.status == ReplyStatus.ISSUED
        and reply.kind == ReplyKind.ANSWER
    )
    feedback = list(
        reply.feedback.select_related("deputy", "recorded_by").prefetch_related("corrections__corrected_by")
    )
    for item in feedback:
        item.correction_form = FeedbackCorrectionForm(feedback=item) if can_rate else None
    letter = rendering.letter_context(reply)
    publication = Publication.objects.filter(reply=reply).first()
    can_publish = (
        same_agency
        and user.role == UserRole.LEADER
        and reply.status == ReplyStatus.ISSUED
        and not reply.proposal.confidential
    )
    preview = None
    if can_publish and (publication is None or publication.is_withdrawn):
        # What 批准公开 will publish, each number it removes highlighted (SEC-18).
        preview = public.public_preview(letter)
        preview["summary"] = public.removal_summary(preview)
    return render(
        request,
        "proposals/reply_detail.html",
        {
            "reply": reply,
            "letter": letter,
            "pdf_filename": rendering.pdf_filename(reply),
            "timeline": timeline.for_reply(reply),
            "opinions": _opinions(reply),
            "versions": reply.versions.select_related("saved_by").order_by("-number"),
            "feedback": feedback,
            "other_rounds": reply.assignment.replies.answers().exclude(pk=reply.pk).order_by("round")
            if reply.kind == ReplyKind.ANSWER
            else [],
            "can_edit": same_agency and reply.is_editable and user.role in (UserRole.CLERK, UserRole.LEADER),
            "can_submit": same_agency and user.role == UserRole.CLERK and reply.is_editable,
            "can_review": same_agency
            and user.role == UserRole.LEADER
            and reply.status == ReplyStatus.SUBMITTED,
            "can_issue": same_agency and reply.status == ReplyStatus.APPROVED,
            "can_withdraw": same_agency
            and user.role == UserRole.CLERK
            and reply.status == ReplyStatus.SUBMITTED,
            "can_revoke": same_agency
            and user.role == UserRole.LEADER
            and reply.status in (ReplyStatus.APPROVED, ReplyStatus.REVIEWING),
            "can_rate": can_rate,
            "publication": publication,
            "public_preview": preview,
            "extension": Extension.objects.filter(assignment=reply.assignment)
            .select_related("approved_by")
            .first(),
            "communications": reply.assignment.communications.select_related("recorded_by"),
            "communication_form": CommunicationForm(),
            "can_publish": can_publish,
            "return_form": ReturnForm(),
            "feedback_form": FeedbackForm(reply=reply),
            **countersign_views.detail_context(reply, user),
            **review_views.detail_context(request, reply),
            **_guidance(reply),
        },
    )


GROUP_MEMBER_LOCKED = ("can_edit", "can_submit", "can_review", "can_issue", "can_withdraw", "can_revoke")


def _guidance(reply: Reply) -> dict:
    """What the reply's pages show before anything else: why it came back (until it is submitted
    again) and, until it is issued, what the letter still lacks (发出前检查)."""
    guidance: dict = {"edit_url": reverse("reply_edit", args=[reply.pk])}
    guidance["grouping"] = grouping.summary(reply.proposal, reply)
    if guidance["grouping"] and guidance["grouping"]["is_member"]:
        # 并案: a member letter is written, submitted, signed and issued on the group's first one.
        guidance.update(dict.fromkeys(GROUP_MEMBER_LOCKED, False))
    if reply.status == ReplyStatus.RETURNED:
        guidance["returned"] = (
            reply.events.filter(verb__in=("return", "review_return"))
            .select_related("actor")
            .order_by("-at", "-pk")
            .first()
        )
    if not reply.is_frozen:
        guidance["checking"] = True
        guidance["problems"] = checks.problems(reply)
        guidance["missing_opinions"] = workflow.missing_opinions(reply) if reply.is_editable else []
        guidance["lapsed_opinions"] = workflow.lapsed_opinions(reply) if reply.is_editable else []
        guidance["check_count"] = len(guidance["problems"]) + len(guidance["missing_opinions"])
    return guidance


def _opinions(reply: Reply) -> list[dict]:
    rows = []
    for assignment in workflow.co_assignments(reply):
        opinion = CoOpinion.objects.filter(assignment=assignment).first()
        rows.append(
            {"assignment": assignment, "opinion": opinion if opinion and opinion.is_submitted else None}
        )
    return rows


def _editor_context(reply: Reply, form: ReplyForm, formset, **extra) -> dict:
    return {
        "reply": reply,
        "form": form,
        "formset": formset,
        "opinions": _opinions(reply),
        "letter": preview_letter(reply, form, formset),
        **_guidance(reply),
        **extra,
    }


def preview_letter(reply: Reply, form: ReplyForm, formset) -> dict:
    """The letter as the editor's (possibly unsaved) data would print it."""
    if not form.is_bound:
        return rendering.letter_context(reply)
    draft = Reply.objects.get(pk=reply.pk)
    copies = None
    if form.is_valid():
        for name in ReplyForm.Meta.fields:
            setattr(draft, name, form.cleaned_data[name])
        draft.class_code = form.cleaned_data["class_code"]
        draft.consulted = [c for c in form.cleaned_data["consulted_text"].splitlines() if c.strip()]
        draft.attachments = [
            a.strip() for a in form.cleaned_data["attachments_text"].splitlines() if a.strip()
        ]
        copies = form.cleaned_data["copies_text"]
    tree = outline_to_tree(formset.rows()) if formset.is_valid() else None
    return rendering.letter_context(draft, tree=tree, copies=copies)


def reply_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The reply editor: fields, measures in outline order, live preview, co-handlers' opinions."""
    reply = reply_for(request, pk)
    if request.user.agency_id != reply.assignment.agency_id:
        raise PermissionDenied("委员会工作人员不能修改承办单位的答复。")
    if not reply.is_editable:
        messages.error(request, f"答复当前为“{reply.get_status_display()}”，不能修改。")
        return redirect("reply_detail", pk=reply.pk)
    if reply.body_source_id:  # 并案: written on the group's first letter
        return grouping_views.member_editor(request, reply)
    if request.method == "POST":
        form = ReplyForm(request.POST, instance=Reply.objects.get(pk=reply.pk))
        formset = MeasureRowFormSet(request.POST, prefix="m")
        if form.is_valid() and formset.is_valid():
            try:
                workflow.save_draft(
                    reply, request.user, form.cleaned_data["version"], editor_apply(form, formset)
                )
            except workflow.EditConflict as conflict:
                return _conflict(request, conflict.reply, form, formset)
            except workflow.WorkflowError as problem:
                messages.error(request, str(problem))
                return redirect("reply_detail", pk=reply.pk)
            messages.success(request, "答复已保存。")
            return redirect("reply_edit", pk=reply.pk)
        messages.error(request, "保存失败：请修改标红的项目。")
    else:
        form = ReplyForm(instance=reply)
        formset = MeasureRowFormSet(initial=measure_rows(reply), prefix="m")
    return render(request, "proposals/reply_edit.html", _editor_context(reply, form, formset))


def editor_apply(form: ReplyForm, formset):
    """What a save of the editor's valid forms does to the locked reply (for workflow.save_draft):
    its fields and 抄送 list, and its measures replaced by the outline."""

    def apply(target: Reply) -> None:
        form.apply(target)
        target.measures.all().delete()
        save_tree(target, outline_to_tree(formset.rows()))

    return apply


def _conflict(request: HttpRequest, current: Reply, form: ReplyForm, formset) -> HttpResponse:
    """Someone saved first: show both versions; the form keeps the typed text, now based on
    the current version, so saving again keeps this user's text deliberately."""
    data = request.POST.copy()
    data["version"] = str(current.version)
    mine_form = ReplyForm(data, instance=Reply.objects.get(pk=current.pk))
    mine_formset = MeasureRowFormSet(data, prefix="m")
    latest = current.versions.select_related("saved_by").order_by("-number").first()
    return render(
        request,
        "proposals/reply_edit.html",
        _editor_context(
            current,
            mine_form,
            mine_formset,
            conflict=True,
            theirs=rendering.letter_context(current),
            theirs_by=latest.saved_by if latest else None,
            theirs_at=latest.saved_at if latest else None,
        ),
        status=409,
    )


@require_POST
def reply_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The live preview beside the editor: the letter from unsaved form data (nothing saved)."""
    reply = reply_for(request, pk)
    form = ReplyForm(request.POST, instance=Reply.objects.get(pk=reply.pk))
    formset = MeasureRowFormSet(request.POST, prefix="m")
    return HttpResponse(
        render_to_string(
            "letters/reply_letter.html", {"letter": preview_letter(reply, form, formset)}, request
        )
    )


@require_POST
def assignment_start(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = assignment_for(request, pk)
    try:
        reply = workflow.start_reply(assignment, request.user)
    except workflow.WorkflowError as problem:
        messages.error(request, str(problem))
        return redirect("queue")
    reply = reply.body_source or reply  # 并案: the clerk writes on the group's first letter
    if request.POST.get("then") == "import":
        return redirect("reply_import", pk=reply.pk)
    return redirect("reply_edit", pk=reply.pk)


@require_POST
def reply_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return act(request, pk, workflow.submit, "已提交领导审核。")


@require_POST
def reply_return(request: HttpRequest, pk: int) -> HttpResponse:
    return act(request, pk, workflow.return_reply, "已退回经办人修改。", request.POST.get("reason", ""))


@require_POST
def reply_sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    return act(request, pk, workflow.sign_off, "已签发。")


@require_POST
def reply_issue(request: HttpRequest, pk: int) -> HttpResponse:
    if reply_for(request, pk).kind == ReplyKind.REPORT:
        return act(request, pk, workflow.issue, "办理落实情况的报告已发出并定稿，跟踪事项已落实。")
    return act(request, pk, workflow.issue, "答复已发出，答复函已定稿。")


@require_POST
def reply_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return act(request, pk, workflow.publish, "已批准公开，公开版已生成。")


@require_POST
def reply_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """撤回: the clerk takes the submission back before the leader acts."""
    reason = request.POST.get("reason", "")
    return act(request, pk, workflow.withdraw, "已撤回提交，答复回到起草中。", reason)


@require_POST
def reply_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """撤销签发: the leader takes the sign-off back before the letter is issued."""
    reason = request.POST.get("reason", "")
    return act(request, pk, workflow.revoke_sign_off, "已撤销签发，答复回到待审核。", reason)


@require_POST
def reply_unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    """撤回公开: the public page and PDF are taken down (they answer 410)."""
    reason = request.POST.get("reason", "")
    return act(request, pk, workflow.withdraw_publication, "已撤回公开，公开页面不再显示该答复。", reason)


@require_POST
def reply_communication(request: HttpRequest, pk: int) -> HttpResponse:
    """沟通记录: the lead agency logs a meeting, visit, forum or call with the deputies."""
    reply = reply_for(request, pk)
    if request.user.agency_id != reply.assignment.agency_id:
        raise PermissionDenied("只有承办单位可以登记沟通记录。")
    form = CommunicationForm(request.POST)
    if form.is_valid():
        communication = form.save(commit=False)
        communication.assignment, communication.recorded_by = reply.assignment, request.user
        with transaction.atomic():
            communication.save()
            audit.record(request, "communication", communication, form=communication.form)
            notices.communication_recorded(communication)
        messages.success(request, "沟通记录已登记。")
    else:
        messages.error(
            request,
            "沟通记录未登记："
            + "；".join(
                f"{form.fields[name].label}：{' '.join(errors)}" for name, errors in form.errors.items()
            ),
        )
    return redirect("reply_detail", pk=reply.pk)


@require_POST
def reply_extension(request: HttpRequest, pk: int) -> HttpResponse:
    """延期: the agency asks with a reason; committee staff approve."""
    reply = reply_for(request, pk)
    try:
        if "approve" in request.POST:
            workflow.approve_extension(reply.assignment, request.user)
            messages.success(request, "已批准延期，答复期限已顺延。")
        else:
            workflow.request_extension(reply.assignment, request.user, request.POST.get("reason", ""))
            messages.success(request, "延期申请已提交，待委员会批准。")
    except workflow.WorkflowError as problem:
        messages.error(request, str(problem))
    return redirect("reply_detail", pk=reply.pk)


@require_GET
def reply_changes(request: HttpRequest, pk: int) -> HttpResponse:
    """What changed between the version submitted last and the one submitted before it."""
    reply = reply_for(request, pk)
    submitted = list(reply.versions.filter(submitted=True).select_related("saved_by").order_by("-number")[:2])
    newer = submitted[0] if submitted else reply.versions.order_by("-number").first()
    older = submitted[1] if len(submitted) > 1 else None
    diff = compare.changes(older.snapshot, newer.snapshot) if newer and older else []
    return render(
        request,
        "proposals/reply_changes.html",
        {"reply": reply, "newer": newer, "older": older, "diff": diff},
    )


@require_GET
def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    reply = reply_for(request, pk)
    version = get_object_or_404(ReplyVersion, reply=reply, number=number)
    return render(
        request,
        "proposals/version_detail.html",
        {
            "reply": reply,
            "version": version,
            "lines": compare.letter_lines(version.snapshot),
        },
    )
