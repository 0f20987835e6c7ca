"""The rest of the statutory handling process (domain.md §3): 退办 requests, 会签 by the
co-handlers, the committee's class-code changes at 督办审核, follow-up commitments (跟踪办理)
with their progress reports, and the handling events of all of these (签收, 视为签收, …) that
the timeline shows beside the reply's status changes.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from proposals.models.access import CommitmentQuerySet
from proposals.models.people import Agency
from proposals.models.proposals import Assignment
from proposals.models.replies import Reply, ReplyStatus


class HandlingVerb(models.TextChoices):
    RECEIVE = "receive", "签收"
    DEEM_RECEIVED = "deem_received", "视为签收"
    HANDBACK_REQUEST = "handback_request", "申请退办"
    HANDBACK_APPROVE = "handback_approve", "同意退办"
    HANDBACK_REJECT = "handback_reject", "不同意退办"
    COUNTERSIGN_SEND = "countersign_send", "送协办单位会签"
    COUNTERSIGN_AGREE = "countersign_agree", "会签同意"
    COUNTERSIGN_COMMENT = "countersign_comment", "会签提出修改意见"
    COUNTERSIGN_LAPSE = "countersign_lapse", "逾期视为同意"
    REVIEW_PASS = "review_pass", "督办审核通过"
    REVIEW_RETURN = "review_return", "督办审核退回"
    CLASS_CHANGE = "class_change", "调整办理结果分类"
    COMMITMENT_CREATE = "commitment_create", "列为跟踪事项"
    COMMITMENT_PROGRESS = "commitment_progress", "报告落实情况"
    COMMITMENT_REMIND = "commitment_remind", "跟踪事项到期提醒"
    COMMITMENT_FULFIL = "commitment_fulfil", "跟踪事项已落实"
    GROUP_JOIN = "group_join", "并案办理"
    GROUP_SPLIT = "group_split", "撤销并案"


class HandlingEvent(models.Model):
    """One step of an assignment's handling that is not a status change of a reply (those are
    `ReplyEvent`s): who did it (nobody, for what a clock did), when, and the note. The timeline
    shows both kinds in time order."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="handling_events", verbose_name="交办"
    )
    reply = models.ForeignKey(
        Reply,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="handling_events",
        verbose_name="答复",
    )
    verb = models.CharField("操作", max_length=30, choices=HandlingVerb.choices)
    actor = models.ForeignKey(
        "User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
        help_text="空：到期由系统自动记录",
    )
    note = models.TextField("说明", blank=True)
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "办理过程记录"
        verbose_name_plural = "办理过程记录"
        ordering = ["assignment", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_verb_display()}（{self.actor or '系统'}）"


class HandbackRequest(models.Model):
    """申请退办: an agency asks, within the session's receipt window, to hand an assignment back,
    naming the agency that should take it if it knows. Committee staff approve (the assignment
    passes on with its 交办日期) or reject it with a reason. At most one is pending at a time."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="handback_requests", verbose_name="交办"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", verbose_name="申请单位")
    reason = models.TextField("退办理由")
    suggested_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="建议承办单位"
    )
    requested_by = models.ForeignKey(
        "User", on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    approved = models.BooleanField("同意退办", null=True, blank=True)
    new_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="改由承办单位"
    )
    decision_note = models.TextField("处理意见", blank=True)
    decided_by = models.ForeignKey(
        "User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="处理人"
    )
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = "退办申请"
        verbose_name_plural = "退办申请"
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(decided_at__isnull=True),
                name="one_pending_handback",
                violation_error_message="该交办已有待处理的退办申请。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency}申请退办（{self.state_label}）"

    @property
    def is_pending(self) -> bool:
        return self.decided_at is None

    @property
    def state_label(self) -> str:
        if self.is_pending:
            return "待处理"
        return "已同意" if self.approved else "未同意"


class CountersignAnswer(models.TextChoices):
    PENDING = "pending", "待会签"
    AGREED = "agreed", "同意"
    COMMENTS = "comments", "提出修改意见"
    LAPSED = "lapsed", "逾期视为同意"


class CountersignQuerySet(models.QuerySet):
    def current(self):
        """The rows of each reply's latest circulation; earlier circulations are superseded."""
        later = Countersign.objects.filter(
            reply_id=OuterRef("reply_id"), circulation__gt=OuterRef("circulation")
        )
        return self.exclude(Exists(later))

    def open(self):
        """Waiting for the co-handler: pending, in the latest circulation, the draft still submitted
        (a withdrawn or returned draft stops the clock until it is submitted again)."""
        return self.current().filter(answer=CountersignAnswer.PENDING, reply__status=ReplyStatus.SUBMITTED)


