from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from measures.models import Measure
from proposals.models import (
    Agency, AgencyCopy, Assignment, Deputy, Proposal, ProposalAuthor, Reply, ReplyCopy, Session, User,
)

admin.site.site_header = "随州市建议提案答复管理"
admin.site.site_title = "建议提案答复管理"
admin.site.index_title = "数据管理"


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["name", "body", "year"]
    list_filter = ["body", "year"]
    search_fields = ["name"]


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


@admin.register(Reply)
class ReplyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "agency_name", "round", "status", "class_code", "date"]
    list_filter = ["status", "class_code", "round", "assignment__agency", "assignment__proposal__session"]
    search_fields = ["title", "assignment__proposal__number", "assignment__proposal__title",
                     "assignment__agency__name"]
    autocomplete_fields = ["assignment"]
    inlines = [ReplyCopyInline, MeasureInline]

    @admin.display(description="承办单位", ordering="assignment__agency__name")
    def agency_name(self, obj: Reply) -> str:
        return obj.agency.name


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    list_display = ["username", "first_name", "role", "agency", "office", "is_active"]
    list_filter = ["role", "agency", "is_active"]
    search_fields = ["username", "first_name", "last_name", "agency__name", "office"]
    fieldsets = UserAdmin.fieldsets + (("所属与角色", {"fields": ["role", "agency", "office"]}),)
    add_fieldsets = UserAdmin.add_fieldsets + (("所属与角色", {"fields": ["role", "agency", "office"]}),)
