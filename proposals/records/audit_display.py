"""The audit trail as people read it: every detail key and value in Chinese (status names,
ratings, roles, yes/no), the object as a human name with a link, users as 姓名（登录名）. The
stored rows stay as they are (the hash chain covers them); this is presentation only.
"""

from __future__ import annotations

import contextlib
import datetime
import json
from collections import defaultdict

from django.db import models
from django.urls import reverse
from django.utils import timezone

from proposals.models import (
    Assignment,
    AuditEvent,
    ContactForm,
    Proposal,
    Rating,
    Reply,
    ReplyStatus,
    Role,
    User,
    UserRole,
)
from proposals.records.audit import OUTCOME_LABELS, describe, describe_role

DETAIL_LABELS = {
    "from_status": "原状态",
    "to_status": "新状态",
    "status": "状态",
    "note": "说明",
    "reason": "理由",
    "mobile": "手机号码",
    "sent": "已发送短信",
    "version": "版本",
    "circulation": "会签轮次",
    "from_code": "原分类",
    "to_code": "调整为",
    "fields": "修改的内容",
    "title": "标题",
    "kind": "类别",
    "authors": "提出人",
    "key_supervision": "重点督办",
    "line": "文件行号",
    "assignments_added": "增加承办单位",
    "assigned_dates_filled": "补填交办日期",
    "reply": "答复",
    "previous": "上一轮答复",
    "assignment": "交办",
    "deputy": "代表",
    "attitude": "办理态度",
    "rating": "办理结果",
    "from_attitude": "原办理态度",
    "to_attitude": "办理态度更正为",
    "from_rating": "原办理结果",
    "to_rating": "办理结果更正为",
    "by_proxy": "代录",
    "sms_enabled": "接收短信通知",
    "form": "方式",
    "role": "办理方式",
    "agency": "承办单位",
    "from_agency": "原承办单位",
    "to_agency": "新承办单位",
    "assigned_date": "交办日期",
    "sha256": "SHA-256",
    "pdf_sha256": "PDF SHA-256",
    "expected_sha256": "应为",
    "actual_sha256": "实为",
    "document": "文件",
    "table": "统计表",
    "session": "届次",
    "filters": "筛选条件",
    "file": "文件",
    "created": "新增",
    "updated": "更新",
    "unchanged": "未变化",
    "path": "访问路径",
    "method": "请求方式",
    "username": "用户名",
    "ip_address": "IP 地址",
    "action": "操作",
    "changes": "变更",
    "object": "对象",
    "since": "起始日期",
    "until": "截止日期",
    "event": "事件",
    "actor": "用户名",
    "outcome": "结果",
    "ip": "IP",
    "is_active": "启用",
    "is_staff": "可进入数据管理",
    "is_superuser": "超级管理员",
    "office": "所属机构",
    "agency_id": "所属单位",
    "password": "密码",
    "parent": "所属",
    "model": "数据类别",
    "commitment": "跟踪事项",
    "measures": "相关办理措施",
    "text": "内容",
}
ACTIONS = {"create": "新建", "update": "修改", "delete": "删除"}
DOCUMENTS = {"feedback_form": "征询意见表"}
TABLES = {
    "agencies": "承办单位统计",
    "categories": "办理结果分类统计",
    "satisfaction": "满意度统计",
    "follow_up": "跟踪办理统计",
    "returns": "征询意见表返回统计",
}
CHOICES = {
    "from_status": ReplyStatus,
    "to_status": ReplyStatus,
    "status": ReplyStatus,
    "attitude": Rating,
    "rating": Rating,
    "from_attitude": Rating,
    "to_attitude": Rating,
    "from_rating": Rating,
    "to_rating": Rating,
    "form": ContactForm,
    "role": Role,
}
OBJECT_NAMES = {
    "proposals.Reply": "答复",
    "proposals.Proposal": "建议／提案",
    "proposals.Assignment": "交办",
    "proposals.User": "用户",
    "proposals.Publication": "公开",
    "proposals.CoOpinion": "会办意见",
    "proposals.Feedback": "评价",
    "proposals.Extension": "延期",
    "proposals.SupervisionNotice": "督办",
    "proposals.Communication": "沟通记录",
    "proposals.ExportJob": "归档导出",
    "proposals.Session": "届次",
}


def value_text(key: str, value) -> str:
    """One detail value as a person reads it."""
    if value is None or value == "" or value == {} or value == []:
        return "无"
    if isinstance(value, bool):
        return "是" if value else "否"
    if key in ("actor_role", "role") and value in UserRole.values:
        return UserRole(value).label
    if key in CHOICES and isinstance(value, str):
        choices = CHOICES[key]
        return choices(value).label if value in choices.values else value
    if key == "action":
        return ACTIONS.get(value, str(value))
    if key == "model":
        return kind_of(str(value))
    if key == "document":
        return DOCUMENTS.get(value, str(value))
    if key == "table":
        return TABLES.get(value, str(value))
    if key == "method":
        return {"GET": "查看", "POST": "提交", "HEAD": "查看"}.get(value, str(value))
    if isinstance(value, dict):
        return "；".join(f"{DETAIL_LABELS.get(k, k)}：{_nested(k, v)}" for k, v in value.items())
    if isinstance(value, list):
        return "、".join(DETAIL_LABELS.get(v, str(v)) if isinstance(v, str) else str(v) for v in value)
    return str(value)


def _nested(key: str, value) -> str:
    if isinstance(value, list) and len(value) == 2:  # a change: [before, after]
        return f"{value_text(key, value[0])} → {value_text(key, value[1])}"
    return value_text(key, value)


