from axes.admin import AccessAttemptAdmin
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.utils.html import format_html_join

from measures.models import Measure
from proposals.letters import compare
from proposals.models import (
    Agency,
    AgencyCopy,
    Assignment,
    AssignmentChange,
    AuditEvent,
    CalendarDay,
    Communication,
    CoOpinion,
    Deputy,
    ExportJob,
    Extension,
    Feedback,
    FeedbackCorrection,
    Notice,
    Proposal,
    ProposalAuthor,
    Publication,
    Reply,
    ReplyCopy,
    ReplyEvent,
    ReplyStatus,
    ReplyVersion,
    Session,
    SupervisionNotice,
    User,
)
from proposals.records import admin_audit, audit, audit_display
from proposals.records.admin_audit import AuditedAdmin, LockedWithParent, RecordAdmin
from proposals.records.signals import WATCHED
from proposals.workflow.moves import VERB_LABELS

admin.site.site_header = "随州市建议提案答复管理"
admin.site.site_title = "建议提案答复管理"
admin.site.index_title = "数据管理"
# django-axes labels this column by its method name, not marked for translation.
AccessAttemptAdmin.status.short_description = "状态"


def printed(replies) -> bool:
    """Whether any of these replies is past its draft: what it prints is part of the record."""
    return replies.exclude(status=ReplyStatus.DRAFT).exists()


