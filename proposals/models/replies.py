"""Proposals, the agencies that handle them and the replies they send.

The vocabulary follows ../shared/spec/domain.md: a 届次 (Session) receives 建议/议案/提案
(Proposal) from 代表/委员 (Deputy); the committee 交办 (Assignment) each proposal to one or more
承办单位 (Agency); the lead agency writes a 答复 (Reply) per handling round, whose numbered
sections (办理措施) live in the `measures` app.
"""

from __future__ import annotations

import datetime
import hashlib
import json

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from proposals import deadlines
from proposals.letters import wording
from proposals.letters.wording import ContactStyle, CopyStyle


class Body(models.TextChoices):
    CONGRESS = "congress", "人大"
    CPPCC = "cppcc", "政协"


class AgencyScopedQuerySet(models.QuerySet):
    """Row-level access in one place: committee staff and admins see every row; a user of an
    agency sees the rows of that agency's assignments only. `agency_field` leads to the agency."""

    agency_field = "agency_id"
    multi_valued = False  # the path crosses a to-many relation: rows could repeat

    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self
        if user.agency_id is None:
            return self.none()
        rows = self.filter(**{self.agency_field: user.agency_id})
        return rows.distinct() if self.multi_valued else rows


class ProposalQuerySet(AgencyScopedQuerySet):
    agency_field = "assignments__agency_id"
    multi_valued = True


class AssignmentQuerySet(AgencyScopedQuerySet):
    agency_field = "agency_id"


class ReplyQuerySet(AgencyScopedQuerySet):
    agency_field = "assignment__agency_id"


