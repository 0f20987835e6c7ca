"""Signed-in pages and every download are never kept by a cache (issue 14 §5):
`Cache-Control: private, no-store`; the public pages of anonymous visitors may be cached."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import login

pytestmark = pytest.mark.django_db


def not_stored(response) -> bool:
    parts = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= parts


def test_signed_in_pages_and_downloads_are_not_stored(issued, clerk, committee_staff):
    clerk_client = login(clerk)
    for url in (
        reverse("home"),
        reverse("reply_detail", args=[issued.pk]),
        reverse("reply_pdf", args=[issued.pk]),
        reverse("feedback_form_pdf", args=[issued.pk]),
    ):
        response = clerk_client.get(url)
        assert response.status_code == 200 and not_stored(response), url
    staff = login(committee_staff)
    for url in (
        reverse("dashboard"),
        reverse("statistics_xlsx", args=["agencies"]),
        reverse("intake_template"),
    ):
        response = staff.get(url)
        assert response.status_code == 200 and not_stored(response), url


def test_the_public_pages_of_anonymous_visitors_may_be_cached(issued):
    anonymous = Client()
    response = anonymous.get(reverse("public_list"))
    assert response.status_code == 200 and not not_stored(response)