@admin.register(Session)
class SessionAdmin(AuditedAdmin):
    """Deadline rules stay editable (audited); the 届次 printed in letters under review or sent
    does not."""

    list_display = ["name", "body", "year", "reply_months", "reply_calendar_date", "opinion_calendar_date"]
    list_filter = ["body", "year"]
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "body", "year"]}),
        (
            "办理期限",
            {
                "fields": [
                    "reply_months",
                    "extended_reply_months",
                    "co_opinion_months",
                    "rehandling_months",
                    "meeting_days",
                    "meeting_working_days",
                    "feedback_working_days",
                    "publication_working_days",
                    "opinion_calendar_date",
                    "reply_calendar_date",
                ]
            },
        ),
        ("签收与退办", {"fields": ["receipt_days", "receipt_working_days"]}),
        ("会签与督办审核", {"fields": ["countersign_on", "countersign_working_days", "committee_review_on"]}),
        ("跟踪办理", {"fields": ["follow_up_classes", "follow_up_due", "follow_up_title"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and printed(Reply.objects.filter(assignment__proposal__session=obj)):
            return ["name", "body", "year"]
        return []


@admin.register(Deputy)
class DeputyAdmin(AuditedAdmin):
    list_display = ["name", "body", "delegation"]
    list_filter = ["body"]
    search_fields = ["name", "delegation"]
    fieldsets = [
        (None, {"fields": ["name", "body", "delegation"]}),
        ("个人信息（不公开）", {"fields": ["phone", "address"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and printed(Reply.objects.filter(assignment__proposal__authors=obj)):
            return ["name", "body"]  # printed in the salutation of a letter under review or sent
        return []


class ProposalAuthorInline(LockedWithParent, admin.TabularInline):
    model = ProposalAuthor
    extra = 0
    autocomplete_fields = ["deputy"]


class AssignmentInline(LockedWithParent, admin.TabularInline):
    model = Assignment
    extra = 0


def handling_started(assignments) -> bool:
    """Whether a reply (of any status) or a 会办意见 exists for these assignments."""
    return (
        Reply.objects.filter(assignment__in=assignments).exists()
        or CoOpinion.objects.filter(assignment__in=assignments).exists()
    )


@admin.register(Proposal)
class ProposalAdmin(AuditedAdmin):
    list_display = ["number", "title", "session", "kind", "key_supervision", "confidential"]
    list_filter = ["session", "kind", "key_supervision", "confidential"]
    search_fields = ["number", "title", "authors__name"]
    inlines = [ProposalAuthorInline, AssignmentInline]

    def locked(self, obj: Proposal) -> str:
        if handling_started(obj.assignments.all()):
            return (
                "该建议／提案已有答复或会办意见，在数据管理中只能查看；"
                "需要更正时，由委员会工作人员在建议页面修改（留有记录和理由）。"
            )
        return ""


class AgencyCopyInline(admin.TabularInline):
    model = AgencyCopy
    extra = 0


@admin.register(Agency)
class AgencyAdmin(AuditedAdmin):
    list_display = ["name", "short_name", "postcode", "contact_style", "class_code_position"]
    list_filter = ["contact_style", "copy_style", "class_code_position"]
    search_fields = ["name", "short_name"]
    inlines = [AgencyCopyInline]


@admin.register(Assignment)
class AssignmentAdmin(AuditedAdmin):
    list_display = ["proposal", "agency", "role", "assigned_date"]
    list_filter = ["role", "agency", "proposal__session"]
    search_fields = ["proposal__number", "proposal__title", "agency__name"]
    autocomplete_fields = ["proposal", "agency"]
    date_hierarchy = "assigned_date"

    def locked(self, obj: Assignment) -> str:
        if handling_started([obj]):
            return (
                "该交办已有答复或会办意见，在数据管理中只能查看；调整承办单位或更正交办，"
                "由委员会工作人员在建议页面办理（留有记录和理由）。"
            )
        return ""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "proposal":  # no new or moved 交办 on a proposal already in hand
            kwargs["queryset"] = Proposal.objects.exclude(
                pk__in=Reply.objects.values("assignment__proposal")
            ).exclude(pk__in=CoOpinion.objects.values("assignment__proposal"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReplyCopyInline(LockedWithParent, admin.TabularInline):
    model = ReplyCopy
    extra = 0


class MeasureInline(LockedWithParent, admin.StackedInline):
    model = Measure
    extra = 0
    fields = ["level", "position", "parent", "heading", "paragraphs"]


class ReplyEventInline(admin.TabularInline):
    model = ReplyEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ["at", "actor", "verb_label", "from_status", "to_status", "note"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="操作")
    def verb_label(self, event: ReplyEvent) -> str:
        return VERB_LABELS.get(event.verb, event.verb)


class LinesField(forms.CharField):
    """A list kept as JSON, edited as one entry per line (会商单位, 附件), as in the editor."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        return [line.strip() for line in (super().to_python(value) or "").splitlines() if line.strip()]


class ReplyAdminForm(forms.ModelForm):
    consulted = LinesField(label="会商单位", required=False, help_text="每行一个单位")
    attachments = LinesField(label="附件", required=False, help_text="每行一个附件名称")
    class_code = forms.ChoiceField(label="办理结果分类", required=False)

    class Meta:
        model = Reply
        fields = "__all__"  # noqa: DJ007 -- the admin, not this form, decides which fields it shows

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["class_code"].choices = [("", "未分类")] + [
            (code, f"{code}类：{wording}") for code, wording in settings.REPLY_CLASS_CODES.items()
        ]


@admin.register(Reply)
class ReplyAdmin(AuditedAdmin):
    """Status changes only through the portal's workflow; once submitted a reply is read-only
    here (its text is what the leader reviews and signs), and no reply is deleted."""

    form = ReplyAdminForm

    list_display = ["__str__", "agency_name", "round", "status", "class_code", "date"]
    readonly_fields = ["status", "version", "issued_on", "pdf", "pdf_sha256", "created_by"]
    list_filter = ["status", "class_code", "round", "assignment__agency", "assignment__proposal__session"]
    search_fields = [
        "title",
        "assignment__proposal__number",
        "assignment__proposal__title",
        "assignment__agency__name",
    ]
    autocomplete_fields = ["assignment"]
    inlines = [ReplyCopyInline, MeasureInline, ReplyEventInline]
    deletable = False

    def locked(self, obj: Reply) -> str:
        if obj.status != ReplyStatus.DRAFT:
            return (
                f"答复当前为“{obj.get_status_display()}”：提交审核后的答复是办理记录，"
                "在数据管理中只能查看，不能修改或删除。"
            )
        return ""

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + ["assignment", "round", "due_date"] if obj is not None else fields

    @admin.display(description="承办单位", ordering="assignment__agency__name")
    def agency_name(self, obj: Reply) -> str:
        return obj.agency.name


class OwnAccountGuard:
    """An administrator does not change their own role, agency or rights (三员分立: another
    administrator grants them)."""

    acting_user = None
    GUARDED = ("role", "agency", "is_active", "is_staff", "is_superuser", "groups", "user_permissions")

    def clean(self):
        data = super().clean()
        own = self.acting_user is not None and self.instance.pk == self.acting_user.pk
        if own and set(self.changed_data) & set(self.GUARDED):
            raise ValidationError("不能修改自己账号的角色、所属单位、启用状态和管理权限（三员分立）。")
        return data


@admin.register(User)
class PortalUserAdmin(AuditedAdmin, UserAdmin):
    """Accounts: changes of role, agency, office, active and admin rights are audited as 账号或角色变更
    (records.signals), every other field as 后台修改."""

    list_display = ["username", "first_name", "role", "agency", "office", "is_active"]
    list_filter = ["role", "agency", "is_active"]
    search_fields = ["username", "first_name", "last_name", "agency__name", "office"]
    fieldsets = UserAdmin.fieldsets + (
        ("所属与角色", {"fields": ["role", "agency", "office", "must_change_password"]}),
    )
    add_fieldsets = UserAdmin.add_fieldsets + (("所属与角色", {"fields": ["role", "agency", "office"]}),)
    audit_skip = tuple(name.removesuffix("_id") for name in WATCHED)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form)(form.__name__, (OwnAccountGuard, form), {"acting_user": request.user})

    def save_model(self, request, obj, form, change) -> None:
        """A password an administrator sets (new account or reset) is an initial password:
        the user must replace it at the next login (SEC-02)."""
        if not change:
            obj.must_change_password = True
        super().save_model(request, obj, form, change)

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.get(pk=id)
            if user.pk != request.user.pk:
                user.must_change_password = True
                user.save(update_fields=["must_change_password"])
        return response


@admin.register(CoOpinion)
class CoOpinionAdmin(RecordAdmin):
    list_display = ["assignment", "written_by", "submitted_at"]
    list_filter = ["assignment__agency"]
    search_fields = ["text", "assignment__proposal__title", "assignment__agency__name"]


@admin.register(Feedback)
class FeedbackAdmin(RecordAdmin):
    list_display = ["reply", "deputy", "attitude", "rating", "recorded_by", "recorded_at"]
    list_filter = ["attitude", "rating"]
    search_fields = ["deputy__name", "reply__assignment__proposal__title"]


class AuditEventFilter(admin.SimpleListFilter):
    title = "事件"
    parameter_name = "event"

    def lookups(self, request, model_admin):
        events = AuditEvent.objects.values_list("event", flat=True).distinct().order_by("event")
        return sorted(((event, audit.describe(event)) for event in events), key=lambda pair: pair[1])

    def queryset(self, request, queryset):
        return queryset.filter(event=self.value()) if self.value() else queryset


class AuditOutcomeFilter(AuditEventFilter):
    title = "结果"
    parameter_name = "outcome"

    def lookups(self, request, model_admin):
        return list(audit.OUTCOME_LABELS.items())

    def queryset(self, request, queryset):
        return queryset.filter(outcome=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(RecordAdmin):
    """Read-only: audit rows are never edited or deleted. Events and outcomes in Chinese (the
    portal's 审计记录 page shows them in full)."""

    list_display = ["at", "actor", "ip", "event_label", "object_kind", "outcome_label"]
    list_filter = [AuditEventFilter, AuditOutcomeFilter]
    search_fields = ["event", "object_id", "actor__username"]
    fields = ["seq", "at", "actor", "actor_name", "role_label", "ip", "event_label", "object_label"]
    fields += ["outcome_label", "detail_text", "prev_hash", "hash"]
    readonly_fields = fields

    @admin.display(description="角色")
    def role_label(self, row: AuditEvent) -> str:
        return audit.describe_role(row.actor_role) if row.actor_role else "—"

    @admin.display(description="对象")
    def object_kind(self, row: AuditEvent) -> str:
        if not row.object_type:
            return "—"
        return f"{audit_display.kind_of(row.object_type)}：第{row.object_id}号"

    @admin.display(description="对象")
    def object_label(self, row: AuditEvent) -> str:
        if not row.object_type:
            return "—"
        name, _link = audit_display.object_names([row]).get((row.object_type, row.object_id), ("", ""))
        return name or f"{row.object_type}：{row.object_id}"

    @admin.display(description="详情")
    def detail_text(self, row: AuditEvent) -> str:
        model = row.object_type if row.event == admin_audit.EVENT else ""
        lines = audit_display.detail_lines(row.detail, model)
        return "；".join(f"{key}：{value}" for key, value in lines) or "—"

    @admin.display(description="事件", ordering="event")
    def event_label(self, row: AuditEvent) -> str:
        return audit.describe(row.event)

    @admin.display(description="结果", ordering="outcome")
    def outcome_label(self, row: AuditEvent) -> str:
        return audit.OUTCOME_LABELS.get(row.outcome, row.outcome)

    def locked(self, obj) -> str:
        return "审计记录只能查看，任何人都不能修改或删除。"


@admin.register(Extension)
class ExtensionAdmin(RecordAdmin):
    list_display = ["assignment", "requested_by", "requested_at", "approved_by", "approved_at"]
    list_filter = ["approved_at"]
    search_fields = ["reason", "assignment__proposal__title", "assignment__agency__name"]


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedAdmin):
    """Holidays and 调休 working days the holiday package does not know (future years)."""

    list_display = ["day", "is_workday", "note"]
    list_filter = ["is_workday"]
    search_fields = ["note"]
    date_hierarchy = "day"


@admin.register(Communication)
class CommunicationAdmin(RecordAdmin):
    list_display = ["assignment", "day", "form", "participants", "recorded_by"]
    list_filter = ["form", "assignment__agency"]
    search_fields = ["participants", "deputy_opinion", "assignment__proposal__title"]


@admin.register(SupervisionNotice)
class SupervisionNoticeAdmin(RecordAdmin):
    list_display = ["assignment", "sent_by", "sent_at", "emailed"]
    search_fields = ["message", "assignment__proposal__title", "assignment__agency__name"]


@admin.register(FeedbackCorrection)
class FeedbackCorrectionAdmin(RecordAdmin):
    """Corrections of ratings are a record: made on the reply page, with the reason."""

    list_display = [
        "feedback",
        "from_attitude",
        "to_attitude",
        "from_rating",
        "to_rating",
        "corrected_by",
        "corrected_at",
    ]


@admin.register(ReplyVersion)
class ReplyVersionAdmin(RecordAdmin):
    """Saved versions are a record: read them, never change them."""

    list_display = ["reply", "number", "saved_by", "saved_at", "submitted"]
    list_filter = ["submitted"]
    search_fields = ["reply__title", "reply__assignment__proposal__title"]
    fields = readonly_fields = ["reply", "number", "saved_by", "saved_at", "submitted", "letter"]

    @admin.display(description="内容")
    def letter(self, version: ReplyVersion) -> str:
        """The saved letter as it reads, each line with its place (not the stored JSON)."""
        return (
            format_html_join("", "<p><strong>{}</strong>　{}</p>", compare.letter_lines(version.snapshot))
            or "—"
        )


@admin.register(Publication)
class PublicationAdmin(RecordAdmin):
    list_display = ["reply", "approved_by", "approved_at"]
    search_fields = ["reply__title", "reply__assignment__proposal__title"]


@admin.register(ExportJob)
class ExportJobAdmin(RecordAdmin):
    list_display = ["session", "requested_by", "requested_at", "status", "done", "total"]
    list_filter = ["status"]


@admin.register(Notice)
class NoticeAdmin(RecordAdmin):
    list_display = ["user", "created_at", "read_at", "text"]
    search_fields = ["text", "user__username"]


@admin.register(AssignmentChange)
class AssignmentChangeAdmin(RecordAdmin):
    """The change log of assignments is a record: changes go through the staff's pages."""

    list_display = ["assignment", "from_agency", "to_agency", "changed_by", "changed_at"]
    search_fields = ["reason", "assignment__proposal__title"]
