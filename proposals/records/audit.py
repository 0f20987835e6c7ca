"""The audit trail (SEC-12, SEC-13): `record` is its one writer, `verify_chain` its checker.

Every row is chained to the one before it by SHA-256 (see `AuditEvent`). `record` runs in the
caller's transaction, so an action and its audit row are saved together or not at all; the
request (actor, IP) comes from the argument or from `AuditContextMiddleware`.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Iterator

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from proposals.models import GENESIS_HASH, AuditEvent, AuditHead

_request: contextvars.ContextVar[HttpRequest | None] = contextvars.ContextVar("audit_request", default=None)

EVENT_LABELS = {
    "login": "登录",
    "login_failed": "登录失败",
    "login_code": "发送登录验证码",
    "login_code_failed": "验证码登录失败",
    "deputy_mobile": "登记代表手机号码",
    "deputy_account_open": "开通代表／委员账号",
    "deputy_account_close": "停用代表／委员账号",
    "deputy_password": "代表设置密码",
    "deputy_sms_choice": "代表设置短信通知",
    "logout": "退出",
    "lockout": "账号锁定",
    "password_change": "修改密码",
    "user_change": "账号或角色变更",
    "access_denied": "拒绝访问",
    "access_outside": "越权访问",
    "reply_start": "开始起草",
    "reply_save": "保存草稿",
    "reply_submit": "提交审核",
    "reply_return": "退回修改",
    "reply_sign_off": "签发",
    "reply_issue": "答复代表",
    "reply_withdraw": "撤回提交",
    "reply_revoke": "撤销签发",
    "reply_sign_off_review": "签发（送督办审核）",
    "reply_review_pass": "督办审核通过",
    "reply_review_return": "督办审核退回",
    "unpublish": "撤回公开",
    "reply_reopen": "再次办理",
    "reply_archive": "导入归档",
    "opinion_save": "保存会办意见",
    "opinion_submit": "提交会办意见",
    "feedback": "登记评价",
    "feedback_correct": "更正评价",
    "feedback_online": "代表在线评价",
    "feedback_change": "代表修改评价",
    "extension_request": "申请延期",
    "extension_approve": "批准延期",
    "pdf_download": "下载答复函",
    "pdf_integrity_failure": "答复函校验失败",
    "file_integrity_failure": "存档文件校验失败",
    "rate_limited": "操作过于频繁",
    "publish": "公开答复",
    "import": "交办导入",
    "proposal_import": "导入建议（逐条）",
    "export": "导出统计",
    "export_requested": "申请归档导出",
    "export_download": "下载归档",
    "proposal_create": "登记建议",
    "proposal_edit": "修改建议",
    "assignment_create": "交办",
    "assignment_change": "修改交办",
    "reassign": "调整承办单位",
    "supervision_notice": "督办",
    "communication": "沟通记录",
    "audit_view": "查看审计记录",
    "audit_export": "导出审计记录",
    "admin_change": "后台修改",
    # The rest of the statutory process (issue 16): one per HandlingVerb.
    "receive": "签收",
    "deem_received": "视为签收",
    "handback_request": "申请退办",
    "handback_approve": "同意退办",
    "handback_reject": "不同意退办",
    "countersign_send": "送协办单位会签",
    "countersign_agree": "会签同意",
    "countersign_comment": "会签提出修改意见",
    "countersign_lapse": "会签逾期视为同意",
    "review_pass": "督办审核通过",
    "review_return": "督办审核退回",
    "class_change": "调整办理结果分类",
    "commitment_create": "列为跟踪事项",
    "commitment_progress": "报告落实情况",
    "commitment_remind": "跟踪事项到期提醒",
    "commitment_fulfil": "跟踪事项已落实",
    "commitment_edit": "修改跟踪事项",
    "group_join": "并案办理",
    "group_split": "撤销并案",
}


OUTCOME_LABELS = {"ok": "成功", "failed": "失败", "denied": "拒绝", "refused": "未通过", "locked": "锁定"}


class AuditContextMiddleware:
    """Makes the current request known to `record` calls deep inside the workflow."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set(request)
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address. Behind the reverse proxy, REMOTE_ADDR is the proxy (see README:
    nginx sets X-Real-IP and the portal trusts it only when DJANGO_TRUST_X_REAL_IP is set)."""
    if request is None:
        return None
    from django.conf import settings

    if settings.TRUST_X_REAL_IP and request.META.get("HTTP_X_REAL_IP"):
        return request.META["HTTP_X_REAL_IP"].strip()
    return request.META.get("REMOTE_ADDR") or None


def _plain(detail: dict) -> dict:
    """Detail as it will read back from the JSON column (dates as text), so the hash matches."""
    return json.loads(json.dumps(detail, cls=DjangoJSONEncoder, ensure_ascii=False))


def _advance_head() -> tuple[int, str]:
    """Lock the chain's end and return (next sequence number, previous hash)."""
    if AuditHead.objects.filter(pk=1).update(sequence=F("sequence") + 1):
        head = AuditHead.objects.get(pk=1)
        return head.sequence, head.last_hash
    # No head yet (a new or emptied database): continue from the last row, if any.
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    sequence, previous = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    try:
        with transaction.atomic():
            AuditHead.objects.create(pk=1, sequence=sequence, last_hash=previous)
    except IntegrityError:  # another writer created it first: queue up behind it
        return _advance_head()
    return sequence, previous


