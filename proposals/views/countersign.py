"""会签 (co-handling agencies countersign the lead's final draft): the co-handler's page, and the
会签 card of the lead's reply page.

The co-handler never sees the lead's reply page (404 for them, as before): its page, reached
through its own assignment (`assignments/<pk>/countersign/`), shows the draft read-only, as the
reply page renders it, beside its own 会办意见, and posts 同意 or 提出修改意见 through
`workflow.countersign`. A refused answer re-renders the page with the typed comments.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from proposals import workflow
from proposals.letters import rendering
from proposals.models import CoOpinion, Countersign, CountersignAnswer, Reply, ReplyStatus, UserRole
from proposals.models.deadlines import days_left
from proposals.views.shared import assignment_for

# Names, not the module: `workflow.countersign` is the verb (the function), which shadows it.
from proposals.workflow.countersign import COMMENTS_MAX, refusal, rounds, unsettled

SHOWN_STATUSES = (ReplyStatus.SUBMITTED, ReplyStatus.REVIEWING, ReplyStatus.APPROVED, ReplyStatus.ISSUED)


def _entries(assignment, today) -> list[dict]:
    """Per reply sent to this agency: its latest row for the agency, earlier rows, the letter."""
    rows = (
        Countersign.objects.filter(assignment=assignment)
        .select_related("reply__assignment__proposal__session", "reply__assignment__agency", "answered_by")
        .order_by("reply_id", "-circulation")
    )
    by_reply: dict[int, list[Countersign]] = {}
    for row in rows:
        by_reply.setdefault(row.reply_id, []).append(row)
    entries = []
    for items in by_reply.values():
        row, reply = items[0], items[0].reply
        latest = Countersign.objects.filter(reply=reply).order_by("-circulation").first()
        superseded = latest is not None and latest.circulation != row.circulation
        is_open = (
            not superseded
            and row.answer == CountersignAnswer.PENDING
            and reply.status == ReplyStatus.SUBMITTED
            and row.due_date >= today
        )
        entries.append(
            {
                "row": row,
                "reply": reply,
                "history": items[1:],
                "superseded": superseded,
                "open": is_open,
                "days_left": days_left(row.due_date, today),
                "letter": rendering.letter_context(reply) if reply.status in SHOWN_STATUSES else None,
            }
        )
    entries.sort(key=lambda e: (not e["open"], -e["row"].sent_at.timestamp()))
    return entries


def countersign_page(request: HttpRequest, pk: int) -> HttpResponse:
    """会签: the lead's draft read-only beside this agency's 会办意见; 同意 or 提出修改意见."""
    assignment = assignment_for(request, pk)
    if assignment.answers_deputy:
        raise Http404("主办单位没有会签页面")
    user = request.user
    may_answer = user.agency_id == assignment.agency_id and user.role in (UserRole.CLERK, UserRole.LEADER)
    typed = {}
    status = 200
    if request.method == "POST":
        if not may_answer:
            raise PermissionDenied("只有协办、会办单位的经办人或主管领导可以会签。")
        row = Countersign.objects.filter(
            assignment=assignment, pk=_number(request.POST.get("countersign"))
        ).first()
        comments = request.POST.get("comments", "")
        if row is None:
            messages.error(request, "没有找到要会签的答复稿，请从待办中重新打开。")
            return redirect("countersign", pk=assignment.pk)
        try:
            workflow.countersign(row, user, request.POST.get("decision") == "agree", comments)
        except workflow.WorkflowError as problem:
            messages.error(request, str(problem))
            typed[row.pk] = comments
            status = 400
        else:
            agreed = request.POST.get("decision") == "agree"
            messages.success(
                request, "已同意该答复稿，主办单位将收到通知。" if agreed else "修改意见已送主办单位。"
            )
            return redirect("countersign", pk=assignment.pk)
    entries = _entries(assignment, timezone.localdate())
    for entry in entries:
        entry["typed"] = typed.get(entry["row"].pk, "")
    opinion = CoOpinion.objects.filter(assignment=assignment, submitted_at__isnull=False).first()
    return render(
        request,
        "proposals/countersign.html",
        {
            "assignment": assignment,
            "entries": entries,
            "opinion": opinion,
            "may_answer": may_answer,
            "comments_max": COMMENTS_MAX,
        },
        status=status,
    )


def _number(value) -> int | None:
    return int(value) if value and str(value).isdigit() else None


def detail_context(reply: Reply, user) -> dict:
    """The 会签 card of the lead's reply page, and why 签发 must wait."""
    circulations = rounds(reply)
    today = timezone.localdate()
    # A row past its due date lapses when the leader signs (or the clock runs): it does not stop 签发.
    waiting = [
        row
        for row in (unsettled(reply) if reply.status == ReplyStatus.SUBMITTED else [])
        if not (row.answer == CountersignAnswer.PENDING and row.due_date < today)
    ]
    for circulation in circulations:
        for row in circulation["rows"]:
            row.overdue = row.answer == CountersignAnswer.PENDING and row.due_date < today
            row.left = days_left(row.due_date, today)
    upcoming = []
    if not circulations and reply.is_editable and reply.proposal.session.countersign_on:
        upcoming = [a.agency.name for a in workflow.co_assignments(reply)]
    return {
        "countersign_rounds": circulations,
        "countersign_upcoming": upcoming,
        "countersign_days": reply.proposal.session.countersign_working_days,
        "countersign_on": reply.proposal.session.countersign_on,
        "countersign_waiting": refusal(waiting) if waiting else "",
        "countersign_commented": any(row.answer == CountersignAnswer.COMMENTS for row in waiting),
    }
