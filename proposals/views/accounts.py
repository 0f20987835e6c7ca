"""Accounts: changing one's password (the one page open to a user who must replace an initial
password) and the 403 page, which records every refusal.
"""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from proposals.records import audit
from proposals.views.shared import posted


def password_change(request: HttpRequest) -> HttpResponse:
    """修改密码; the one page open to a user who must replace an initial password."""
    from django.contrib.auth import update_session_auth_hash
    from django.contrib.auth.forms import PasswordChangeForm

    form = PasswordChangeForm(request.user, posted(request))
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save(commit=False)
            user.must_change_password = False
            user.save()
        update_session_auth_hash(request, user)
        messages.success(request, "密码已修改。")
        return redirect("home")
    return render(
        request, "registration/password_change.html", {"form": form}, status=400 if form.errors else 200
    )


def permission_denied(request: HttpRequest, exception=None) -> HttpResponse:
    """403 page; every refusal is an audit event (SEC-12)."""
    audit.record(
        request, "access_denied", None, outcome="denied", path=request.path[:200], method=request.method
    )
    message = str(exception) if exception and str(exception) else "您没有权限访问此页面。"
    return render(request, "403.html", {"message": message}, status=403)
