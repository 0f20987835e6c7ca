"""Template context for every page."""

from django.http import HttpRequest


def unread_notices(request: HttpRequest) -> dict:
    """How many in-app notices the user has not read (for the navigation bar)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notices": user.notices.filter(read_at__isnull=True).count()}
