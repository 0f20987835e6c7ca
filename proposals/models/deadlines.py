"""Due dates counted from the 交办 date (domain.md §3, clock rules; settings per session).

Month clocks count calendar months with month-end clamping (31 Jan + 3 months = 30 Apr).
Where a session sets a city calendar date (随州: opinions by 31 May, replies by 30 June), the
due date is the earlier of the two; an approved extension replaces both with the extended
month clock. Working-day clocks skip the official holidays and count 调休 weekends as working
days (chinese-calendar), with `CalendarDay` rows first for years the package does not know.
A date is overdue from the day after its due date.

Part of the models layer: `Assignment.due_on` is stored from these rules, so the models call
them; the rules read only `CalendarDay` and the objects they are given.
"""

from __future__ import annotations

import calendar
import datetime
from typing import TYPE_CHECKING

from django.utils import timezone

from proposals.models.sessions import CalendarDay

if TYPE_CHECKING:
    from proposals.models.proposals import Assignment
    from proposals.models.sessions import Session

DUE_SOON_DAYS = 7


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` plus whole calendar months, clamped to the last day of the target month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def is_workday(day: datetime.date) -> bool:
    override = CalendarDay.objects.filter(day=day).values_list("is_workday", flat=True).first()
    if override is not None:
        return override
    import chinese_calendar

    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the package does not cover: weekends only
        return day.weekday() < 5


def add_working_days(day: datetime.date, count: int) -> datetime.date:
    """The `count`-th working day after `day`."""
    while count > 0:
        day += datetime.timedelta(days=1)
        if is_workday(day):
            count -= 1
    return day


def _earlier(clock: datetime.date, calendar_date: datetime.date | None) -> datetime.date:
    return min(clock, calendar_date) if calendar_date else clock


def _session(assignment: Assignment) -> Session:
    return assignment.proposal.session


def reply_due(assignment: Assignment) -> datetime.date | None:
    """The answer's due date: 3 months (or the session's rule), the city date if earlier; an
    approved extension gives the extended clock instead."""
    if assignment.assigned_date is None:
        return None
    session = _session(assignment)
    extension = getattr(assignment, "extension", None)
    if extension is not None and extension.approved_at:
        return add_months(assignment.assigned_date, session.extended_reply_months)
    return _earlier(add_months(assignment.assigned_date, session.reply_months), session.reply_calendar_date)


def co_opinion_due(assignment: Assignment) -> datetime.date | None:
    if assignment.assigned_date is None:
        return None
    session = _session(assignment)
    return _earlier(
        add_months(assignment.assigned_date, session.co_opinion_months), session.opinion_calendar_date
    )


def rehandling_due(session: Session, reopened: datetime.date) -> datetime.date:
    return add_months(reopened, session.rehandling_months)


def meeting_due(assignment: Assignment) -> datetime.date | None:
    """First meeting with the lead deputy (随州: within 20 days of receipt)."""
    if assignment.assigned_date is None:
        return None
    session = _session(assignment)
    if session.meeting_working_days:
        return add_working_days(assignment.assigned_date, session.meeting_days)
    return assignment.assigned_date + datetime.timedelta(days=session.meeting_days)


def receipt_start(assignment: Assignment) -> datetime.date | None:
    """The day the assignment reached its agency: after an approved 退办 the day it passed on."""
    return assignment.handed_on or assignment.assigned_date


def receipt_due(assignment: Assignment) -> datetime.date | None:
    """The last day to sign for (签收) or apply to hand back (申请退办) an assignment: N calendar
    days, or N working days, after it reached the agency (the session's rule)."""
    start = receipt_start(assignment)
    if start is None:
        return None
    session = _session(assignment)
    return receipt_window_end(start, session.receipt_days, session.receipt_working_days)


def receipt_window_end(start: datetime.date, days: int, working: bool) -> datetime.date:
    if working:
        return add_working_days(start, days)
    return start + datetime.timedelta(days=days)


def feedback_due(session: Session, issued: datetime.date) -> datetime.date:
    return add_working_days(issued, session.feedback_working_days)


def publication_due(session: Session, issued: datetime.date) -> datetime.date:
    return add_working_days(issued, session.publication_working_days)


def days_left(due: datetime.date | None, today: datetime.date | None = None) -> int | None:
    """Days until the due date; negative once overdue (the day after the due date)."""
    if due is None:
        return None
    return (due - (today or timezone.localdate())).days


def flag(due: datetime.date | None, today: datetime.date | None = None) -> str:
    """'overdue', 'due_soon' (within 7 days) or '' for a due date."""
    left = days_left(due, today)
    if left is None:
        return ""
    if left < 0:
        return "overdue"
    return "due_soon" if left <= DUE_SOON_DAYS else ""
