"""Pages of the portal. Views are thin: querysets carry access rules (`for_user`), every write
goes through `proposals.workflow`, and refusals come back as Chinese messages."""

from __future__ import annotations

import difflib
import hashlib
import io
import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from proposals import audit, spreadsheets, workflow
from proposals.letters import fonts, rendering
from proposals import exports as exports_module
from proposals.forms import (
    AssignmentChangeForm, AssignmentForm, CommunicationForm, ProposalEntryForm, ProposalForm, ReassignForm, FeedbackForm, MeasureRowFormSet, OpinionForm, ReplyForm, ReturnForm, measure_rows, outline_to_tree,
    save_tree,
)
from proposals.models import (
    Agency, Assignment, CoOpinion, Deputy, ExportJob, ExportStatus, Extension, Proposal, Publication, Reply, ReplyStatus, ReplyVersion, Session,
    UserRole, deadlines,
)


HOME_PAGE_SIZE = 50


def _posted(request: HttpRequest):
    """The form data of a POST (even an empty one, which must fail validation), else None."""
    return request.POST if request.method == "POST" else None


def _reply_for(request: HttpRequest, pk: int) -> Reply:
    return get_object_or_404(
        Reply.objects.for_user(request.user).select_related(
            "assignment__proposal__session", "assignment__agency"),
        pk=pk)


def _assignment_for(request: HttpRequest, pk: int) -> Assignment:
    return get_object_or_404(
        Assignment.objects.for_user(request.user).select_related("proposal__session", "agency"), pk=pk)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Start page: the proposals and replies this user may see."""
    from django.core.paginator import Paginator

    replies = (Reply.objects.for_user(request.user)
               .select_related("assignment__proposal__session", "assignment__agency")
               .order_by("assignment__proposal__session__name", "assignment__proposal__number", "round", "pk"))
    proposals = (Proposal.objects.for_user(request.user).select_related("session")
                 .prefetch_related("assignments__agency", "authorships__deputy").order_by("session", "number", "pk"))
    # Paged: committee staff see every reply of every session here.
    return render(request, "proposals/home.html", {
        "replies": Paginator(replies, HOME_PAGE_SIZE).get_page(request.GET.get("replies")),
        "proposals": Paginator(proposals, HOME_PAGE_SIZE).get_page(request.GET.get("proposals"))})


@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """我的办理: my agency's assignments, most urgent first."""
    assignments = (Assignment.objects.for_user(request.user)
                   .filter(agency_id=request.user.agency_id)
                   .select_related("proposal__session", "agency")
                   .prefetch_related(Prefetch("replies", Reply.objects.order_by("-round")),
                                     Prefetch("opinion", CoOpinion.objects.all())))
    rows = []
    for assignment in assignments:
        reply = assignment.replies.all()[0] if assignment.replies.all() else None
        opinion = getattr(assignment, "opinion", None) if not assignment.answers_deputy else None
        due = reply.due_date if reply and reply.due_date else assignment.due_date
        done = (reply and reply.status == ReplyStatus.ISSUED) or (opinion and opinion.is_submitted)
        left = deadlines.days_left(due)
        rows.append({"assignment": assignment, "reply": reply, "opinion": opinion, "due": due,
                     "days_left": left, "overdue_days": -left if left is not None and left < 0 else 0,
                     "done": bool(done)})
    rows.sort(key=lambda r: (r["done"], r["days_left"] is None, r["days_left"] or 0))
    return render(request, "proposals/queue.html", {"rows": rows})


