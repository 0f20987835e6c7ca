"""Row-level access in one place: the querysets whose `for_user` decides which rows a user
may see. Every list and lookup in the views starts here; nothing else filters by agency.
"""

from __future__ import annotations

from django.db import models


class AgencyScopedQuerySet(models.QuerySet):
    """Row-level access in one place: committee staff and admins see every row; a user of an
    agency sees the rows of that agency's assignments only. `agency_field` leads to the agency."""

    agency_field = "agency_id"
    multi_valued = False  # the path crosses a to-many relation: rows could repeat

    def for_user(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.sees_everything:
            return self
        if user.agency_id is None:
            return self.none()
        rows = self.filter(**{self.agency_field: user.agency_id})
        return rows.distinct() if self.multi_valued else rows


class ProposalQuerySet(AgencyScopedQuerySet):
    agency_field = "assignments__agency_id"
    multi_valued = True


class AssignmentQuerySet(AgencyScopedQuerySet):
    agency_field = "agency_id"


class ReplyQuerySet(AgencyScopedQuerySet):
    agency_field = "assignment__agency_id"

    def answers(self):
        """The answers to the deputies only, not the 办理落实情况的报告 that follow some of them:
        whatever reads "an assignment's latest reply", counts answers or rates them uses this."""
        return self.filter(kind="answer")  # ReplyKind.ANSWER; replies.py imports this module


class CommitmentQuerySet(AgencyScopedQuerySet):
    """跟踪事项: the agency whose reply made the promise, and committee staff."""

    agency_field = "assignment__agency_id"
