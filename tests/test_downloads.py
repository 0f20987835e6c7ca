"""SEC-27: stored files leave only through views that check who asks; they are attachments with
RFC 6266 file names, `nosniff`, and on disk readable by the portal only."""

import os
from urllib.parse import unquote

import pytest
from django.test import Client
from django.urls import reverse

from proposals.letters import rendering as letters
from proposals.models import Reply
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_stored_letters_are_private_files_served_only_by_the_view(issued, clerk, outsider, settings):
    reply = Reply.objects.get(pk=issued.pk)
    path = reply.pdf.path
    assert path.startswith(str(settings.MEDIA_ROOT)) and not path.startswith(str(settings.STATIC_ROOT))
    assert os.stat(path).st_mode & 0o777 == 0o640
    assert os.stat(os.path.dirname(path)).st_mode & 0o777 == 0o750
    # No route serves the media folder, whatever the URL.
    for url in (f"/media/{reply.pdf.name}", f"/{reply.pdf.name}", f"/static/../media/{reply.pdf.name}"):
        assert login(clerk).get(url).status_code == 404, url
    response = login(clerk).get(reverse("reply_pdf", args=[reply.pk]))
    disposition = response["Content-Disposition"]
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert disposition.startswith("attachment;")
    encoded = disposition.split("filename*=utf-8''", 1)[1].split(";")[0]
    assert unquote(encoded) == letters.pdf_filename(reply) and "答复" in unquote(encoded)
    assert login(outsider).get(reverse("reply_pdf", args=[reply.pk])).status_code == 404
    assert Client().get(reverse("reply_pdf", args=[reply.pk])).status_code == 302