@require_GET
def reply_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One reply: facts, actions allowed now, timeline, opinions, versions and the letter."""
    reply = _reply_for(request, pk)
    user = request.user
    same_agency = user.agency_id == reply.assignment.agency_id
    return render(request, "proposals/reply_detail.html", {
        "reply": reply, "letter": rendering.letter_context(reply),
        "pdf_filename": rendering.pdf_filename(reply),
        "events": reply.events.select_related("actor"),
        "opinions": _opinions(reply),
        "versions": reply.versions.select_related("saved_by").order_by("-number"),
        "feedback": reply.feedback.select_related("deputy", "recorded_by"),
        "other_rounds": reply.assignment.replies.exclude(pk=reply.pk).order_by("round"),
        "can_edit": same_agency and reply.is_editable and user.role in (UserRole.CLERK, UserRole.LEADER),
        "can_submit": same_agency and user.role == UserRole.CLERK and reply.is_editable,
        "can_review": same_agency and user.role == UserRole.LEADER and reply.status == ReplyStatus.SUBMITTED,
        "can_issue": same_agency and reply.status == ReplyStatus.APPROVED,
        "can_rate": user.role == UserRole.COMMITTEE and reply.status == ReplyStatus.ISSUED,
        "publication": Publication.objects.filter(reply=reply).first(),
        "extension": Extension.objects.filter(assignment=reply.assignment).select_related("approved_by").first(),
        "communications": reply.assignment.communications.select_related("recorded_by"),
        "communication_form": CommunicationForm(),
        "can_publish": (same_agency and user.role == UserRole.LEADER and reply.status == ReplyStatus.ISSUED
                        and not reply.proposal.confidential),
        "return_form": ReturnForm(),
        "feedback_form": FeedbackForm(reply=reply),
    })


def _opinions(reply: Reply) -> list[dict]:
    rows = []
    for assignment in workflow.co_assignments(reply):
        opinion = CoOpinion.objects.filter(assignment=assignment).first()
        rows.append({"assignment": assignment, "opinion": opinion if opinion and opinion.is_submitted else None})
    return rows


def _editor_context(reply: Reply, form: ReplyForm, formset, **extra) -> dict:
    return {"reply": reply, "form": form, "formset": formset, "opinions": _opinions(reply),
            "letter": _preview_letter(reply, form, formset), **extra}


def _preview_letter(reply: Reply, form: ReplyForm, formset) -> dict:
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
        draft.attachments = [a.strip() for a in form.cleaned_data["attachments_text"].splitlines() if a.strip()]
        copies = form.cleaned_data["copies_text"]
    tree = outline_to_tree(formset.rows()) if formset.is_valid() else None
    return rendering.letter_context(draft, tree=tree, copies=copies)


def reply_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The reply editor: fields, measures in outline order, live preview, co-handlers' opinions."""
    reply = _reply_for(request, pk)
    if request.user.agency_id != reply.assignment.agency_id:
        raise PermissionDenied("委员会工作人员不能修改承办单位的答复。")
    if not reply.is_editable:
        messages.error(request, f"答复当前为“{reply.get_status_display()}”，不能修改。")
        return redirect("reply_detail", pk=reply.pk)
    if request.method == "POST":
        form = ReplyForm(request.POST, instance=Reply.objects.get(pk=reply.pk))
        formset = MeasureRowFormSet(request.POST, prefix="m")
        if form.is_valid() and formset.is_valid():
            def apply(target: Reply) -> None:
                form.apply(target)
                target.measures.all().delete()
                save_tree(target, outline_to_tree(formset.rows()))

            try:
                workflow.save_draft(reply, request.user, form.cleaned_data["version"], apply)
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


def _conflict(request: HttpRequest, current: Reply, form: ReplyForm, formset) -> HttpResponse:
    """Someone saved first: show both versions; the form keeps the typed text, now based on
    the current version, so saving again keeps this user's text deliberately."""
    data = request.POST.copy()
    data["version"] = str(current.version)
    mine_form = ReplyForm(data, instance=Reply.objects.get(pk=current.pk))
    mine_formset = MeasureRowFormSet(data, prefix="m")
    latest = current.versions.select_related("saved_by").order_by("-number").first()
    return render(request, "proposals/reply_edit.html", _editor_context(
        current, mine_form, mine_formset, conflict=True, theirs=rendering.letter_context(current),
        theirs_by=latest.saved_by if latest else None, theirs_at=latest.saved_at if latest else None,
    ), status=409)


