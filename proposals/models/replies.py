"""Replies (答复) and their parts: the letter's fields, its 抄送 list, saved versions, status
events, the co-handlers' 会办意见, the deputies' ratings and the approved public version.
The numbered sections (办理措施) live in the `measures` app.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from proposals.letters import wording
from proposals.letters.wording import ContactStyle, CopyStyle
from proposals.models import deadlines
from proposals.models.access import ReplyQuerySet
from proposals.models.people import Agency, CopyRecipient, Deputy
from proposals.models.proposals import Assignment, Proposal


class ReplyStatus(models.TextChoices):
    DRAFT = "draft", "起草中"
    SUBMITTED = "submitted", "待审核"
    RETURNED = "returned", "已退回"
    REVIEWING = "reviewing", "待督办审核"
    APPROVED = "approved", "已签发"
    ISSUED = "issued", "已答复"


class ReplyKind(models.TextChoices):
    ANSWER = "answer", "答复"
    REPORT = "report", "办理落实情况的报告"


class HeadingStyle(models.TextChoices):
    CHINESE = "chinese", "一、（一）1.（1）"
    ARABIC = "arabic", "1. (1)"


class FrozenReply(Exception):
    """An issued reply, its measures or its 抄送 list were about to be changed."""

    def __init__(self, message: str = "答复已发出（已答复），答复函不能再修改。"):
        super().__init__(message)


def validate_class_code(value: str) -> None:
    if value and value not in settings.REPLY_CLASS_CODES:
        known = "、".join(settings.REPLY_CLASS_CODES)
        raise ValidationError(f"“{value}”不是已知的办理结果分类（可用：{known}）。")


class Reply(models.Model):
    """答复: the letter the lead (or 分办) agency sends for one handling round.

    Empty title, salutation and 署名 mean the generated ones; an empty contact block or 抄送
    text means the block is built from the contact fields and copy list in the chosen style.
    """

    assignment = models.ForeignKey(
        Assignment, on_delete=models.PROTECT, related_name="replies", verbose_name="交办"
    )
    round = models.PositiveSmallIntegerField("办理轮次", default=1, help_text="代表不满意后再次办理时递增")
    kind = models.CharField("文种", max_length=10, choices=ReplyKind.choices, default=ReplyKind.ANSWER)
    # 并案办理: a member proposal's letter shares the body of the group's first letter (every
    # part but its own title, salutation, authors and contact lines).
    body_source = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="body_copies",
        verbose_name="共用正文的答复",
    )
    status = models.CharField("状态", max_length=10, choices=ReplyStatus.choices, default=ReplyStatus.DRAFT)
    class_code = models.CharField("办理结果分类", max_length=4, blank=True, validators=[validate_class_code])
    title = models.CharField("标题", max_length=300, blank=True, help_text="留空则按届次和编号生成")
    salutation = models.CharField("称谓", max_length=300, blank=True, help_text="留空则按提出人生成")
    opening = models.TextField("开头语", blank=True)
    closing = models.TextField("结束语", blank=True, help_text="每段一行")
    consulted = models.JSONField("会商单位", default=list, blank=True)
    heading_style = models.CharField(
        "标题序号样式", max_length=10, choices=HeadingStyle.choices, default=HeadingStyle.CHINESE
    )
    doc_number = models.CharField("发文字号", max_length=50, blank=True)
    signer = models.CharField("签发人", max_length=50, blank=True)
    publicity = models.CharField("公开属性", max_length=50, blank=True)
    signature = models.CharField("署名", max_length=100, blank=True, help_text="留空则为承办单位全称")
    date = models.DateField("成文日期", null=True, blank=True)
    leader_name = models.CharField("主管领导", max_length=50, blank=True)
    leader_phone = models.CharField("主管领导电话", max_length=50, blank=True)
    handler_name = models.CharField("经办人", max_length=50, blank=True)
    handler_phone = models.CharField("经办人电话", max_length=50, blank=True)
    postcode = models.CharField("邮政编码", max_length=10, blank=True)
    contact_style = models.CharField(
        "联系方式格式", max_length=10, choices=ContactStyle.choices, default=ContactStyle.SUIZHOU
    )
    contact_block_text = models.TextField(
        "联系方式（按原文）", blank=True, help_text="留空则按格式生成；填写时每行一条，原样印出"
    )
    copy_style = models.CharField(
        "抄送格式", max_length=10, choices=CopyStyle.choices, default=CopyStyle.SUIZHOU
    )
    copy_line_text = models.CharField(
        "抄送（按原文）", max_length=500, blank=True, help_text="留空则按抄送单位生成"
    )
    attachments = models.JSONField("附件", default=list, blank=True)
    due_date = models.DateField("答复期限", null=True, blank=True)
    version = models.PositiveIntegerField(
        "版本", default=1, editable=False, help_text="每次保存加一；两人同时修改时据此发现冲突"
    )
    created_by = models.ForeignKey(
        "User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="起草人"
    )
    issued_on = models.DateField("答复日期", null=True, blank=True, editable=False)
    pdf = models.FileField("答复函 PDF", upload_to="replies/%Y/", blank=True, editable=False)
    pdf_sha256 = models.CharField("PDF SHA-256", max_length=64, blank=True, editable=False)
    pdf_sm3 = models.CharField("PDF SM3", max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    objects = ReplyQuerySet.as_manager()

    class Meta:
        verbose_name = "答复"
        verbose_name_plural = "答复"
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "round", "kind"],
                name="one_reply_per_round",
                violation_error_message="该交办在本轮次已有答复。",
            ),
            models.CheckConstraint(
                condition=Q(round__gte=1),
                name="reply_round_positive",
                violation_error_message="办理轮次从 1 开始。",
            ),
        ]

    def __str__(self) -> str:
        suffix = f"（第{self.round}轮）" if self.round > 1 else ""
        return f"{self.effective_title}{suffix}"

    def save(self, *args, **kwargs):
        """Refuses to change a reply once it is issued (the letter is frozen)."""
        if self.pk and Reply.objects.filter(pk=self.pk, status=ReplyStatus.ISSUED).exists():
            raise FrozenReply()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.pk and Reply.objects.filter(pk=self.pk, status=ReplyStatus.ISSUED).exists():
            raise FrozenReply("已答复的答复函不能删除。")
        return super().delete(*args, **kwargs)

    def clean(self) -> None:
        if self.assignment_id and not self.assignment.answers_deputy:
            raise ValidationError({"assignment": "只有主办或分办单位答复代表，协办、会办单位提交会办意见。"})

    @property
    def is_frozen(self) -> bool:
        return self.status == ReplyStatus.ISSUED

    @property
    def draft_mark(self) -> str:
        """The mark on every page of a letter that has not gone out; empty once issued."""
        if self.status == ReplyStatus.ISSUED:
            return ""
        if self.status in (ReplyStatus.APPROVED, ReplyStatus.REVIEWING):
            return "已签发·未发出"
        return "草稿·未签发"

    @property
    def letter_noun(self) -> str:
        """What the pages call this letter: 答复, or 报告 for a 办理落实情况的报告."""
        return "报告" if self.kind == ReplyKind.REPORT else "答复"

    @property
    def is_editable(self) -> bool:
        return self.status in (ReplyStatus.DRAFT, ReplyStatus.RETURNED)

    @property
    def days_left(self) -> int | None:
        return deadlines.days_left(self.due_date)

    @property
    def proposal(self) -> Proposal:
        return self.assignment.proposal

    @property
    def agency(self) -> Agency:
        return self.assignment.agency

    @property
    def effective_title(self) -> str:
        if self.title:
            return self.title
        if self.kind == ReplyKind.REPORT:
            return self.default_report_title()
        return self.proposal.default_reply_title()

    def default_report_title(self) -> str:
        """办理落实情况的报告: the session's pattern (`follow_up_title`) with 届次, 编号, 类别."""
        p = self.proposal
        return p.session.follow_up_title.format_map(
            {"届次": p.session.name, "编号": p.number, "类别": p.kind}
        )

    @property
    def effective_salutation(self) -> str:
        return self.salutation or self.proposal.default_salutation()

    @property
    def effective_signature(self) -> str:
        return self.signature or self.agency.name

    @property
    def closing_paragraphs(self) -> list[str]:
        return [line for line in self.closing.splitlines() if line.strip()]

    @property
    def contact(self) -> wording.Contact:
        return wording.Contact(
            self.leader_name, self.leader_phone, self.handler_name, self.handler_phone, self.postcode
        )

    def contact_lines(self) -> list[str]:
        if self.contact_block_text.strip():
            return [line for line in self.contact_block_text.splitlines() if line.strip()]
        return wording.contact_lines(self.contact_style, self.contact)

    def copy_line(self) -> str:
        if self.copy_line_text:
            return self.copy_line_text
        return wording.copy_line(self.copy_style, [(c.recipient, c.copies) for c in self.copies.all()])

    def date_text(self) -> str:
        return wording.chinese_date(self.date) if self.date else ""

    def class_code_wording(self) -> str:
        return settings.REPLY_CLASS_CODES.get(self.class_code, "")

    def default_opening(self) -> str:
        p = self.proposal
        return wording.opening(p.session.name, p.title, p.number, p.kind, self.consulted)

    def fill_defaults_from_agency(self) -> None:
        """Copy the agency's contact people, styles and postcode into a new reply."""
        agency = self.agency
        contact = agency.default_contact()
        self.leader_name, self.leader_phone = contact.leader_name, contact.leader_phone
        self.handler_name, self.handler_phone = contact.handler_name, contact.handler_phone
        self.postcode = contact.postcode
        self.contact_style = agency.contact_style
        self.copy_style = agency.copy_style


