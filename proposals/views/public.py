"""The public side, without login: the published replies with search, one public letter and
its PDF. Only publications of non-confidential proposals exist here.
"""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_not_required
from django.db.models import Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from proposals.letters import rendering, wording
from proposals.models import (
    Agency,
    Publication,
    Session,
)
from proposals.records import integrity

PUBLIC_PAGE_SIZE = 50


@login_not_required
@require_GET
def public_list(request: HttpRequest) -> HttpResponse:
    """Published replies by session and agency, with search; open to everyone."""
    publications = (
        Publication.objects.public()
        .select_related("reply__assignment__proposal__session", "reply__assignment__agency")
        .order_by(
            "reply__assignment__proposal__session__name",
            "reply__assignment__agency__name",
            "reply__assignment__proposal__number",
        )
    )
    query = request.GET.get("q", "").strip()[:50]
    session = request.GET.get("session", "")
    agency = request.GET.get("agency", "")
    if query:
        publications = publications.filter(
            Q(reply__assignment__proposal__title__icontains=query)
            | Q(reply__title__icontains=query)
            | Q(reply__assignment__proposal__number=wording.bare_number(query) or query)
            | Q(reply__assignment__agency__name__icontains=query)
        )
    if session.isdigit():
        publications = publications.filter(reply__assignment__proposal__session_id=int(session))
    if agency.isdigit():
        publications = publications.filter(reply__assignment__agency_id=int(agency))
    published = Publication.objects.public()
    return render(
        request,
        "public/list.html",
        {
            "publications": _shown(publications, query),
            "query": query,
            "sessions": Session.objects.filter(
                proposals__assignments__replies__publication__in=published
            ).distinct(),
            "agencies": Agency.objects.filter(assignments__replies__publication__in=published).distinct(),
            "session": session,
            "agency": agency,
        },
    )


def _shown(publications, query: str) -> list[Publication]:
    """The first page of publications, their titles as published (phone and ID numbers out). A
    search matches what is published only: a title found through a number it hides is left out, so
    the search cannot tell whether a letter holds a given number."""
    from proposals.letters.public import redact_text

    number = wording.bare_number(query) or query
    needle = query.casefold()
    shown = []
    for publication in publications.iterator(chunk_size=PUBLIC_PAGE_SIZE):
        reply = publication.reply
        publication.public_proposal_title = redact_text(reply.proposal.title)
        publication.public_title = redact_text(reply.effective_title)
        if query and not (
            needle in publication.public_proposal_title.casefold()
            or needle in publication.public_title.casefold()
            or needle in reply.agency.name.casefold()
            or reply.proposal.number == number
        ):
            continue
        shown.append(publication)
        if len(shown) == PUBLIC_PAGE_SIZE:
            break
    return shown


class Withdrawn(Exception):
    """The publication was taken down: the page says so (410), it does not pretend it never was."""


def _publication(pk: int) -> Publication:
    publication = get_object_or_404(
        Publication.objects.filter(reply__assignment__proposal__confidential=False).select_related(
            "reply__assignment__proposal__session", "reply__assignment__agency"
        ),
        reply_id=pk,
    )
    if publication.is_withdrawn:
        raise Withdrawn
    return publication


def _withdrawn(request: HttpRequest) -> HttpResponse:
    return render(request, "public/withdrawn.html", status=410)


@login_not_required
@require_GET
def public_reply(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        publication = _publication(pk)
    except Withdrawn:
        return _withdrawn(request)
    from proposals.letters.public import public_context

    return render(
        request,
        "public/reply.html",
        {
            "publication": publication,
            "reply": publication.reply,
            "letter": public_context(rendering.letter_context(publication.reply)),
        },
    )


@login_not_required
@require_GET
def public_reply_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        publication = _publication(pk)
    except Withdrawn:
        return _withdrawn(request)
    try:
        pdf = integrity.verified_bytes(
            publication.pdf,
            publication.pdf_sha256,
            what=integrity.reply_label(publication.reply).replace("的答复函", "的答复函公开版"),
            obj=publication,
            link=reverse("reply_detail", args=[publication.reply_id]),
            request=request,
        )
    except integrity.TamperedFile:
        return render(request, "public/unavailable.html", status=409)
    return FileResponse(
        io.BytesIO(pdf),
        as_attachment=True,
        filename=rendering.public_pdf_filename(publication.reply),
        content_type="application/pdf",
    )