class Session(models.Model):
    """届次: one plenary session of a people's congress or a CPPCC committee."""

    body = models.CharField("机关", max_length=10, choices=Body.choices, default=Body.CONGRESS)
    name = models.CharField("届次名称", max_length=100, unique=True,
                            help_text="如：市五届人大一次会议、市政协五届一次会议")
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    # Deadline rules (domain.md §9), 随州 defaults; per session because they change by year.
    reply_months = models.PositiveSmallIntegerField("答复期限（月）", default=3)
    extended_reply_months = models.PositiveSmallIntegerField("延期后答复期限（月）", default=6)
    co_opinion_months = models.PositiveSmallIntegerField("会办意见期限（月）", default=1)
    rehandling_months = models.PositiveSmallIntegerField("再次办理期限（月）", default=1)
    meeting_days = models.PositiveSmallIntegerField("首次见面期限（天）", default=20,
                                                    help_text="自交办之日起与领衔代表见面的天数")
    meeting_working_days = models.BooleanField("见面期限按工作日计", default=False)
    feedback_working_days = models.PositiveSmallIntegerField("征询意见寄回期限（工作日）", default=20)
    publication_working_days = models.PositiveSmallIntegerField("答复公开期限（工作日）", default=20)
    opinion_calendar_date = models.DateField("会办意见统一截止日", null=True, blank=True,
                                             help_text="如随州：5月31日；与法定期限取其早")
    reply_calendar_date = models.DateField("答复统一截止日", null=True, blank=True,
                                           help_text="如随州：6月30日；与法定期限取其早")

    class Meta:
        verbose_name = "届次"
        verbose_name_plural = "届次"
        ordering = ["-year", "name"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def body_from_name(name: str) -> str:
        return Body.CPPCC if "政协" in name else Body.CONGRESS

    def save(self, *args, **kwargs):
        """Saving the rules recomputes the due dates of the session's assignments."""
        super().save(*args, **kwargs)
        for assignment in Assignment.objects.filter(proposal__session=self).select_related(
                "proposal__session", "extension"):
            assignment.proposal.session = self
            due = assignment.due_date
            if due != assignment.due_on:
                Assignment.objects.filter(pk=assignment.pk).update(due_on=due)


class Deputy(models.Model):
    """代表 or 委员. Phone, mobile and address are personal information (PIPL): never published."""

    PERSONAL_INFORMATION_FIELDS = ("phone", "address")

    name = models.CharField("姓名", max_length=50)
    body = models.CharField("身份", max_length=10, choices=Body.choices, default=Body.CONGRESS,
                            help_text="人大代表或政协委员")
    delegation = models.CharField("代表团／界别", max_length=100, blank=True)
    phone = models.CharField("联系电话", max_length=50, blank=True, help_text="个人信息，不公开")
    address = models.CharField("通讯地址", max_length=200, blank=True, help_text="个人信息，不公开")

    class Meta:
        verbose_name = "代表／委员"
        verbose_name_plural = "代表／委员"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProposalKind(models.TextChoices):
    SUGGESTION = "建议", "建议"
    MOTION = "议案", "议案"
    PROPOSAL = "提案", "提案"


class AddresseeTitle(models.TextChoices):
    DEPUTY = "代表", "代表"
    MEMBER = "委员", "委员"


class Proposal(models.Model):
    """建议, 议案 (handled as 建议) or 提案, numbered within its session."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="proposals",
                                verbose_name="届次")
    number = models.CharField("编号", max_length=30, help_text="如 12；也可以是长编号，如 74227")
    # Remembers whether an imported letter gave the number as a JSON integer, so export matches.
    number_is_integer = models.BooleanField(default=False, editable=False)
    title = models.CharField("标题", max_length=300)
    kind = models.CharField("类别", max_length=4, choices=ProposalKind.choices,
                            default=ProposalKind.SUGGESTION)
    addressee_title = models.CharField("称谓", max_length=4, choices=AddresseeTitle.choices,
                                       blank=True, help_text="留空时：提案称“委员”，其他称“代表”")
    body = models.TextField("正文", blank=True)
    authors = models.ManyToManyField(Deputy, through="ProposalAuthor", related_name="proposals",
                                     verbose_name="提出人")
    more_authors = models.BooleanField("另有联名人未列出", default=False,
                                       help_text="称谓以“等”结尾，未列出全部联名人")
    author_count = models.PositiveSmallIntegerField("提出人总数", null=True, blank=True,
                                                    help_text="来函写明人数时填写，如“纪占斌等3名代表”")
    received_date = models.DateField("收到日期", null=True, blank=True)
    key_supervision = models.BooleanField("重点督办", default=False)
    confidential = models.BooleanField("保密", default=False,
                                       help_text="代表要求保密：答复不得公开")

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = "建议／提案"
        verbose_name_plural = "建议／提案"
        ordering = ["session", "number"]
        constraints = [
            models.UniqueConstraint(fields=["session", "number"], name="unique_proposal_number",
                                    violation_error_message="该届次已有相同编号的建议／提案。"),
        ]

    def __str__(self) -> str:
        return f"{self.session}第{self.number}号{self.kind}：{self.title}"

    @property
    def effective_addressee_title(self) -> str:
        if self.addressee_title:
            return self.addressee_title
        return AddresseeTitle.MEMBER if self.kind == ProposalKind.PROPOSAL else AddresseeTitle.DEPUTY

    def author_names(self) -> list[str]:
        return [a.deputy.name for a in self.authorships.select_related("deputy").order_by("position")]

    def set_authors(self, names: list[str]) -> None:
        """Make `names` (lead first) the authors, reusing the session's deputies of those names.
        Does nothing when the list is unchanged, so feedback and ratings keep their authors."""
        names = list(dict.fromkeys(n.strip() for n in names if n.strip()))
        if self.author_names() == names:
            return
        self.authorships.all().delete()
        body = self.session.body
        for position, name in enumerate(names, start=1):
            deputy = (Deputy.objects.filter(name=name, body=body).order_by("pk").first()
                      or Deputy.objects.create(name=name, body=body))
            ProposalAuthor.objects.create(proposal=self, deputy=deputy, position=position, is_lead=position == 1)

    def lead_author(self) -> Deputy | None:
        lead = self.authorships.filter(is_lead=True).select_related("deputy").first()
        return lead.deputy if lead else None

    def default_salutation(self) -> str:
        return wording.salutation(self.author_names(), more=self.more_authors,
                                  count=self.author_count, addressee=self.effective_addressee_title)

    def default_reply_title(self) -> str:
        return wording.title(self.session.name, self.number, self.kind)


class ProposalAuthor(models.Model):
    """One author of a proposal, in printed order; exactly one is the lead (领衔) author."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="authorships",
                                 verbose_name="建议／提案")
    deputy = models.ForeignKey(Deputy, on_delete=models.PROTECT, related_name="authorships",
                               verbose_name="代表／委员")
    position = models.PositiveSmallIntegerField("排序", default=1)
    is_lead = models.BooleanField("领衔", default=False)

    class Meta:
        verbose_name = "提出人"
        verbose_name_plural = "提出人"
        ordering = ["proposal", "position"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "deputy"], name="unique_author_per_proposal",
                                    violation_error_message="同一代表不能重复列为提出人。"),
            models.UniqueConstraint(fields=["proposal", "position"], name="unique_author_position",
                                    violation_error_message="提出人排序不能重复。"),
            models.UniqueConstraint(fields=["proposal"], condition=Q(is_lead=True),
                                    name="one_lead_author_per_proposal",
                                    violation_error_message="每件建议只能有一位领衔人。"),
        ]

    def __str__(self) -> str:
        return f"{self.deputy}（{'领衔' if self.is_lead else '联名'}）"


