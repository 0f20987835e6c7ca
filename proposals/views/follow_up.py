"""跟踪办理: the list of commitments (跟踪事项) and one commitment's page, where the agency edits
the promise and its measures, reports progress (落实情况) and starts the 办理落实情况的报告. A
commitment is visible to its agency and to committee staff only (`Commitment.objects.for_user`,
404 otherwise); the writes are `workflow.follow_up` functions, refused there by role and state.
A refused form is shown again with what was typed.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from proposals import workflow
from proposals.models import Commitment, CommitmentStatus, UserRole
from proposals.supervision import timeline
from proposals.views.shared import _visible

FILTERS = {
    "": "全部",
    "open": "跟踪办理中",
    "overdue": "跟踪逾期",
    "fulfilled": "已落实",
}


def visible(user):
    return Commitment.objects.for_user(user).select_related(
        "assignment__proposal__session", "assignment__agency", "reply", "report"
    )


def filtered(rows, state: str):
    today = timezone.localdate()
    if state == "open":
        return rows.filter(status=CommitmentStatus.OPEN)
    if state == "overdue":
        return rows.filter(status=CommitmentStatus.OPEN, due_date__lt=today)
    if state == "fulfilled":
        return rows.filter(status=CommitmentStatus.FULFILLED)
    return rows


def commitment_for(request: HttpRequest, pk: int) -> Commitment:
    return _visible(request, visible(request.user), pk)


@require_GET
def commitment_list(request: HttpRequest) -> HttpResponse:
    """跟踪事项: open ones first, due soonest first; committee staff see every agency's."""
    state = request.GET.get("state", "")
    state = state if state in FILTERS else ""
    rows = filtered(visible(request.user), state).order_by("status", "due_date", "pk")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "proposals/commitment_list.html",
        {"commitments": page, "state": state, "filters": FILTERS},
    )


def _page(request: HttpRequest, commitment: Commitment, *, edit_data=None, progress_data=None, status=200):
    user = request.user
    acts = user.agency_id == commitment.assignment.agency_id and user.role in (
        UserRole.CLERK,
        UserRole.LEADER,
    )
    measures = commitment.reply.measures.filter(parent__isnull=True).order_by("position")
    chosen = set(commitment.measures.values_list("pk", flat=True))
    if edit_data is not None:
        chosen = {int(v) for v in edit_data.getlist("measures") if v.isdigit()}
    return render(
        request,
        "proposals/commitment_detail.html",
        {
            "commitment": commitment,
            "proposal": commitment.assignment.proposal,
            "measures": [(m, m.pk in chosen) for m in measures],
            "progress": commitment.progress.select_related("reported_by"),
            "report": commitment.report,
            "can_act": acts and commitment.is_open,
            "text": edit_data.get("text", "") if edit_data is not None else commitment.text,
            "progress_day": (progress_data or {}).get("day") or timezone.localdate().isoformat(),
            "progress_text": (progress_data or {}).get("text", ""),
            "steps": timeline.for_commitment(commitment),
        },
        status=status,
    )


@require_GET
def commitment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, commitment_for(request, pk))


@require_POST
def commitment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = commitment_for(request, pk)
    ids = [int(v) for v in request.POST.getlist("measures") if v.isdigit()]
    try:
        workflow.edit_commitment(commitment, request.user, request.POST.get("text", ""), ids)
    except workflow.WorkflowError as problem:
        messages.error(request, str(problem))
        return _page(request, commitment, edit_data=request.POST, status=400)
    messages.success(request, "承诺事项已保存。")
    return redirect("commitment_detail", pk=commitment.pk)


def _day(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        return None


@require_POST
def commitment_progress(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = commitment_for(request, pk)
    day = _day(request.POST.get("day", ""))
    try:
        if day is None:
            raise workflow.WorkflowError("请填写落实情况的日期（如2026-12-01）。")
        workflow.report_progress(commitment, request.user, day, request.POST.get("text", ""))
    except workflow.WorkflowError as problem:
        messages.error(request, str(problem))
        return _page(request, commitment, progress_data=request.POST, status=400)
    messages.success(request, "落实情况已报告。")
    return redirect("commitment_detail", pk=commitment.pk)


@require_POST
def commitment_report(request: HttpRequest, pk: int) -> HttpResponse:
    commitment = commitment_for(request, pk)
    try:
        report = workflow.start_report(commitment, request.user)
    except workflow.WorkflowError as problem:
        messages.error(request, str(problem))
        return redirect("commitment_detail", pk=commitment.pk)
    messages.success(request, "已开始起草办理落实情况的报告。")
    return redirect("reply_edit", pk=report.pk)
