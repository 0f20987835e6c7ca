"""Deputies' accounts and their login codes.

Committee staff enter a deputy's mobile (`set_mobile`), open accounts in bulk or one by one
(`activate_accounts`: all or nothing; a deputy without a mobile refuses the whole batch, named)
and close them (`deactivate_account`). Each opened account gets an SMS with the portal's address.

Login codes (`request_code`, `check_code`): 6 digits from `secrets`, valid 5 minutes, 5 tries,
at most one a minute and five an hour per number, kept only as an HMAC under SECRET_KEY. An
unknown number gets the same answer and the same row; only no SMS goes out. Every code sent and
every wrong code is audited, never with the code.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from proposals import sms
from proposals.models import Deputy, LoginCode, User, UserRole
from proposals.records import audit
from proposals.workflow.moves import WorkflowError

MOBILE = re.compile(r"^1[3-9]\d{9}$")
CODE_MINUTES = 5
CODE_TRIES = 5
PER_MINUTE, PER_HOUR = 1, 5
CODE_SENT = "验证码已发送，5分钟内有效。如果该号码已开通账号，您将收到短信。"


def masked_mobile(mobile: str) -> str:
    return f"{mobile[:3]}****{mobile[-4:]}" if len(mobile) >= 7 else "****"


def clean_mobile(value: str) -> str:
    """The number without spaces or dashes; WorkflowError when it is not a mainland mobile."""
    mobile = re.sub(r"[\s\-]", "", value or "")
    if mobile.startswith("+86"):
        mobile = mobile[3:]
    if not MOBILE.match(mobile):
        raise WorkflowError("请输入正确的11位手机号码。")
    return mobile


def _committee(user: User) -> None:
    if not user.sees_everything:
        raise WorkflowError("只有委员会工作人员可以管理代表／委员账号。")


@transaction.atomic
def set_mobile(deputy: Deputy, mobile: str, user: User) -> Deputy:
    _committee(user)
    deputy = Deputy.objects.select_for_update().get(pk=deputy.pk)
    deputy.mobile = clean_mobile(mobile) if mobile.strip() else ""
    audit.record(None, "deputy_mobile", deputy, actor=user, mobile=masked_mobile(deputy.mobile))
    deputy.save(update_fields=["mobile"])
    return deputy


@dataclass
class ActivationReport:
    opened: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    sms_failed: list[str] = field(default_factory=list)


def _username(deputy: Deputy) -> str:
    return f"deputy-{deputy.pk}"


@transaction.atomic
def activate_accounts(deputies, user: User, portal_url: str) -> ActivationReport:
    """Open (or reopen) an account for each deputy and send each an SMS with `portal_url`.
    Refused whole, nothing written, when one has no mobile."""
    _committee(user)
    rows = list(Deputy.objects.select_for_update().filter(pk__in=[d.pk for d in deputies]).order_by("pk"))
    if not rows:
        raise WorkflowError("请先勾选要开通账号的代表／委员。")
    missing = [d.name for d in rows if not d.mobile]
    if missing:
        raise WorkflowError(f"{'、'.join(missing)}没有登记手机号码，无法开通账号。请先填写手机号码。")
    report = ActivationReport()
    opened = []
    for deputy in rows:
        account = User.objects.filter(deputy=deputy).first()
        if account is not None and account.is_active:
            report.already.append(deputy.name)
            continue
        if account is None:
            account = User(
                username=_username(deputy), first_name=deputy.name, role=UserRole.DEPUTY, deputy=deputy
            )
            account.set_unusable_password()
            account.save()
        else:
            account.is_active = True
            account.save(update_fields=["is_active"])
        audit.record(None, "deputy_account_open", account, actor=user, deputy=deputy.name)
        report.opened.append(deputy.name)
        opened.append(deputy)
    for deputy in opened:
        text = (
            f"{deputy.name}您好：您的代表／委员账号已开通。请用本手机号码和短信验证码登录"
            f"{portal_url}，查看您的建议、提案及答复。"
        )
        if not sms.send_sms(deputy.mobile, text):
            report.sms_failed.append(deputy.name)
    return report


@transaction.atomic
def deactivate_account(deputy: Deputy, user: User) -> None:
    _committee(user)
    account = User.objects.select_for_update().filter(deputy=deputy, is_active=True).first()
    if account is None:
        raise WorkflowError(f"{deputy.name}没有已开通的账号。")
    account.is_active = False
    audit.record(None, "deputy_account_close", account, actor=user, deputy=deputy.name)
    account.save(update_fields=["is_active"])


def account_for(mobile: str) -> User | None:
    return (
        User.objects.filter(role=UserRole.DEPUTY, is_active=True, deputy__mobile=mobile)
        .select_related("deputy")
        .order_by("pk")
        .first()
    )


def _digest(mobile: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"login-code:{mobile}:{code}".encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def request_code(request, value: str) -> str:
    """Send a login code to the number; the Chinese answer (the same for unknown numbers).
    WorkflowError for a malformed number or when over the rate limit."""
    mobile = clean_mobile(value)
    now = timezone.now()
    recent = LoginCode.objects.select_for_update().filter(
        mobile=mobile, created_at__gt=now - datetime.timedelta(hours=1)
    )
    times = sorted(recent.values_list("created_at", flat=True))
    if len([t for t in times if t > now - datetime.timedelta(minutes=1)]) >= PER_MINUTE:
        raise WorkflowError("获取验证码太频繁，请1分钟后再试。")
    if len(times) >= PER_HOUR:
        raise WorkflowError("该号码1小时内获取验证码已达5次，请稍后再试。")
    LoginCode.objects.filter(mobile=mobile, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
    code = f"{secrets.randbelow(10**6):06d}"
    LoginCode.objects.create(
        mobile=mobile,
        code_hash=_digest(mobile, code),
        created_at=now,
        expires_at=now + datetime.timedelta(minutes=CODE_MINUTES),
    )
    account = account_for(mobile)
    sent = False
    if account is not None:
        text = f"您的登录验证码是{code}，{CODE_MINUTES}分钟内有效。请勿告诉他人。"
        sent = sms.send_sms(mobile, text, code=code)
    audit.record(request, "login_code", account, actor=account, username=masked_mobile(mobile), sent=sent)
    return CODE_SENT


@transaction.atomic
def check_code(request, value: str, code: str) -> User | None:
    """The deputy's account when `code` is the live code for the number, else None (the try is
    counted; the fifth wrong try ends the code). Audits a failure; the login itself is audited
    by the login signal."""
    try:
        mobile = clean_mobile(value)
    except WorkflowError:
        mobile = ""
    now = timezone.now()
    row = (
        LoginCode.objects.select_for_update()
        .filter(mobile=mobile, used_at__isnull=True, expires_at__gt=now, tries__lt=CODE_TRIES)
        .order_by("-created_at", "-pk")
        .first()
        if mobile
        else None
    )
    account = account_for(mobile) if mobile else None
    if row is not None:
        row.tries += 1
        right = hmac.compare_digest(row.code_hash, _digest(mobile, (code or "").strip()))
        if right and account is not None:
            row.used_at = now
            row.save(update_fields=["tries", "used_at"])
            return account
        row.save(update_fields=["tries"])
    audit.record(
        request,
        "login_code_failed",
        account,
        outcome="failed",
        actor=None,
        username=masked_mobile(mobile) if mobile else "",
        reason="验证码错误" if row is not None else "验证码已失效或不存在",
    )
    return None