class ClassCodePosition(models.TextChoices):
    HEADER_LINE = "header_line", "发文机关标志下单独一行，如“(A)”（随州）"
    TOP_RIGHT = "top_right", "首页右上角"
    FOOT = "foot", "文末，如“办复类别：B类”"


class Agency(models.Model):
    """承办单位. Its full name is the letterhead and the default 署名."""

    name = models.CharField("单位全称", max_length=100, unique=True, help_text="用作发文机关标志和署名")
    short_name = models.CharField("简称", max_length=50, blank=True)
    postcode = models.CharField("邮政编码", max_length=10, blank=True)
    leader_name = models.CharField("主管领导", max_length=50, blank=True)
    leader_phone = models.CharField("主管领导电话", max_length=50, blank=True)
    handler_name = models.CharField("经办人", max_length=50, blank=True)
    handler_phone = models.CharField("经办人电话", max_length=50, blank=True)
    contact_style = models.CharField("联系方式格式", max_length=10, choices=ContactStyle.choices,
                                     default=ContactStyle.SUIZHOU)
    copy_style = models.CharField("抄送格式", max_length=10, choices=CopyStyle.choices,
                                  default=CopyStyle.SUIZHOU)
    class_code_position = models.CharField("办理结果分类位置", max_length=12,
                                           choices=ClassCodePosition.choices,
                                           default=ClassCodePosition.HEADER_LINE)
    signing_key_file = models.CharField(
        "签章证书文件", max_length=300, blank=True,
        help_text="PKCS#12 文件路径（相对于 REPLY_SIGNING_DIR）；口令不存数据库，见 README")
    signing_password_key = models.CharField(
        "证书口令名称", max_length=50, blank=True,
        help_text="口令取自环境变量 REPLY_SIGNING_PASSWORD_<名称>，或受保护的口令文件中的同名项")
    seal = models.ImageField("电子印章图片", upload_to="seals/", blank=True,
                             help_text="PNG，透明背景；签发时缩小后盖在署名和日期上")

    class Meta:
        verbose_name = "承办单位"
        verbose_name_plural = "承办单位"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def default_contact(self) -> wording.Contact:
        return wording.Contact(self.leader_name, self.leader_phone, self.handler_name,
                               self.handler_phone, self.postcode or settings.DEFAULT_POSTCODE)


class CopyRecipient(models.Model):
    """One 抄送 recipient with its number of copies, in printed order."""

    position = models.PositiveSmallIntegerField("排序", default=1)
    recipient = models.CharField("抄送单位", max_length=100)
    copies = models.PositiveSmallIntegerField("份数", null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.recipient}（{self.copies}份）" if self.copies else self.recipient


