from axes.admin import AccessAttemptAdmin
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
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
    ReplyVersion,
    Session,
    SupervisionNotice,
    User,
)
from proposals.records import audit, audit_display
from proposals.workflow.moves import VERB_LABELS

admin.site.site_header = "随州市建议提案答复管理"
admin.site.site_title = "建议提案答复管理"
admin.site.index_title = "数据管理"
# django-axes labels this column by its method name, not marked for translation.
AccessAttemptAdmin.status.short_description = "状态"


class RecordAdmin(admin.ModelAdmin):
    """A record kept as written: the admin shows it, never adds or changes one."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
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
    ]


@admin.register(Deputy)
class DeputyAdmin(admin.ModelAdmin):
    list_display = ["name", "body", "delegation"]
    list_filter = ["body"]
    search_fields = ["name", "delegation"]
    fieldsets = [
        (None, {"fields": ["name", "body", "delegation"]}),
        ("个人信息（不公开）", {"fields": ["phone", "address"]}),
    ]


class ProposalAuthorInline(admin.TabularInline):
    model = ProposalAuthor
    extra = 0
    autocomplete_fields = ["deputy"]


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "session", "kind", "key_supervision", "confidential"]
    list_filter = ["session", "kind", "key_supervision", "confidential"]
    search_fields = ["number", "title", "authors__name"]
    inlines = [ProposalAuthorInline, AssignmentInline]


class AgencyCopyInline(admin.TabularInline):
    model = AgencyCopy
    extra = 0


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "postcode", "contact_style", "class_code_position"]
    list_filter = ["contact_style", "copy_style", "class_code_position"]
    search_fields = ["name", "short_name"]
    inlines = [AgencyCopyInline]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["proposal", "agency", "role", "assigned_date"]
    list_filter = ["role", "agency", "proposal__session"]
    search_fields = ["proposal__number", "proposal__title", "agency__name"]
    autocomplete_fields = ["proposal", "agency"]
    date_hierarchy = "assigned_date"


class ReplyCopyInline(admin.TabularInline):
    model = ReplyCopy
    extra = 0


class MeasureInline(admin.StackedInline):
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


@admin.register(Reply)
class ReplyAdmin(admin.ModelAdmin):
    """Status changes only through the portal's workflow; issued letters are read-only."""

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

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and not (obj and obj.is_frozen)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj and obj.is_frozen)

    @admin.display(description="承办单位", ordering="assignment__agency__name")
    def agency_name(self, obj: Reply) -> str:
        return obj.agency.name


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "role", "agency", "office", "is_active"]
    list_filter = ["role", "agency", "is_active"]
    search_fields = ["username", "first_name", "last_name", "agency__name", "office"]
    fieldsets = UserAdmin.fieldsets + (
        ("所属与角色", {"fields": ["role", "agency", "office", "must_change_password"]}),
    )
    add_fieldsets = UserAdmin.add_fieldsets + (("所属与角色", {"fields": ["role", "agency", "office"]}),)

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
class CoOpinionAdmin(admin.ModelAdmin):
    list_display = ["assignment", "written_by", "submitted_at"]
    list_filter = ["assignment__agency"]
    search_fields = ["text", "assignment__proposal__title", "assignment__agency__name"]


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
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
        return f"{audit_display.OBJECT_NAMES.get(row.object_type, row.object_type)}：第{row.object_id}号"

    @admin.display(description="对象")
    def object_label(self, row: AuditEvent) -> str:
        if not row.object_type:
            return "—"
        name, _link = audit_display.object_names([row]).get((row.object_type, row.object_id), ("", ""))
        return name or f"{row.object_type}：{row.object_id}"

    @admin.display(description="详情")
    def detail_text(self, row: AuditEvent) -> str:
        return "；".join(f"{key}：{value}" for key, value in audit_display.detail_lines(row.detail)) or "—"

    @admin.display(description="事件", ordering="event")
    def event_label(self, row: AuditEvent) -> str:
        return audit.describe(row.event)

    @admin.display(description="结果", ordering="outcome")
    def outcome_label(self, row: AuditEvent) -> str:
        return audit.OUTCOME_LABELS.get(row.outcome, row.outcome)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Extension)
class ExtensionAdmin(admin.ModelAdmin):
    list_display = ["assignment", "requested_by", "requested_at", "approved_by", "approved_at"]
    list_filter = ["approved_at"]
    search_fields = ["reason", "assignment__proposal__title", "assignment__agency__name"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Holidays and 调休 working days the holiday package does not know (future years)."""

    list_display = ["day", "is_workday", "note"]
    list_filter = ["is_workday"]
    search_fields = ["note"]
    date_hierarchy = "day"


@admin.register(Communication)
class CommunicationAdmin(admin.ModelAdmin):
    list_display = ["assignment", "day", "form", "participants", "recorded_by"]
    list_filter = ["form", "assignment__agency"]
    search_fields = ["participants", "deputy_opinion", "assignment__proposal__title"]


@admin.register(SupervisionNotice)
class SupervisionNoticeAdmin(admin.ModelAdmin):
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
class PublicationAdmin(admin.ModelAdmin):
    list_display = ["reply", "approved_by", "approved_at"]
    search_fields = ["reply__title", "reply__assignment__proposal__title"]


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ["session", "requested_by", "requested_at", "status", "done", "total"]
    list_filter = ["status"]


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "read_at", "text"]
    search_fields = ["text", "user__username"]


@admin.register(AssignmentChange)
class AssignmentChangeAdmin(RecordAdmin):
    """The change log of assignments is a record: changes go through the staff's pages."""

    list_display = ["assignment", "from_agency", "to_agency", "changed_by", "changed_at"]
    search_fields = ["reason", "assignment__proposal__title"]
