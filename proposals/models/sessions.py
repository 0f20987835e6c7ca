"""Sessions (届次) with their deadline rules, and the calendar corrections (节假日调整) the
working-day clocks read. The lowest model module: it imports no other.
"""

from __future__ import annotations

import re

from django.db import models


class Body(models.TextChoices):
    CONGRESS = "congress", "人大"
    CPPCC = "cppcc", "政协"


class Session(models.Model):
    """届次: one plenary session of a people's congress or a CPPCC committee."""

    body = models.CharField("机关", max_length=10, choices=Body.choices, default=Body.CONGRESS)
    name = models.CharField(
        "届次名称", max_length=100, unique=True, help_text="如：市五届人大一次会议、市政协五届一次会议"
    )
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    # Deadline rules (domain.md §9), 随州 defaults; per session because they change by year.
    reply_months = models.PositiveSmallIntegerField("答复期限（月）", default=3)
    extended_reply_months = models.PositiveSmallIntegerField("延期后答复期限（月）", default=6)
    co_opinion_months = models.PositiveSmallIntegerField("会办意见期限（月）", default=1)
    rehandling_months = models.PositiveSmallIntegerField("再次办理期限（月）", default=1)
    meeting_days = models.PositiveSmallIntegerField(
        "首次见面期限（天）", default=20, help_text="自交办之日起与领衔代表见面的天数"
    )
    meeting_working_days = models.BooleanField("见面期限按工作日计", default=False)
    feedback_working_days = models.PositiveSmallIntegerField("征询意见寄回期限（工作日）", default=20)
    publication_working_days = models.PositiveSmallIntegerField("答复公开期限（工作日）", default=20)
    opinion_calendar_date = models.DateField(
        "会办意见统一截止日", null=True, blank=True, help_text="如随州：5月31日；与法定期限取其早"
    )
    reply_calendar_date = models.DateField(
        "答复统一截止日", null=True, blank=True, help_text="如随州：6月30日；与法定期限取其早"
    )
    # The rest of the statutory process (issue 16), each a rule of the session.
    receipt_days = models.PositiveSmallIntegerField(
        "签收、申请退办期限（天）", default=10, help_text="自交办（或移交本单位）之日起；逾期未签收的视为签收"
    )
    receipt_working_days = models.BooleanField("签收期限按工作日计", default=False)
    countersign_on = models.BooleanField(
        "答复须经协办单位会签",
        default=True,
        help_text="勾选：主办单位的答复稿送各协办、会办单位会签后才能签发",
    )
    countersign_working_days = models.PositiveSmallIntegerField(
        "会签期限（工作日）", default=5, help_text="逾期未回复的视为同意"
    )
    committee_review_on = models.BooleanField(
        "发出前须经督办审核", default=False, help_text="勾选：签发后由委员会工作人员审核，通过后才能发出"
    )
    follow_up_classes = models.CharField(
        "需跟踪办理的分类",
        max_length=20,
        default="B",
        blank=True,
        help_text="以此分类答复的，生成跟踪事项；多个用顿号分隔，如“B、C”；留空则不跟踪",
    )
    follow_up_due = models.DateField(
        "跟踪事项完成期限", null=True, blank=True, help_text="留空为届次年度的12月31日"
    )
    follow_up_title = models.CharField(
        "落实情况报告标题",
        max_length=200,
        default="关于{届次}第{编号}号{类别}办理落实情况的报告",
        help_text="可用{届次}、{编号}、{类别}",
    )

    class Meta:
        verbose_name = "届次"
        verbose_name_plural = "届次"
        ordering = ["-year", "name"]

    def __str__(self) -> str:
        return self.name

    # Saving a session recomputes its assignments' due dates: see
    # proposals.models.proposals.refresh_due_dates, which sits beside Assignment.

    def follow_up_codes(self) -> list[str]:
        """The class codes whose replies promise further work (跟踪办理)."""
        return [code for code in re.split(r"[、,，;；\s]+", self.follow_up_classes.upper()) if code]

    @staticmethod
    def body_from_name(name: str) -> str:
        return Body.CPPCC if "政协" in name else Body.CONGRESS


class CalendarDay(models.Model):
    """A day whose status the holiday package does not know or gets wrong: a holiday, or a
    weekend made a working day (调休). Checked before the package."""

    day = models.DateField("日期", unique=True)
    is_workday = models.BooleanField("是工作日", help_text="勾选：调休上班；不勾选：放假")
    note = models.CharField("说明", max_length=50, blank=True, help_text="如：2027年春节")

    class Meta:
        verbose_name = "节假日调整"
        verbose_name_plural = "节假日调整"
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day}（{'上班' if self.is_workday else '放假'}）{self.note}"
