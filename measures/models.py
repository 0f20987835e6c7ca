"""办理措施: the numbered sections of a reply, point by point, nested up to four levels."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from proposals.models import LetterPart

MAX_LEVEL = 4


class Measure(LetterPart):
    """One section of a reply: an optional heading and its paragraphs.

    Level 1 prints as 一、 (or 1.), level 2 as （一）, level 3 as 1., level 4 as （1）; the numbers
    are added when the letter is rendered, never stored. A section without a heading is plain
    paragraphs. `paragraphs` holds one paragraph per line.
    """

    reply = models.ForeignKey(
        "proposals.Reply", on_delete=models.CASCADE, related_name="measures", verbose_name="答复"
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="上级措施",
    )
    level = models.PositiveSmallIntegerField("层级", default=1)
    position = models.PositiveSmallIntegerField("排序", default=1)
    heading = models.CharField(
        "小标题", max_length=500, blank=True, help_text="不含序号，如：关于提高工人待遇方面；留空表示无小标题"
    )
    paragraphs = models.TextField("内容", blank=True, help_text="每段一行")

    class Meta:
        verbose_name = "办理措施"
        verbose_name_plural = "办理措施"
        ordering = ["reply", "level", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=MAX_LEVEL),
                name="measure_level_1_to_4",
                violation_error_message="办理措施最多四级。",
            ),
            models.CheckConstraint(
                condition=Q(level=1, parent__isnull=True) | Q(level__gt=1, parent__isnull=False),
                name="measure_parent_matches_level",
                violation_error_message="一级措施没有上级，下级措施必须有上级。",
            ),
            models.UniqueConstraint(
                fields=["reply", "position"],
                condition=Q(parent__isnull=True),
                name="unique_top_measure_position",
                violation_error_message="同一答复的一级措施排序不能重复。",
            ),
            models.UniqueConstraint(
                fields=["parent", "position"],
                condition=Q(parent__isnull=False),
                name="unique_child_measure_position",
                violation_error_message="同一上级下的措施排序不能重复。",
            ),
        ]

    def __str__(self) -> str:
        return self.heading or (self.paragraph_list[:1] or ["（无内容）"])[0][:30]

    def clean(self) -> None:
        if self.parent_id is not None:
            if self.parent.reply_id != self.reply_id:
                raise ValidationError({"parent": "上级措施必须属于同一答复。"})
            if self.parent.level + 1 != self.level:
                raise ValidationError({"level": "层级必须比上级措施多一级。"})

    @property
    def paragraph_list(self) -> list[str]:
        return [line for line in self.paragraphs.splitlines() if line.strip()]
