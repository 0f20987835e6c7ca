"""草稿·未签发: every page of a letter that has not gone out carries the mark, in the PDF and in
the preview; the issued letter is clean (issue 13 §7)."""

import subprocess

import pytest
from django.urls import reverse

from proposals.letters import rendering
from tests.conftest import login

DRAFT_MARK = "草稿·未签发"
SIGNED_MARK = "已签发·未发出"


def page_texts(pdf: bytes) -> list[str]:
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return [page for page in text.decode("utf-8").split("\f") if page.strip()]


def test_every_page_of_a_draft_pdf_is_marked(seed_reply):
    pages = page_texts(rendering.render_pdf(seed_reply))
    assert len(pages) >= 2
    for number, text in enumerate(pages, 1):
        assert DRAFT_MARK in text, f"第{number}页没有“{DRAFT_MARK}”"
        # Above the letter, not inside it: the mark is the page's first line.
        assert text.strip().splitlines()[0].replace(" ", "") == DRAFT_MARK


def test_the_mark_changes_nothing_in_the_layout(seed_reply):
    marked = rendering.render_pdf(seed_reply)
    seed_reply.status = "issued"
    clean = rendering.render_pdf(seed_reply)
    marked_pages = [text.replace(DRAFT_MARK, "", 1).strip() for text in page_texts(marked)]
    assert marked_pages == [text.strip() for text in page_texts(clean)]


def test_the_submitted_letter_and_its_preview_are_marked(submitted, clerk, leader):
    assert all(DRAFT_MARK in text for text in page_texts(rendering.render_pdf(submitted)))
    response = login(leader).get(reverse("reply_pdf", args=[submitted.pk]))
    assert all(DRAFT_MARK in text for text in page_texts(b"".join(response.streaming_content)))
    page = login(clerk).get(reverse("reply_detail", args=[submitted.pk])).content.decode()
    assert f'<div class="letter-draft-mark" role="note"><span>{DRAFT_MARK}</span></div>' in page


def test_a_signed_off_letter_not_yet_sent_says_so(submitted, leader):
    login(leader).post(reverse("reply_sign_off", args=[submitted.pk]))
    submitted.refresh_from_db()
    assert submitted.status == "approved"
    pages = page_texts(rendering.render_pdf(submitted))
    assert all(SIGNED_MARK in text and DRAFT_MARK not in text for text in pages)


@pytest.mark.django_db
def test_the_issued_letter_is_clean(issued, clerk):
    response = login(clerk).get(reverse("reply_pdf", args=[issued.pk]))
    pdf = b"".join(response.streaming_content)
    assert pdf.startswith(b"%PDF")
    text = "".join(page_texts(pdf))
    assert DRAFT_MARK not in text and SIGNED_MARK not in text
    assert "答复" in text
    page = login(clerk).get(reverse("reply_detail", args=[issued.pk])).content.decode()
    assert "letter-draft-mark" not in page


def test_the_editor_preview_is_marked(draft, clerk):
    page = login(clerk).get(reverse("reply_edit", args=[draft.pk])).content.decode()
    assert DRAFT_MARK in page
