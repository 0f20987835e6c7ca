"""Proposals (建议/议案/提案) with their authors, and their 交办 to agencies: the assignment, its
due date, its extension (延期) and its recorded changes (调整承办单位).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import receiver

from proposals.letters import wording
from proposals.models import deadlines
from proposals.models.access import AssignmentQuerySet, ProposalQuerySet
from proposals.models.people import Agency, Deputy
from proposals.models.sessions import Session


class ProposalKind(models.TextChoices):
    SUGGESTION = "建议", "建议"
    MOTION = "议案", "议案"
    PROPOSAL = "提案", "提案"


class AddresseeTitle(models.TextChoices):
    DEPUTY = "代表", "代表"
    MEMBER = "委员", "委员"


class Proposal(models.Model):
    """建议, 议案 (handled as 建议) or 提案, numbered within its session."""

    session = models.ForeignKey(
        Session, on_delete=models.PROTECT, related_name="proposals", verbose_name="届次"
    )
    number = models.CharField("编号", max_length=30, help_text="如 12；也可以是长编号，如 74227")
    # Remembers whether an imported letter gave the number as a JSON integer, so export matches.
    number_is_integer = models.BooleanField(default=False, editable=False)
    title = models.CharField("标题", max_length=300)
    kind = models.CharField(
        "类别", max_length=4, choices=ProposalKind.choices, default=ProposalKind.SUGGESTION
    )
    addressee_title = models.CharField(
        "称谓",
        max_length=4,
        choices=AddresseeTitle.choices,
        blank=True,
        help_text="留空时：提案称“委员”，其他称“代表”",
    )
    body = models.TextField("正文", blank=True)
    authors = models.ManyToManyField(
        Deputy, through="ProposalAuthor", related_name="proposals", verbose_name="提出人"
    )
    more_authors = models.BooleanField(
        "另有联名人未列出", default=False, help_text="称谓以“等”结尾，未列出全部联名人"
    )
    author_count = models.PositiveSmallIntegerField(
        "提出人总数", null=True, blank=True, help_text="来函写明人数时填写，如“纪占斌等3名代表”"
    )
    received_date = models.DateField("收到日期", null=True, blank=True)
    key_supervision = models.BooleanField("重点督办", default=False)
    confidential = models.BooleanField("保密", default=False, help_text="代表要求保密：答复不得公开")
    group = models.ForeignKey(
        "ProposalGroup",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name="并案",
    )

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = "建议／提案"
        verbose_name_plural = "建议／提案"
        ordering = ["session", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "number"],
                name="unique_proposal_number",
                violation_error_message="该届次已有相同编号的建议／提案。",
            ),
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
            deputy = Deputy.objects.filter(name=name, body=body).order_by(
                "pk"
            ).first() or Deputy.objects.create(name=name, body=body)
            ProposalAuthor.objects.create(
                proposal=self, deputy=deputy, position=position, is_lead=position == 1
            )

    def lead_author(self) -> Deputy | None:
        lead = self.authorships.filter(is_lead=True).select_related("deputy").first()
        return lead.deputy if lead else None

    def default_salutation(self) -> str:
        return wording.salutation(
            self.author_names(),
            more=self.more_authors,
            count=self.author_count,
            addressee=self.effective_addressee_title,
        )

    def default_reply_title(self) -> str:
        return wording.title(self.session.name, self.number, self.kind)


class LetterMode(models.TextChoices):
    EACH = "each", "每件分别答复（共用正文）"
    JOINT = "joint", "一函联合答复"


class ProposalGroup(models.Model):
    """并案办理: proposals of one session with the same subject, handled together by one lead
    agency. Each deputy still gets an answer: one letter per proposal sharing one body, or one
    joint letter to all. Deadlines, ratings and statistics stay per proposal."""

    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="+", verbose_name="届次")
    lead_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name="主办单位"
    )
    letter_mode = models.CharField(
        "答复方式", max_length=10, choices=LetterMode.choices, default=LetterMode.EACH
    )
    subject = models.CharField("并案事由", max_length=200, blank=True)
    created_by = models.ForeignKey("User", on_delete=models.PROTECT, related_name="+", verbose_name="操作人")
    created_at = models.DateTimeField("并案时间", auto_now_add=True)

    class Meta:
        verbose_name = "并案"
        verbose_name_plural = "并案"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        numbers = "、".join(p.number for p in self.proposals.order_by("number"))
        return f"{self.session}第{numbers}号并案办理"


class ProposalAuthor(models.Model):
    """One author of a proposal, in printed order; exactly one is the lead (领衔) author."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="authorships", verbose_name="建议／提案"
    )
    deputy = models.ForeignKey(
        Deputy, on_delete=models.PROTECT, related_name="authorships", verbose_name="代表／委员"
    )
    position = models.PositiveSmallIntegerField("排序", default=1)
    is_lead = models.BooleanField("领衔", default=False)

    class Meta:
        verbose_name = "提出人"
        verbose_name_plural = "提出人"
        ordering = ["proposal", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "deputy"],
                name="unique_author_per_proposal",
                violation_error_message="同一代表不能重复列为提出人。",
            ),
            models.UniqueConstraint(
                fields=["proposal", "position"],
                name="unique_author_position",
                violation_error_message="提出人排序不能重复。",
            ),
            models.UniqueConstraint(
                fields=["proposal"],
                condition=Q(is_lead=True),
                name="one_lead_author_per_proposal",
                violation_error_message="每件建议只能有一位领衔人。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deputy}（{'领衔' if self.is_lead else '联名'}）"


class Role(models.TextChoices):
    LEAD = "lead", "主办"
    CO = "co", "协办"
    JOINT = "joint", "会办"
    SEPARATE = "separate", "分办"


ANSWERING_ROLES = (Role.LEAD, Role.SEPARATE)


class Assignment(models.Model):
    """交办: one proposal handed to one agency in one role. Its date starts every clock."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="assignments", verbose_name="建议／提案"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="assignments", verbose_name="承办单位"
    )
    role = models.CharField("办理方式", max_length=10, choices=Role.choices, default=Role.LEAD)
    assigned_date = models.DateField("交办日期", null=True, blank=True)
    # The reply's (or opinion's) due date by the session's rules, kept here so lists can filter
    # and sort on it; recomputed on save, on an approved extension and when the rules change.
    due_on = models.DateField("办理期限", null=True, blank=True, editable=False, db_index=True)
    # 签收: the agency's receipt. `handed_on` is the day it reached this agency when that is not
    # the 交办 date (after an approved 退办); the receipt window counts from it, every other clock
    # from `assigned_date`.
    handed_on = models.DateField("移交本单位日期", null=True, blank=True)
    received_at = models.DateTimeField("签收时间", null=True, blank=True)
    received_by = models.ForeignKey(
        "User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="签收人"
    )
    receipt_deemed = models.BooleanField("视为签收", default=False)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = "交办"
        verbose_name_plural = "交办"
        ordering = ["proposal", "role", "agency"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "agency"],
                name="unique_assignment",
                violation_error_message="该建议已交办给这个单位。",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.proposal.session}第{self.proposal.number}号 → {self.agency}（{self.get_role_display()}）"
        )

    def save(self, *args, **kwargs):
        """Stores the due date the rules give now (`due_on`), for lists that filter and sort on it."""
        self.due_on = self.due_date
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "due_on"}
        super().save(*args, **kwargs)

    @property
    def answers_deputy(self) -> bool:
        return self.role in ANSWERING_ROLES

    @property
    def due_date(self):
        """The reply's due date for answering roles, the opinion's for co-handlers."""
        if self.answers_deputy:
            return deadlines.reply_due(self)
        return deadlines.co_opinion_due(self)


class Extension(models.Model):
    """延期: committee staff approve a longer answer deadline (up to the session's extended
    months) for one assignment, with the reason on record."""

    assignment = models.OneToOneField(
        Assignment, on_delete=models.CASCADE, related_name="extension", verbose_name="交办"
    )
    reason = models.TextField("延期理由")
    requested_by = models.ForeignKey(
        "User", on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    approved_by = models.ForeignKey(
        "User", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="批准人"
    )
    approved_at = models.DateTimeField("批准时间", null=True, blank=True)

    class Meta:
        verbose_name = "延期"
        verbose_name_plural = "延期"

    def __str__(self) -> str:
        return f"{self.assignment}延期（{'已批准' if self.approved_at else '待批准'}）"


class AssignmentChange(models.Model):
    """调整承办单位 or a corrected 交办: who changed what on an assignment, when and why. The
    assignment keeps its original 交办日期, so every clock keeps running from it."""

    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="changes", verbose_name="交办"
    )
    from_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name="原承办单位"
    )
    to_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name="新承办单位"
    )
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


@receiver(post_save, sender=Session, dispatch_uid="session_rules_refresh_due_dates")
def refresh_due_dates(sender, instance: Session, raw: bool = False, **kwargs) -> None:
    """Saving a session's rules recomputes the due dates of its assignments (fixtures excepted)."""
    if raw:
        return
    for assignment in Assignment.objects.filter(proposal__session=instance).select_related(
        "proposal__session", "extension"
    ):
        assignment.proposal.session = instance
        due = assignment.due_date
        if due != assignment.due_on:
            Assignment.objects.filter(pk=assignment.pk).update(due_on=due)
