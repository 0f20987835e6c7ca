"""The deputies' side (代表／委员): 我的建议／我的提案, one proposal with its issued letters, the
signed PDF, the deputy's notices and their SMS choice.

Contract: every view answers 404 to anyone but a deputy user, and to a deputy for any proposal
or reply they did not author (lead or co-signer). Only issued letters (答复 and 办理落实情况的
报告) are shown; drafts, versions, co-handlers' opinions, the audit and other deputies' contact
data never reach these pages. proposals/web/deputies.py keeps deputies out of every other page.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from proposals.letters import rendering
from proposals.models import (
    ANSWERING_ROLES,
    Assignment,
    CommitmentStatus,
    Deputy,
    Notice,
    Proposal,
    Reply,
    ReplyKind,
    ReplyStatus,
)
from proposals.models.sessions import Body
from proposals.records import audit, integrity


def deputy_of(request: HttpRequest) -> Deputy:
    """The signed-in user's Deputy, else 404 (these pages do not exist for anyone else)."""
    user = request.user
    if not user.is_authenticated or not user.is_deputy or user.deputy_id is None:
        raise Http404("没有找到该页面")
    return user.deputy


def proposals_of(deputy: Deputy):
    """Every proposal the deputy authored, as lead or co-signer, newest session first."""
    return (
        Proposal.objects.filter(authorships__deputy=deputy)
        .select_related("session")
        .order_by("-session__year", "-session__pk", "number", "pk")
        .distinct()
    )


def _proposal(request: HttpRequest, pk: int) -> Proposal:
    deputy = deputy_of(request)
    proposal = proposals_of(deputy).filter(pk=pk).first()
    if proposal is None:
        raise Http404("没有找到该页面")
    return proposal


def _issued_reply(request: HttpRequest, pk: int) -> Reply:
    """An issued letter of a proposal the deputy authored, to an agency that answers; else 404."""
    deputy = deputy_of(request)
    reply = (
        Reply.objects.filter(
            pk=pk,
            status=ReplyStatus.ISSUED,
            assignment__role__in=ANSWERING_ROLES,
            assignment__proposal__authorships__deputy=deputy,
        )
        .select_related("assignment__proposal__session", "assignment__agency")
        .first()
    )
    if reply is None:
        raise Http404("没有找到该页面")
    return reply


def noun(deputy: Deputy) -> str:
    """建议 for a 人大代表, 提案 for a 政协委员."""
    return "提案" if deputy.body == Body.CPPCC else "建议"


@dataclass
class AgencyState:
    """What a deputy sees of one answering agency: plain status words, a due date, a contact."""

    assignment: Assignment
    status: str
    due: object
    contact_name: str
    contact_phone: str
    issued: list[Reply]


def agency_states(proposal: Proposal) -> list[AgencyState]:
    states = []
    assignments = proposal.assignments.filter(role__in=ANSWERING_ROLES).select_related("agency")
    for assignment in assignments.order_by("role", "agency__name"):
        replies = list(assignment.replies.order_by("round", "kind", "pk"))
        answers = [r for r in replies if r.kind == ReplyKind.ANSWER]
        latest = answers[-1] if answers else None
        issued = [r for r in replies if r.status == ReplyStatus.ISSUED]
        commitment = assignment.commitments.filter(status=CommitmentStatus.OPEN).order_by("due_date").first()
        due = assignment.due_on
        if latest and latest.round > 1 and latest.status != ReplyStatus.ISSUED:
            status, due = "再次办理中", latest.due_date or due
        elif commitment:
            status, due = "跟踪办理中", commitment.due_date
        elif latest and latest.status == ReplyStatus.ISSUED:
            status, due = "已答复", None
        elif latest or assignment.received_at:
            status = "办理中"
        else:
            status = "已交办"
        contact_from = issued[-1] if issued else latest
        name = (contact_from.handler_name if contact_from else "") or assignment.agency.handler_name
        phone = (contact_from.handler_phone if contact_from else "") or assignment.agency.handler_phone
        states.append(AgencyState(assignment, status, due, name, phone, issued))
    return states


@require_GET
def deputy_home(request: HttpRequest) -> HttpResponse:
    """我的建议／我的提案."""
    deputy = deputy_of(request)
    rows = [
        {
            "proposal": p,
            "states": agency_states(p),
            "lead": p.authorships.filter(deputy=deputy, is_lead=True).exists(),
        }
        for p in proposals_of(deputy)
    ]
    return render(request, "deputy/home.html", {"deputy": deputy, "noun": noun(deputy), "rows": rows})


@require_GET
def deputy_proposal(request: HttpRequest, pk: int) -> HttpResponse:
    """One proposal: each agency's state and, for each issued letter, the letter, its PDF and the
    communication records of that assignment."""
    proposal = _proposal(request, pk)
    deputy = request.user.deputy
    states = agency_states(proposal)
    letters = [
        {
            "reply": reply,
            "letter": rendering.letter_context(reply),
            "communications": state.assignment.communications.all(),
        }
        for state in states
        for reply in state.issued
    ]
    return render(
        request,
        "deputy/proposal.html",
        {"deputy": deputy, "noun": noun(deputy), "proposal": proposal, "states": states, "letters": letters},
    )


def _pdf(request: HttpRequest, pk: int, *, inline: bool) -> HttpResponse:
    reply = _issued_reply(request, pk)
    if not reply.pdf:
        raise Http404("没有找到该页面")
    try:
        pdf = integrity.verified_bytes(
            reply.pdf,
            reply.pdf_sha256,
            what=integrity.reply_label(reply),
            obj=reply,
            link=reverse("reply_detail", args=[reply.pk]),
            request=request,
        )
    except integrity.TamperedFile:
        return render(request, "deputy/pdf_unavailable.html", {"reply": reply}, status=409)
    audit.record(request, "pdf_download", reply, status=reply.status, sha256=hashlib.sha256(pdf).hexdigest())
    return FileResponse(
        io.BytesIO(pdf),
        as_attachment=not inline,
        filename=rendering.download_filename(reply),
        content_type="application/pdf",
    )


@require_GET
def deputy_reply_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The signed PDF, opened in the browser (Content-Disposition: inline)."""
    return _pdf(request, pk, inline=True)


@require_GET
def deputy_reply_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The signed PDF as a download."""
    return _pdf(request, pk, inline=False)


@require_http_methods(["GET", "POST"])
def deputy_settings(request: HttpRequest) -> HttpResponse:
    """The deputy turns SMS notices on or off for themselves; in-app notices stay."""
    deputy = deputy_of(request)
    if request.method == "POST":
        wanted = request.POST.get("sms_enabled") == "1"
        if wanted != deputy.sms_enabled:
            deputy.sms_enabled = wanted
            deputy.save(update_fields=["sms_enabled"])
            audit.record(request, "deputy_sms_choice", deputy, sms_enabled=wanted)
        messages.success(request, "已开启短信通知。" if wanted else "已关闭短信通知，站内通知照常显示。")
        return redirect("deputy_settings")
    return render(request, "deputy/settings.html", {"deputy": deputy, "noun": noun(deputy)})


@require_GET
def deputy_notices(request: HttpRequest) -> HttpResponse:
    """My notices (only the signed-in deputy's own)."""
    deputy = deputy_of(request)
    items = list(Notice.objects.filter(user=request.user)[:100])
    return render(request, "deputy/notices.html", {"deputy": deputy, "noun": noun(deputy), "items": items})


@require_POST
def deputy_notices_read(request: HttpRequest) -> HttpResponse:
    deputy_of(request)
    Notice.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("deputy_notices")
