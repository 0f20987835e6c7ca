"""督办审核 (committee staff review a signed reply before it goes out): the two buttons of the
reply page (审核通过, optionally changing the class code with a reason; 退回 with a reason) and
the review card's context. A refused review returns to the reply page with the typed class and
reasons still in the form (kept once in the session).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from proposals import workflow
from proposals.models import Reply, ReplyStatus, UserRole
from proposals.views.shared import reply_for

TYPED = "review_typed"


def _review(request: HttpRequest, pk: int, action, success: str, *args) -> HttpResponse:
    reply = reply_for(request, pk)
    try:
        action(reply, request.user, *args)
    except workflow.WorkflowError as problem:
        messages.error(request, str(problem))
        request.session[TYPED] = {
            "reply": reply.pk,
            **{name: request.POST.get(name, "")[:5000] for name in ("class_code", "reason", "return_reason")},
        }
    else:
        messages.success(request, success)
    return redirect("reply_detail", pk=reply.pk)


@require_POST
def reply_review_pass(request: HttpRequest, pk: int) -> HttpResponse:
    """审核通过: the reply may go out; a changed class code needs the reason."""
    return _review(
        request,
        pk,
        workflow.review_pass,
        "督办审核已通过，承办单位将收到通知并发出答复。",
        request.POST.get("class_code", ""),
        request.POST.get("reason", ""),
    )


@require_POST
def reply_review_return(request: HttpRequest, pk: int) -> HttpResponse:
    """督办审核退回: back to the agency with the reason."""
    return _review(
        request,
        pk,
        workflow.review_return,
        "已退回承办单位修改，退回理由已通知承办单位。",
        request.POST.get("return_reason", ""),
    )


def detail_context(request: HttpRequest, reply: Reply) -> dict:
    """The review card of the reply page: the class changes (shown to the agency too) and, for
    committee staff while it waits, the review form (with what a refused review had typed)."""
    typed = request.session.pop(TYPED, None) if TYPED in request.session else None
    if not typed or typed.get("reply") != reply.pk:
        typed = {}
    return {
        "class_changes": reply.class_changes.select_related("changed_by"),
        "review_on": reply.proposal.session.committee_review_on,
        "can_committee_review": request.user.role == UserRole.COMMITTEE
        and not request.user.is_administrator
        and reply.status == ReplyStatus.REVIEWING,
        "review_class_codes": settings.REPLY_CLASS_CODES,
        "review_typed": typed,
    }