class AgencyCopy(CopyRecipient):
    """A recipient every reply of the agency is copied to unless the clerk changes it."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="default_copies",
                               verbose_name="承办单位")

    class Meta(CopyRecipient.Meta):
        verbose_name = "默认抄送单位"
        verbose_name_plural = "默认抄送单位"


class Role(models.TextChoices):
    LEAD = "lead", "主办"
    CO = "co", "协办"
    JOINT = "joint", "会办"
    SEPARATE = "separate", "分办"


ANSWERING_ROLES = (Role.LEAD, Role.SEPARATE)


class Assignment(models.Model):
    """交办: one proposal handed to one agency in one role. Its date starts every clock."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="assignments",
                                 verbose_name="建议／提案")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="assignments",
                               verbose_name="承办单位")
    role = models.CharField("办理方式", max_length=10, choices=Role.choices, default=Role.LEAD)
    assigned_date = models.DateField("交办日期", null=True, blank=True)
    # The reply's (or opinion's) due date by the session's rules, kept here so lists can filter
    # and sort on it; recomputed on save, on an approved extension and when the rules change.
    due_on = models.DateField("办理期限", null=True, blank=True, editable=False, db_index=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = "交办"
        verbose_name_plural = "交办"
        ordering = ["proposal", "role", "agency"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "agency"], name="unique_assignment",
                                    violation_error_message="该建议已交办给这个单位。"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal.session}第{self.proposal.number}号 → {self.agency}（{self.get_role_display()}）"

    @property
    def answers_deputy(self) -> bool:
        return self.role in ANSWERING_ROLES

    @property
    def due_date(self):
        """The reply's due date for answering roles, the opinion's for co-handlers."""
        if self.answers_deputy:
            return deadlines.reply_due(self)
        return deadlines.co_opinion_due(self)

    def save(self, *args, **kwargs):
        self.due_on = self.due_date
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "due_on"}
        super().save(*args, **kwargs)


class ReplyStatus(models.TextChoices):
    DRAFT = "draft", "起草中"
    SUBMITTED = "submitted", "待审核"
    RETURNED = "returned", "已退回"
    APPROVED = "approved", "已签发"
    ISSUED = "issued", "已答复"


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

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="replies",
                                   verbose_name="交办")
    round = models.PositiveSmallIntegerField("办理轮次", default=1,
                                             help_text="代表不满意后再次办理时递增")
    status = models.CharField("状态", max_length=10, choices=ReplyStatus.choices,
                              default=ReplyStatus.DRAFT)
    class_code = models.CharField("办理结果分类", max_length=4, blank=True,
                                  validators=[validate_class_code])
    title = models.CharField("标题", max_length=300, blank=True, help_text="留空则按届次和编号生成")
    salutation = models.CharField("称谓", max_length=300, blank=True, help_text="留空则按提出人生成")
    opening = models.TextField("开头语", blank=True)
    closing = models.TextField("结束语", blank=True, help_text="每段一行")
    consulted = models.JSONField("会商单位", default=list, blank=True)
    heading_style = models.CharField("标题序号样式", max_length=10, choices=HeadingStyle.choices,
                                     default=HeadingStyle.CHINESE)
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
    contact_style = models.CharField("联系方式格式", max_length=10, choices=ContactStyle.choices,
                                     default=ContactStyle.SUIZHOU)
    contact_block_text = models.TextField("联系方式（按原文）", blank=True,
                                          help_text="留空则按格式生成；填写时每行一条，原样印出")
    copy_style = models.CharField("抄送格式", max_length=10, choices=CopyStyle.choices,
                                  default=CopyStyle.SUIZHOU)
    copy_line_text = models.CharField("抄送（按原文）", max_length=500, blank=True,
                                      help_text="留空则按抄送单位生成")
    attachments = models.JSONField("附件", default=list, blank=True)
    due_date = models.DateField("答复期限", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=1, editable=False,
                                         help_text="每次保存加一；两人同时修改时据此发现冲突")
    created_by = models.ForeignKey("User", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="起草人")
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
            models.UniqueConstraint(fields=["assignment", "round"], name="one_reply_per_round",
                                    violation_error_message="该交办在本轮次已有答复。"),
            models.CheckConstraint(condition=Q(round__gte=1), name="reply_round_positive",
                                   violation_error_message="办理轮次从 1 开始。"),
        ]

    def __str__(self) -> str:
        suffix = f"（第{self.round}轮）" if self.round > 1 else ""
        return f"{self.effective_title}{suffix}"

    def clean(self) -> None:
        if self.assignment_id and not self.assignment.answers_deputy:
            raise ValidationError({"assignment": "只有主办或分办单位答复代表，协办、会办单位提交会办意见。"})

    def save(self, *args, **kwargs):
        """Refuses to change a reply once it is issued (the letter is frozen)."""
        if self.pk and Reply.objects.filter(pk=self.pk, status=ReplyStatus.ISSUED).exists():
            raise FrozenReply()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.pk and Reply.objects.filter(pk=self.pk, status=ReplyStatus.ISSUED).exists():
            raise FrozenReply("已答复的答复函不能删除。")
        return super().delete(*args, **kwargs)

    @property
    def is_frozen(self) -> bool:
        return self.status == ReplyStatus.ISSUED

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
        return self.title or self.proposal.default_reply_title()

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
        return wording.Contact(self.leader_name, self.leader_phone, self.handler_name,
                               self.handler_phone, self.postcode)

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