def detail_lines(detail: dict, model: str = "") -> list[tuple[str, str]]:
    """The details in Chinese; with `model` (an admin change's object type) the changed fields
    are named as the model names them, with their values before and after."""
    fields = _fields(model)
    return [
        (
            DETAIL_LABELS.get(key, key),
            _changes(value, fields) if key == "changes" and fields else value_text(key, value),
        )
        for key, value in detail.items()
    ]


def _fields(model: str) -> dict:
    found = _model(model) if model else None
    if found is None:
        return {}
    return {field.name: field for field in found._meta.get_fields() if hasattr(field, "verbose_name")}


def _changes(value, fields: dict) -> str:
    if not isinstance(value, dict):
        return value_text("changes", value)
    lines = []
    for name, pair in value.items():
        field = fields.get(name)
        label = str(field.verbose_name) if field is not None else DETAIL_LABELS.get(name, name)
        before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
        lines.append(f"{label}：{_field_value(field, before)} → {_field_value(field, after)}")
    return "；".join(lines)


def _field_value(field, value) -> str:
    choices = dict(field.flatchoices) if field is not None and getattr(field, "choices", None) else {}
    if isinstance(value, str) and value in choices:
        return str(choices[value])
    if isinstance(value, list):
        return "、".join(str(item) for item in value) or "无"
    if (
        isinstance(value, str)
        and isinstance(field, models.DateField)
        and not isinstance(field, models.DateTimeField)
    ):
        with contextlib.suppress(ValueError):
            day = datetime.date.fromisoformat(value)
            return f"{day.year}年{day.month}月{day.day}日"
    return value_text("", value)


def kind_of(label: str) -> str:
    """What an object type is called: 答复, 交办 ..., else the model's own Chinese name."""
    if label in OBJECT_NAMES:
        return OBJECT_NAMES[label]
    model = _model(label) if label else None
    return str(model._meta.verbose_name) if model is not None else label


def _reply_name(reply: Reply) -> str:
    proposal = reply.assignment.proposal
    return (
        f"{proposal.session.name}第{proposal.number}号{proposal.kind}（{reply.assignment.agency.name}）"
        f"第{reply.round}轮"
    )


def object_names(rows: list[AuditEvent]) -> dict[tuple[str, str], tuple[str, str]]:
    """(object type, id) → (human name, link or ""), for a page of rows, a query per type."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for row in rows:
        if row.object_type and row.object_id.isdigit():
            wanted[row.object_type].add(int(row.object_id))
    names: dict[tuple[str, str], tuple[str, str]] = {}
    for label, ids in wanted.items():
        kind = kind_of(label)
        if label == "proposals.Reply":
            for reply in Reply.objects.filter(pk__in=ids).select_related(
                "assignment__proposal__session", "assignment__agency"
            ):
                names[(label, str(reply.pk))] = (
                    f"答复：{_reply_name(reply)}",
                    reverse("reply_detail", args=[reply.pk]),
                )
        elif label == "proposals.Proposal":
            for proposal in Proposal.objects.filter(pk__in=ids).select_related("session"):
                names[(label, str(proposal.pk))] = (
                    f"{kind}：{proposal.session.name}第{proposal.number}号{proposal.kind}",
                    reverse("proposal_detail", args=[proposal.pk]),
                )
        elif label == "proposals.Assignment":
            for assignment in Assignment.objects.filter(pk__in=ids).select_related(
                "proposal__session", "agency"
            ):
                names[(label, str(assignment.pk))] = (
                    f"{kind}：{assignment}",
                    reverse("proposal_detail", args=[assignment.proposal_id]),
                )
        elif label == "proposals.User":
            for user in User.objects.filter(pk__in=ids):
                names[(label, str(user.pk))] = (f"{kind}：{person(user.get_full_name(), user.username)}", "")
        else:
            model = _model(label)
            if model is None:
                continue
            for obj in model.objects.filter(pk__in=ids):
                names[(label, str(obj.pk))] = (f"{kind}：{obj}", "")
    return names


def _model(label: str):
    from django.apps import apps

    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def when(at) -> str:
    """The time in the portal's date format, with its UTC offset: 2026年12月1日 16:03:07 +08:00."""
    moment = timezone.localtime(at)
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M:%S} {moment.isoformat()[-6:]}"


def person(full_name: str, username: str) -> str:
    return f"{full_name}（{username}）" if full_name and username else full_name or username or "—"


def rows_for_page(rows: list[AuditEvent]) -> list[dict]:
    """Everything the audit page prints for its rows."""
    names = object_names(rows)
    out = []
    for row in rows:
        actor = row.actor
        name = names.get((row.object_type, row.object_id))
        kind = kind_of(row.object_type)
        out.append(
            {
                "row": row,
                "at": when(row.at),
                "event": describe(row.event),
                "who": person(actor.get_full_name() if actor else "", row.actor_name),
                "role": describe_role(row.actor_role) if row.actor_role else "",
                "object": name[0]
                if name
                else (f"{kind}（编号{row.object_id}，已不存在）" if row.object_type else "—"),
                "link": name[1] if name else "",
                "outcome": OUTCOME_LABELS.get(row.outcome, row.outcome),
                "details": detail_lines(row.detail, row.object_type if row.event == "admin_change" else ""),
                "raw": json.dumps(row.detail, ensure_ascii=False, indent=1) if row.detail else "",
            }
        )
    return out
