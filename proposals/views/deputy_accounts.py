"""代表／委员账号 (committee staff): the deputies of a session with their mobile and account,
bulk and single 开通账号, 停用, and the mobile entered or corrected. Every write goes through
`proposals.workflow.deputies`."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from proposals.models import Deputy, Session, User
from proposals.views.shared import committee_only
from proposals.workflow import WorkflowError
from proposals.workflow import deputies as accounts


def _deputy_for_staff(request: HttpRequest) -> None:
    """A deputy's record is personal data: to anyone but committee staff its URLs do not exist."""
    if not request.user.sees_everything:
        raise Http404
    committee_only(request)


def _session(request: HttpRequest) -> Session | None:
    value = request.GET.get("session") or request.POST.get("session") or ""
    sessions = Session.objects.order_by("-year", "name")
    return sessions.filter(pk=int(value)).first() if value.isdigit() else sessions.first()


def _back(session: Session | None) -> HttpResponse:
    url = reverse("deputy_accounts")
    return redirect(f"{url}?session={session.pk}" if session else url)


def _portal_url(request: HttpRequest) -> str:
    return settings.PORTAL_URL or request.build_absolute_uri(reverse("deputy_login"))


def deputy_accounts(request: HttpRequest) -> HttpResponse:
    """The session's deputies; POST opens the ticked ones' accounts (all or none)."""
    committee_only(request)
    session = _session(request)
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("deputy") if v.isdigit()]
        try:
            report = accounts.activate_accounts(
                Deputy.objects.filter(pk__in=ids), request.user, _portal_url(request)
            )
        except WorkflowError as problem:
            messages.error(request, str(problem))
        else:
            _report(request, report)
        return _back(session)
    return _listing(request, session)


def _listing(request: HttpRequest, session: Session | None, typed: dict | None = None) -> HttpResponse:
    """The page; `typed` ({deputy pk: text}) shows a refused mobile as it was typed."""
    deputies = (
        Deputy.objects.filter(proposals__session=session).distinct().order_by("name", "pk")
        if session
        else Deputy.objects.none()
    )
    users = {u.deputy_id: u for u in User.objects.filter(deputy__in=deputies)}
    typed = typed or {}
    rows = [(d, users.get(d.pk), typed.get(d.pk, d.mobile)) for d in deputies]
    return render(
        request,
        "proposals/deputy_accounts.html",
        {"session": session, "sessions": Session.objects.order_by("-year", "name"), "rows": rows},
        status=400 if typed else 200,
    )


def _report(request: HttpRequest, report: accounts.ActivationReport) -> None:
    if report.opened:
        messages.success(request, f"已开通{len(report.opened)}个账号并发送短信：{'、'.join(report.opened)}。")
    if report.already:
        messages.info(request, f"{'、'.join(report.already)}的账号此前已开通。")
    if report.sms_failed:
        messages.warning(request, f"短信发送失败：{'、'.join(report.sms_failed)}。账号已开通，请另行通知。")


@require_POST
def deputy_account_open(request: HttpRequest, pk: int) -> HttpResponse:
    _deputy_for_staff(request)
    deputy = get_object_or_404(Deputy, pk=pk)
    try:
        report = accounts.activate_accounts([deputy], request.user, _portal_url(request))
    except WorkflowError as problem:
        messages.error(request, str(problem))
    else:
        _report(request, report)
    return _back(_session(request))


@require_POST
def deputy_account_close(request: HttpRequest, pk: int) -> HttpResponse:
    _deputy_for_staff(request)
    deputy = get_object_or_404(Deputy, pk=pk)
    try:
        accounts.deactivate_account(deputy, request.user)
    except WorkflowError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, f"已停用{deputy.name}的账号。可以随时重新开通。")
    return _back(_session(request))


@require_POST
def deputy_mobile(request: HttpRequest, pk: int) -> HttpResponse:
    _deputy_for_staff(request)
    deputy = get_object_or_404(Deputy, pk=pk)
    mobile = request.POST.get("mobile", "")[:30]
    try:
        accounts.set_mobile(deputy, mobile, request.user)
    except WorkflowError as problem:
        messages.error(request, f"{deputy.name}：{problem}")
        return _listing(request, _session(request), typed={deputy.pk: mobile})
    else:
        messages.success(request, f"已保存{deputy.name}的手机号码。")
    return _back(_session(request))
