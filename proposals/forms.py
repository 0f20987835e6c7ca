"""Forms of the clerk's workspace. Labels and errors are Chinese; errors name the field or row."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils import timezone

from proposals.models import Agency, Assignment, Communication, Proposal, Rating, Reply, ReplyCopy, Role

COPY_LINE = re.compile(r"^(?P<recipient>.+?)\s*(?:（(?P<a>\d+)份）|\((?P<b>\d+)份\)|\s(?P<c>\d+))?$")


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


EMPTY_CHOICE = "请选择"


class ChineseEmptyChoice:
    """Select boxes offer 请选择 where Django would print "---------"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if getattr(field, "empty_label", None) is not None:
                field.empty_label = EMPTY_CHOICE
            elif isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
                choices = list(field.choices)
                if choices and choices[0][0] == "" and choices[0][1] == "---------":
                    field.choices = [("", EMPTY_CHOICE), *choices[1:]]


class ReplyForm(forms.ModelForm):
    """The reply's own fields; the 抄送 list, consulted units and attachments as one line each."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    class_code = forms.ChoiceField(label="办理结果分类", required=False)
    consulted_text = forms.CharField(
        label="会商单位",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="每行一个，开头语据此写明“经会商……意见”",
    )
    copies_text = forms.CharField(
        label="抄送",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="每行一个单位，份数写在括号里，如：市政府督查室（2份）",
    )
    attachments_text = forms.CharField(
        label="附件", required=False, widget=forms.Textarea(attrs={"rows": 2}), help_text="每行一个附件名称"
    )

    class Meta:
        model = Reply
        fields = [
            "title",
            "salutation",
            "opening",
            "closing",
            "heading_style",
            "doc_number",
            "signer",
            "publicity",
            "signature",
            "date",
            "leader_name",
            "leader_phone",
            "handler_name",
            "handler_phone",
            "postcode",
            "contact_style",
            "copy_style",
        ]
        widgets = {
            "opening": forms.Textarea(attrs={"rows": 3}),
            "closing": forms.Textarea(attrs={"rows": 3}),
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    # The letter's own free text: a letter is a few pages; these are far above any real one.
    LIMITS = {
        "opening": 2000,
        "closing": 2000,
        "consulted_text": 500,
        "copies_text": 1000,
        "attachments_text": 1000,
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, limit in self.LIMITS.items():
            limit_length(self.fields[name], limit)
        self.fields["class_code"].choices = [("", "未分类")] + [
            (code, f"{code}类：{wording}") for code, wording in settings.REPLY_CLASS_CODES.items()
        ]
        reply = self.instance
        if reply.pk and not self.is_bound:
            self.initial.update(
                version=reply.version,
                class_code=reply.class_code,
                consulted_text="\n".join(reply.consulted),
                attachments_text="\n".join(reply.attachments),
                copies_text="\n".join(str(c) for c in reply.copies.all()),
            )
        self.fields["title"].widget.attrs["placeholder"] = (
            reply.proposal.default_reply_title() if reply.pk else ""
        )
        self.fields["salutation"].widget.attrs["placeholder"] = (
            reply.proposal.default_salutation() if reply.pk else ""
        )

    def clean_copies_text(self) -> list[tuple[str, int | None]]:
        copies = []
        for number, line in enumerate(lines(self.cleaned_data["copies_text"]), start=1):
            match = COPY_LINE.match(line)
            recipient = match["recipient"].strip() if match else ""
            if not recipient:
                raise forms.ValidationError(f"抄送第{number}行无法识别：{line}")
            count = next((match[g] for g in ("a", "b", "c") if match[g]), None)
            copies.append((recipient, int(count) if count else None))
        return copies

    def apply(self, reply: Reply) -> None:
        """Copy the cleaned data onto `reply` and replace its 抄送 list (inside save_draft)."""
        data = self.cleaned_data
        for name in self.Meta.fields:
            setattr(reply, name, data[name])
        reply.class_code = data["class_code"]
        reply.consulted = lines(data["consulted_text"])
        reply.attachments = lines(data["attachments_text"])
        reply.copies.all().delete()
        ReplyCopy.objects.bulk_create(
            ReplyCopy(reply=reply, position=i, recipient=r, copies=n)
            for i, (r, n) in enumerate(data["copies_text"], start=1)
        )


# Sensible bounds for free text (a reason is a few sentences; an opinion a page or two).
REASON_MAX = 1000
OPINION_MAX = 5000


def limit_length(field: forms.Field, limit: int) -> None:
    """A maximum on a text field the model leaves open: refused beyond it, shown with a counter."""
    field.max_length = limit
    field.validators.append(MaxLengthValidator(limit))
    field.widget.attrs["maxlength"] = str(limit)
    field.error_messages.update(too_long(str(field.label), limit))


def too_long(label: str, limit: int) -> dict:
    return {"max_length": f"{label}不能超过{limit}字（现有%(show_value)d字）。"}


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label="退回理由",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "退回修改必须说明理由。", **too_long("退回理由", REASON_MAX)},
    )


class OpinionForm(forms.Form):
    text = forms.CharField(
        label="会办意见",
        max_length=OPINION_MAX,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": "会办意见不能为空。", **too_long("会办意见", OPINION_MAX)},
    )


def rating_field(label: str, verb: str = "", shown: str = "") -> forms.ChoiceField:
    """满意 / 基本满意 / 不满意 in a select box that starts at 请选择; the error names the field."""
    return forms.ChoiceField(
        label=shown or label,
        choices=[("", EMPTY_CHOICE), *Rating.choices],
        error_messages={
            "required": f"请选择{verb}{label}。",
            "invalid_choice": f"{verb}{label}只能是满意、基本满意或不满意。",
        },
    )


class FeedbackForm(forms.Form):
    """One author's 征询意见表 as committee staff enter it: 办理态度 and 办理结果 separately."""

    deputy = forms.TypedChoiceField(
        label="代表／委员",
        coerce=int,
        error_messages={
            "required": "请选择代表／委员。",
            "invalid_choice": "请选择尚未评价本轮答复的提出人。",
        },
    )
    attitude = rating_field("办理态度")
    rating = rating_field("办理结果")
    note = forms.CharField(
        label="意见",
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages=too_long("意见", REASON_MAX),
    )

    def __init__(self, *args, reply: Reply, **kwargs):
        super().__init__(*args, **kwargs)
        rated = set(reply.feedback.values_list("deputy_id", flat=True))
        self.fields["deputy"].choices = [
            (a.deputy_id, f"{a.deputy.name}{'（领衔）' if a.is_lead else ''}")
            for a in reply.proposal.authorships.select_related("deputy")
            if a.deputy_id not in rated
        ]


