"""Lookups every page module uses: the row-level access of one object (through `for_user`,
so another agency's id answers 404), the committee-only check, and the POST-and-redirect of
the workflow buttons. No page lives here.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect

from proposals import workflow
from proposals.models import (
    Assignment,
    Proposal,
    Reply,
)


def posted(request: HttpRequest):
    """The form data of a POST (even an empty one, which must fail validation), else None."""
    return request.POST if request.method == "POST" else None


def reply_for(request: HttpRequest, pk: int) -> Reply:
    return get_object_or_404(
        Reply.objects.for_user(request.user).select_related(
            "assignment__proposal__session", "assignment__agency"
        ),
        pk=pk,
    )


def assignment_for(request: HttpRequest, pk: int) -> Assignment:
    return get_object_or_404(
        Assignment.objects.for_user(request.user).select_related("proposal__session", "agency"), pk=pk
    )


def proposal_for(request: HttpRequest, pk: int) -> Proposal:
    return get_object_or_404(Proposal.objects.for_user(request.user).select_related("session"), pk=pk)


def committee_only(request: HttpRequest) -> None:
    if not request.user.sees_everything:
        raise PermissionDenied("只有委员会工作人员可以使用此功能。")


def act(request: HttpRequest, pk: int, action, success: str, *args) -> HttpResponse:
    reply = reply_for(request, pk)
    try:
        action(reply, request.user, *args)
    except workflow.WorkflowError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, success)
    return redirect("reply_detail", pk=reply.pk)
