"""SEC-22: sign-in attempts, archive exports and PDF renders are limited per address or user,
429 with a Chinese page over the limit, counted in the shared cache (the database cache, or
Redis with REDIS_URL) so that every worker process sees the same count."""

import datetime
import time

import pytest
import time_machine
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from proposals.models import AuditEvent, ExportJob
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def database_cache(settings):
    """The deployment's default: the database cache (table portal_cache)."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "portal_cache"}
    }


@pytest.fixture(autouse=True)
def early_in_a_minute():
    """Counting windows are whole minutes: start each test just after one begins, so that the
    requests of a test all fall into one window."""
    with time_machine.travel(datetime.datetime(2026, 12, 1, 9, 30, 1, tzinfo=datetime.UTC), tick=True):
        yield


def window() -> int:
    return int(time.time() // 60)


def test_fifteen_names_from_one_address_in_a_minute(clerk):
    attacker, colleague = Client(REMOTE_ADDR="10.9.9.9"), Client(REMOTE_ADDR="10.9.9.10")
    statuses = [
        attacker.post(reverse("login"), {"username": f"user{n}", "password": "猜的口令"}).status_code
        for n in range(15)
    ]
    assert statuses[:10] == [200] * 10 and statuses[10:] == [429] * 5
    refused = attacker.post(reverse("login"), {"username": "clerk", "password": "x"})
    page = refused.content.decode()
    assert "操作过于频繁，请稍后再试" in page and "登录尝试每分钟最多10次" in page
    assert int(refused["Retry-After"]) > 0
    assert AuditEvent.objects.filter(event="rate_limited", outcome="denied").count() == 6
    # A second worker process reads the same count: a cache connection built anew from settings.
    assert caches.create_connection("default").get(f"rate:login:ip10.9.9.9:{window()}") == 16
    # Another address is not held up.
    assert colleague.post(reverse("login"), {"username": "clerk", "password": "x"}).status_code == 200


def test_six_pdf_renders_a_minute_per_user(draft, clerk, leader):
    client = login(clerk)
    statuses = [client.get(reverse("reply_pdf", args=[draft.pk])).status_code for _ in range(7)]
    assert statuses == [200] * 6 + [429]
    assert client.get(reverse("feedback_form_pdf", args=[draft.pk])).status_code == 429
    assert login(leader).get(reverse("reply_pdf", args=[draft.pk])).status_code == 200


def test_ten_export_requests_a_minute(issued, committee_staff, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client = login(committee_staff)
    session = issued.proposal.session
    statuses = [client.post(reverse("exports"), {"session": session.pk}).status_code for _ in range(12)]
    assert statuses[:10] == [302] * 10 and statuses[10:] == [429, 429]
    assert ExportJob.objects.count() == 10


def test_the_count_is_shared_through_redis(clerk, settings):
    """With REDIS_URL, two processes' caches are one count: here two cache connections."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "shared": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
            "KEY_PREFIX": "ratelimit-test",
        },
    }
    settings.RATE_LIMIT_CACHE = "shared"
    caches["shared"].clear()
    try:
        first, second = Client(REMOTE_ADDR="10.8.8.8"), Client(REMOTE_ADDR="10.8.8.8")
        statuses = [
            (first if n % 2 else second)
            .post(reverse("login"), {"username": f"u{n}", "password": "x"})
            .status_code
            for n in range(11)
        ]
        assert statuses == [200] * 10 + [429]
        another = caches.create_connection("shared")  # a second worker's own connection
        assert another.get(f"rate:login:ip10.8.8.8:{window()}") == 11
    finally:
        caches["shared"].clear()