class FeedbackCorrectionForm(forms.Form):
    """更正评价: both values, starting at the recorded ones, and the reason."""

    attitude = rating_field("办理态度", "更正后的", "办理态度更正为")
    rating = rating_field("办理结果", "更正后的", "办理结果更正为")
    reason = forms.CharField(
        label="更正理由",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "更正评价必须说明理由。", **too_long("更正理由", REASON_MAX)},
    )

    def __init__(self, *args, feedback, **kwargs):
        kwargs.setdefault("initial", {"attitude": feedback.attitude, "rating": feedback.rating})
        kwargs.setdefault("auto_id", f"id_correct_%s_{feedback.pk}")
        super().__init__(*args, **kwargs)


def form_errors(form: forms.Form) -> str:
    """Every error of a bound form in one Chinese line, in the order of the fields."""
    return "".join(error for errors in form.errors.values() for error in errors)


class CommunicationForm(ChineseEmptyChoice, forms.ModelForm):
    class Meta:
        model = Communication
        fields = ["day", "form", "participants", "deputy_opinion"]
        widgets = {
            "day": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "deputy_opinion": forms.Textarea(attrs={"rows": 2, "maxlength": REASON_MAX}),
        }

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day > timezone.localdate():
            raise forms.ValidationError("日期不能晚于今天：沟通记录登记已经发生的见面或联系。")
        return day

    def clean_deputy_opinion(self):
        text = self.cleaned_data["deputy_opinion"]
        if len(text) > REASON_MAX:
            raise forms.ValidationError(f"代表意见不能超过{REASON_MAX}字（现有{len(text)}字）。")
        return text


