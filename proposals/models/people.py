"""People and agencies: deputies and members (代表/委员), the agencies that answer them (承办单位)
with their default 抄送 list, and the portal's users with their roles.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from proposals.letters import wording
from proposals.letters.wording import ContactStyle, CopyStyle
from proposals.models.sessions import Body


class Deputy(models.Model):
    """代表 or 委员. Phone, mobile and address are personal information (PIPL): never published."""

    PERSONAL_INFORMATION_FIELDS = ("phone", "mobile", "address")

    name = models.CharField("姓名", max_length=50)
    body = models.CharField(
        "身份", max_length=10, choices=Body.choices, default=Body.CONGRESS, help_text="人大代表或政协委员"
    )
    delegation = models.CharField("代表团／界别", max_length=100, blank=True)
    phone = models.CharField("联系电话", max_length=50, blank=True, help_text="个人信息，不公开")
    address = models.CharField("通讯地址", max_length=200, blank=True, help_text="个人信息，不公开")
    mobile = models.CharField(
        "手机号码",
        max_length=20,
        blank=True,
        db_index=True,
        help_text="用于登录验证码和短信通知；个人信息，不公开",
    )
    sms_enabled = models.BooleanField(
        "接收短信通知", default=True, help_text="代表本人可关闭；站内通知不受影响"
    )

    class Meta:
        verbose_name = "代表／委员"
        verbose_name_plural = "代表／委员"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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
    contact_style = models.CharField(
        "联系方式格式", max_length=10, choices=ContactStyle.choices, default=ContactStyle.SUIZHOU
    )
    copy_style = models.CharField(
        "抄送格式", max_length=10, choices=CopyStyle.choices, default=CopyStyle.SUIZHOU
    )
    class_code_position = models.CharField(
        "办理结果分类位置",
        max_length=12,
        choices=ClassCodePosition.choices,
        default=ClassCodePosition.HEADER_LINE,
    )
    signing_key_file = models.CharField(
        "签章证书文件",
        max_length=300,
        blank=True,
        help_text="PKCS#12 文件路径（相对于 REPLY_SIGNING_DIR）；口令不存数据库，见 README",
    )
    signing_password_key = models.CharField(
        "证书口令名称",
        max_length=50,
        blank=True,
        help_text="口令取自环境变量 REPLY_SIGNING_PASSWORD_<名称>，或受保护的口令文件中的同名项",
    )
    seal = models.ImageField(
        "电子印章图片",
        upload_to="seals/",
        blank=True,
        help_text="PNG，透明背景；签发时缩小后盖在署名和日期上",
    )
    seal_sha256 = models.CharField("印章图片 SHA-256", max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = "承办单位"
        verbose_name_plural = "承办单位"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        """A new seal image gets its SHA-256 recorded; signing refuses an image that differs
        from it later (a file swapped on the server). An unchanged seal keeps its recorded value."""
        before = Agency.objects.filter(pk=self.pk).values_list("seal", flat=True).first() if self.pk else None
        super().save(*args, **kwargs)
        if self.seal and (self.seal.name != before or not self.seal_sha256):
            with self.seal.open("rb") as image:
                self.seal_sha256 = hashlib.sha256(image.read()).hexdigest()
            Agency.objects.filter(pk=self.pk).update(seal_sha256=self.seal_sha256)
        elif not self.seal and self.seal_sha256:
            self.seal_sha256 = ""
            Agency.objects.filter(pk=self.pk).update(seal_sha256="")

    def default_contact(self) -> wording.Contact:
        return wording.Contact(
            self.leader_name,
            self.leader_phone,
            self.handler_name,
            self.handler_phone,
            self.postcode or settings.DEFAULT_POSTCODE,
        )


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

    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="default_copies", verbose_name="承办单位"
    )

    class Meta(CopyRecipient.Meta):
        verbose_name = "默认抄送单位"
        verbose_name_plural = "默认抄送单位"


class UserRole(models.TextChoices):
    CLERK = "clerk", "经办人"
    LEADER = "leader", "主管领导／签发人"
    COMMITTEE = "committee", "委员会工作人员（选任工委／督查室）"
    ADMIN = "admin", "系统管理员"
    DEPUTY = "deputy", "代表／委员"


# 三员分立 (SEC-08): an administrator account manages the system and nothing else.
SEPARATION_OF_DUTIES = (
    "系统管理员账号（可进入数据管理或超级管理员）只能是“系统管理员”角色，不能属于承办单位，"
    "也不能担任经办人、主管领导或委员会工作人员（三员分立）。"
)


class PortalUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", UserRole.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A portal user: belongs to one agency (clerk, leader) or to the committee."""

    role = models.CharField("角色", max_length=10, choices=UserRole.choices, default=UserRole.CLERK)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name="所属单位"
    )
    office = models.CharField(
        "所属机构", max_length=100, blank=True, help_text="委员会工作人员填写，如：市人大常委会选任工委"
    )
    must_change_password = models.BooleanField(
        "下次登录须修改密码",
        default=False,
        help_text="管理员设置的初始密码或重置的密码，用户登录后必须先修改",
    )
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True, editable=False)
    # A 代表／委员 account belongs to one Deputy record and sees only that deputy's proposals.
    deputy = models.OneToOneField(
        Deputy,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="account",
        verbose_name="代表／委员",
    )

    objects = PortalUserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["committee", "admin", "deputy"]) | Q(agency__isnull=False),
                name="agency_user_has_agency",
                violation_error_message="经办人和主管领导必须属于一个承办单位。",
            ),
            models.CheckConstraint(
                condition=Q(role__in=["clerk", "leader"]) | Q(agency__isnull=True),
                name="committee_user_has_no_agency",
                violation_error_message="委员会工作人员和系统管理员不属于承办单位。",
            ),
            models.CheckConstraint(
                condition=(Q(role="deputy") & Q(deputy__isnull=False))
                | (~Q(role="deputy") & Q(deputy__isnull=True)),
                name="deputy_account_has_deputy",
                violation_error_message="代表／委员账号必须对应一位代表／委员，其他账号不能对应代表／委员。",
            ),
        ]

    def clean(self) -> None:
        super().clean()
        self.check_separation_of_duties()

    def save(self, *args, **kwargs):
        """Refuses an administrator account with an agency or a portal role, however it is saved
        (a save of other fields only, such as the last login, is not held up)."""
        fields = kwargs.get("update_fields")
        if fields is None or {"role", "agency", "agency_id", "is_staff", "is_superuser"} & set(fields):
            self.check_separation_of_duties()
        super().save(*args, **kwargs)

    def check_separation_of_duties(self) -> None:
        if (self.is_staff or self.is_superuser) and (self.role != UserRole.ADMIN or self.agency_id):
            raise ValidationError(SEPARATION_OF_DUTIES)

    @property
    def is_administrator(self) -> bool:
        """A system administrator: may manage the system, never draft, sign or approve."""
        return self.is_staff or self.is_superuser or self.role == UserRole.ADMIN

    def set_password(self, raw_password) -> None:
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    @property
    def is_deputy(self) -> bool:
        """A 代表／委员: sees only the deputy pages (`proposals/views/deputies`)."""
        return self.role == UserRole.DEPUTY

    @property
    def sees_everything(self) -> bool:
        return self.role in (UserRole.COMMITTEE, UserRole.ADMIN) or self.is_superuser

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


class PasswordHistory(models.Model):
    """A password a user has had, as its hash (SEC-02: a new password is neither the current
    one nor one of the last five; proposals.web.accounts.RecentPasswordValidator)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="password_history", verbose_name="用户"
    )
    password = models.CharField("密码哈希", max_length=128)
    set_at = models.DateTimeField("设置时间", auto_now_add=True)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering = ["-set_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user}的历史密码"
