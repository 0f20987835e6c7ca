"""Rate limits (SEC-22): a fixed window per rule and per address or user, counted in Django's
cache so that every worker process shares the count (the database cache by default, Redis when
REDIS_URL is set). Over the limit the request gets 429 with a Chinese page saying when to try
again, and an audit row; nothing else happens.

Rules (per minute, settings.RATE_LIMITS changes them): sign-in attempts 10 per address, archive
exports 10 per user, PDF renders (drafts, 征询意见表) 6 per user. Stored letters are read, not
rendered, and are not limited.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@dataclass(frozen=True)
class Rule:
    label: str  # what is limited, as the page says it
    per: str  # "ip" or "user"
    limit: int
    seconds: int


DEFAULT_RULES = {
    "login": Rule("登录尝试", "ip", 10, 60),
    "deputy_login": Rule("代表／委员登录尝试", "ip", 10, 60),
    "export": Rule("申请归档导出", "user", 10, 60),
    "pdf_render": Rule("生成 PDF", "user", 6, 60),
}
# Requests the middleware limits before the view runs: (URL name, method) → rule.
AT_THE_DOOR = {("login", "POST"): "login", ("exports", "POST"): "export"}


def rule(name: str) -> Rule:
    limit, seconds = settings.RATE_LIMITS.get(name, (None, None))
    default = DEFAULT_RULES[name]
    return Rule(default.label, default.per, limit or default.limit, seconds or default.seconds)


def _who(request: HttpRequest, per: str) -> str:
    from proposals.records.audit import client_ip

    if per == "user" and request.user.is_authenticated:
        return f"user{request.user.pk}"
    return f"ip{client_ip(request) or '-'}"


def exceeded(request: HttpRequest, name: str) -> int:
    """Count this request; the seconds until the window ends when it is over the limit, else 0."""
    limits = rule(name)
    now = time.time()
    window = int(now // limits.seconds)
    key = f"rate:{name}:{_who(request, limits.per)}:{window}"
    cache = caches[settings.RATE_LIMIT_CACHE]
    cache.add(key, 0, limits.seconds + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, limits.seconds + 5)
        count = 1
    if count <= limits.limit:
        return 0
    return max(1, int((window + 1) * limits.seconds - now) + 1)


def too_many(request: HttpRequest, name: str, retry_after: int) -> HttpResponse:
    from proposals.records import audit

    limits = rule(name)
    audit.record(request, "rate_limited", None, outcome="denied", limit=limits.label, path=request.path)
    response = render(
        request,
        "429.html",
        {
            "what": limits.label,
            "limit": limits.limit,
            "seconds": limits.seconds,
            "retry_after": retry_after,
        },
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


def check(request: HttpRequest, name: str) -> HttpResponse | None:
    """In a view: the 429 response when this request is over the rule's limit, else None."""
    retry_after = exceeded(request, name)
    return too_many(request, name, retry_after) if retry_after else None


class RateLimitMiddleware:
    """The limits that apply before a view runs (sign-in, export requests)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        name = AT_THE_DOOR.get((match.url_name if match else "", request.method))
        return check(request, name) if name else None
