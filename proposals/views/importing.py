"""从 Word 导入: a .docx, a .txt or pasted text becomes the draft, in three steps on one page:
recognise (each line tagged), correct the tags (the letter preview follows), accept (one new
version through workflow.save_draft). 恢复此版本 brings a saved version back the same way.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from measures.forms import MeasureRowFormSet
from proposals import workflow
from proposals.forms import ReplyForm
from proposals.letters import importing, parsing
from proposals.letters.importing import SourceError
from proposals.models import Reply, ReplyVersion
from proposals.views.drafting import editor_apply, preview_letter
from proposals.views.shared import reply_for


class LetterSourceForm(forms.Form):
    """Where the letter comes from: a file, or text pasted from Word, WPS or a web page."""

    file = forms.FileField(
        label="Word 文件或文本文件",
        required=False,
        help_text="支持 .docx（Word 2007 及以后、WPS 另存为 .docx）和 .txt；旧版 .doc/.wps 请先另存为 .docx",
        widget=forms.ClearableFileInput(attrs={"accept": ".docx,.txt"}),
        error_messages={"empty": "所选文件是空的，请重新选择写好答复函的文件。"},
    )
    text = forms.CharField(
        label="或粘贴答复函文字",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "可粘贴整封答复函，也可只粘贴正文"}),
        help_text="只粘贴正文时，标题、联系方式、抄送等保留草稿中原有的内容",
    )

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        upload, text = data.get("file"), (data.get("text") or "").strip()
        if upload and text:
            raise forms.ValidationError("请只选择一种方式：上传文件，或粘贴文字。")
        if not upload and not text:
            raise forms.ValidationError("请上传 Word 文件，或粘贴答复函文字。")
        try:
            if upload:
                data["lines"] = importing.source_lines(upload.name, upload.read())
            else:
                data["lines"] = importing.text_lines(text)
        except SourceError as problem:
            raise forms.ValidationError(str(problem)) from None
        return data


def _editable(request: HttpRequest, pk: int) -> Reply | None:
    reply = reply_for(request, pk)
    if request.user.agency_id != reply.assignment.agency_id:
        raise PermissionDenied("委员会工作人员不能修改承办单位的答复。")
    if not reply.is_editable:
        messages.error(request, f"答复当前为“{reply.get_status_display()}”，不能修改。")
        return None
    return reply


def _posted_lines(request: HttpRequest) -> list[parsing.Line] | None:
    texts, tags = request.POST.getlist("line"), request.POST.getlist("tag")
    if not texts or len(texts) != len(tags) or any(t not in parsing.TAGS for t in tags):
        return None
    return [parsing.Line(text, tag) for text, tag in zip(texts, tags, strict=True)]


def _forms(reply: Reply, data: dict) -> tuple[ReplyForm, MeasureRowFormSet]:
    return ReplyForm(data, instance=Reply.objects.get(pk=reply.pk)), MeasureRowFormSet(data, prefix="m")


def _save(request: HttpRequest, reply: Reply, form: ReplyForm, formset, expected: int, done: str):
    """Save the forms as one new version; None on success (the caller redirects)."""
    try:
        saved = workflow.save_draft(reply, request.user, expected, editor_apply(form, formset))
    except workflow.EditConflict as conflict:
        return conflict.reply
    number, before = list(saved.versions.order_by("-number").values_list("number", flat=True)[:2])
    messages.success(
        request,
        format_html(
            '{}，已保存为第{}版。如需撤回，打开<a href="{}">第{}版</a>，点击“恢复此版本”。',
            done,
            number,
            reverse("version_detail", args=[saved.pk, before]),
            before,
        ),
    )
    return None


def reply_import(request: HttpRequest, pk: int) -> HttpResponse:
    """从 Word 导入: GET the source form; POST recognise / retag / accept."""
    reply = _editable(request, pk)
    if reply is None:
        return redirect("reply_detail", pk=pk)
    step = request.POST.get("step") if request.method == "POST" else None
    source = LetterSourceForm(request.POST, request.FILES) if step == "recognise" else LetterSourceForm()
    context = {"reply": reply, "source": source, "tags": parsing.TAGS}
    if step == "recognise":
        if not source.is_valid():
            return render(request, "proposals/reply_import.html", context, status=400)
        lines, version = parsing.tag_lines(source.cleaned_data["lines"]), reply.version
    elif step in ("retag", "accept"):
        lines = _posted_lines(request)
        if lines is None:
            messages.error(request, "识别结果不完整，请重新上传或粘贴。")
            return redirect("reply_import", pk=pk)
        version = int(request.POST.get("version") or reply.version)
    else:
        return render(request, "proposals/reply_import.html", context)

    letter = parsing.assemble(lines, agency=reply.agency.name)
    unknown = sum(line.tag == parsing.UNKNOWN for line in lines)
    result = importing.recognise(reply, letter, unknown)
    result.data["version"] = str(version)
    form, formset = _forms(reply, result.data)
    valid = form.is_valid() and formset.is_valid()
    conflict = None
    confirmed = bool(request.POST.get("confirm_mismatch"))
    if step == "accept" and valid and result.warnings and not confirmed:
        messages.error(request, "原文看起来不是这件答复的：请核对下面的提示，确认无误后勾选“已核对”再导入。")
    elif step == "accept" and valid:
        conflict = _save(request, reply, form, formset, version, "已从导入的文字更新答复")
        if conflict is None:
            return redirect("reply_edit", pk=pk)
        version = conflict.version
    context.update(
        lines=lines,
        result=result,
        form=form,
        formset=formset,
        valid=valid,
        version=version,
        conflict=conflict,
        letter=preview_letter(reply, form, formset),
    )
    return render(request, "proposals/reply_import.html", context, status=200 if valid else 400)


@require_POST
def version_restore(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    """恢复此版本: the saved version becomes the draft again, as one new version."""
    reply = _editable(request, pk)
    if reply is None:
        return redirect("reply_detail", pk=pk)
    version = get_object_or_404(ReplyVersion, reply=reply, number=number)
    data = importing.restore(reply, version.snapshot)
    form, formset = _forms(reply, data)
    if not (form.is_valid() and formset.is_valid()):
        messages.error(request, "这一版本无法恢复：" + " ".join(e for es in form.errors.values() for e in es))
        return redirect("version_detail", pk=pk, number=number)
    conflict = _save(request, reply, form, formset, reply.version, f"已恢复第{number}版的内容")
    if conflict is not None:
        messages.error(request, "刚才有人保存了这份答复，请重新打开该版本后再恢复。")
        return redirect("version_detail", pk=pk, number=number)
    return redirect("reply_edit", pk=pk)