@require_POST
def reply_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The live preview beside the editor: the letter from unsaved form data (nothing saved)."""
    reply = _reply_for(request, pk)
    form = ReplyForm(request.POST, instance=Reply.objects.get(pk=reply.pk))
    formset = MeasureRowFormSet(request.POST, prefix="m")
    return HttpResponse(render_to_string("letters/reply_letter.html",
                                         {"letter": _preview_letter(reply, form, formset)}, request))


@require_POST
def assignment_start(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _assignment_for(request, pk)
    try:
        reply = workflow.start_reply(assignment, request.user)
    except workflow.WorkflowError as problem:
        messages.error(request, str(problem))
        return redirect("queue")
    return redirect("reply_edit", pk=reply.pk)


def _act(request: HttpRequest, pk: int, action, success: str, *args) -> HttpResponse:
    reply = _reply_for(request, pk)
    try:
        action(reply, request.user, *args)
    except workflow.WorkflowError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, success)
    return redirect("reply_detail", pk=reply.pk)


@require_POST
def reply_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, workflow.submit, "已提交领导审核。")


@require_POST
def reply_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, workflow.return_reply, "已退回经办人修改。", request.POST.get("reason", ""))


@require_POST
def reply_sign_off(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, workflow.sign_off, "已签发。")


@require_POST
def reply_issue(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, workflow.issue, "答复已发出，答复函已定稿。")


@require_POST
def reply_communication(request: HttpRequest, pk: int) -> HttpResponse:
    """沟通记录: the lead agency logs a meeting, visit, forum or call with the deputies."""
    reply = _reply_for(request, pk)
    if request.user.agency_id != reply.assignment.agency_id:
        raise PermissionDenied("只有承办单位可以登记沟通记录。")
    form = CommunicationForm(request.POST)
    if form.is_valid():
        communication = form.save(commit=False)
        communication.assignment, communication.recorded_by = reply.assignment, request.user
        with transaction.atomic():
            communication.save()
            audit.record(request, "communication", communication, form=communication.form)
        messages.success(request, "沟通记录已登记。")
    else:
        messages.error(request, "沟通记录未登记：" + "；".join(
            f"{form.fields[name].label}：{' '.join(errors)}" for name, errors in form.errors.items()))
    return redirect("reply_detail", pk=reply.pk)


@require_POST
def reply_extension(request: HttpRequest, pk: int) -> HttpResponse:
    """延期: the agency asks with a reason; committee staff approve."""
    reply = _reply_for(request, pk)
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


@require_POST
def reply_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, workflow.publish, "已批准公开，公开版已生成。")


@require_POST
def reply_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    reply = _reply_for(request, pk)
    form = FeedbackForm(request.POST, reply=reply)
    if not form.is_valid():
        messages.error(request, "请选择代表和评价。")
        return redirect("reply_detail", pk=reply.pk)
    deputy = get_object_or_404(Deputy, pk=form.cleaned_data["deputy"])
    return _act(request, pk, workflow.record_feedback, f"已登记{deputy.name}的评价。", deputy,
                form.cleaned_data["rating"], form.cleaned_data["note"])


def snapshot_lines(snapshot: dict) -> list[str]:
    """A saved version as readable lines, for comparing versions."""
    out = [f"标题：{snapshot['title']}", f"称谓：{snapshot['salutation'] or '（按提出人生成）'}",
           f"开头语：{snapshot['opening']}"]

    def walk(sections, depth):
        for section in sections:
            if section.get("heading"):
                out.append(f"{'　' * depth}【{section['heading']}】")
            out.extend(f"{'　' * depth}{p}" for p in section["paragraphs"])
            walk(section.get("subsections", []), depth + 1)

    walk(snapshot["sections"], 0)
    closing = snapshot["closing"]
    out.extend(f"结束语：{p}" for p in ([closing] if isinstance(closing, str) else closing))
    out.append(f"办理结果分类：{snapshot['class_code'] or '未分类'}")
    out.extend(snapshot["contact_block_lines"])
    out.append(snapshot["cc_line"])
    return [line for line in out if line]


@require_GET
def reply_changes(request: HttpRequest, pk: int) -> HttpResponse:
    """What changed between the version submitted last and the one submitted before it."""
    reply = _reply_for(request, pk)
    submitted = list(reply.versions.filter(submitted=True).select_related("saved_by").order_by("-number")[:2])
    newer = submitted[0] if submitted else reply.versions.order_by("-number").first()
    older = submitted[1] if len(submitted) > 1 else None
    diff = []
    if newer and older:
        for line in difflib.ndiff(snapshot_lines(older.snapshot), snapshot_lines(newer.snapshot)):
            if line.startswith("? "):
                continue
            diff.append({"kind": {"+ ": "added", "- ": "removed"}.get(line[:2], "same"), "text": line[2:]})
    return render(request, "proposals/reply_changes.html",
                  {"reply": reply, "newer": newer, "older": older, "diff": diff})


@require_GET
def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    reply = _reply_for(request, pk)
    version = get_object_or_404(ReplyVersion, reply=reply, number=number)
    return render(request, "proposals/version_detail.html",
                  {"reply": reply, "version": version, "lines": snapshot_lines(version.snapshot)})


def opinion_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """会办意见: the co-handling agency writes, saves and submits its opinion to the lead."""
    assignment = _assignment_for(request, pk)
    opinion = CoOpinion.objects.filter(assignment=assignment).first()
    editable = request.user.agency_id == assignment.agency_id and not (opinion and opinion.is_submitted)
    form = OpinionForm(_posted(request), initial={"text": opinion.text if opinion else ""})
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("不能修改该会办意见。")
        if form.is_valid():
            try:
                workflow.save_opinion(assignment, request.user, form.cleaned_data["text"],
                                      submit_now="submit" in request.POST)
            except workflow.WorkflowError as problem:
                messages.error(request, str(problem))
            else:
                messages.success(request, "会办意见已提交主办单位。" if "submit" in request.POST else "会办意见已保存。")
                return redirect("opinion_edit", pk=assignment.pk)
    return render(request, "proposals/opinion_edit.html", {
        "assignment": assignment, "opinion": opinion, "form": form, "editable": editable,
        "lead": assignment.proposal.assignments.filter(role__in=("lead", "separate")).select_related("agency"),
    })


@require_GET
def reply_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter as a PDF download with its Chinese file name (RFC 6266 filename*). An issued
    reply's stored PDF is served only if its SHA-256 still matches."""
    reply = _reply_for(request, pk)
    if reply.is_frozen and reply.pdf:
        with reply.pdf.open("rb") as stored:
            pdf = stored.read()
        actual = hashlib.sha256(pdf).hexdigest()
        if actual != reply.pdf_sha256:
            audit.record(request, "pdf_integrity_failure", reply, outcome="denied",
                         expected_sha256=reply.pdf_sha256, actual_sha256=actual)
            return render(request, "proposals/pdf_unavailable.html", {
                "reply": reply, "problem": "存档的答复函 PDF 与签发时的校验值不一致，已拒绝下载。"}, status=409)
    else:
        try:
            pdf = rendering.render_pdf(reply)
        except rendering.LetterRenderingUnavailable as problem:
            return render(request, "proposals/pdf_unavailable.html", {"reply": reply, "problem": problem},
                          status=503)
    audit.record(request, "pdf_download", reply, status=reply.status, sha256=hashlib.sha256(pdf).hexdigest())
    return FileResponse(io.BytesIO(pdf), as_attachment=True, filename=rendering.pdf_filename(reply),
                        content_type="application/pdf")


