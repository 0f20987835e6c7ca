"""Writing audit events: one call per security-relevant action."""

from __future__ import annotations

from django.db import models
from django.http import HttpRequest

from proposals.models import AuditEvent


def record(request: HttpRequest | None, event: str, obj: models.Model | None = None, *,
           outcome: str = "ok", **detail) -> AuditEvent:
    user = getattr(request, "user", None)
    return AuditEvent.objects.create(
        actor=user if user is not None and user.is_authenticated else None,
        ip=request.META.get("REMOTE_ADDR") if request is not None else None,
        event=event, object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "", outcome=outcome, detail=detail)
