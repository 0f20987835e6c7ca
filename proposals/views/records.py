"""Records (committee staff): the audit trail with filters and Excel, checking a signed PDF
(/verify/), and the filing exports of a session's issued letters.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from proposals.models import (
    ExportJob,
    ExportStatus,
    Reply,
    Session,
)
from proposals.records import audit, audit_display, integrity
from proposals.records import exports as exports_module
from proposals.supervision import spreadsheets
from proposals.views.shared import committee_only


@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """审计记录: every recorded event, newest first, with filters; viewing it is itself recorded."""
    from django.core.paginator import Paginator

    committee_only(request)
    rows, values = audit.search(request.GET)
    page = Paginator(rows.select_related("actor"), 100).get_page(request.GET.get("page"))
    audit.record(request, "audit_view", None, filters={k: v for k, v in values.items() if v})
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "proposals/audit_log.html",
        {
            "page": page,
            "values": values,
            "query": query.urlencode(),
            "events": sorted(audit.EVENT_LABELS.items()),
            "outcomes": audit.OUTCOME_LABELS.items(),
            "rows": audit_display.rows_for_page(list(page)),
        },
    )


@require_GET
def audit_xlsx(request: HttpRequest) -> HttpResponse:
    """The filtered audit rows as Excel (no cell can become a formula)."""
    committee_only(request)
    rows, values = audit.search(request.GET)
    audit.record(request, "audit_export", None, filters={k: v for k, v in values.items() if v})
    data = spreadsheets.xlsx(
        "审计记录",
        [
            "序号",
            "时间",
            "用户名",
            "角色",
            "IP 地址",
            "事件",
            "事件代码",
            "对象类型",
            "对象编号",
            "结果",
            "详情",
            "摘要",
        ],
        audit.export_rows(rows),
        widths=(8, 26, 14, 10, 16, 14, 18, 22, 10, 10, 60, 20),
    )
    return FileResponse(
        io.BytesIO(data),
        as_attachment=True,
        filename="审计记录.xlsx",
        content_type=spreadsheets.XLSX_CONTENT_TYPE,
    )


def verify_letter(request: HttpRequest) -> HttpResponse:
    """Committee staff upload a PDF: is the signature valid, who signed when, was it changed
    after signing, which archived reply is it."""
    from proposals.letters import signing  # pyHanko is loaded only where letters are checked

    if not request.user.sees_everything:
        raise PermissionDenied("只有委员会工作人员可以验证答复函。")
    lines, problem = [], ""
    if request.method == "POST":
        upload = request.FILES.get("pdf")
        if upload is None:
            problem = "请选择要验证的 PDF 文件。"
        elif upload.size > settings.MAX_UPLOAD_BYTES:
            problem = f"文件超过 {settings.MAX_UPLOAD_BYTES // 2**20} MB，不予验证。"
        else:
            result = signing.verify(upload.read())
            lines = signing.describe(result, Reply.objects.for_user(request.user))
    return render(request, "proposals/verify.html", {"lines": lines, "problem": problem})


def exports(request: HttpRequest) -> HttpResponse:
    """Start a ZIP export of a session's issued replies; see the recent ones."""
    committee_only(request)
    if request.method == "POST":
        session = get_object_or_404(Session, pk=request.POST.get("session") or 0)
        job = exports_module.start_export(session, request.user)
        audit.record(request, "export_requested", job)
        return redirect("export_detail", pk=job.pk)
    return render(
        request,
        "proposals/exports.html",
        {
            "sessions": Session.objects.order_by("-year", "name"),
            "jobs": ExportJob.objects.filter(requested_by=request.user).select_related("session")[:20],
        },
    )


def _own_job(request: HttpRequest, pk: int, **filters) -> ExportJob:
    """The user's own export job; for anyone else it does not exist (404)."""
    if not request.user.sees_everything:
        raise Http404("没有该导出任务")
    return get_object_or_404(
        ExportJob.objects.select_related("session"), pk=pk, requested_by=request.user, **filters
    )


def export_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The job's page; its progress block refreshes itself until the ZIP is ready."""
    job = _own_job(request, pk)
    template = (
        "proposals/_export_progress.html"
        if request.headers.get("HX-Request")
        else "proposals/export_detail.html"
    )
    return render(request, template, {"job": job})


@require_GET
def export_download(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk, status=ExportStatus.DONE)
    try:
        archive = integrity.verified_file(
            job.file,
            job.file_sha256,
            what=f"{job.session.name}答复函归档（第{job.pk}号导出）",
            obj=job,
            link=reverse("export_detail", args=[job.pk]),
            request=request,
        )
    except integrity.TamperedFile as problem:
        return render(request, "proposals/export_detail.html", {"job": job, "refused": problem}, status=409)
    audit.record(request, "export_download", job)
    return FileResponse(
        archive,
        as_attachment=True,
        filename=f"{job.session.name}答复函归档.zip",
        content_type="application/zip",
    )
