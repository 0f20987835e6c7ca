"""The deputies' door: login by mobile number and a one-time SMS code, or by password where the
deputy has set one (`deputy_password`). The answer for a number is the same whether or not it
has an account; the codes and their limits live in `proposals.workflow.deputies`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import authenticate, login, password_validation
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from proposals.records import audit
from proposals.web import limits
from proposals.workflow import WorkflowError
from proposals.workflow import deputies as accounts

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _page(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    context.setdefault("next", _next(request))
    return render(request, "deputy/login.html", context, status=status)


def _next(request: HttpRequest) -> str:
    """Where the deputy was going (a deputy page of this site, as an SMS link leads), else ''."""
    target = (request.POST.get("next") or request.GET.get("next") or "")[:300]
    if target.startswith("/deputy/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}
    ):
        return target
    return ""


def _logged_in(request: HttpRequest) -> HttpResponse:
    return redirect(_next(request) or "deputy_home")


@login_not_required
def deputy_login(request: HttpRequest) -> HttpResponse:
    """代表／委员登录: 获取验证码, then the code; or the password tab."""
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405)
    if request.method == "GET":
        return _page(request, {"mobile": "", "tab": request.GET.get("tab", "code")})
    if wait := limits.exceeded(request, "deputy_login"):
        return limits.too_many(request, "deputy_login", wait)
    mobile = request.POST.get("mobile", "").strip()[:20]
    step = request.POST.get("step", "send")
    context = {"mobile": mobile, "tab": "password" if step == "password" else "code"}
    if step == "send":
        try:
            context["sent"] = accounts.request_code(request, mobile)
        except WorkflowError as problem:
            context["error"] = str(problem)
            context["sent"] = accounts.CODE_SENT if "频繁" in str(problem) or "5次" in str(problem) else ""
            return _page(request, context, status=400)
        return _page(request, context)
    if step == "code":
        user = accounts.check_code(request, mobile, request.POST.get("code", "")[:12])
        if user is None:
            context.update(sent=" ", error="验证码不正确或已失效，请重新输入或重新获取。")
            return _page(request, context, status=400)
        login(request, user, backend=MODEL_BACKEND)
        return _logged_in(request)
    if step == "password":
        try:
            clean = accounts.clean_mobile(mobile)
        except WorkflowError:
            clean = mobile
        account = accounts.account_for(clean)
        username = account.username if account is not None else clean
        user = authenticate(request, username=username, password=request.POST.get("password", ""))
        if getattr(request, "axes_locked_out", False):
            from proposals.web.accounts import lockout_response

            return lockout_response(request)
        if user is None or not user.is_deputy:
            context["error"] = "手机号码或密码不正确，请重新输入。"
            return _page(request, context, status=400)
        login(request, user, backend=MODEL_BACKEND)
        return _logged_in(request)
    raise Http404("没有找到该页面")


def deputy_password(request: HttpRequest) -> HttpResponse:
    """设置登录密码 (a deputy's own; afterwards the password tab of the deputy login works)."""
    from django.contrib.auth import update_session_auth_hash

    if not request.user.is_deputy:
        raise Http404("没有找到该页面")
    form = SetPasswordForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
            audit.record(request, "deputy_password", user)
        update_session_auth_hash(request, user)
        messages.success(request, "登录密码已设置。以后也可以用手机号码和密码登录。")
        return redirect("deputy_home")
    rules = password_validation.password_validators_help_texts()  # plain text, autoescaped
    context = {"form": form, "password_rules": rules}
    return render(request, "deputy/password.html", context, status=400 if form.errors else 200)
