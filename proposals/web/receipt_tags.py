"""The 签收 panel of one assignment, shown on the proposal page, 我的办理 and the reply page:
its receipt state (who signed and when, or 视为签收), the 退办 request pending or last decided,
and the buttons its agency's people (签收, 申请退办) or committee staff (处理退办申请) may use.
Loaded as `{% load receipt %}` (settings.TEMPLATES registers this module under that name);
`{% receipt_panel assignment %}` reads two rows per assignment.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from proposals.models import UserRole
from proposals.workflow import receipt

register = template.Library()


@register.inclusion_tag("proposals/receipt/_panel.html", takes_context=True)
def receipt_panel(context, assignment, compact: bool = False):
    request = context["request"]
    user = request.user
    requests = list(
        assignment.handback_requests.select_related("agency", "suggested_agency", "new_agency")[:1]
    )
    latest = requests[0] if requests else None
    own = user.agency_id == assignment.agency_id and user.role in (UserRole.CLERK, UserRole.LEADER)
    state = receipt.state(assignment)
    pending = latest if latest is not None and latest.is_pending else None
    return {
        "assignment": assignment,
        "state": state,
        "pending": pending,
        "decided": latest if latest is not None and not latest.is_pending else None,
        "may_receive": own and state.waiting,
        "may_request": own and pending is None and receipt.may_request_handback(assignment),
        "is_staff": user.role == UserRole.COMMITTEE or user.sees_everything,
        "next": request.get_full_path(),
        "compact": compact,
        "csrf_token": context.get("csrf_token"),
    }


BADGES = {
    "waiting": "text-bg-warning",
    "late": "text-bg-danger",
    "received": "text-bg-success",
    "deemed": "text-bg-secondary",
}


@register.simple_tag(takes_context=True)
def receipt_badge(context, assignment):
    """The dashboard's 签收 column: 待签收 / 逾期未签收 / 已签收 / 视为签收, and 退办申请中 when the
    row is annotated with a pending request (`handback_pending`)."""
    state = receipt.state(assignment, windows=context.render_context.setdefault("receipt_windows", {}))
    badge = format_html('<span class="badge {} receipt-state">{}</span>', BADGES[state.key], state.label)
    if getattr(assignment, "handback_pending", False):
        badge += format_html(' <span class="badge text-bg-info">{}</span>', "退办申请中")
    return badge
