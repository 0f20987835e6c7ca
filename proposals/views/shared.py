"""Lookups every page module uses: the row-level access of one object (through `for_user`,
so another agency's id answers 404), the committee-only check, and the POST-and-redirect of
the workflow buttons. No page lives here.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from proposals import workflow
from proposals.models import (
    Assignment,
    Proposal,
    Reply,
)
from proposals.records import audit


def posted(request: HttpRequest):
    """The form data of a POST (even an empty one, which must fail validation), else None."""
    return request.POST if request.method == "POST" else None


def _visible(request: HttpRequest, rows, pk: int):
    """The row the user may see, else 404. A row that exists but belongs to another agency is an
    attempt across the access rules: recorded as 越权访问 before the same 404."""
    model = rows.model
    try:
        return rows.get(pk=pk)
    except model.DoesNotExist:
        if request.user.is_authenticated and model.objects.filter(pk=pk).exists():
            audit.record(
                request,
                "access_outside",
                model(pk=pk),
                outcome="denied",
                path=request.path[:200],
                method=request.method,
            )
        raise Http404("没有找到该页面") from None


def reply_for(request: HttpRequest, pk: int) -> Reply:
    rows = Reply.objects.for_user(request.user).select_related(
        "assignment__proposal__session", "assignment__agency"
    )
    return _visible(request, rows, pk)


def assignment_for(request: HttpRequest, pk: int) -> Assignment:
    rows = Assignment.objects.for_user(request.user).select_related("proposal__session", "agency")
    return _visible(request, rows, pk)


def proposal_for(request: HttpRequest, pk: int) -> Proposal:
    return _visible(request, Proposal.objects.for_user(request.user).select_related("session"), pk)


def committee_only(request: HttpRequest) -> None:
    if not request.user.sees_everything:
        raise PermissionDenied("只有委员会工作人员可以使用此功能。")


def act(request: HttpRequest, pk: int, action, success: str, *args, **kwargs) -> HttpResponse:
    reply = reply_for(request, pk)
    try:
        action(reply, request.user, *args, **kwargs)
    except workflow.WorkflowError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, success)
    return redirect("reply_detail", pk=reply.pk)