@require_GET
def feedback_form_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """代表建议办理情况征询意见表, to enclose with the letter for the lead author."""
    reply = _reply_for(request, pk)
    try:
        pdf = rendering.render_feedback_form(reply)
    except rendering.LetterRenderingUnavailable as problem:
        return render(request, "proposals/pdf_unavailable.html", {"reply": reply, "problem": problem}, status=503)
    audit.record(request, "pdf_download", reply, document="feedback_form")
    return FileResponse(io.BytesIO(pdf), as_attachment=True, filename=rendering.feedback_form_filename(reply),
                        content_type="application/pdf")


@login_not_required
@require_GET
def letter_font_css(request: HttpRequest) -> HttpResponse:
    """The letter's font rules (built from settings), shared by the preview and the PDF."""
    return HttpResponse(fonts.font_css(), content_type="text/css; charset=utf-8")


@require_GET
def licensed_font(request: HttpRequest, role: str) -> FileResponse:
    """A licensed font file configured with LETTER_FONT_<ROLE>, for the preview page."""
    path = fonts.licensed_font_path(role) if role in fonts.FONT_ROLES else None
    if path is None or not path.is_file():
        raise Http404("没有配置该字体")
    return FileResponse(path.open("rb"), content_type="font/ttf")



def verify_letter(request: HttpRequest) -> HttpResponse:
    """Committee staff upload a PDF: is the signature valid, who signed when, was it changed
    after signing, which archived reply is it."""
    from proposals.letters import signing  # pyHanko is loaded only where letters are checked

    if not request.user.sees_everything:
        raise PermissionDenied("只有委员会工作人员可以验证答复函。")
    lines, problem = [], ""
    if request.method == "POST":
        upload = request.FILES.get("pdf")
        if upload is None:
            problem = "请选择要验证的 PDF 文件。"
        elif upload.size > settings.MAX_UPLOAD_BYTES:
            problem = f"文件超过 {settings.MAX_UPLOAD_BYTES // 2**20} MB，不予验证。"
        else:
            result = signing.verify(upload.read())
            lines = signing.describe(result, Reply.objects.for_user(request.user))
    return render(request, "proposals/verify.html", {"lines": lines, "problem": problem})


# --- the public side: no login ------------------------------------------------------------------

PUBLIC_PAGE_SIZE = 50


