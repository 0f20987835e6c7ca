"""Year-end statistics per agency and per session (domain.md §6), in a fixed number of queries.

办复率 = answered ÷ assigned (lead and 分办); 按时办复率 = answered by the due date ÷ assigned;
见面率 = assignments with a meeting, visit, forum or site visit logged ÷ assigned;
满意率 = (满意 + 基本满意) ÷ rated, from the lead author's rating of the latest issued reply;
A/B/C/D shares of the answered replies' class codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import F

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


def per_agency(session_id: int | None = None) -> list[AgencyRow]:
    """One row per agency with assignments: four flat queries, counted in Python (correlated
    subqueries per assignment took most of a second on PostgreSQL at 17,000 assignments)."""
    assignments = Assignment.objects.all()
    if session_id:
        assignments = assignments.filter(proposal__session_id=session_id)
    facts = list(assignments.values_list("pk", "agency__name", "role", "due_on"))
    due_on = {pk: due for pk, _, _, due in facts}
    issued: dict[int, dict] = {}  # assignment → its latest issued reply
    on_time: set[int] = set()  # assignments whose first-round reply went out by its due date
    for reply in (Reply.objects.filter(assignment__in=assignments, status=ReplyStatus.ISSUED)
                  .values("pk", "assignment_id", "round", "class_code", "issued_on", "due_date")
                  .order_by("assignment_id", "round")):
        issued[reply["assignment_id"]] = reply
        due = reply["due_date"] or due_on.get(reply["assignment_id"])
        if reply["round"] == 1 and reply["issued_on"] and due and reply["issued_on"] <= due:
            on_time.add(reply["assignment_id"])
    lead_ratings = dict(Feedback.objects.filter(
        reply__assignment__in=assignments, deputy__authorships__is_lead=True,
        deputy__authorships__proposal_id=F("reply__assignment__proposal_id")).values_list("reply_id", "rating"))
    met = set(Communication.objects.filter(assignment__in=assignments, form__in=MEETING_FORMS)
              .values_list("assignment_id", flat=True))
    rows: dict[str, AgencyRow] = {}
    for pk, agency, role, _ in facts:
        row = rows.setdefault(agency, AgencyRow(agency, 0, 0, 0, 0, 0, 0, 0, 0))
        if role not in ANSWERING_ROLES:
            row.co += 1
            continue
        row.lead += 1
        row.on_time += pk in on_time
        row.met += pk in met
        reply = issued.get(pk)
        if reply is None:
            continue
        row.answered += 1
        if reply["class_code"]:
            row.classes[reply["class_code"]] = row.classes.get(reply["class_code"], 0) + 1
        rating = lead_ratings.get(reply["pk"])
        row.satisfied += rating == Rating.SATISFIED
        row.basically += rating == Rating.BASICALLY_SATISFIED
        row.dissatisfied += rating == Rating.DISSATISFIED
    return [rows[name] for name in sorted(rows)]


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