def record(
    request: HttpRequest | None,
    event: str,
    obj: models.Model | None = None,
    *,
    outcome: str = "ok",
    actor=None,
    **detail,
) -> AuditEvent:
    """Append one event. `actor` defaults to the request's user; the IP to the request's."""
    request = request if request is not None else _request.get()
    if actor is None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    with transaction.atomic():
        sequence, previous = _advance_head()
        row = AuditEvent(
            seq=sequence,
            at=timezone.now(),
            actor=actor,
            actor_name=(actor.get_username() if actor is not None else detail.pop("username", ""))[:150],
            actor_role=getattr(actor, "role", "") or "",
            ip=client_ip(request),
            event=event,
            object_type=obj._meta.label if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            outcome=outcome,
            detail=_plain(detail),
            prev_hash=previous,
        )
        row.hash = row.compute_hash()
        row.save(force_insert=True)
        AuditHead.objects.filter(pk=1).update(last_hash=row.hash)
    return row


def verify_chain(rows: Iterator[AuditEvent] | None = None) -> tuple[int, list[str]]:
    """Walk the chain in order; return (rows checked, problems). Each problem names the row by
    its 序号 and id: edited content, missing (deleted) numbers, or a broken link where a row
    was inserted or replaced."""
    if rows is None:
        rows = AuditEvent.objects.order_by("seq").iterator(chunk_size=2000)
    problems: list[str] = []
    expected, previous, count = 1, GENESIS_HASH, 0
    for row in rows:
        count += 1
        if row.seq > expected:
            gap = f"第{expected}条" if row.seq == expected + 1 else f"第{expected}–{row.seq - 1}条"
            problems.append(f"{gap}记录缺失（被删除）。")
        elif row.seq < expected:
            problems.append(f"第{row.seq}条（id {row.pk}）序号重复或顺序错乱（插入的记录）。")
        if row.prev_hash != previous:
            problems.append(
                f"第{row.seq}条（id {row.pk}）与前一条记录的链接不符（前面的记录被删除、插入或替换）。"
            )
        if row.compute_hash() != row.hash:
            problems.append(f"第{row.seq}条（id {row.pk}）内容被修改（摘要不符）。")
        expected, previous = max(expected, row.seq + 1), row.hash
    head = AuditHead.objects.filter(pk=1).first()
    if head is not None and count and (head.sequence, head.last_hash) != (expected - 1, previous):
        problems.append(
            f"链末端记录为第{head.sequence}条，但表中最后一条是第{expected - 1}条（末尾的记录被删除或追加）。"
        )
    return count, problems


def describe(event: str) -> str:
    return EVENT_LABELS.get(event, event)


def describe_role(role: str) -> str:
    from proposals.models import UserRole

    return UserRole(role).label if role in UserRole.values else role


# --- reading the trail (committee staff and administrators) -------------------------------------

FILTERS = ("since", "until", "event", "actor", "outcome", "object", "ip")


def search(params) -> tuple[models.QuerySet, dict]:
    """Audit rows matching the page's filters (allow-listed; dates as YYYY-MM-DD)."""
    import datetime

    values = {name: params.get(name, "").strip()[:60] for name in FILTERS}
    rows = AuditEvent.objects.order_by("-seq")
    for name, lookup, bound in (
        ("since", "at__gte", datetime.time.min),
        ("until", "at__lte", datetime.time.max),
    ):
        try:
            day = datetime.date.fromisoformat(values[name])
        except ValueError:
            values[name] = ""
            continue
        rows = rows.filter(**{lookup: timezone.make_aware(datetime.datetime.combine(day, bound))})
    if values["event"]:
        rows = rows.filter(event=values["event"])
    if values["actor"]:
        rows = rows.filter(actor_name__icontains=values["actor"])
    if values["outcome"]:
        rows = rows.filter(outcome=values["outcome"])
    if values["object"]:
        kind, _, pk = values["object"].partition(":")
        rows = (
            rows.filter(object_type__iexact=kind)
            if not pk
            else rows.filter(object_type__iexact=kind, object_id=pk)
        )
    if values["ip"]:
        rows = rows.filter(ip=values["ip"]) if _is_ip(values["ip"]) else rows.none()
    return rows, values


def _is_ip(value: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def local_time(at) -> str:
    """Time with its UTC offset, e.g. 2026-11-25 14:03:07 +08:00."""
    moment = timezone.localtime(at)
    return f"{moment:%Y-%m-%d %H:%M:%S} {moment.isoformat()[-6:]}"


def export_rows(rows: models.QuerySet):
    for row in rows.iterator(chunk_size=2000):
        yield (
            row.seq,
            local_time(row.at),
            row.actor_name,
            describe_role(row.actor_role),
            row.ip or "",
            describe(row.event),
            row.event,
            row.object_type,
            row.object_id,
            OUTCOME_LABELS.get(row.outcome, row.outcome),
            json.dumps(row.detail, ensure_ascii=False, sort_keys=True),
            row.hash,
        )
