"""Records: the append-only audit chain and the background filing-export jobs. The code that
writes and checks them lives in `proposals.records`.
"""

from __future__ import annotations

import datetime
import hashlib
import json

from django.db import models
from django.utils import timezone

from proposals.models.sessions import Session

GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    """One security-relevant event: when (stored in UTC, shown with its offset), who (and their
    role then), from which IP, what, on which object, with what outcome.

    Append-only: database triggers refuse UPDATE and DELETE (proposals.records.dbguards), and each row
    carries the SHA-256 of the previous row's hash and its own canonical JSON, so that
    `manage.py verifyaudit` names any row edited, deleted or inserted behind the portal's back.
    Written only by `proposals.records.audit.record`."""

    seq = models.PositiveBigIntegerField("序号", unique=True, editable=False)
    at = models.DateTimeField("时间", default=timezone.now, db_index=True, editable=False)
    actor = models.ForeignKey(
        "User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="操作人"
    )
    actor_name = models.CharField("用户名", max_length=150, blank=True)
    actor_role = models.CharField("角色", max_length=20, blank=True)
    ip = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    event = models.CharField("事件", max_length=50, db_index=True)
    object_type = models.CharField("对象类型", max_length=50, blank=True)
    object_id = models.CharField("对象编号", max_length=50, blank=True)
    outcome = models.CharField("结果", max_length=20)
    detail = models.JSONField("详情", default=dict, blank=True)
    prev_hash = models.CharField("前一条摘要", max_length=64, editable=False)
    hash = models.CharField("摘要", max_length=64, editable=False)

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-seq"]

    def __str__(self) -> str:
        at = timezone.localtime(self.at)
        return f"审计记录第{self.seq}条（{at:%Y年%-m月%-d日 %H:%M:%S} {at.isoformat()[-6:]}）"

    def canonical(self) -> str:
        """The row's content as canonical JSON: what the hash covers."""
        return json.dumps(
            {
                "seq": self.seq,
                "at": self.at.astimezone(datetime.UTC).isoformat(),
                "actor": self.actor_id,
                "actor_name": self.actor_name,
                "actor_role": self.actor_role,
                "ip": self.ip,
                "event": self.event,
                "object_type": self.object_type,
                "object_id": self.object_id,
                "outcome": self.outcome,
                "detail": self.detail,
            },
            ensure_ascii=False,
            sort_keys=True,
            separators=(",", ":"),
        )

    def compute_hash(self) -> str:
        return hashlib.sha256((self.prev_hash + self.canonical()).encode()).hexdigest()


class AuditHead(models.Model):
    """The end of the audit chain: its last sequence number and hash. Writers lock this one row
    (an UPDATE first), so concurrent events queue up instead of forking the chain."""

    sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = "审计链末端"
        verbose_name_plural = "审计链末端"

    def __str__(self) -> str:
        return f"审计链末端：第{self.sequence}条"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class ExportJob(models.Model):
    """A filing export running in the background: every issued reply of a session as one ZIP."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="+", verbose_name="届次")
    requested_by = models.ForeignKey(
        "User", on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    total = models.PositiveIntegerField("答复总数", default=0)
    done = models.PositiveIntegerField("已处理", default=0)
    file = models.FileField("归档文件", upload_to="exports/%Y/", blank=True)
    file_sha256 = models.CharField("归档文件 SHA-256", max_length=64, blank=True, editable=False)
    error = models.TextField("错误", blank=True)

    class Meta:
        verbose_name = "归档导出"
        verbose_name_plural = "归档导出"
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.session}答复归档（{self.get_status_display()}）"

    @property
    def percent(self) -> int:
        return (
            100
            if self.status == ExportStatus.DONE
            else int(self.done * 100 / self.total)
            if self.total
            else 0
        )
