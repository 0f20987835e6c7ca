"""The deputy's 征询意见表 online (`deputy_feedback`): GET shows the state of the deputy's rating of
one issued answer and the form; POST rates or changes it through `workflow.rate_online`. Only an
active deputy account whose deputy is an author of the answer's proposal reaches the page; anyone
else gets 404 (the answer's existence is not disclosed). A refused form re-renders with what was
typed.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from proposals import workflow
from proposals.models import Feedback, Rating, Reply, ReplyKind, ReplyStatus
from proposals.workflow import deputy_feedback as rules


def _reply(request: HttpRequest, pk: int) -> Reply:
    user = request.user
    if not (user.is_authenticated and user.is_active and user.is_deputy and user.deputy_id):
        raise Http404
    found = (
        Reply.objects.filter(
            pk=pk,
            kind=ReplyKind.ANSWER,
            status=ReplyStatus.ISSUED,
            assignment__proposal__authorships__deputy_id=user.deputy_id,
        )
        .select_related("assignment__proposal__session", "assignment__agency")
        .first()
    )
    if found is None:
        raise Http404
    return found


def feedback_state(reply: Reply, user) -> dict:
    """What the deputy's page and the proposal page's slot show about the deputy's rating."""
    feedback = (
        Feedback.objects.filter(reply=reply, deputy_id=user.deputy_id)
        .select_related("recorded_by")
        .prefetch_related("corrections")
        .first()
    )
    today = timezone.localdate()
    due = rules.rating_due(reply)
    state = {
        "reply": reply,
        "feedback": feedback,
        "due": due,
        "open": feedback is None and (due is None or today <= due),
        "changeable": False,
        "change_until": None,
        "round_opened": rules.round_opened(reply),
    }
    if feedback is not None and not feedback.by_proxy:
        state["change_until"] = rules.change_until(feedback)
        state["changeable"] = today <= state["change_until"]
    return state


@require_http_methods(["GET", "POST"])
def deputy_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    reply = _reply(request, pk)
    typed = {}
    if request.method == "POST":
        typed = {name: request.POST.get(name, "") for name in ("attitude", "rating", "note")}
        try:
            workflow.rate_online(reply, request.user, typed["attitude"], typed["rating"], typed["note"])
        except workflow.WorkflowError as problem:
            messages.error(request, str(problem))
        else:
            messages.success(request, "已提交您的评价，谢谢。")
            return redirect("deputy_feedback", pk=reply.pk)
    state = feedback_state(reply, request.user)
    feedback = state["feedback"]
    if not typed and feedback is not None:
        typed = {"attitude": feedback.attitude, "rating": feedback.rating, "note": ""}
    is_lead = reply.proposal.authorships.filter(deputy_id=request.user.deputy_id, is_lead=True).exists()
    return render(
        request,
        "deputy/feedback.html",
        {
            **state,
            "typed": typed,
            "choices": Rating.choices,
            "groups": (("attitude", "办理态度"), ("rating", "办理结果")),
            "is_lead": is_lead,
            # a refused form shows again with what was typed, even once the period is over
            "show_form": state["open"] or state["changeable"] or request.method == "POST",
            "change_days": rules.CHANGE_DAYS,
            "proposal": reply.proposal,
            "noun": reply.proposal.kind,
        },
        status=400 if request.method == "POST" else 200,
    )
