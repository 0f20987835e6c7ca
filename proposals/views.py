"""Pages of the portal. Views are thin: querysets carry access rules (`for_user`)."""

import io

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from proposals import letters
from proposals.models import Proposal, Reply


def _reply_for(request: HttpRequest, pk: int) -> Reply:
    return get_object_or_404(
        Reply.objects.for_user(request.user).select_related(
            "assignment__proposal__session", "assignment__agency"),
        pk=pk)


def home(request: HttpRequest) -> HttpResponse:
    """Start page: the proposals and replies this user may see."""
    replies = (Reply.objects.for_user(request.user)
               .select_related("assignment__proposal__session", "assignment__agency")
               .order_by("assignment__proposal__session__name", "assignment__proposal__number"))
    proposals = (Proposal.objects.for_user(request.user).select_related("session")
                 .prefetch_related("assignments__agency", "authorships__deputy"))
    return render(request, "proposals/home.html", {"replies": replies, "proposals": proposals})


def reply_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One reply: its facts and the letter preview (the same template as the PDF)."""
    reply = _reply_for(request, pk)
    return render(request, "proposals/reply_detail.html", {
        "reply": reply, "letter": letters.letter_context(reply),
        "pdf_filename": letters.pdf_filename(reply),
    })


@require_GET
def reply_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter as a PDF download with its Chinese file name (RFC 6266 filename*)."""
    reply = _reply_for(request, pk)
    try:
        pdf = letters.render_pdf(reply)
    except letters.LetterRenderingUnavailable as problem:
        return render(request, "proposals/pdf_unavailable.html", {"reply": reply, "problem": problem},
                      status=503)
    return FileResponse(io.BytesIO(pdf), as_attachment=True, filename=letters.pdf_filename(reply),
                        content_type="application/pdf")


@require_GET
def letter_font_css(request: HttpRequest) -> HttpResponse:
    """The letter's font rules (built from settings), shared by the preview and the PDF."""
    return HttpResponse(letters.font_css(), content_type="text/css; charset=utf-8")


@require_GET
def licensed_font(request: HttpRequest, role: str) -> FileResponse:
    """A licensed font file configured with LETTER_FONT_<ROLE>, for the preview page."""
    path = letters.licensed_font_path(role) if role in letters.FONT_ROLES else None
    if path is None or not path.is_file():
        raise Http404("没有配置该字体")
    return FileResponse(path.open("rb"), content_type="font/ttf")
