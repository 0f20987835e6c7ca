"""Co-handling (协办/会办 agencies): writing, saving and submitting the 会办意见 to the lead agency."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from proposals import workflow
from proposals.forms import (
    OpinionForm,
)
from proposals.models import (
    CoOpinion,
)
from proposals.views.shared import assignment_for, posted


def opinion_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """会办意见: the co-handling agency writes, saves and submits its opinion to the lead."""
    assignment = assignment_for(request, pk)
    opinion = CoOpinion.objects.filter(assignment=assignment).first()
    editable = request.user.agency_id == assignment.agency_id and not (opinion and opinion.is_submitted)
    form = OpinionForm(posted(request), initial={"text": opinion.text if opinion else ""})
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("不能修改该会办意见。")
        if form.is_valid():
            try:
                workflow.save_opinion(
                    assignment, request.user, form.cleaned_data["text"], submit_now="submit" in request.POST
                )
            except workflow.WorkflowError as problem:
                messages.error(request, str(problem))
            else:
                messages.success(
                    request, "会办意见已提交主办单位。" if "submit" in request.POST else "会办意见已保存。"
                )
                return redirect("opinion_edit", pk=assignment.pk)
    return render(
        request,
        "proposals/opinion_edit.html",
        {
            "assignment": assignment,
            "opinion": opinion,
            "form": form,
            "editable": editable,
            "lead": assignment.proposal.assignments.filter(role__in=("lead", "separate")).select_related(
                "agency"
            ),
        },
    )
