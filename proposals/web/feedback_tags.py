"""The deputy's rating state of one issued answer, for the deputy's proposal page: 未评价 with
the link to the form, the rating with 修改 until its last day, final, or 代录 by staff. Loaded as
`{% load deputy_feedback %}`; `{% feedback_slot reply %}` (or including
deputy/_feedback_slot.html with `reply`) reads the deputy's own rating only.
"""

from __future__ import annotations

from django import template

from proposals.models import ReplyKind, ReplyStatus

register = template.Library()


@register.inclusion_tag("deputy/feedback_state.html", takes_context=True)
def feedback_slot(context, reply):
    from proposals.views.deputy_feedback import feedback_state

    user = context["request"].user
    if reply.kind != ReplyKind.ANSWER or reply.status != ReplyStatus.ISSUED or not user.is_deputy:
        return {"hidden": True}
    return {**feedback_state(reply, user), "hidden": False}
