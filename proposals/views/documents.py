"""The letter as files: the reply PDF (an issued one only while its stored hash matches), its
Word copy, the 征询意见表, and the letter's font rules and licensed fonts for the preview.
"""

from __future__ import annotations

import hashlib
import io

from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from proposals.letters import fonts, rendering, word_export
from proposals.records import audit, integrity
from proposals.views.shared import reply_for
from proposals.web import limits


@require_GET
def reply_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter as a PDF download with its Chinese file name (RFC 6266 filename*). An issued
    reply's stored PDF is served only if its SHA-256 still matches."""
    reply = reply_for(request, pk)
    if reply.is_frozen and reply.pdf:
        try:
            pdf = integrity.verified_bytes(
                reply.pdf,
                reply.pdf_sha256,
                what=integrity.reply_label(reply),
                obj=reply,
                link=reverse("reply_detail", args=[reply.pk]),
                request=request,
            )
        except integrity.TamperedFile as problem:
            return render(
                request, "proposals/pdf_unavailable.html", {"reply": reply, "problem": problem}, status=409
            )
    else:
        if refused := limits.check(request, "pdf_render"):
            return refused
        try:
            pdf = rendering.render_pdf(reply)
        except rendering.LetterRenderingUnavailable as problem:
            return render(
                request, "proposals/pdf_unavailable.html", {"reply": reply, "problem": problem}, status=503
            )
    audit.record(request, "pdf_download", reply, status=reply.status, sha256=hashlib.sha256(pdf).hexdigest())
    return FileResponse(
        io.BytesIO(pdf),
        as_attachment=True,
        filename=rendering.download_filename(reply),
        content_type="application/pdf",
    )


@require_GET
def reply_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """The letter as a Word file (下载 Word), same access as its PDF (reply_for): the text of the
    PDF, for editing or filing. A draft carries the 草稿 mark; an issued letter's copy says that
    the signed PDF is the record."""
    reply = reply_for(request, pk)
    data = word_export.render_docx(reply)
    audit.record(
        request,
        "pdf_download",
        reply,
        document="docx",
        status=reply.status,
        sha256=hashlib.sha256(data).hexdigest(),
    )
    return FileResponse(
        io.BytesIO(data),
        as_attachment=True,
        filename=word_export.docx_filename(reply),
        content_type=word_export.DOCX_CONTENT_TYPE,
    )


@require_GET
def feedback_form_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """代表建议办理情况征询意见表, to enclose with the letter for the lead author."""
    reply = reply_for(request, pk)
    if refused := limits.check(request, "pdf_render"):
        return refused
    try:
        pdf = rendering.render_feedback_form(reply)
    except rendering.LetterRenderingUnavailable as problem:
        return render(
            request, "proposals/pdf_unavailable.html", {"reply": reply, "problem": problem}, status=503
        )
    audit.record(request, "pdf_download", reply, document="feedback_form")
    return FileResponse(
        io.BytesIO(pdf),
        as_attachment=True,
        filename=rendering.feedback_form_filename(reply),
        content_type="application/pdf",
    )


@login_not_required
@require_GET
def letter_font_css(request: HttpRequest) -> HttpResponse:
    """The letter's font rules (built from settings), shared by the preview and the PDF."""
    return HttpResponse(fonts.font_css(), content_type="text/css; charset=utf-8")


@require_GET
def licensed_font(request: HttpRequest, role: str) -> FileResponse:
    """A licensed font file configured with LETTER_FONT_<ROLE>, for the preview page."""
    path = fonts.licensed_font_path(role) if role in fonts.FONT_ROLES else None
    if path is None or not path.is_file():
        raise Http404("没有配置该字体")
    return FileResponse(path.open("rb"), content_type="font/ttf")
