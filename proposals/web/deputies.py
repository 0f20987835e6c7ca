"""The deputies' fence: a signed-in 代表／委员 reaches only the deputy pages.

Contract: for a deputy user every request outside the allow-list below answers the portal's 404
page, whatever the URL (staff pages, the admin, the public pages, other people's files). The
allow-list: the deputy pages and their login (/deputy/…), logout, static files and the letter
fonts. Staff requests pass untouched (their own rules apply); a signed-out request for a deputy
page goes to the deputies' login (`/deputy/login/?next=…`), not the staff's.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.urls import reverse


def allowed_prefixes() -> tuple[str, ...]:
    return (
        "/deputy/",
        settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL,
        reverse("letter_font_css"),
        reverse("licensed_font", args=["body"]).rsplit("/", 1)[0] + "/",
    )


def _deputy_page(path: str) -> bool:
    """A deputy page that needs a signed-in deputy (not the deputy login itself)."""
    return path.startswith("/deputy/") and not path.startswith(reverse("deputy_login"))


def allowed_paths() -> tuple[str, ...]:
    return (reverse("logout"),)


class DeputyFenceMiddleware:
    """After authentication: a deputy's request outside the deputy pages is a 404."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and not user.is_authenticated and _deputy_page(request.path_info):
            # A deputy following an SMS link while signed out: the deputies' own login, then back.
            return redirect_to_login(request.get_full_path(), reverse("deputy_login"))
        if user is not None and user.is_authenticated and getattr(user, "is_deputy", False):
            path = request.path_info
            if not (path.startswith(allowed_prefixes()) or path in allowed_paths()):
                raise Http404("没有找到该页面")
        return self.get_response(request)
