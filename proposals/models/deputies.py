"""What the deputies' side of the portal keeps: one-time login codes (stored hashed, with their
tries) and the log of every SMS sent (without any code in it)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class LoginCode(models.Model):
    """A 6-digit login code sent to a mobile number: valid 5 minutes, 5 tries, used once. Only its
    hash is kept. Rows exist for unknown numbers too (nothing is sent), so the rate limits and the
    answer are the same whether the number is known or not."""

    mobile = models.CharField("手机号码", max_length=20, db_index=True)
    code_hash = models.CharField("验证码哈希", max_length=128)
    created_at = models.DateTimeField("发送时间", default=timezone.now)
    expires_at = models.DateTimeField("失效时间")
    tries = models.PositiveSmallIntegerField("已尝试次数", default=0)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "登录验证码"
        verbose_name_plural = "登录验证码"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.mobile[:3]}****{self.mobile[-4:]}的验证码"


class SmsLog(models.Model):
    """One SMS the portal sent (or tried to): to whom, through which backend, the text with any
    code masked, and the outcome."""

    mobile = models.CharField("手机号码", max_length=20)
    text = models.TextField("内容（验证码已隐去）")
    backend = models.CharField("发送方式", max_length=100)
    sent_at = models.DateTimeField("发送时间", default=timezone.now)
    ok = models.BooleanField("发送成功", default=True)
    error = models.CharField("失败原因", max_length=300, blank=True)

    class Meta:
        verbose_name = "短信记录"
        verbose_name_plural = "短信记录"
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.sent_at:%Y-%m-%d %H:%M} → {self.mobile[:3]}****{self.mobile[-4:]}"
