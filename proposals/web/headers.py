"""Security headers on every response (SEC-21).

The first middleware, so that it also sees the responses the others give before any view runs:
SecurityMiddleware's redirect to HTTPS, WhiteNoise's static files, the 400 page for an unknown
Host. It adds the Content-Security-Policy (django-csp, CONTENT_SECURITY_POLICY in settings) and
X-Frame-Options wherever XFrameOptionsMiddleware, further in, never ran; and `Cache-Control:
private, no-store` on every page of a signed-in user and on every download (letters, Excel, ZIP
archives), so that no shared cache or browser history keeps them.
"""

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.db import DatabaseError
from django.utils.cache import patch_cache_control


class SecurityHeadersMiddleware(CSPMiddleware):
    def process_response(self, request, response):
        response = super().process_response(request, response)
        if not getattr(response, "xframe_options_exempt", False):
            response.headers.setdefault("X-Frame-Options", settings.X_FRAME_OPTIONS)
        download = response.headers.get("Content-Disposition", "").startswith("attachment")
        if download or _signed_in(request):
            patch_cache_control(response, private=True, no_store=True)
        return response


def _signed_in(request) -> bool:
    user = getattr(request, "user", None)
    try:
        return user is not None and user.is_authenticated
    except DatabaseError:  # the database is down: the 503 page, which is not stored either
        return True