@login_not_required
@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    """Published replies by session and agency, with search; open to everyone."""
    publications = (Publication.objects.public()
                    .select_related("reply__assignment__proposal__session", "reply__assignment__agency")
                    .order_by("reply__assignment__proposal__session__name", "reply__assignment__agency__name",
                              "reply__assignment__proposal__number"))
    query = request.GET.get("q", "").strip()[:50]
    session = request.GET.get("session", "")
    agency = request.GET.get("agency", "")
    if query:
        publications = publications.filter(
            Q(reply__assignment__proposal__title__icontains=query) | Q(reply__title__icontains=query)
            | Q(reply__assignment__proposal__number=query) | Q(reply__assignment__agency__name__icontains=query))
    if session.isdigit():
        publications = publications.filter(reply__assignment__proposal__session_id=int(session))
    if agency.isdigit():
        publications = publications.filter(reply__assignment__agency_id=int(agency))
    published = Publication.objects.public()
    return render(request, "public/list.html", {
        "publications": publications[:PUBLIC_PAGE_SIZE], "query": query,
        "sessions": Session.objects.filter(proposals__assignments__replies__publication__in=published).distinct(),
        "agencies": Agency.objects.filter(assignments__replies__publication__in=published).distinct(),
        "session": session, "agency": agency,
    })


def _publication(pk: int) -> Publication:
    return get_object_or_404(Publication.objects.public().select_related(
        "reply__assignment__proposal__session", "reply__assignment__agency"), reply_id=pk)


@login_not_required
@require_GET
def public_reply(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _publication(pk)
    from proposals.letters.public import public_context

    return render(request, "public/reply.html", {
        "publication": publication, "reply": publication.reply,
        "letter": public_context(rendering.letter_context(publication.reply)),
    })


@login_not_required
@require_GET
def public_reply_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    publication = _publication(pk)
    return FileResponse(publication.pdf.open("rb"), as_attachment=True,
                        filename=rendering.public_pdf_filename(publication.reply), content_type="application/pdf")


# --- filing exports (committee staff) -----------------------------------------------------------

def _committee_only(request: HttpRequest) -> None:
    if not request.user.sees_everything:
        raise PermissionDenied("只有委员会工作人员可以使用此功能。")


def exports(request: HttpRequest) -> HttpResponse:
    """Start a ZIP export of a session's issued replies; see the recent ones."""
    _committee_only(request)
    if request.method == "POST":
        session = get_object_or_404(Session, pk=request.POST.get("session") or 0)
        job = exports_module.start_export(session, request.user)
        audit.record(request, "export_requested", job)
        return redirect("export_detail", pk=job.pk)
    return render(request, "proposals/exports.html", {
        "sessions": Session.objects.order_by("-year", "name"),
        "jobs": ExportJob.objects.filter(requested_by=request.user).select_related("session")[:20],
    })


def _own_job(request: HttpRequest, pk: int, **filters) -> ExportJob:
    """The user's own export job; for anyone else it does not exist (404)."""
    if not request.user.sees_everything:
        raise Http404("没有该导出任务")
    return get_object_or_404(ExportJob.objects.select_related("session"), pk=pk, requested_by=request.user,
                             **filters)


def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's page; its progress block refreshes itself until the ZIP is ready."""
    job = _own_job(request, pk)
    template = "proposals/_export_progress.html" if request.headers.get("HX-Request") else "proposals/export_detail.html"
    return render(request, template, {"job": job})


@require_GET
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk, status=ExportStatus.DONE)
    audit.record(request, "export_download", job)
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=f"{job.session.name}答复函归档.zip",
                        content_type="application/zip")


# --- intake (committee staff) -------------------------------------------------------------------

def intake(request: HttpRequest) -> HttpResponse:
    """Import a session's proposal list from Excel or CSV: all rows or none."""
    from proposals import intake as intake_module

    _committee_only(request)
    result, refused = None, ""
    if request.method == "POST":
        session = get_object_or_404(Session, pk=request.POST.get("session") or 0)
        upload = request.FILES.get("file")
        if upload is None:
            refused = "请选择要导入的文件。"
        elif upload.size > settings.MAX_UPLOAD_BYTES:
            refused = f"文件超过 {settings.MAX_UPLOAD_BYTES // 2**20} MB，不予导入。"
        else:
            try:
                result = intake_module.import_proposals(session, upload.name, upload.read())
            except intake_module.IntakeRefused as problem:
                refused = str(problem)
        audit.record(request, "import", session, outcome="ok" if result and not result.errors else "refused",
                     file=upload.name if upload else "", created=result.created if result else 0,
                     updated=result.updated if result else 0)
    return render(request, "proposals/intake.html", {
        "sessions": Session.objects.order_by("-year", "name"), "result": result, "refused": refused,
        "selected": request.POST.get("session", ""),
    }, status=400 if refused or (result and result.errors) else 200)