class LetterPart(models.Model):
    """A part of a reply's letter (a measure, a 抄送 recipient): frozen with the issued reply."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        refuse_if_issued(self.reply_id)
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        refuse_if_issued(self.reply_id)
        return super().delete(*args, **kwargs)


class ReplyCopy(LetterPart, CopyRecipient):  # noqa: DJ008  (CopyRecipient gives __str__)
    """A recipient of this reply's 抄送 line."""

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="copies", verbose_name="答复")

    class Meta(CopyRecipient.Meta):
        verbose_name = "抄送单位"
        verbose_name_plural = "抄送单位"


def refuse_if_issued(reply_id: int | None) -> None:
    """Guard for the parts of a letter: nothing of an issued reply changes."""
    if reply_id and Reply.objects.filter(pk=reply_id, status=ReplyStatus.ISSUED).exists():
        raise FrozenReply()


class ReplyVersion(models.Model):
    """Every saved state of a draft, as the interchange JSON, so reviewers can compare."""

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="versions", verbose_name="答复")
    number = models.PositiveIntegerField("版本号")
    saved_by = models.ForeignKey("User", on_delete=models.PROTECT, related_name="+", verbose_name="保存人")
    saved_at = models.DateTimeField("保存时间", auto_now_add=True)
    submitted = models.BooleanField("提交审核的版本", default=False)
    snapshot = models.JSONField("内容")

    class Meta:
        verbose_name = "答复版本"
        verbose_name_plural = "答复版本"
        ordering = ["reply", "number"]
        constraints = [models.UniqueConstraint(fields=["reply", "number"], name="unique_reply_version")]

    def __str__(self) -> str:
        return f"第{self.number}版"


