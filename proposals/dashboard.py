"""The committee dashboard: every proposal × agency with its state, as one annotated query.

Filters and sort keys come from an allow-list; the page runs the same few queries whatever the
number of rows (count, one page of rows, the filter choices).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    BooleanField, Case, Exists, OuterRef, Q, QuerySet, Subquery, Value, When,
)
from django.db.models.functions import Coalesce, Length

from proposals.deadlines import DUE_SOON_DAYS
from proposals.models import (
    ANSWERING_ROLES, Assignment, CoOpinion, Feedback, ProposalAuthor, Reply, ReplyStatus,
)

SORTS = {
    "number": (Length("proposal__number"), "proposal__number"),
    "due": ("due", "proposal__number"),
    "agency": ("agency__name", "proposal__number"),
    "status": ("reply_status", "proposal__number"),
    "session": ("proposal__session__name", "proposal__number"),
}
PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    """What the staff asked for; anything not in the allow-lists is ignored."""

    session: int | None = None
    agency: int | None = None
    role: str = ""
    status: str = ""
    class_code: str = ""
    overdue: bool = False
    due_soon: bool = False
    key_supervision: bool = False
    rating: str = ""
    q: str = ""
    sort: str = "due"

    @classmethod
    def from_query(cls, params) -> Filters:
        def number(name):
            value = params.get(name, "")
            return int(value) if value.isdigit() else None

        sort = params.get("sort", "due")
        if sort.lstrip("-") not in SORTS:
            sort = "due"
        return cls(session=number("session"), agency=number("agency"), role=params.get("role", "")[:10],
                   status=params.get("status", "")[:12], class_code=params.get("class", "")[:4],
                   overdue=params.get("overdue") == "1", due_soon=params.get("due_soon") == "1",
                   key_supervision=params.get("key") == "1", rating=params.get("rating", "")[:15],
                   q=params.get("q", "").strip()[:50], sort=sort)


def rows(user, filters: Filters, today: datetime.date) -> QuerySet:
    latest = Reply.objects.filter(assignment=OuterRef("pk")).order_by("-round")
    lead_rating = Feedback.objects.filter(
        reply_id=OuterRef("reply_pk"), deputy__authorships__proposal_id=OuterRef("proposal_id"),
        deputy__authorships__is_lead=True).values("rating")[:1]
    queryset = (
        Assignment.objects.for_user(user)
        .select_related("proposal__session", "agency")
        .annotate(
            reply_pk=Subquery(latest.values("pk")[:1]),
            reply_status=Subquery(latest.values("status")[:1]),
            reply_round=Subquery(latest.values("round")[:1]),
            reply_class=Subquery(latest.values("class_code")[:1]),
            reply_due=Subquery(latest.values("due_date")[:1]),
            opinion_done=Exists(CoOpinion.objects.filter(assignment=OuterRef("pk"), submitted_at__isnull=False)),
            lead_author=Subquery(ProposalAuthor.objects.filter(proposal=OuterRef("proposal_id"), is_lead=True)
                                 .values("deputy__name")[:1]),
        )
        .annotate(
            due=Coalesce("reply_due", "due_on"),
            lead_rating=Subquery(lead_rating),
            done=Case(When(role__in=ANSWERING_ROLES, reply_status=ReplyStatus.ISSUED, then=Value(True)),
                      When(~Q(role__in=ANSWERING_ROLES), opinion_done=True, then=Value(True)),
                      default=Value(False), output_field=BooleanField()),
        )
    )
    f = filters
    if f.session:
        queryset = queryset.filter(proposal__session_id=f.session)
    if f.agency:
        queryset = queryset.filter(agency_id=f.agency)
    if f.role:
        queryset = queryset.filter(role=f.role)
    if f.status == "none":
        queryset = queryset.filter(role__in=ANSWERING_ROLES, reply_pk__isnull=True)
    elif f.status:
        queryset = queryset.filter(reply_status=f.status)
    if f.class_code:
        queryset = queryset.filter(reply_class=f.class_code)
    if f.overdue:
        queryset = queryset.filter(due__lt=today, done=False)
    if f.due_soon:
        queryset = queryset.filter(due__gte=today, due__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
                                   done=False)
    if f.key_supervision:
        queryset = queryset.filter(proposal__key_supervision=True)
    if f.rating == "none":
        queryset = queryset.filter(lead_rating__isnull=True)
    elif f.rating:
        queryset = queryset.filter(lead_rating=f.rating)
    if f.q:
        queryset = queryset.filter(
            Q(proposal__number=f.q) | Q(proposal__title__icontains=f.q)
            | Exists(ProposalAuthor.objects.filter(proposal=OuterRef("proposal_id"), deputy__name__icontains=f.q)))
    key = SORTS[f.sort.lstrip("-")]
    if f.sort.startswith("-"):
        return queryset.order_by(*[k.desc() if hasattr(k, "desc") else f"-{k}" for k in key])
    return queryset.order_by(*key)
