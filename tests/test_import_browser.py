"""从 Word 导入 in a real browser, as the clerk does it: start the reply from 待办 straight into the
import, upload the Word letter, correct one line's tag (the letter re-assembles at once), accept,
and land in the editor with the letter in it and the way back named."""

import re

import pytest
from django.urls import reverse

from proposals.models import Reply
from tests.conftest import ARTIFACTS, REPO, sign_in
from tests.test_accessibility_browser import axe_violations, describe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = ARTIFACTS / "import"
WORD_LETTER = REPO / "tests" / "fixtures" / "letters" / "word-seed-automatic.docx"
LAST_PARAGRAPH = "近年来，在市委、市政府的高度重视下"


def test_clerk_imports_a_word_letter_corrects_a_line_and_accepts(live_server, lead_assignment, clerk, page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    sign_in(page, base, "clerk")
    page.get_by_role("button", name="从 Word 导入").first.click()
    page.wait_for_url(re.compile(r"/replies/\d+/import/$"))
    reply = Reply.objects.get(assignment=lead_assignment)

    page.get_by_label("Word 文件或文本文件").set_input_files(WORD_LETTER)
    page.get_by_role("button", name="识别").click()
    page.get_by_text("原文逐行识别结果").wait_for()
    page.screenshot(path=SHOTS / "01-recognised.png", full_page=False)
    violations = axe_violations(page)  # WCAG 2.x AA, as every other page
    assert not violations, describe(violations)
    rows = page.locator(".import-lines tbody tr")
    assert rows.count() > 20
    heading = rows.filter(has_text="一、关于提高工人待遇").locator("select")
    assert heading.input_value() == "heading1"

    # The last paragraph before the contact block is the letter's closing, not part of 五、.
    last = rows.filter(has_text=LAST_PARAGRAPH).locator("select")
    with page.expect_navigation():
        last.select_option("closing")
    last = page.locator(".import-lines tbody tr").filter(has_text=LAST_PARAGRAPH).locator("select")
    assert last.input_value() == "closing"
    # The page comes back at the line just changed, focused, not at the top.
    for _ in range(50):
        if page.evaluate("window.scrollY") > 500:
            break
        page.wait_for_timeout(100)
    assert page.evaluate("window.scrollY") > 500
    assert page.evaluate("document.activeElement.id") == page.evaluate("location.hash.slice(1)")
    assert LAST_PARAGRAPH in page.locator(".letter-sheet").inner_text()
    page.screenshot(path=SHOTS / "02-retagged.png", full_page=False)

    page.get_by_role("button", name="确认导入（保存为新的一版）").click()
    page.wait_for_url(f"{base}{reverse('reply_edit', args=[reply.pk])}")
    assert page.get_by_text(re.compile("已从导入的文字更新答复，已保存为第2版")).is_visible()
    page.screenshot(path=SHOTS / "03-in-the-editor.png", full_page=False)
    reply.refresh_from_db()
    assert reply.closing.startswith(LAST_PARAGRAPH)
    assert reply.measures.filter(level=1).count() == 5
