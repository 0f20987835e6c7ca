"""Committee supervision (选任工委, 督查室): the dashboard of every proposal × agency, the
statistics with their Excel tables, 督办, recording the deputies' ratings, and everyone's notices.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from proposals import workflow
from proposals.forms import (
    FeedbackCorrectionForm,
    FeedbackForm,
    form_errors,
)
from proposals.models import (
    Agency,
    Deputy,
    Rating,
    ReplyStatus,
    Session,
    deadlines,
)
from proposals.records import audit
from proposals.supervision import spreadsheets
from proposals.views.shared import act, assignment_for, committee_only, reply_for


@require_GET
def committee_dashboard(request: HttpRequest) -> HttpResponse:
    """Every proposal × agency with status, round, class, due date and days left; filters,
    search, sorting and pages. The same few queries whatever the number of rows."""
    from proposals.models import Role
    from proposals.supervision import dashboard

    committee_only(request)
    filters = dashboard.Filters.from_query(request.GET)
    today = timezone.localdate()
    page = dashboard.page(request.user, filters, today, request.GET.get("page"))
    for row in page:
        row.days_left = deadlines.days_left(row.due, today)
        row.overdue_days = -row.days_left if row.days_left is not None and row.days_left < 0 else 0
        row.flag = "" if row.done else deadlines.flag(row.due, today)
        row.follow_up_overdue = row.follow_up_due is not None and row.follow_up_due < today
    query = request.GET.copy()
    query.pop("page", None)
    sort_query = query.copy()
    sort_query.pop("sort", None)
    return render(
        request,
        "proposals/dashboard.html",
        {
            "page": page,
            "filters": filters,
            "follow_up_filters": dashboard.FOLLOW_UP_FILTERS,
            "receipt_filters": dashboard.RECEIPT_FILTERS,
            "query": query.urlencode(),
            "sort_query": sort_query.urlencode(),
            "sessions": Session.objects.order_by("-year", "name"),
            "agencies": Agency.objects.order_by("name"),
            "roles": Role.choices,
            "statuses": ReplyStatus.choices,
            "ratings": Rating.choices,
            "class_codes": list(settings.REPLY_CLASS_CODES),
        },
    )


def _satisfaction_cells(row) -> list:
    """办理结果 then 办理态度: 满意, 基本满意, 不满意 and 满意率 for the agencies sheet."""
    return [
        value for satisfaction in row.satisfactions for value in (*satisfaction.counts, satisfaction.rate)
    ]


def _statistics(request: HttpRequest):
    from proposals.supervision import statistics

    session_id = request.GET.get("session", "")
    session_id = int(session_id) if session_id.isdigit() else None
    rows = statistics.per_agency(session_id)
    total = statistics.totals(rows)
    return session_id, rows, total, statistics.categories(total)


SATISFACTION_COLOURS = ("#2e7d32", "#9bbf5a", "#c62828")  # 满意, 基本满意, 不满意


@require_GET
def statistics_page(request: HttpRequest) -> HttpResponse:
    """Per-agency statistics and the session totals, with charts and Excel downloads."""
    from proposals.supervision.statistics import grouped as grouped_figures

    committee_only(request)
    session_id, rows, total, categories = _statistics(request)
    width = 520

    def percent(value) -> str:  # as in the tables: one decimal, "—" when there is nothing to count
        return "—" if value is None else f"{value}%"

    bars = [
        {
            "label": row.agency,
            "text": percent(row.answer_rate),
            "y": 24 * index,
            "width": round((row.answer_rate or 0) * width / 100),
        }
        for index, row in enumerate(rows)
    ]
    category_bars = [
        {
            "label": f"{code}类 {wording}" if code else wording,
            "count": count,
            "text": percent(share),
            "y": 28 * index,
            "width": round((share or 0) * width / 100),
        }
        for index, (code, wording, count, share) in enumerate(categories)
    ]
    satisfaction_bars = []
    for index, satisfaction in enumerate(total.satisfactions):
        x, parts = 0, []
        for (label, count, share), colour in zip(satisfaction.rows, SATISFACTION_COLOURS, strict=True):
            part = round((share or 0) * width / 100)
            parts.append({"x": 250 + x, "width": part, "fill": colour, "title": f"{label} {count}件"})
            x += part
        satisfaction_bars.append(
            {
                "label": f"{satisfaction.label}（已评价{satisfaction.rated}件）",
                "y": 28 * index,
                "parts": parts,
                "end": 256 + x,
                "text": f"满意率 {percent(satisfaction.rate)}",
            }
        )
    return render(
        request,
        "proposals/statistics.html",
        {
            "satisfaction_bars": satisfaction_bars,
            "satisfaction_height": 28 * len(satisfaction_bars) + 4,
            "satisfaction_legend": [
                {"x": 250 + 100 * index, "label": label, "fill": colour}
                for index, (label, colour) in enumerate(zip(Rating.labels, SATISFACTION_COLOURS, strict=True))
            ],
            "rows": rows,
            "total": total,
            "categories": categories,
            "grouped": grouped_figures(session_id),
            "session_id": session_id,
            "sessions": Session.objects.order_by("-year", "name"),
            "class_codes": list(settings.REPLY_CLASS_CODES),
            "bars": bars,
            "bars_height": 24 * len(bars) + 4,
            "category_bars": category_bars,
            "category_height": 28 * len(category_bars) + 4,
            "chart_width": width,
        },
    )


@require_GET
def statistics_xlsx(request: HttpRequest, table: str) -> HttpResponse:
    """A statistics table as Excel; no cell can become a formula."""
    committee_only(request)
    session_id, rows, total, categories = _statistics(request)
    codes = list(settings.REPLY_CLASS_CODES)
    if table == "agencies":
        data = spreadsheets.xlsx(
            "承办单位统计",
            [
                "承办单位",
                "主办/分办",
                "协办/会办",
                "已答复",
                "办复率%",
                "按时答复",
                "按时办复率%",
                "无期限",
                "已见面",
                "见面率%",
                "按时签收",
                "按时签收率%",
                "按时会签",
                "按时会签率%",
                *[
                    f"{what}{column}"
                    for what in ("办理结果", "办理态度")
                    for column in ("满意", "基本满意", "不满意", "满意率%")
                ],
                *[f"{c}类%" for c in codes],
                "未分类%",
            ],
            [
                (
                    row.agency,
                    row.lead,
                    row.co,
                    row.answered,
                    row.answer_rate,
                    row.on_time,
                    row.on_time_rate,
                    row.no_due,
                    row.met,
                    row.meeting_rate,
                    row.receipt_on_time,
                    row.receipt_rate,
                    row.countersign_answered,
                    row.countersign_rate,
                    *_satisfaction_cells(row),
                    *[row.class_share(c) for c in codes],
                    row.unclassified_share,
                )
                for row in [*rows, total]
            ],
        )
        name = "承办单位办理情况统计.xlsx"
    elif table == "follow_up":
        data = spreadsheets.xlsx(
            "跟踪办理",
            ["承办单位", "跟踪事项", "按期落实", "逾期落实", "逾期未落实", "跟踪落实率%"],
            [
                (
                    r.agency,
                    r.commitments,
                    r.fulfilled_on_time,
                    r.fulfilled_late,
                    r.open_overdue,
                    r.follow_up_rate,
                )
                for r in [*(r for r in rows if r.commitments), total]
            ],
        )
        name = "跟踪办理统计.xlsx"
    elif table == "returns":
        data = spreadsheets.xlsx(
            "征询意见表返回",
            ["承办单位", "应返回", "评价已返回", "返回率%", "在线评价", "代录"],
            [
                (
                    r.agency,
                    r.returns_expected,
                    r.returned,
                    r.return_rate,
                    r.returned_online,
                    r.returned_by_proxy,
                )
                for r in [*(r for r in rows if r.returns_expected), total]
            ],
        )
        name = "征询意见表返回统计.xlsx"
    elif table == "categories":
        data = spreadsheets.xlsx(
            "办理结果分类",
            ["分类", "说明", "件数", "占比%"],
            [
                (f"{code}类" if code else "未分类", wording, count, share)
                for code, wording, count, share in categories
            ],
        )
        name = "办理结果分类统计.xlsx"
    elif table == "satisfaction":
        data = spreadsheets.xlsx(
            "满意度",
            ["评价项目", "评价", "件数", "占比%"],
            [
                (satisfaction.label, label, count, share)
                for satisfaction in total.satisfactions
                for label, count, share in [
                    *satisfaction.rows,
                    ("已评价", satisfaction.rated, 100.0 if satisfaction.rated else None),
                    (
                        "满意率（满意＋基本满意）",
                        satisfaction.satisfied + satisfaction.basically,
                        satisfaction.rate,
                    ),
                ]
            ],
            widths=[12, 10, 8, 8],
        )
        name = "领衔代表满意度统计.xlsx"
    else:
        raise Http404("没有该统计表")
    audit.record(request, "export", None, table=table, session=session_id)
    return FileResponse(
        io.BytesIO(data), as_attachment=True, filename=name, content_type=spreadsheets.XLSX_CONTENT_TYPE
    )


@require_POST
def assignment_supervise(request: HttpRequest, pk: int) -> HttpResponse:
    """督办 from the dashboard or the reply page."""
    assignment = assignment_for(request, pk)
    try:
        workflow.supervise(assignment, request.user, request.POST.get("message", ""))
    except workflow.WorkflowError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, f"已向{assignment.agency.name}发出督办通知。")
    return redirect(
        request.POST.get("next")
        if url_has_allowed_host_and_scheme(request.POST.get("next"), allowed_hosts={request.get_host()})
        else "dashboard"
    )


@require_POST
def reply_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    reply = reply_for(request, pk)
    form = FeedbackForm(request.POST, reply=reply)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("reply_detail", pk=reply.pk)
    deputy = get_object_or_404(Deputy, pk=form.cleaned_data["deputy"])
    return act(
        request,
        pk,
        workflow.record_feedback,
        f"已登记{deputy.name}的评价。",
        deputy,
        attitude=form.cleaned_data["attitude"],
        rating=form.cleaned_data["rating"],
        note=form.cleaned_data["note"],
    )


@require_POST
def feedback_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """更正评价: committee staff correct one recorded rating (办理态度, 办理结果 or both), with the
    reason (the old values kept)."""
    from proposals.models import Feedback, Reply

    visible = Feedback.objects.filter(reply__in=Reply.objects.for_user(request.user))
    feedback = get_object_or_404(visible.select_related("deputy"), pk=pk)  # another agency's: 404
    committee_only(request)
    form = FeedbackCorrectionForm(request.POST, feedback=feedback)
    if not form.is_valid():
        messages.error(request, form_errors(form))
        return redirect("reply_detail", pk=feedback.reply_id)
    try:
        workflow.correct_feedback(feedback, request.user, **form.cleaned_data)
    except workflow.WorkflowError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, f"已更正{feedback.deputy.name}的评价。")
    return redirect("reply_detail", pk=feedback.reply_id)


@require_GET
def notices(request: HttpRequest) -> HttpResponse:
    """My in-app notices, unread ones highlighted."""
    from proposals.models import Notice

    items = list(Notice.objects.filter(user=request.user)[:100])
    return render(request, "proposals/notices.html", {"items": items})


@require_POST
def notice_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open one notice: it is marked read, and the user goes to what it is about."""
    from proposals.models import Notice

    notice = get_object_or_404(Notice, pk=pk, user=request.user)
    if notice.read_at is None:
        notice.read_at = timezone.now()
        notice.save(update_fields=["read_at"])
    safe = url_has_allowed_host_and_scheme(notice.link, allowed_hosts={request.get_host()})
    return redirect(notice.link if notice.link and safe else "notices")


@require_POST
def notices_read(request: HttpRequest) -> HttpResponse:
    """Mark all my notices read (a POST: reading a page never changes anything)."""
    from proposals.models import Notice

    Notice.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("notices")
