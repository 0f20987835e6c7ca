"""Registration and intake (committee staff): importing a session's proposal list, entering and
correcting a proposal by hand, 交办 to more agencies, correcting and 调整承办单位.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from proposals import workflow
from proposals.forms import (
    AssignmentChangeForm,
    AssignmentForm,
    ProposalEntryForm,
    ProposalForm,
    ReassignForm,
)
from proposals.models import (
    Assignment,
    Reply,
    Session,
    UserRole,
    deadlines,
)
from proposals.records import audit
from proposals.supervision import spreadsheets
from proposals.views.shared import assignment_for, committee_only, posted, proposal_for
from proposals.workflow import grouping


def intake(request: HttpRequest) -> HttpResponse:
    """Import a session's proposal list from Excel or CSV: all rows or none."""
    from proposals.supervision import intake as intake_module

    committee_only(request)
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
                result = workflow.import_proposals(session, request.user, upload.name, upload.read())
            except (intake_module.IntakeRefused, workflow.WorkflowError) as problem:
                refused = str(problem)
        audit.record(
            request,
            "import",
            session,
            outcome="ok" if result and not result.errors else "refused",
            file=upload.name if upload else "",
            created=result.created if result else 0,
            updated=result.updated if result else 0,
            unchanged=result.unchanged if result else 0,
        )
    return render(
        request,
        "proposals/intake.html",
        {
            "sessions": Session.objects.order_by("-year", "name"),
            "result": result,
            "refused": refused,
            "selected": request.POST.get("session", ""),
        },
        status=400 if refused or (result and result.errors) else 200,
    )


@require_GET
def intake_template(request: HttpRequest) -> HttpResponse:
    from proposals.supervision import intake as intake_module

    committee_only(request)
    return FileResponse(
        io.BytesIO(intake_module.template_xlsx()),
        as_attachment=True,
        filename="建议提案交办清单模板.xlsx",
        content_type=spreadsheets.XLSX_CONTENT_TYPE,
    )


@require_GET
def proposal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One proposal: its facts, authors, every assignment with its state, and the change log."""
    from proposals.models import AssignmentChange, SupervisionNotice

    proposal = proposal_for(request, pk)
    assignments = (
        Assignment.objects.for_user(request.user)
        .filter(proposal=proposal)
        .select_related("agency")
        .prefetch_related(Prefetch("replies", Reply.objects.answers().order_by("-round")))
    )
    rows = [
        {
            "assignment": a,
            "reply": next(iter(a.replies.all()), None),
            "due": a.due_on,
            "days_left": deadlines.days_left(a.due_on),
        }
        for a in assignments
    ]
    changes = AssignmentChange.objects.filter(assignment__in=assignments).select_related(
        "from_agency", "to_agency", "changed_by"
    )
    notices = SupervisionNotice.objects.filter(assignment__in=assignments).select_related(
        "assignment__agency", "sent_by"
    )
    is_staff = request.user.role == UserRole.COMMITTEE
    return render(
        request,
        "proposals/proposal_detail.html",
        {
            "proposal": proposal,
            "rows": rows,
            "changes": changes,
            "notices": notices,
            "is_staff": is_staff,
            "assignment_form": AssignmentForm(proposal=proposal) if is_staff else None,
            "grouping": grouping.summary(proposal),
        },
    )


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
    committee_only(request)
    latest = Session.objects.order_by("-year", "-pk").first()
    form = ProposalEntryForm(
        posted(request), initial={"assigned_date": timezone.localdate(), "session": latest}
    )

    def save(form):
        data = form.cleaned_data
        return workflow.register_proposal(
            form.instance,
            request.user,
            form.authors(),
            data["lead_agency"],
            data["co_agencies"],
            data["assigned_date"],
        )

    return _staff_form_page(
        request,
        "proposals/proposal_form.html",
        form,
        save,
        "建议／提案已登记并交办。",
        lambda p: reverse("proposal_detail", args=[p.pk]),
        creating=True,
    )


def proposal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a proposal's facts and authors."""
    proposal = proposal_for(request, pk)
    committee_only(request)
    form = ProposalForm(posted(request), instance=proposal)

    def save(form):
        return workflow.save_proposal(form.instance, request.user, form.authors(), tuple(form.changed_data))

    return _staff_form_page(
        request,
        "proposals/proposal_form.html",
        form,
        save,
        "修改已保存。",
        lambda p: reverse("proposal_detail", args=[p.pk]),
        proposal=proposal,
    )


def proposal_assign(request: HttpRequest, pk: int) -> HttpResponse:
    """交办 one more agency (主办, 协办, 会办 or 分办)."""
    proposal = proposal_for(request, pk)
    committee_only(request)
    form = AssignmentForm(posted(request), proposal=proposal, initial={"role": "co"})

    def save(form):
        data = form.cleaned_data
        return workflow.assign(proposal, request.user, data["agency"], data["role"], data["assigned_date"])

    return _staff_form_page(
        request,
        "proposals/assignment_form.html",
        form,
        save,
        "已交办。",
        lambda a: reverse("proposal_detail", args=[proposal.pk]),
        proposal=proposal,
        heading="增加承办单位",
    )


def assignment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct an assignment's role or 交办日期, with a reason."""
    assignment = assignment_for(request, pk)
    committee_only(request)
    form = AssignmentChangeForm(
        posted(request), initial={"role": assignment.role, "assigned_date": assignment.assigned_date}
    )

    def save(form):
        data = form.cleaned_data
        return workflow.change_assignment(
            assignment, request.user, data["role"], data["assigned_date"], data["reason"]
        )

    return _staff_form_page(
        request,
        "proposals/assignment_form.html",
        form,
        save,
        "交办已修改。",
        lambda a: reverse("proposal_detail", args=[a.proposal_id]),
        proposal=assignment.proposal,
        assignment=assignment,
        heading="修改交办",
    )


def assignment_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    """调整承办单位: the original 交办日期 stays; the reason is logged."""
    assignment = assignment_for(request, pk)
    committee_only(request)
    previous = assignment.agency.name
    form = ReassignForm(posted(request), assignment=assignment)

    def save(form):
        return workflow.reassign(
            assignment, request.user, form.cleaned_data["agency"], form.cleaned_data["reason"]
        )

    return _staff_form_page(
        request,
        "proposals/assignment_form.html",
        form,
        save,
        f"已将承办单位由“{previous}”调整为新单位，交办日期不变。",
        lambda a: reverse("proposal_detail", args=[a.proposal_id]),
        proposal=assignment.proposal,
        assignment=assignment,
        heading="调整承办单位",
    )
