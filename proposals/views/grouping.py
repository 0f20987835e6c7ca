"""并案办理 (committee staff): the page that groups proposals of one session under one lead
agency (reached from a proposal's page, from ticked dashboard rows and after an intake), the
撤销并案 button, and the read-only editor page of a member letter (which is written on the
group's first letter). The rules are `proposals.workflow.grouping`.
"""

from __future__ import annotations

import re

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from proposals import workflow
from proposals.letters import rendering
from proposals.models import Agency, LetterMode, Proposal, ProposalGroup, Reply, Session
from proposals.views.shared import committee_only
from proposals.workflow import grouping

NUMBER_SEPARATORS = re.compile(r"[、,，;；\s]+")


class GroupForm(forms.Form):
    """The proposals (numbers of one session), the lead agency and co-handlers, the letter mode."""

    session = forms.ModelChoiceField(
        label="届次",
        queryset=Session.objects.order_by("-year", "name"),
        empty_label="请选择",
        error_messages={"required": "请选择届次。"},
    )
    numbers = forms.CharField(
        label="并案的编号",
        max_length=500,
        help_text="同一届次的两件或多件，用顿号或逗号分隔，如：12、15、23",
        error_messages={"required": "请填写要并案的编号。"},
    )
    lead_agency = forms.ModelChoiceField(
        label="主办单位",
        queryset=Agency.objects.order_by("name"),
        empty_label="请选择",
        error_messages={"required": "请选择主办单位。"},
    )
    co_agencies = forms.ModelMultipleChoiceField(
        label="协办单位",
        queryset=Agency.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text="可不选；按住 Ctrl 可多选。所选单位协办每一件",
    )
    letter_mode = forms.ChoiceField(
        label="答复方式",
        choices=LetterMode.choices,
        initial=LetterMode.EACH,
        widget=forms.RadioSelect,
        help_text="每件分别答复：经办人只写一次正文，每件各有自己的标题、称谓和编号；"
        "一函联合答复：一封函答复全部领衔代表",
    )
    subject = forms.CharField(
        label="并案事由", max_length=200, required=False, help_text="如：均建议加强企业用工保障"
    )

    def clean(self):
        data = super().clean()
        session, text = data.get("session"), data.get("numbers", "")
        if session is None or not text:
            return data
        numbers = [n for n in NUMBER_SEPARATORS.split(text.replace("第", "").replace("号", "")) if n]
        found = {p.number: p for p in Proposal.objects.filter(session=session, number__in=numbers)}
        unknown = [n for n in numbers if n not in found]
        if unknown:
            self.add_error("numbers", f"{session.name}没有第{'、'.join(unknown)}号建议／提案。")
        data["proposals"] = list(dict.fromkeys(found[n] for n in numbers if n in found))
        lead = data.get("lead_agency")
        if lead and lead in (data.get("co_agencies") or []):
            self.add_error("co_agencies", f"“{lead.name}”已是主办单位，不能同时协办。")
        return data


def _initial(request: HttpRequest) -> dict:
    """From the dashboard's ticked rows (?proposal=…) or a proposal page or an intake (?session=)."""
    chosen = list(
        Proposal.objects.filter(pk__in=[p for p in request.GET.getlist("proposal") if p.isdigit()])
        .select_related("session")
        .order_by("session", "number")
    )
    chosen.sort(key=grouping.number_key)
    initial: dict = {"letter_mode": LetterMode.EACH}
    if chosen:
        initial["session"] = chosen[0].session
        initial["numbers"] = "、".join(p.number for p in chosen)
        lead = grouping.lead_of(chosen[0])
        if lead is not None:
            initial["lead_agency"] = lead.agency
    elif request.GET.get("session", "").isdigit():
        initial["session"] = Session.objects.filter(pk=request.GET["session"]).first()
    return initial


def group_new(request: HttpRequest) -> HttpResponse:
    """并案办理: choose the proposals, the lead agency (and co-handlers) and the letter mode."""
    committee_only(request)
    form = GroupForm(request.POST if request.method == "POST" else None, initial=_initial(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            group = workflow.group_proposals(
                data["proposals"],
                request.user,
                data["lead_agency"],
                data["co_agencies"],
                data["letter_mode"],
                data["subject"],
            )
        except workflow.WorkflowError as problem:
            form.add_error(None, str(problem))
        else:
            first = grouping.members(group)[0]
            messages.success(
                request,
                f"已将第{grouping.numbers_text(group.proposals.all())}号并案办理，由{group.lead_agency.name}主办"
                f"，{group.get_letter_mode_display()}。",
            )
            return redirect("proposal_detail", pk=first.pk)
    return render(request, "proposals/group_form.html", {"form": form}, status=400 if form.errors else 200)


@require_POST
def group_split(request: HttpRequest, pk: int) -> HttpResponse:
    """撤销并案, with a reason; refused once a letter of the group is out."""
    group = get_object_or_404(ProposalGroup, pk=pk)
    committee_only(request)
    first = grouping.members(group)[0] if group.proposals.exists() else None
    try:
        workflow.split_group(group, request.user, request.POST.get("reason", ""))
    except workflow.WorkflowError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, "已撤销并案，各件分别办理，已有草稿保留。")
    return redirect("proposal_detail", pk=first.pk) if first else redirect("dashboard")


def member_editor(request: HttpRequest, reply: Reply) -> HttpResponse:
    """The editor of a member letter: read-only; the page names the letter to edit, with a link."""
    return render(
        request,
        "proposals/group_member_editor.html",
        {
            "reply": reply,
            "letter": rendering.letter_context(reply),
            "grouping": grouping.summary(reply.proposal, reply),
        },
    )
