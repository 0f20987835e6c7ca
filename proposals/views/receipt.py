"""签收 and 退办 pages: the agency signs for an assignment (a POST button on the start page, 我的办理
and the proposal page) or applies to hand it back (a form page that keeps the typed text when
refused); committee staff decide a request on its own page. Every write is one workflow call.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from proposals import workflow
from proposals.models import Agency, HandbackRequest, UserRole
from proposals.views.shared import assignment_for, posted
from proposals.workflow.receipt import HANDBACK_REASON_MAX


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


@require_POST
def assignment_receive(request: HttpRequest, pk: int) -> HttpResponse:
    """签收 from wherever the button is; back to that page with the outcome."""
    assignment = assignment_for(request, pk)
    try:
        workflow.receive(assignment, request.user)
    except workflow.WorkflowError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(
            request,
            f"已签收{assignment.proposal.session.name}第{assignment.proposal.number}号{assignment.proposal.kind}。",
        )
    return redirect(_back(request, reverse("proposal_detail", args=[assignment.proposal_id])))


class HandbackForm(forms.Form):
    reason = forms.CharField(
        label="退办理由",
        max_length=HANDBACK_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="如：该建议所提事项不属于本单位职责，属于……的职责",
        error_messages={
            "required": "申请退办必须说明理由。",
            "max_length": f"退办理由不能超过{HANDBACK_REASON_MAX}字。",
        },
    )
    suggested_agency = forms.ModelChoiceField(
        label="建议改由哪个单位承办（可不选）",
        queryset=Agency.objects.none(),
        required=False,
        empty_label="（不确定）",
        error_messages={"invalid_choice": "所选单位不在可选范围内。"},
    )

    def __init__(self, *args, assignment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["suggested_agency"].queryset = Agency.objects.exclude(
            assignments__proposal=assignment.proposal_id
        ).order_by("name")


def assignment_handback(request: HttpRequest, pk: int) -> HttpResponse:
    """申请退办: the form; a refused request shows it again with what was typed."""
    assignment = assignment_for(request, pk)
    if request.user.agency_id != assignment.agency_id or request.user.role not in (
        UserRole.CLERK,
        UserRole.LEADER,
    ):
        raise PermissionDenied("只有承办单位的经办人或领导可以申请退办。")
    form = HandbackForm(posted(request), assignment=assignment)
    refused = ""
    if request.method == "POST" and form.is_valid():
        try:
            workflow.request_handback(
                assignment,
                request.user,
                form.cleaned_data["reason"],
                form.cleaned_data["suggested_agency"],
            )
        except workflow.WorkflowError as problem:
            refused = str(problem)
        else:
            messages.success(request, "退办申请已提交，等待委员会处理；处理前请继续办理。")
            return redirect("proposal_detail", pk=assignment.proposal_id)
    from proposals.models import deadlines

    return render(
        request,
        "proposals/handback_form.html",
        {
            "assignment": assignment,
            "proposal": assignment.proposal,
            "form": form,
            "refused": refused,
            "due": deadlines.receipt_due(assignment),
        },
        status=400 if request.method == "POST" else 200,
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="处理",
        choices=[("approve", "同意退办，改由以下单位承办"), ("reject", "不同意退办，原单位继续办理")],
        widget=forms.RadioSelect,
        error_messages={"required": "请选择同意或不同意。"},
    )
    agency = forms.ModelChoiceField(
        label="改由承办单位",
        queryset=Agency.objects.none(),
        required=False,
        empty_label="（请选择）",
        error_messages={"invalid_choice": "所选单位不能承办（已交办给该单位）。"},
    )
    note = forms.CharField(
        label="处理意见",
        max_length=HANDBACK_REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="不同意退办时必须填写理由",
        error_messages={"max_length": f"处理意见不能超过{HANDBACK_REASON_MAX}字。"},
    )

    def __init__(self, *args, handback: HandbackRequest, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.exclude(
            assignments__proposal=handback.assignment.proposal_id
        ).order_by("name")
        if handback.suggested_agency_id:
            self.fields["agency"].initial = handback.suggested_agency_id


def handback_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Committee staff read a 退办 request and approve (choosing the agency) or reject it. Only
    they see requests: for anyone else the page does not exist."""
    if not request.user.sees_everything:
        raise Http404("没有找到该页面")
    handback = get_object_or_404(
        HandbackRequest.objects.select_related(
            "assignment__proposal__session",
            "assignment__agency",
            "agency",
            "suggested_agency",
            "requested_by",
            "new_agency",
            "decided_by",
        ),
        pk=pk,
    )
    form = DecisionForm(posted(request), handback=handback)
    refused = ""
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            workflow.decide_handback(
                handback,
                request.user,
                approve=approve,
                agency=form.cleaned_data["agency"],
                note=form.cleaned_data["note"],
            )
        except workflow.WorkflowError as problem:
            refused = str(problem)
        else:
            messages.success(
                request,
                "已同意退办，交办日期不变；新承办单位将收到签收通知。"
                if approve
                else "已不同意退办，原单位继续办理。",
            )
            return redirect("proposal_detail", pk=handback.assignment.proposal_id)
    return render(
        request,
        "proposals/handback_decide.html",
        {
            "handback": handback,
            "assignment": handback.assignment,
            "proposal": handback.assignment.proposal,
            "form": form,
            "refused": refused,
        },
        status=400 if request.method == "POST" else 200,
    )
