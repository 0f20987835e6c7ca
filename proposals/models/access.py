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
