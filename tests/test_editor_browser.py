"""Nothing typed is lost, in a real browser: leaving the editor with unsaved text asks first,
Enter in a one-line field does not submit, a save comes back to the field being edited, and text
left unsaved in a closed tab is offered back on the next visit."""

import re

import pytest
from django.urls import reverse

from proposals.models import Reply
from tests.conftest import ARTIFACTS, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = ARTIFACTS / "editor"


def test_typed_text_survives_links_enter_saves_and_closed_tabs(live_server, draft, clerk, page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    edit = f"{base}{reverse('reply_edit', args=[draft.pk])}"
    sign_in(page, base, "clerk")
    page.goto(edit)

    # Enter in the title field does not submit the form.
    title = page.get_by_label("标题", exact=True)
    title.fill("对市五届人大一次会议第12号建议的答复（修改稿）")
    title.press("Enter")
    page.wait_for_timeout(300)
    assert page.url == edit and not page.get_by_text("答复已保存。").is_visible()

    # Leaving by 返回 with unsaved text asks first (the test accepts, as a hurried clerk would).
    page.get_by_label("开头语").fill("来信收悉，现答复如下：（未保存的修改）")
    page.wait_for_timeout(600)  # the copy is kept while typing
    page.get_by_role("link", name="返回").click()
    page.wait_for_url(re.compile(r"/replies/\d+/$"))
    assert "beforeunload" in page.confirmations
    assert Reply.objects.get(pk=draft.pk).opening != "来信收悉，现答复如下：（未保存的修改）"

    # Back in the editor, the unsaved text is offered back.
    page.goto(edit)
    banner = page.locator(".draft-backup")
    banner.wait_for()
    assert "未保存的内容" in banner.inner_text()
    page.screenshot(path=SHOTS / "01-restore-offer.png", full_page=False)
    page.get_by_role("button", name="恢复未保存的内容").click()
    assert page.get_by_label("开头语").input_value() == "来信收悉，现答复如下：（未保存的修改）"
    assert (
        page.get_by_label("标题", exact=True).input_value()
        == "对市五届人大一次会议第12号建议的答复（修改稿）"
    )

    # Saving comes back to the field being edited, and the kept copy is dropped.
    second = page.locator(".measure-paragraphs").nth(1)
    second.fill("积极开展劳模先进事迹宣传，今年评选劳模 25 名。")
    page.get_by_role("button", name="保存", exact=True).click()
    page.get_by_text("答复已保存。").wait_for()
    assert page.evaluate("document.activeElement.id") == "id_m-1-paragraphs"
    # Once the page has loaded, the field is in view (not the top of the page).
    in_view = (
        "(() => { const r = document.getElementById('id_m-1-paragraphs').getBoundingClientRect();"
        " return window.scrollY > 0 && r.top >= 0 && r.bottom <= window.innerHeight; })()"
    )
    for _ in range(50):  # polled from here: the page's CSP forbids the evaluated predicate
        if page.evaluate(in_view):
            break
        page.wait_for_timeout(100)
    assert page.evaluate(in_view)
    assert page.evaluate("localStorage.length") == 0
    page.screenshot(path=SHOTS / "02-saved-back-at-the-field.png", full_page=False)
    saved = Reply.objects.get(pk=draft.pk)
    assert saved.opening == "来信收悉，现答复如下：（未保存的修改）"
    assert saved.measures.filter(paragraphs__contains="今年评选劳模 25 名").exists()

    # A discarded copy stays discarded; an unchanged editor leaves without asking.
    page.get_by_label("开头语").fill("又一次修改")
    page.wait_for_timeout(600)
    page.goto(edit)  # a reload, as after a crash
    page.get_by_role("button", name="放弃").click()
    assert page.locator(".draft-backup").count() == 0
    page.goto(edit)
    assert page.locator(".draft-backup").count() == 0
    before = len(page.confirmations)
    page.get_by_role("link", name="返回").click()
    page.wait_for_url(re.compile(r"/replies/\d+/$"))
    assert len(page.confirmations) == before