@require_GET
def intake_template(request: HttpRequest) -> HttpResponse:
    from proposals import intake as intake_module

    _committee_only(request)
    return FileResponse(io.BytesIO(intake_module.template_xlsx()), as_attachment=True,
                        filename="建议提案交办清单模板.xlsx", content_type=spreadsheets.XLSX_CONTENT_TYPE)


# --- the committee dashboard --------------------------------------------------------------------

@require_GET
def committee_dashboard(request: HttpRequest) -> HttpResponse:
    """Every proposal × agency with status, round, class, due date and days left; filters,
    search, sorting and pages. The same few queries whatever the number of rows."""
    from proposals import dashboard
    from proposals.models import Rating, Role

    _committee_only(request)
    filters = dashboard.Filters.from_query(request.GET)
    today = timezone.localdate()
    page = dashboard.page(request.user, filters, today, request.GET.get("page"))
    for row in page:
        row.days_left = deadlines.days_left(row.due, today)
        row.overdue_days = -row.days_left if row.days_left is not None and row.days_left < 0 else 0
        row.flag = "" if row.done else deadlines.flag(row.due, today)
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    return render(request, "proposals/dashboard.html", {
        "page": page, "filters": filters, "query": query.urlencode(), "sort_query": sort_query.urlencode(),
        "sessions": Session.objects.order_by("-year", "name"), "agencies": Agency.objects.order_by("name"),
        "roles": Role.choices, "statuses": ReplyStatus.choices, "ratings": Rating.choices,
        "class_codes": list(settings.REPLY_CLASS_CODES),
    })


# --- statistics (committee staff) ---------------------------------------------------------------

def _statistics(request: HttpRequest):
    from proposals import statistics

    session_id = request.GET.get("session", "")
    session_id = int(session_id) if session_id.isdigit() else None
    rows = statistics.per_agency(session_id)
    total = statistics.totals(rows)
    return session_id, rows, total, statistics.categories(total)


@require_GET
def statistics_page(request: HttpRequest) -> HttpResponse:
    """Per-agency statistics and the session totals, with charts and Excel downloads."""
    _committee_only(request)
    session_id, rows, total, categories = _statistics(request)
    width = 520
    def percent(value) -> str:  # as in the tables: one decimal, "—" when there is nothing to count
        return "—" if value is None else f"{value}%"

    bars = [{"label": row.agency, "text": percent(row.answer_rate), "y": 24 * index,
             "width": round((row.answer_rate or 0) * width / 100)} for index, row in enumerate(rows)]
    category_bars = [{"label": f"{code}类 {wording}", "count": count, "text": percent(share), "y": 28 * index,
                      "width": round((share or 0) * width / 100)} for index, (code, wording, count, share) in enumerate(categories)]
    return render(request, "proposals/statistics.html", {
        "rows": rows, "total": total, "categories": categories, "session_id": session_id,
        "sessions": Session.objects.order_by("-year", "name"), "class_codes": list(settings.REPLY_CLASS_CODES),
        "bars": bars, "bars_height": 24 * len(bars) + 4, "category_bars": category_bars,
        "category_height": 28 * len(category_bars) + 4, "chart_width": width,
    })


@require_GET
def statistics_xlsx(request: HttpRequest, table: str) -> HttpResponse:
    """A statistics table as Excel; no cell can become a formula."""
    _committee_only(request)
    session_id, rows, total, categories = _statistics(request)
    codes = list(settings.REPLY_CLASS_CODES)
    if table == "agencies":
        data = spreadsheets.xlsx("承办单位统计", [
            "承办单位", "主办/分办", "协办/会办", "已答复", "办复率%", "按时答复", "按时办复率%", "已见面", "见面率%",
            "满意", "基本满意", "不满意", "满意率%", *[f"{c}类%" for c in codes]], [
            (row.agency, row.lead, row.co, row.answered, row.answer_rate, row.on_time, row.on_time_rate, row.met,
             row.meeting_rate, row.satisfied, row.basically, row.dissatisfied, row.satisfaction_rate,
             *[row.class_share(c) for c in codes]) for row in [*rows, total]])
        name = "承办单位办理情况统计.xlsx"
    elif table == "categories":
        data = spreadsheets.xlsx("办理结果分类", ["分类", "说明", "件数", "占比%"], categories)
        name = "办理结果分类统计.xlsx"
    else:
        raise Http404("没有该统计表")
    audit.record(request, "export", None, table=table, session=session_id)
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=name,
                        content_type=spreadsheets.XLSX_CONTENT_TYPE)