class ReplyEvent(models.Model):
    """One status change of a reply (who, when, from, to, note): the reply's timeline."""

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="events", verbose_name="答复")
    actor = models.ForeignKey("User", on_delete=models.PROTECT, related_name="+", verbose_name="操作人")
    at = models.DateTimeField("时间", auto_now_add=True)
    verb = models.CharField("操作", max_length=20)
    from_status = models.CharField("原状态", max_length=10, choices=ReplyStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=10, choices=ReplyStatus.choices)
    note = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["reply", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_from_status_display() or '—'} → {self.get_to_status_display()}"


class CoOpinion(models.Model):
    """会办意见: a co-handling agency's written opinion to the lead agency."""

    assignment = models.OneToOneField(
        Assignment, on_delete=models.CASCADE, related_name="opinion", verbose_name="交办（协办／会办）"
    )
    text = models.TextField("会办意见")
    written_by = models.ForeignKey("User", on_delete=models.PROTECT, related_name="+", verbose_name="填写人")
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)

    class Meta:
        verbose_name = "会办意见"
        verbose_name_plural = "会办意见"

    def __str__(self) -> str:
        return f"{self.assignment.agency}的会办意见"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class Rating(models.TextChoices):
    SATISFIED = "satisfied", "满意"
    BASICALLY_SATISFIED = "basically", "基本满意"
    DISSATISFIED = "dissatisfied", "不满意"