class Countersign(models.Model):
    """会签: one co-handling agency's answer to one circulation of the lead's final draft (the
    version it saw). A new circulation starts when a changed draft is submitted again."""

    reply = models.ForeignKey(
        Reply, on_delete=models.CASCADE, related_name="countersigns", verbose_name="答复"
    )
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="countersigns", verbose_name="协办交办"
    )
    circulation = models.PositiveSmallIntegerField("会签轮次", default=1)
    version_number = models.PositiveIntegerField("送会签的版本号")
    sent_at = models.DateTimeField("送会签时间", default=timezone.now)
    due_date = models.DateField("会签期限")
    answer = models.CharField(
        "会签意见", max_length=10, choices=CountersignAnswer.choices, default=CountersignAnswer.PENDING
    )
    comments = models.TextField("修改意见", blank=True)
    answered_by = models.ForeignKey(
        "User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="会签人"
    )
    answered_at = models.DateTimeField("会签时间", null=True, blank=True)

    objects = CountersignQuerySet.as_manager()

    class Meta:
        verbose_name = "会签"
        verbose_name_plural = "会签"
        ordering = ["reply", "circulation", "assignment"]
        constraints = [
            models.UniqueConstraint(
                fields=["reply", "assignment", "circulation"],
                name="one_countersign_per_circulation",
                violation_error_message="该协办单位本轮已有会签记录。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.assignment.agency}会签（{self.get_answer_display()}）"

    @property
    def settled(self) -> bool:
        """Agreed, or its time ran out (视为同意): 签发 may go on."""
        return self.answer in (CountersignAnswer.AGREED, CountersignAnswer.LAPSED)


class ClassCodeChange(models.Model):
    """督办审核: committee staff changed the class code of a signed reply, with the reason; shown
    to the agency on the reply."""

    reply = models.ForeignKey(
        Reply, on_delete=models.CASCADE, related_name="class_changes", verbose_name="答复"
    )
    from_code = models.CharField("原分类", max_length=4, blank=True)
    to_code = models.CharField("调整为", max_length=4)
    reason = models.TextField("调整理由")
    changed_by = models.ForeignKey("User", on_delete=models.PROTECT, related_name="+", verbose_name="调整人")
    changed_at = models.DateTimeField("调整时间", default=timezone.now)

    class Meta:
        verbose_name = "办理结果分类调整"
        verbose_name_plural = "办理结果分类调整"
        ordering = ["reply", "changed_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_code or '未分类'} → {self.to_code}"


class CommitmentStatus(models.TextChoices):
    OPEN = "open", "跟踪办理中"
    FULFILLED = "fulfilled", "已落实"


class Commitment(models.Model):
    """跟踪事项: what a reply of a follow-up class (default B) promised, with its due date and the
    measures that carry the promise. Fulfilled when the second letter (办理落实情况的报告) is
    issued."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="commitments", verbose_name="交办"
    )
    reply = models.ForeignKey(
        Reply, on_delete=models.PROTECT, related_name="commitments", verbose_name="答复"
    )
    class_code = models.CharField("答复时的分类", max_length=4)
    text = models.TextField("承诺事项", blank=True)
    measures = models.ManyToManyField(
        "measures.Measure", blank=True, related_name="+", verbose_name="相关办理措施"
    )
    due_date = models.DateField("完成期限")
    status = models.CharField(
        "状态", max_length=10, choices=CommitmentStatus.choices, default=CommitmentStatus.OPEN
    )
    report = models.OneToOneField(
        Reply,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fulfils",
        verbose_name="办理落实情况的报告",
    )
    fulfilled_on = models.DateField("落实日期", null=True, blank=True)
    reminded_30 = models.DateTimeField("到期前30天提醒", null=True, blank=True, editable=False)
    reminded_7 = models.DateTimeField("到期前7天提醒", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("生成时间", default=timezone.now)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        verbose_name = "跟踪事项"
        verbose_name_plural = "跟踪事项"
        ordering = ["due_date", "pk"]

    def __str__(self) -> str:
        return f"{self.assignment}跟踪事项（{self.get_status_display()}）"

    @property
    def is_open(self) -> bool:
        return self.status == CommitmentStatus.OPEN

    @property
    def days_left(self) -> int | None:
        """Days until the due date while open (negative: overdue); None once fulfilled."""
        return (self.due_date - timezone.localdate()).days if self.is_open else None

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_date < timezone.localdate()

    @property
    def overdue_days(self) -> int:
        return max(0, -(self.days_left or 0))

    @property
    def on_time(self) -> bool | None:
        """Fulfilled by the due date; None while open."""
        return None if self.is_open else bool(self.fulfilled_on and self.fulfilled_on <= self.due_date)


class CommitmentProgress(models.Model):
    """落实情况: one progress report on a commitment."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="progress", verbose_name="跟踪事项"
    )
    day = models.DateField("日期")
    text = models.TextField("落实情况")
    reported_by = models.ForeignKey("User", on_delete=models.PROTECT, related_name="+", verbose_name="填报人")
    reported_at = models.DateTimeField("填报时间", default=timezone.now)

    class Meta:
        verbose_name = "落实情况"
        verbose_name_plural = "落实情况"
        ordering = ["commitment", "day", "pk"]

    def __str__(self) -> str:
        return f"{self.day} {self.text[:20]}"
