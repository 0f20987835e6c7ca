"""Supervision records: communications with the deputies (沟通记录), 督办 reminders and the
in-app notices users read.
"""

from __future__ import annotations

from django.db import models

from proposals.models.proposals import Assignment


class ContactForm(models.TextChoices):
    MEETING = "meeting", "见面会"
    VISIT = "visit", "登门走访"
    FORUM = "forum", "座谈"
    SITE = "site", "现场办理"
    PHONE = "phone", "电话"


MEETING_FORMS = (ContactForm.MEETING, ContactForm.VISIT, ContactForm.FORUM, ContactForm.SITE)


class Communication(models.Model):
    """沟通记录: a contact with the deputies about one assignment (办前、办中、办后). Every
    form but a phone call counts as 见面."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="communications", verbose_name="交办"
    )
    day = models.DateField("日期")
    form = models.CharField("方式", max_length=10, choices=ContactForm.choices)
    participants = models.CharField("参加人员", max_length=300)
    deputy_opinion = models.TextField("代表意见", blank=True)
    recorded_by = models.ForeignKey("User", on_delete=models.PROTECT, related_name="+", verbose_name="记录人")
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "沟通记录"
        verbose_name_plural = "沟通记录"
        ordering = ["assignment", "day", "pk"]

    def __str__(self) -> str:
        return f"{self.day} {self.get_form_display()}"


class SupervisionNotice(models.Model):
    """督办: a reminder from committee staff to an agency about one assignment, logged on it."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="supervision_notices", verbose_name="交办"
    )
    message = models.TextField("督办内容")
    sent_by = models.ForeignKey("User", on_delete=models.PROTECT, related_name="+", verbose_name="督办人")
    sent_at = models.DateTimeField("督办时间", auto_now_add=True)
    emailed = models.PositiveSmallIntegerField("已发邮件数", default=0)

    class Meta:
        verbose_name = "督办通知"
        verbose_name_plural = "督办通知"
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"督办：{self.assignment}"


class Notice(models.Model):
    """An in-app notice to one user (督办 reminders)."""

    user = models.ForeignKey("User", on_delete=models.CASCADE, related_name="notices", verbose_name="收件人")
    text = models.TextField("内容")
    link = models.CharField("链接", max_length=200, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "站内通知"
        verbose_name_plural = "站内通知"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.text[:40]