class Feedback(models.Model):
    """征询意见: one author's rating of an issued reply, recorded by committee staff. As on the
    paper form, 办理态度 (how the agency handled it) and 办理结果 (what came of it) are rated
    separately; `rating` is the 办理结果 (the one rating there was before), `attitude` the 办理态度."""

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="feedback", verbose_name="答复")
    deputy = models.ForeignKey(Deputy, on_delete=models.PROTECT, related_name="+", verbose_name="代表／委员")
    attitude = models.CharField("办理态度", max_length=15, choices=Rating.choices)
    rating = models.CharField("办理结果", max_length=15, choices=Rating.choices)
    note = models.TextField("意见", blank=True)
    recorded_by = models.ForeignKey("User", on_delete=models.PROTECT, related_name="+", verbose_name="登记人")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)
    # 代录: committee staff entered a paper form on the deputy's behalf (every rating before the
    # deputies' own accounts was one); False when the deputy rated online.
    by_proxy = models.BooleanField("代录", default=True, help_text="委员会工作人员根据纸质征询意见表代为录入")

    class Meta:
        verbose_name = "办理评价"
        verbose_name_plural = "办理评价"
        constraints = [
            models.UniqueConstraint(
                fields=["reply", "deputy"],
                name="one_rating_per_author",
                violation_error_message="该代表已评价过本轮答复。",
            )
        ]

    def __str__(self) -> str:
        return f"{self.deputy}：办理态度{self.get_attitude_display()}，办理结果{self.get_rating_display()}"


class FeedbackCorrection(models.Model):
    """更正评价: a wrongly recorded rating corrected by committee staff, with the reason; the old
    values are kept here (the rating itself shows the current values). One row per correction;
    each of 办理态度 and 办理结果 has its old and new value when it was corrected and is empty
    when it was left as it was (corrections made before the two were rated separately changed
    the one rating, now the 办理结果)."""

    feedback = models.ForeignKey(
        Feedback, on_delete=models.CASCADE, related_name="corrections", verbose_name="办理评价"
    )
    from_attitude = models.CharField("原办理态度", max_length=15, choices=Rating.choices, blank=True)
    to_attitude = models.CharField("办理态度更正为", max_length=15, choices=Rating.choices, blank=True)
    from_rating = models.CharField("原办理结果", max_length=15, choices=Rating.choices, blank=True)
    to_rating = models.CharField("办理结果更正为", max_length=15, choices=Rating.choices, blank=True)
    reason = models.TextField("更正理由")
    corrected_by = models.ForeignKey(
        "User", on_delete=models.PROTECT, related_name="+", verbose_name="更正人"
    )
    corrected_at = models.DateTimeField("更正时间", auto_now_add=True)

    class Meta:
        verbose_name = "评价更正"
        verbose_name_plural = "评价更正"
        ordering = ["feedback", "corrected_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(~Q(from_attitude="") & ~Q(to_attitude=""))
                | (~Q(from_rating="") & ~Q(to_rating="")),
                name="correction_changes_a_rating",
                violation_error_message="更正评价须更正办理态度或办理结果。",
            )
        ]

    def __str__(self) -> str:
        return "；".join(self.changes())

    def changes(self) -> list[str]:
        """What was corrected, as people read it: 办理态度：满意 → 不满意, 办理结果：… ."""
        changes = []
        if self.from_attitude and self.to_attitude:
            changes.append(f"办理态度：{self.get_from_attitude_display()} → {self.get_to_attitude_display()}")
        if self.from_rating and self.to_rating:
            changes.append(f"办理结果：{self.get_from_rating_display()} → {self.get_to_rating_display()}")
        return changes


class PublicationQuerySet(models.QuerySet):
    def public(self) -> PublicationQuerySet:
        """Publications anyone may read: never of a confidential proposal, never withdrawn."""
        return self.filter(reply__assignment__proposal__confidential=False, withdrawn_at__isnull=True)


class Publication(models.Model):
    """公开: the approved public version of an issued reply (国办发〔2014〕46号). The public
    letter is generated from the reply, without phone numbers, never edited by hand."""

    reply = models.OneToOneField(
        Reply, on_delete=models.PROTECT, related_name="publication", verbose_name="答复"
    )
    approved_by = models.ForeignKey("User", on_delete=models.PROTECT, related_name="+", verbose_name="审核人")
    approved_at = models.DateTimeField("公开时间", auto_now_add=True)
    pdf = models.FileField("公开版 PDF", upload_to="public/%Y/", editable=False)
    pdf_sha256 = models.CharField("公开版 SHA-256", max_length=64, editable=False)
    withdrawn_at = models.DateTimeField("撤回公开时间", null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        "User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="撤回人"
    )
    withdraw_reason = models.TextField("撤回公开理由", blank=True)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        verbose_name = "公开"
        verbose_name_plural = "公开"
        ordering = ["-approved_at"]

    def __str__(self) -> str:
        return f"公开：{self.reply}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None
