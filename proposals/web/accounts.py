"""Account rules (SEC-01 to SEC-05): password strength, the forced change of an initial
password, idle and absolute session limits, and the lockout page."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, password_validation
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

LOGIN_AT = "login_at"  # session key: when this session logged in (epoch seconds)
CLASSES = (
    ("小写字母", str.islower),
    ("大写字母", str.isupper),
    ("数字", str.isdigit),
    ("符号", lambda c: not c.isalnum()),
)


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with its message in Chinese (the bundled catalogue lacks it)."""

    def get_error_message(self) -> str:
        return f"密码太短，至少需要{self.min_length}个字符。"

    def get_help_text(self) -> str:
        return f"密码至少需要{self.min_length}个字符。"


class CharacterClassesValidator:
    """At least `min_classes` of: lower case, upper case, digits, symbols (等保 practice)."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        used = sum(any(test(c) for c in password) for _, test in CLASSES)
        if used < self.min_classes:
            raise ValidationError(
                f"密码必须包含小写字母、大写字母、数字、符号中的至少{self.min_classes}类。",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return f"密码必须包含小写字母、大写字母、数字、符号中的至少{self.min_classes}类。"


class RecentPasswordValidator:
    """SEC-02: the new password is not the current one, nor any of the last `keep` (an initial
    password "changed" to itself would clear the must-change flag). Each new password's hash is
    kept in PasswordHistory; older entries are dropped."""

    def __init__(self, keep: int = 5):
        self.keep = keep

    def validate(self, password: str, user=None) -> None:
        if user is None or not user.pk:
            return
        from django.contrib.auth.hashers import check_password

        from proposals.models import User

        stored = User.objects.filter(pk=user.pk).values_list("password", flat=True).first() or ""
        recent = [stored, *user.password_history.values_list("password", flat=True)[: self.keep + 1]]
        if any(encoded and check_password(password, encoded) for encoded in recent):
            raise ValidationError(
                f"新密码不能与当前密码或最近{self.keep}次用过的密码相同。", code="password_reused"
            )

    def password_changed(self, password: str, user=None) -> None:
        if user is None or not user.pk:
            return
        from proposals.models import PasswordHistory

        PasswordHistory.objects.create(user=user, password=user.password)
        old = user.password_history.values_list("pk", flat=True)[self.keep + 1 :]
        PasswordHistory.objects.filter(pk__in=list(old)).delete()

    def get_help_text(self) -> str:
        return f"新密码不能与当前密码或最近{self.keep}次用过的密码相同。"


class AccountPolicyMiddleware:
    """After authentication: end sessions older than SESSION_ABSOLUTE_SECONDS (the idle limit
    is the session cookie age, renewed on every request), and send users who must change their
    password to the change page before anything else."""

    EXEMPT = ("password_change", "logout", "login")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            started = request.session.get(LOGIN_AT)
            if started is None:
                request.session[LOGIN_AT] = time.time()
            elif time.time() - started >= settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                messages.info(request, "登录已超过12小时，请重新登录。")
                return redirect(f"{reverse('login')}?next={request.path}")
            if user.must_change_password and not self._exempt(request):
                return redirect("password_change")
        return self.get_response(request)

    def _exempt(self, request: HttpRequest) -> bool:
        match = request.resolver_match
        if match is None:
            from django.urls import Resolver404, resolve

            try:
                match = resolve(request.path_info)
            except Resolver404:
                return False
        return match.url_name in self.EXEMPT or request.path.startswith(settings.STATIC_URL)


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes lockout: the login page with a Chinese message, whether or not the account exists."""
    from django.contrib.auth.forms import AuthenticationForm

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "registration/login.html",
        {
            "form": AuthenticationForm(request),
            "locked": f"登录失败次数过多，已暂时锁定，请{minutes}分钟后再试。",
        },
        status=429,
    )


def remember_login_time(sender, request, user, **kwargs) -> None:
    """Every login notes its time in the session, for the absolute session limit above."""
    if hasattr(request, "session"):
        request.session[LOGIN_AT] = time.time()


user_logged_in.connect(remember_login_time, dispatch_uid="remember_login_time")