NAMES = re.compile(r"[、，,；;\s]+")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProposalForm(ChineseEmptyChoice, forms.ModelForm):
    """登记 or correct a proposal: its facts and its authors, lead author first."""

    lead_author = forms.CharField(
        label="领衔代表／委员", max_length=50, error_messages={"required": "领衔代表不能为空。"}
    )
    co_authors = forms.CharField(
        label="联名代表／委员",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="用顿号、逗号或换行分隔，按来件顺序",
    )

    class Meta:
        model = Proposal
        fields = [
            "session",
            "number",
            "title",
            "kind",
            "addressee_title",
            "received_date",
            "key_supervision",
            "confidential",
            "more_authors",
            "author_count",
            "body",
        ]
        widgets = {"received_date": DATE_WIDGET, "body": forms.Textarea(attrs={"rows": 6})}
        error_messages = {
            "number": {"required": "编号不能为空。"},
            "title": {"required": "标题不能为空。"},
            "session": {"required": "请选择届次。"},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            names = self.instance.author_names()
            self.initial.update(lead_author=names[0] if names else "", co_authors="、".join(names[1:]))

    def clean_number(self) -> str:
        return self.cleaned_data["number"].strip()

    def clean_co_authors(self) -> list[str]:
        names = [n for n in NAMES.split(self.cleaned_data["co_authors"]) if n]
        too_long = [n for n in names if len(n) > 50]
        if too_long:
            raise forms.ValidationError(f"联名人“{too_long[0][:20]}…”过长，请用顿号分隔姓名。")
        return names

    def authors(self) -> list[str]:
        lead = self.cleaned_data["lead_author"].strip()
        return [lead] + [n for n in self.cleaned_data["co_authors"] if n != lead]


class ProposalEntryForm(ProposalForm):
    """A new proposal with its first assignments: the lead agency and any co-handlers."""

    lead_agency = forms.ModelChoiceField(
        label="主办单位",
        queryset=Agency.objects.order_by("name"),
        error_messages={"required": "请选择主办单位。"},
    )
    co_agencies = forms.ModelMultipleChoiceField(
        label="协办单位",
        queryset=Agency.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="按住 Ctrl 可多选",
    )
    assigned_date = forms.DateField(
        label="交办日期",
        widget=DATE_WIDGET,
        error_messages={"required": "交办日期不能为空。", "invalid": "交办日期无效。"},
    )

    def clean(self):
        data = super().clean()
        if data.get("lead_agency") and data.get("lead_agency") in (data.get("co_agencies") or []):
            self.add_error("co_agencies", f"“{data['lead_agency'].name}”已是主办单位，不能同时协办。")
        return data


class AssignmentForm(ChineseEmptyChoice, forms.ModelForm):
    """One more agency for a proposal."""

    class Meta:
        model = Assignment
        fields = ["agency", "role", "assigned_date"]
        widgets = {"assigned_date": DATE_WIDGET}
        error_messages = {
            "agency": {
                "required": "请选择承办单位。",
                "invalid_choice": "所选单位已承办该件，不能重复交办。",
            },
            "assigned_date": {"invalid": "交办日期无效。"},
        }

    def __init__(self, *args, proposal: Proposal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.exclude(assignments__proposal=proposal).order_by(
            "name"
        )
        self.fields["assigned_date"].required = True
        self.fields["assigned_date"].error_messages["required"] = "交办日期不能为空。"


class AssignmentChangeForm(ChineseEmptyChoice, forms.Form):
    """Correct an assignment's role or date; the reason goes into the change log."""

    role = forms.ChoiceField(label="办理方式", choices=Role.choices)
    assigned_date = forms.DateField(
        label="交办日期",
        widget=DATE_WIDGET,
        error_messages={"required": "交办日期不能为空。", "invalid": "交办日期无效。"},
    )
    reason = forms.CharField(
        label="修改理由",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "修改交办必须说明理由。", **too_long("修改理由", REASON_MAX)},
    )


class ReassignForm(ChineseEmptyChoice, forms.Form):
    """调整承办单位: the new agency and the reason."""

    agency = forms.ModelChoiceField(
        label="新承办单位",
        queryset=Agency.objects.none(),
        error_messages={
            "required": "请选择新承办单位。",
            "invalid_choice": "所选单位不能承办（已交办给该单位）。",
        },
    )
    reason = forms.CharField(
        label="调整理由",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="如：经协商，该建议内容属于新承办单位职责",
        error_messages={"required": "调整承办单位必须说明理由。", **too_long("调整理由", REASON_MAX)},
    )

    def __init__(self, *args, assignment: Assignment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.exclude(
            assignments__proposal=assignment.proposal_id
        ).order_by("name")
