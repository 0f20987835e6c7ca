from django import forms
from django.contrib import admin

from measures.models import Measure
from proposals.models import ReplyStatus
from proposals.records.admin_audit import AuditedAdmin

NOT_A_DRAFT = "答复当前为“{status}”：提交审核后的答复是办理记录，不能在数据管理中增加或修改办理措施。"


class MeasureForm(forms.ModelForm):
    """A measure belongs to a draft: one of a reply in review or sent is refused with the reason."""

    class Meta:
        model = Measure
        fields = ["reply", "parent", "level", "position", "heading", "paragraphs"]

    def clean(self):
        data = super().clean()
        reply = data.get("reply")
        if reply is not None and reply.status != ReplyStatus.DRAFT:
            self.add_error("reply", NOT_A_DRAFT.format(status=reply.get_status_display()))
        return data


@admin.register(Measure)
class MeasureAdmin(AuditedAdmin):
    form = MeasureForm
    list_display = ["__str__", "reply", "level", "position"]
    list_filter = ["level", "reply__assignment__agency"]
    search_fields = ["heading", "paragraphs", "reply__title"]
    autocomplete_fields = ["reply", "parent"]

    def locked(self, obj: Measure) -> str:
        if obj.reply.status != ReplyStatus.DRAFT:
            return NOT_A_DRAFT.format(status=obj.reply.get_status_display())
        return ""