@require_POST
def assignment_supervise(request: HttpRequest, pk: int) -> HttpResponse:
    """督办 from the dashboard or the reply page."""
    assignment = _assignment_for(request, pk)
    try:
        workflow.supervise(assignment, request.user, request.POST.get("message", ""))
    except workflow.WorkflowError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, f"已向{assignment.agency.name}发出督办通知。")
    return redirect(request.POST.get("next") if url_has_allowed_host_and_scheme(
        request.POST.get("next"), allowed_hosts={request.get_host()}) else "dashboard")


@require_GET
def notices(request: HttpRequest) -> HttpResponse:
    """My in-app notices, unread ones highlighted."""
    from proposals.models import Notice

    items = list(Notice.objects.filter(user=request.user)[:100])
    return render(request, "proposals/notices.html", {"items": items})


@require_POST
def notices_read(request: HttpRequest) -> HttpResponse:
    """Mark all my notices read (a POST: reading a page never changes anything)."""
    from proposals.models import Notice

    Notice.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notices")


# --- proposals and assignments by hand (committee staff) ----------------------------------------

def _proposal_for(request: HttpRequest, pk: int) -> Proposal:
    return get_object_or_404(Proposal.objects.for_user(request.user).select_related("session"), pk=pk)


@require_GET
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One proposal: its facts, authors, every assignment with its state, and the change log."""
    from proposals.models import AssignmentChange, SupervisionNotice

    proposal = _proposal_for(request, pk)
    assignments = (Assignment.objects.for_user(request.user).filter(proposal=proposal).select_related("agency")
                   .prefetch_related(Prefetch("replies", Reply.objects.order_by("-round"))))
    rows = [{"assignment": a, "reply": next(iter(a.replies.all()), None), "due": a.due_on,
             "days_left": deadlines.days_left(a.due_on)} for a in assignments]
    changes = AssignmentChange.objects.filter(assignment__in=assignments).select_related(
        "from_agency", "to_agency", "changed_by")
    notices = SupervisionNotice.objects.filter(assignment__in=assignments).select_related("assignment__agency", "sent_by")
    is_staff = request.user.role == UserRole.COMMITTEE
    return render(request, "proposals/proposal_detail.html", {
        "proposal": proposal, "rows": rows, "changes": changes, "notices": notices, "is_staff": is_staff,
        "assignment_form": AssignmentForm(proposal=proposal) if is_staff else None})


def _staff_form_page(request: HttpRequest, template: str, form, save, success: str, done_url, **context):
    """Shared POST handling of the staff's forms: valid input goes through `save` (a workflow
    call); a refusal becomes a form error and nothing is saved."""
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                obj = save(form)
        except workflow.WorkflowError as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(request, success)
            return redirect(done_url(obj))
    return render(request, template, {"form": form, **context}, status=400 if form.errors else 200)


def proposal_create(request: HttpRequest) -> HttpResponse:
    """登记 a proposal by hand, with its lead agency, co-handlers and 交办日期."""
    _committee_only(request)
    latest = Session.objects.order_by("-year", "-pk").first()
    form = ProposalEntryForm(_posted(request), initial={"assigned_date": timezone.localdate(), "session": latest})

    def save(form):
        data = form.cleaned_data
        return workflow.register_proposal(form.instance, request.user, form.authors(), data["lead_agency"],
                                          data["co_agencies"], data["assigned_date"])

    return _staff_form_page(request, "proposals/proposal_form.html", form, save, "建议／提案已登记并交办。",
                            lambda p: reverse("proposal_detail", args=[p.pk]), creating=True)


def proposal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a proposal's facts and authors."""
    proposal = _proposal_for(request, pk)
    _committee_only(request)
    form = ProposalForm(_posted(request), instance=proposal)

    def save(form):
        return workflow.save_proposal(form.instance, request.user, form.authors(), tuple(form.changed_data))

    return _staff_form_page(request, "proposals/proposal_form.html", form, save, "修改已保存。",
                            lambda p: reverse("proposal_detail", args=[p.pk]), proposal=proposal)


