"""Template context for every page."""

from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject


def unread_notices(request: HttpRequest) -> dict:
    """How many in-app notices the user has not read and how many things wait for them (for the
    navigation bar); the to-do count only where the page does not count it itself."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from proposals.supervision import todo

    return {
        "unread_notices": user.notices.filter(read_at__isnull=True).count(),
        "todo_count": SimpleLazyObject(lambda: todo.total(todo.for_user(user, timezone.localdate()))),
    }
