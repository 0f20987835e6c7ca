"""Year-end statistics per agency and per session (domain.md §6), in a fixed number of queries.

办复率 = answered ÷ assigned (lead and 分办); 按时办复率 = answered by the due date ÷ assigned with a
due date (those without a 交办日期 are counted apart, not as late);
见面率 = assignments with a meeting, visit, forum or site visit logged ÷ assigned;
满意 / 基本满意 / 不满意 of the lead author's rating of the latest issued reply, for 办理结果 and
for 办理态度 each (the paper form rates both): counts and shares of the rated replies, rounded so
the three shares add up to exactly 100 % (largest remainder); 满意率 = the 满意 and 基本满意
shares together, so 满意率 and the 不满意 share also add up to 100 %;
A/B/C/D shares of the answered replies' class codes, with 未分类 beside them so they add up to 100 %;
按时签收率 = assignments signed for within the receipt window ÷ those signed for, counted as
received (视为签收, never on time) or past their window;
按时会签率 = a co-handler's 会签 answered (同意 or 修改意见) by the due date ÷ answered or lapsed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from proposals.models import (
    ANSWERING_ROLES,
    MEETING_FORMS,
    Agency,
    Assignment,
    Commitment,
    CommitmentStatus,
    Communication,
    Countersign,
    CountersignAnswer,
    Feedback,
    Proposal,
    Rating,
    Reply,
    ReplyStatus,
    deadlines,
)

# The 随州 year-end report's wording for the class codes.
REPORT_CATEGORIES = {
    "A": "已经解决或基本解决",
    "B": "正在解决",
    "C": "列入规划解决",
    "D": "受条件限制暂时难以解决",
}


def ratio(part: int, whole: int) -> float | None:
    return round(part * 100 / whole, 1) if whole else None


def shares(counts: list[int]) -> list[float | None]:
    """Percentages with one decimal that add up to exactly 100 (largest remainder: every share
    rounded down to 0.1 %, the missing tenths to the largest remainders, earlier ones first on a
    tie); None each when there is nothing to share."""
    whole = sum(counts)
    if not whole:
        return [None] * len(counts)
    exact = [n * 1000 / whole for n in counts]  # in tenths of a per cent
    tenths = [int(x) for x in exact]
    by_remainder = sorted(range(len(counts)), key=lambda i: (-(exact[i] - tenths[i]), i))
    for i in by_remainder[: 1000 - sum(tenths)]:
        tenths[i] += 1
    return [t / 10 for t in tenths]


@dataclass
class Satisfaction:
    """One rating (办理结果 or 办理态度) of the lead authors: counts, shares, 满意率."""

    label: str
    satisfied: int = 0
    basically: int = 0
    dissatisfied: int = 0

    def add(self, rating: str | None, n: int) -> None:
        if rating == Rating.SATISFIED:
            self.satisfied += n
        elif rating == Rating.BASICALLY_SATISFIED:
            self.basically += n
        elif rating == Rating.DISSATISFIED:
            self.dissatisfied += n

    @property
    def counts(self) -> list[int]:
        return [self.satisfied, self.basically, self.dissatisfied]

    @property
    def rated(self) -> int:
        return sum(self.counts)

    @property
    def shares(self) -> list[float | None]:
        """满意, 基本满意, 不满意 as % of the rated, adding up to 100."""
        return shares(self.counts)

    @property
    def rate(self) -> float | None:
        """满意率: (满意 + 基本满意) ÷ rated, the first two shares together."""
        satisfied, basically, _ = self.shares
        return None if satisfied is None else round(satisfied + basically, 1)

    @property
    def rows(self) -> list[tuple[str, int, float | None]]:
        """(满意 / 基本满意 / 不满意, count, share) for a table."""
        return list(zip(Rating.labels, self.counts, self.shares, strict=True))

    def __iadd__(self, other: Satisfaction) -> Satisfaction:
        self.satisfied += other.satisfied
        self.basically += other.basically
        self.dissatisfied += other.dissatisfied
        return self


@dataclass
class AgencyRow:
    agency: str
    lead: int
    co: int
    answered: int
    on_time: int
    met: int
    classes: dict[str, int] = field(default_factory=dict)
    no_due: int = 0  # answering assignments without a due date (no 交办日期)
    # 签收: assignments signed for or past their window, and those signed within it (视为签收 late)
    receipt_counted: int = 0
    receipt_on_time: int = 0
    # 会签 (as a co-handler): answered in time (同意 or 修改意见) and let lapse (逾期视为同意)
    countersign_answered: int = 0
    countersign_lapsed: int = 0
    result: Satisfaction = field(default_factory=lambda: Satisfaction("办理结果"))
    attitude: Satisfaction = field(default_factory=lambda: Satisfaction("办理态度"))
    # 跟踪办理: commitments made, fulfilled by / after the due date, open and past it
    commitments: int = 0
    fulfilled_on_time: int = 0
    fulfilled_late: int = 0
    open_overdue: int = 0
    # 征询意见表 returned: expected = authors × issued answers (every round), returned = ratings
    # of them, online (the deputy) or 代录 (staff from the paper form); both count alike.
    returns_expected: int = 0
    returned_online: int = 0
    returned_by_proxy: int = 0

    @property
    def returned(self) -> int:
        return self.returned_online + self.returned_by_proxy

    @property
    def return_rate(self):
        """返回率: ratings returned ÷ expected."""
        return ratio(self.returned, self.returns_expected)

    @property
    def answer_rate(self):
        return ratio(self.answered, self.lead)

    @property
    def on_time_rate(self):
        return ratio(self.on_time, self.lead - self.no_due)

    @property
    def meeting_rate(self):
        return ratio(self.met, self.lead)

    @property
    def receipt_rate(self):
        """按时签收率: signed within the window ÷ signed, deemed or past the window."""
        return ratio(self.receipt_on_time, self.receipt_counted)

    @property
    def countersign_rate(self):
        """按时会签率: 会签 answered by the due date ÷ answered or lapsed (pending ones not yet)."""
        return ratio(self.countersign_answered, self.countersign_answered + self.countersign_lapsed)

    @property
    def follow_up_rate(self):
        """跟踪落实率: commitments fulfilled by their due date ÷ commitments made."""
        return ratio(self.fulfilled_on_time, self.commitments)

    # The 办理结果 under the names the tables and earlier code use.
    @property
    def satisfied(self) -> int:
        return self.result.satisfied

    @property
    def basically(self) -> int:
        return self.result.basically

    @property
    def dissatisfied(self) -> int:
        return self.result.dissatisfied

    @property
    def rated(self) -> int:
        return self.result.rated

    @property
    def satisfaction_rate(self):
        return self.result.rate

    @property
    def attitude_rate(self):
        return self.attitude.rate

    @property
    def satisfactions(self) -> list[Satisfaction]:
        return [self.result, self.attitude]

    @property
    def class_counts(self) -> list[int]:
        """Answered replies per class code, in the configured order (0 where none)."""
        return [self.classes.get(code, 0) for code in settings.REPLY_CLASS_CODES]

    def class_share(self, code: str):
        return ratio(self.classes.get(code, 0), self.answered)

    @property
    def unclassified(self) -> int:
        return self.answered - sum(self.classes.values())

    @property
    def unclassified_share(self):
        return ratio(self.unclassified, self.answered)


def per_agency(session_id: int | None = None) -> list[AgencyRow]:
    """One row per agency with assignments, counted by the database in two grouped queries: the
    assignments (lead and co, answered on time, met) and the latest issued replies (answered, class
    codes, the lead author's rating), a few hundred rows whatever the number of assignments; and
    the agencies' names.

    Earlier versions read every assignment, issued reply, rating and meeting into Python (about
    33,000 rows at 17,000 assignments: 100-170 ms), and before that ran correlated subqueries per
    assignment (most of a second on PostgreSQL)."""
    assignments = Assignment.objects.all()
    if session_id:
        assignments = assignments.filter(proposal__session_id=session_id)
    answering = Q(role__in=ANSWERING_ROLES)
    # Uncorrelated subqueries (IN), which both databases compute once, not once per assignment.
    met = Communication.objects.filter(form__in=MEETING_FORMS).values("assignment_id")
    on_time = (
        Reply.objects.answers()
        .filter(  # a first-round answer issued by its due date
            status=ReplyStatus.ISSUED, round=1, issued_on__lte=Coalesce("due_date", "assignment__due_on")
        )
        .values("assignment_id")
    )
    names = dict(Agency.objects.values_list("pk", "name"))  # grouped by id: no join per row
    rows: dict[int, AgencyRow] = {}
    for agency, lead, co, n_on_time, n_met, no_due in (
        assignments.order_by()
        .values("agency_id")
        .annotate(
            lead=Count("pk", filter=answering),
            co=Count("pk", filter=~answering),
            on_time=Count("pk", filter=answering & Q(pk__in=on_time)),
            met=Count("pk", filter=answering & Q(pk__in=met)),
            no_due=Count("pk", filter=answering & Q(due_on__isnull=True)),
        )
        .values_list("agency_id", "lead", "co", "on_time", "met", "no_due")
    ):
        rows[agency] = AgencyRow(names[agency], lead, co, 0, n_on_time, n_met, no_due=no_due)
    # An answered assignment's latest issued reply (no issued reply of a later round), with the
    # lead author's 办理结果 and 办理态度 of it: a subquery per reply along unique indexes, whatever
    # the planner knows about the tables (a join from the ratings' side went through every rating
    # of a deputy).
    later = Reply.objects.answers().filter(
        assignment=OuterRef("assignment"), status=ReplyStatus.ISSUED, round__gt=OuterRef("round")
    )
    lead_feedback = Feedback.objects.filter(
        reply=OuterRef("pk"),
        deputy__authorships__is_lead=True,
        deputy__authorships__proposal_id=OuterRef("assignment__proposal_id"),
    )
    latest = (
        Reply.objects.answers()
        .filter(status=ReplyStatus.ISSUED, assignment__role__in=ANSWERING_ROLES)
        .exclude(Exists(later))
    )
    if session_id:
        latest = latest.filter(assignment__proposal__session_id=session_id)
    for agency, class_code, rating, attitude, n in (
        latest.order_by()
        .annotate(
            rating=Subquery(lead_feedback.values("rating")[:1]),
            attitude=Subquery(lead_feedback.values("attitude")[:1]),
        )
        .values("assignment__agency_id", "class_code", "rating", "attitude")
        .annotate(n=Count("pk"))
        .values_list("assignment__agency_id", "class_code", "rating", "attitude", "n")
    ):
        row = rows[agency]
        row.answered += n
        if class_code:
            row.classes[class_code] = row.classes.get(class_code, 0) + n
        row.result.add(rating, n)
        row.attitude.add(attitude, n)
    _count_receipts(assignments, rows)
    _count_commitments(session_id, rows)
    _count_countersigns(session_id, rows)
    _count_returns(session_id, rows)
    return sorted(rows.values(), key=lambda row: row.agency)


FOLLOW_UP_FIGURES = ("commitments", "fulfilled_on_time", "fulfilled_late", "open_overdue")


def _count_commitments(session_id: int | None, rows: dict[int, AgencyRow]) -> None:
    """跟踪办理 per agency, one grouped query: made, fulfilled on time or late, open past due."""
    commitments = Commitment.objects.all()
    if session_id:
        commitments = commitments.filter(assignment__proposal__session_id=session_id)
    fulfilled = Q(status=CommitmentStatus.FULFILLED)
    for agency, made, on_time, late, overdue in (
        commitments.order_by()
        .values("assignment__agency_id")
        .annotate(
            made=Count("pk"),
            on_time=Count("pk", filter=fulfilled & Q(fulfilled_on__lte=F("due_date"))),
            late=Count("pk", filter=fulfilled & Q(fulfilled_on__gt=F("due_date"))),
            overdue=Count("pk", filter=Q(status=CommitmentStatus.OPEN, due_date__lt=timezone.localdate())),
        )
        .values_list("assignment__agency_id", "made", "on_time", "late", "overdue")
    ):
        if agency in rows:
            row = rows[agency]
            row.commitments, row.fulfilled_on_time, row.fulfilled_late, row.open_overdue = (
                made,
                on_time,
                late,
                overdue,
            )


def _count_countersigns(session_id: int | None, rows: dict[int, AgencyRow]) -> None:
    """会签 per co-handling agency, one grouped query: answered in time, and lapsed."""
    answered = Q(answer__in=(CountersignAnswer.AGREED, CountersignAnswer.COMMENTS))
    countersigns = Countersign.objects.all()
    if session_id:
        countersigns = countersigns.filter(assignment__proposal__session_id=session_id)
    for agency, n_answered, n_lapsed in (
        countersigns.order_by()
        .values("assignment__agency_id")
        .annotate(
            answered=Count("pk", filter=answered),
            lapsed=Count("pk", filter=Q(answer=CountersignAnswer.LAPSED)),
        )
        .values_list("assignment__agency_id", "answered", "lapsed")
    ):
        if agency in rows:
            rows[agency].countersign_answered, rows[agency].countersign_lapsed = n_answered, n_lapsed


RETURN_FIGURES = ("returns_expected", "returned_online", "returned_by_proxy")


def _count_returns(session_id: int | None, rows: dict[int, AgencyRow]) -> None:
    """征询意见表 per answering agency, two grouped queries: authors × issued answers, and the
    ratings of those answers, online and 代录."""
    answers = Reply.objects.answers().filter(status=ReplyStatus.ISSUED, assignment__role__in=ANSWERING_ROLES)
    if session_id:
        answers = answers.filter(assignment__proposal__session_id=session_id)
    for agency, expected in (
        answers.order_by()
        .values("assignment__agency_id")
        .annotate(expected=Count("assignment__proposal__authorships"))
        .values_list("assignment__agency_id", "expected")
    ):
        if agency in rows:
            rows[agency].returns_expected = expected
    for agency, online, proxy in (
        Feedback.objects.filter(reply__in=answers.values("pk"))
        .order_by()
        .values("reply__assignment__agency_id")
        .annotate(online=Count("pk", filter=Q(by_proxy=False)), proxy=Count("pk", filter=Q(by_proxy=True)))
        .values_list("reply__assignment__agency_id", "online", "proxy")
    ):
        if agency in rows:
            rows[agency].returned_online, rows[agency].returned_by_proxy = online, proxy


def _count_receipts(assignments, rows: dict[int, AgencyRow]) -> None:
    """签收 on time per agency: one read of the assignments' receipt fields; the window's last day
    is computed once per (start day, session rule), as 交办 comes in batches."""
    today = timezone.localdate()
    windows: dict[tuple, object] = {}
    fields = ("agency_id", "handed_on", "assigned_date", "received_at", "receipt_deemed")
    rules = ("proposal__session__receipt_days", "proposal__session__receipt_working_days")
    for agency, handed, assigned, received, deemed, days, working in assignments.order_by().values_list(
        *fields, *rules
    ):
        start = handed or assigned
        due = None
        if start is not None:
            key = (start, days, working)
            if key not in windows:
                windows[key] = deadlines.receipt_window_end(start, days, working)
            due = windows[key]
        if received is None and (due is None or today <= due):
            continue  # still within its window
        rows[agency].receipt_counted += 1
        if received is not None and not deemed and (due is None or timezone.localdate(received) <= due):
            rows[agency].receipt_on_time += 1


def totals(rows: list[AgencyRow]) -> AgencyRow:
    total = AgencyRow(
        "合计",
        *(sum(getattr(r, name) for r in rows) for name in ("lead", "co", "answered", "on_time", "met")),
    )
    total.no_due = sum(r.no_due for r in rows)
    for name in (*FOLLOW_UP_FIGURES, *RETURN_FIGURES):
        setattr(total, name, sum(getattr(r, name) for r in rows))
    total.receipt_counted = sum(r.receipt_counted for r in rows)
    total.receipt_on_time = sum(r.receipt_on_time for r in rows)
    total.countersign_answered = sum(r.countersign_answered for r in rows)
    total.countersign_lapsed = sum(r.countersign_lapsed for r in rows)
    for row in rows:
        for code, n in row.classes.items():
            total.classes[code] = total.classes.get(code, 0) + n
        total.result += row.result
        total.attitude += row.attitude
    return total


def categories(total: AgencyRow) -> list[tuple[str, str, int, float | None]]:
    """Session totals in the year-end report's categories: (code, wording, count, share %), then
    the answered replies without a class code (code "", 未分类), so the shares add up to 100 %."""
    return [
        *(
            (code, REPORT_CATEGORIES.get(code, wording), total.classes.get(code, 0), total.class_share(code))
            for code, wording in settings.REPLY_CLASS_CODES.items()
        ),
        ("", "未分类", total.unclassified, total.unclassified_share),
    ]


def grouped(session_id: int | None = None) -> dict[str, int]:
    """并案办理: how many groups and how many proposals in them (each still counted on its own in
    every other figure), in one query."""
    proposals = Proposal.objects.filter(group__isnull=False)
    if session_id:
        proposals = proposals.filter(session_id=session_id)
    counts = proposals.aggregate(groups=Count("group", distinct=True), proposals=Count("pk"))
    return {"groups": counts["groups"], "proposals": counts["proposals"]}
