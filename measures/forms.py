"""The editor's outline rows: one form per measure (level, heading, paragraphs) and the formset
that refuses a skipped level, naming the row."""

from __future__ import annotations

from django import forms
from django.forms import formset_factory

from measures.models import Measure

PARAGRAPHS_MAX = 10000  # one section's text; the longest real section is a few thousand characters


class MeasureRowForm(forms.Form):
    """One section of the reply in outline order: its level, heading and paragraphs."""

    level = forms.TypedChoiceField(
        label="层级",
        coerce=int,
        initial=1,
        choices=[(1, "一级 一、"), (2, "二级 （一）"), (3, "三级 1."), (4, "四级 （1）")],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    heading = forms.CharField(
        label="小标题",
        required=False,
        max_length=Measure._meta.get_field("heading").max_length,
        widget=forms.TextInput(attrs={"placeholder": "小标题（不含序号，可留空）"}),
    )
    paragraphs = forms.CharField(
        label="内容",
        required=False,
        max_length=PARAGRAPHS_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "正文，每段一行"}),
        error_messages={
            "max_length": f"一条的内容不能超过{PARAGRAPHS_MAX}字（现有%(show_value)d字），请分成几条。"
        },
    )


class BaseMeasureRowFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        previous = 0
        for number, form in enumerate(self.forms, start=1):
            data = form.cleaned_data
            if not data or (not data.get("heading") and not data.get("paragraphs", "").strip()):
                continue
            level = data["level"]
            if level > previous + 1:
                raise forms.ValidationError(
                    f"第{number}条办理措施：层级不能跳级（上一条是第{previous or '—'}级，这一条是第{level}级）。"
                )
            previous = level

    def rows(self) -> list[dict]:
        """The non-empty rows in order."""
        return [
            f.cleaned_data
            for f in self.forms
            if f.cleaned_data
            and (f.cleaned_data.get("heading") or f.cleaned_data.get("paragraphs", "").strip())
        ]


MeasureRowFormSet = formset_factory(
    MeasureRowForm, formset=BaseMeasureRowFormSet, extra=0, max_num=200, validate_max=True, absolute_max=200
)