class ReplyCopy(LetterPart, CopyRecipient):
    """A recipient of this reply's 抄送 line."""

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="copies",
                              verbose_name="答复")

    class Meta(CopyRecipient.Meta):
        verbose_name = "抄送单位"
        verbose_name_plural = "抄送单位"


def refuse_if_issued(reply_id: int | None) -> None:
    """Guard for the parts of a letter: nothing of an issued reply changes."""
    if reply_id and Reply.objects.filter(pk=reply_id, status=ReplyStatus.ISSUED).exists():
        raise FrozenReply()


class ReplyVersion(models.Model):
    """Every saved state of a draft, as the interchange JSON, so reviewers can compare."""

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="versions",
                              verbose_name="答复")
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

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="opinion",
                                      verbose_name="交办（协办／会办）")
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
    """征询意见: one author's rating of an issued reply, recorded by committee staff."""

    reply = models.ForeignKey(Reply, on_delete=models.CASCADE, related_name="feedback", verbose_name="答复")
    deputy = models.ForeignKey(Deputy, on_delete=models.PROTECT, related_name="+", verbose_name="代表／委员")
    rating = models.CharField("评价", max_length=15, choices=Rating.choices)
    note = models.TextField("意见", blank=True)
    recorded_by = models.ForeignKey("User", on_delete=models.PROTECT, related_name="+", verbose_name="登记人")
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "办理评价"
        verbose_name_plural = "办理评价"
        constraints = [models.UniqueConstraint(fields=["reply", "deputy"], name="one_rating_per_author",
                                               violation_error_message="该代表已评价过本轮答复。")]

    def __str__(self) -> str:
        return f"{self.deputy}：{self.get_rating_display()}"


class UserRole(models.TextChoices):
    CLERK = "clerk", "经办人"
    LEADER = "leader", "主管领导／签发人"
    COMMITTEE = "committee", "委员会工作人员（选任工委／督查室）"
    ADMIN = "admin", "系统管理员"


class PortalUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", UserRole.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A portal user: belongs to one agency (clerk, leader) or to the committee."""

    role = models.CharField("角色", max_length=10, choices=UserRole.choices, default=UserRole.CLERK)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="users", verbose_name="所属单位")
    office = models.CharField("所属机构", max_length=100, blank=True,
                              help_text="委员会工作人员填写，如：市人大常委会选任工委")
    must_change_password = models.BooleanField(
        "下次登录须修改密码", default=False,
        help_text="管理员设置的初始密码或重置的密码，用户登录后必须先修改")
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True, editable=False)

    objects = PortalUserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["committee", "admin"]) | Q(agency__isnull=False),
                name="agency_user_has_agency",
                violation_error_message="经办人和主管领导必须属于一个承办单位。",
            ),
            models.CheckConstraint(
                condition=Q(role__in=["clerk", "leader"]) | Q(agency__isnull=True),
                name="committee_user_has_no_agency",
                violation_error_message="委员会工作人员和系统管理员不属于承办单位。",
            ),
        ]

    def set_password(self, raw_password) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    @property
    def sees_everything(self) -> bool:
        return self.role in (UserRole.COMMITTEE, UserRole.ADMIN) or self.is_superuser

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    """One security-relevant event: when (stored in UTC, shown with its offset), who (and their
    role then), from which IP, what, on which object, with what outcome.

    Append-only: database triggers refuse UPDATE and DELETE (proposals.dbguards), and each row
    carries the SHA-256 of the previous row's hash and its own canonical JSON, so that
    `manage.py verifyaudit` names any row edited, deleted or inserted behind the portal's back.
    Written only by `proposals.audit.record`."""

    seq = models.PositiveBigIntegerField("序号", unique=True, editable=False)
    at = models.DateTimeField("时间", default=timezone.now, db_index=True, editable=False)
    actor = models.ForeignKey("User", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                              verbose_name="操作人")
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
        return f"{timezone.localtime(self.at):%Y-%m-%d %H:%M:%S%z} {self.event} {self.outcome}"

    def canonical(self) -> str:
        """The row's content as canonical JSON: what the hash covers."""
        return json.dumps({
            "seq": self.seq, "at": self.at.astimezone(datetime.UTC).isoformat(), "actor": self.actor_id,
            "actor_name": self.actor_name, "actor_role": self.actor_role, "ip": self.ip, "event": self.event,
            "object_type": self.object_type, "object_id": self.object_id, "outcome": self.outcome,
            "detail": self.detail,
        }, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

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


class PublicationQuerySet(models.QuerySet):
    def public(self) -> PublicationQuerySet:
        """Publications anyone may read: never of a confidential proposal."""
        return self.filter(reply__assignment__proposal__confidential=False)


class Publication(models.Model):
    """公开: the approved public version of an issued reply (国办发〔2014〕46号). The public
    letter is generated from the reply, without phone numbers, never edited by hand."""

    reply = models.OneToOneField(Reply, on_delete=models.PROTECT, related_name="publication",
                                 verbose_name="答复")
    approved_by = models.ForeignKey("User", on_delete=models.PROTECT, related_name="+", verbose_name="审核人")
    approved_at = models.DateTimeField("公开时间", auto_now_add=True)
    pdf = models.FileField("公开版 PDF", upload_to="public/%Y/", editable=False)
    pdf_sha256 = models.CharField("公开版 SHA-256", max_length=64, editable=False)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        verbose_name = "公开"
        verbose_name_plural = "公开"
        ordering = ["-approved_at"]

    def __str__(self) -> str:
        return f"公开：{self.reply}"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class ExportJob(models.Model):
    """A filing export running in the background: every issued reply of a session as one ZIP."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="+", verbose_name="届次")
    requested_by = models.ForeignKey("User", on_delete=models.PROTECT, related_name="+", verbose_name="申请人")
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    total = models.PositiveIntegerField("答复总数", default=0)
    done = models.PositiveIntegerField("已处理", default=0)
    file = models.FileField("归档文件", upload_to="exports/%Y/", blank=True)
    error = models.TextField("错误", blank=True)

    class Meta:
        verbose_name = "归档导出"
        verbose_name_plural = "归档导出"
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.session}答复归档（{self.get_status_display()}）"

    @property
    def percent(self) -> int:
        return 100 if self.status == ExportStatus.DONE else int(self.done * 100 / self.total) if self.total else 0


class Extension(models.Model):
    """延期: committee staff approve a longer answer deadline (up to the session's extended
    months) for one assignment, with the reason on record."""

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="extension",
                                      verbose_name="交办")
    reason = models.TextField("延期理由")
    requested_by = models.ForeignKey("User", on_delete=models.PROTECT, related_name="+", verbose_name="申请人")
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    approved_by = models.ForeignKey("User", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name="批准人")
    approved_at = models.DateTimeField("批准时间", null=True, blank=True)

    class Meta:
        verbose_name = "延期"
        verbose_name_plural = "延期"

    def __str__(self) -> str:
        return f"{self.assignment}延期（{'已批准' if self.approved_at else '待批准'}）"


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

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="communications",
                                   verbose_name="交办")
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

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="supervision_notices",
                                   verbose_name="交办")
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


class AssignmentChange(models.Model):
    """调整承办单位 or a corrected 交办: who changed what on an assignment, when and why. The
    assignment keeps its original 交办日期, so every clock keeps running from it."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="changes",
                                   verbose_name="交办")
    from_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="原承办单位")
    to_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="新承办单位")
    from_role = models.CharField("原办理方式", max_length=10, choices=Role.choices)
    to_role = models.CharField("新办理方式", max_length=10, choices=Role.choices)
    from_date = models.DateField("原交办日期", null=True, blank=True)
    to_date = models.DateField("新交办日期", null=True, blank=True)
    reason = models.TextField("调整理由")
    changed_by = models.ForeignKey("User", on_delete=models.PROTECT, related_name="+", verbose_name="操作人")
    changed_at = models.DateTimeField("调整时间", auto_now_add=True)

    class Meta:
        verbose_name = "交办调整记录"
        verbose_name_plural = "交办调整记录"
        ordering = ["-changed_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.from_agency}（{self.get_from_role_display()}）→ {self.to_agency}（{self.get_to_role_display()}）"


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
