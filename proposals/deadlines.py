"""Due dates counted from the 交办 date (domain.md §3, clock rules).

Month clocks count calendar months with month-end clamping: 31 Jan + 3 months is 30 Apr.
The working-day calendar, per-session settings and city calendar dates come with the
supervision issue; the defaults here are the 随州 ones.
"""

from __future__ import annotations

import calendar
import datetime

from django.utils import timezone

REPLY_MONTHS = 3
CO_OPINION_MONTHS = 1
REHANDLING_MONTHS = 1


def add_months(day: datetime.date, months: int) -> datetime.date:
    """`day` plus whole calendar months, clamped to the last day of the target month."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def reply_due(assigned: datetime.date | None) -> datetime.date | None:
    return add_months(assigned, REPLY_MONTHS) if assigned else None


def co_opinion_due(assigned: datetime.date | None) -> datetime.date | None:
    return add_months(assigned, CO_OPINION_MONTHS) if assigned else None


def rehandling_due(reopened: datetime.date) -> datetime.date:
    return add_months(reopened, REHANDLING_MONTHS)


def days_left(due: datetime.date | None, today: datetime.date | None = None) -> int | None:
    """Days until the due date; negative once overdue (the day after the due date)."""
    if due is None:
        return None
    return (due - (today or timezone.localdate())).days
