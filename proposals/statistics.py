"""Year-end statistics per agency and per session (domain.md §6), in a fixed number of queries.

办复率 = answered ÷ assigned (lead and 分办); 按时办复率 = answered by the due date ÷ assigned;
见面率 = assignments with a meeting, visit, forum or site visit logged ÷ assigned;
满意率 = (满意 + 基本满意) ÷ rated, from the lead author's rating of the latest issued reply;
A/B/C/D shares of the answered replies' class codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery

from proposals.models import (
    ANSWERING_ROLES, MEETING_FORMS, Assignment, Communication, Feedback, Rating, Reply, ReplyStatus,
)

# The 随州 year-end report's wording for the class codes.
REPORT_CATEGORIES = {
    "A": "已经解决或基本解决", "B": "正在解决", "C": "列入规划解决", "D": "受条件限制暂时难以解决",
}


def ratio(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


@dataclass
class AgencyRow:
    agency: str
    lead: int
    co: int
    answered: int
    on_time: int
    met: int
    satisfied: int
    basically: int
    dissatisfied: int
    classes: dict[str, int] = field(default_factory=dict)

    @property
    def answer_rate(self):
        return ratio(self.answered, self.lead)

    @property
    def on_time_rate(self):
        return ratio(self.on_time, self.lead)

    @property
    def meeting_rate(self):
        return ratio(self.met, self.lead)

    @property
    def rated(self) -> int:
        return self.satisfied + self.basically + self.dissatisfied

    @property
    def satisfaction_rate(self):
        return ratio(self.satisfied + self.basically, self.rated)

    def class_share(self, code: str):
        return ratio(self.classes.get(code, 0), self.answered)


def _assignments(session_id: int | None):
    queryset = Assignment.objects.all()
    if session_id:
        queryset = queryset.filter(proposal__session_id=session_id)
    issued = Reply.objects.filter(assignment=OuterRef("pk"), status=ReplyStatus.ISSUED).order_by("-round")
    first_issued = Reply.objects.filter(assignment=OuterRef("pk"), status=ReplyStatus.ISSUED, round=1)
    lead_rating = Feedback.objects.filter(
        reply_id=OuterRef("issued_pk"), deputy__authorships__proposal_id=OuterRef("proposal_id"),
        deputy__authorships__is_lead=True).values("rating")[:1]
    return queryset.annotate(
        issued_pk=Subquery(issued.values("pk")[:1]),
        issued_class=Subquery(issued.values("class_code")[:1]),
        on_time=Exists(first_issued.filter(Q(issued_on__lte=OuterRef("due_on")) | Q(issued_on__lte=F("due_date")))),
        met=Exists(Communication.objects.filter(assignment=OuterRef("pk"), form__in=MEETING_FORMS)),
    ).annotate(lead_rating=Subquery(lead_rating))


def per_agency(session_id: int | None = None) -> list[AgencyRow]:
    """One row per agency with assignments (two queries whatever the number of rows)."""
    lead = Q(role__in=ANSWERING_ROLES)
    answered = lead & Q(issued_pk__isnull=False)
    base = _assignments(session_id)
    rows = (base.values("agency__name").annotate(
        lead=Count("pk", filter=lead), co=Count("pk", filter=~lead), answered=Count("pk", filter=answered),
        on_time=Count("pk", filter=lead & Q(on_time=True)), met=Count("pk", filter=lead & Q(met=True)),
        satisfied=Count("pk", filter=answered & Q(lead_rating=Rating.SATISFIED)),
        basically=Count("pk", filter=answered & Q(lead_rating=Rating.BASICALLY_SATISFIED)),
        dissatisfied=Count("pk", filter=answered & Q(lead_rating=Rating.DISSATISFIED)),
    ).order_by("agency__name"))
    classes: dict[str, dict[str, int]] = {}
    for item in (base.filter(answered).exclude(issued_class="").values("agency__name", "issued_class")
                 .annotate(n=Count("pk"))):
        classes.setdefault(item["agency__name"], {})[item["issued_class"]] = item["n"]
    return [AgencyRow(agency=name, classes=classes.get(name, {}), **r)
            for r in rows for name in [r.pop("agency__name")]]


def totals(rows: list[AgencyRow]) -> AgencyRow:
    total = AgencyRow("合计", *(sum(getattr(r, name) for r in rows) for name in (
        "lead", "co", "answered", "on_time", "met", "satisfied", "basically", "dissatisfied")))
    for row in rows:
        for code, n in row.classes.items():
            total.classes[code] = total.classes.get(code, 0) + n
    return total


def categories(total: AgencyRow) -> list[tuple[str, str, int, float | None]]:
    """Session totals in the year-end report's categories: (code, wording, count, share %)."""
    return [(code, REPORT_CATEGORIES.get(code, wording), total.classes.get(code, 0), total.class_share(code))
            for code, wording in settings.REPLY_CLASS_CODES.items()]
