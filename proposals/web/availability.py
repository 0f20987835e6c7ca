"""REL-04: when the database cannot be reached, users get a short Chinese 503 page, not a 500.

A database error can surface anywhere: in the view, in a middleware that loads the session or
the user, or while the session is saved on the way out. Django turns each of those into a 500
response at the layer where it happened, so an outer middleware never sees the exception
itself. The `got_request_exception` signal does see it: the receiver marks the request when
the exception is a connection-level database error (`OperationalError`, `InterfaceError`), and
`DatabaseUnavailableMiddleware`, placed before the session middleware, swaps the 500 for the
503 page. The error is still logged by Django with its traceback.

Recovery after the database comes back needs nothing here: `CONN_HEALTH_CHECKS` (settings)
replaces a dead persistent connection at the start of the next request.
"""

from __future__ import annotations

import sys

from django.core.signals import got_request_exception
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

MARK = "_database_unavailable"
RETRY_AFTER_SECONDS = 30


def is_database_outage(error: BaseException | None) -> bool:
    """Whether `error` means the database cannot be reached (or the connection broke)."""
    return isinstance(error, (OperationalError, InterfaceError))


def _mark_database_outage(sender, request: HttpRequest | None = None, **kwargs) -> None:
    """Receiver of `got_request_exception`, called inside Django's `except` block."""
    if request is not None and is_database_outage(sys.exc_info()[1]):
        setattr(request, MARK, True)


got_request_exception.connect(_mark_database_outage, dispatch_uid="proposals.availability")


def unavailable_response() -> HttpResponse:
    """The standalone 503 page: rendered without the request, so no context processor runs a
    query against the database that is down."""
    response = HttpResponse(render_to_string("503.html"), status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """Answers 503 (`templates/503.html`) for any request that failed because the database was
    unreachable; every other response passes unchanged."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, MARK, False):
            return unavailable_response()
        return response