def proposal_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """交办 one more agency (主办, 协办, 会办 or 分办)."""
    proposal = _proposal_for(request, pk)
    _committee_only(request)
    form = AssignmentForm(_posted(request), proposal=proposal, initial={"role": "co"})

    def save(form):
        data = form.cleaned_data
        return workflow.assign(proposal, request.user, data["agency"], data["role"], data["assigned_date"])

    return _staff_form_page(request, "proposals/assignment_form.html", form, save, "已交办。",
                            lambda a: reverse("proposal_detail", args=[proposal.pk]), proposal=proposal,
                            heading="增加承办单位")


def assignment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct an assignment's role or 交办日期, with a reason."""
    assignment = _assignment_for(request, pk)
    _committee_only(request)
    form = AssignmentChangeForm(_posted(request), initial={
        "role": assignment.role, "assigned_date": assignment.assigned_date})

    def save(form):
        data = form.cleaned_data
        return workflow.change_assignment(assignment, request.user, data["role"], data["assigned_date"],
                                          data["reason"])

    return _staff_form_page(request, "proposals/assignment_form.html", form, save, "交办已修改。",
                            lambda a: reverse("proposal_detail", args=[a.proposal_id]), proposal=assignment.proposal,
                            assignment=assignment, heading="修改交办")


def assignment_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    """调整承办单位: the original 交办日期 stays; the reason is logged."""
    assignment = _assignment_for(request, pk)
    _committee_only(request)
    previous = assignment.agency.name
    form = ReassignForm(_posted(request), assignment=assignment)

    def save(form):
        return workflow.reassign(assignment, request.user, form.cleaned_data["agency"], form.cleaned_data["reason"])

    return _staff_form_page(request, "proposals/assignment_form.html", form, save,
                            f"已将承办单位由“{previous}”调整为新单位，交办日期不变。",
                            lambda a: reverse("proposal_detail", args=[a.proposal_id]), proposal=assignment.proposal,
                            assignment=assignment, heading="调整承办单位")


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    """403 page; every refusal is an audit event (SEC-12)."""
    audit.record(request, "access_denied", None, outcome="denied", path=request.path[:200], method=request.method)
    message = str(exception) if exception and str(exception) else "您没有权限访问此页面。"
    return render(request, "403.html", {"message": message}, status=403)


def password_change(request: HttpRequest) -> HttpResponse:
    """修改密码; the one page open to a user who must replace an initial password."""
    from django.contrib.auth import update_session_auth_hash
    from django.contrib.auth.forms import PasswordChangeForm

    form = PasswordChangeForm(request.user, _posted(request))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save(commit=False)
            user.must_change_password = False
            user.save()
        update_session_auth_hash(request, user)
        messages.success(request, "密码已修改。")
        return redirect("home")
    return render(request, "registration/password_change.html", {"form": form}, status=400 if form.errors else 200)


# --- the audit trail (committee staff and administrators) ---------------------------------------

@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """审计记录: every recorded event, newest first, with filters; viewing it is itself recorded."""
    from django.core.paginator import Paginator

    _committee_only(request)
    rows, values = audit.search(request.GET)
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    audit.record(request, "audit_view", None, filters={k: v for k, v in values.items() if v})
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "proposals/audit_log.html", {
        "page": page, "values": values, "query": query.urlencode(), "events": sorted(audit.EVENT_LABELS.items()),
        "outcomes": audit.OUTCOME_LABELS.items(),
        "rows": [{"row": row, "at": audit.local_time(row.at), "event": audit.describe(row.event),
                  "role": audit.describe_role(row.actor_role), "outcome": audit.OUTCOME_LABELS.get(row.outcome, row.outcome),
                  "detail": json.dumps(row.detail, ensure_ascii=False) if row.detail else ""}
                 for row in page]})


@require_GET
def audit_xlsx(request: HttpRequest) -> HttpResponse:
    """The filtered audit rows as Excel (no cell can become a formula)."""
    _committee_only(request)
    rows, values = audit.search(request.GET)
    audit.record(request, "audit_export", None, filters={k: v for k, v in values.items() if v})
    data = spreadsheets.xlsx("审计记录", ["序号", "时间", "用户名", "角色", "IP 地址", "事件", "事件代码", "对象类型",
                                      "对象编号", "结果", "详情", "摘要"], audit.export_rows(rows),
                             widths=(8, 26, 14, 10, 16, 14, 18, 22, 10, 10, 60, 20))
    return FileResponse(io.BytesIO(data), as_attachment=True, filename="审计记录.xlsx",
                        content_type=spreadsheets.XLSX_CONTENT_TYPE)
