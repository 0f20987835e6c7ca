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
    # The message is at the top of the page; the script that focuses the field runs at its end.
    page.wait_for_load_state("load")
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


def test_the_live_preview_follows_the_field_being_edited(live_server, draft, clerk, page):
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url
    page.set_viewport_size({"width": 1366, "height": 640})  # a laptop: the letter is taller than the pane
    sign_in(page, base, "clerk")
    page.goto(f"{base}{reverse('reply_edit', args=[draft.pk])}")
    current = (
        "(() => { const el = document.querySelector('#preview .preview-current');"
        " return el ? el.innerText : null; })()"
    )
    in_pane = (
        "(() => { const el = document.querySelector('#preview .preview-current');"
        " const pane = document.querySelector('.preview-pane').getBoundingClientRect();"
        " const r = el.getBoundingClientRect();"
        " return r.top >= Math.max(pane.top, 0) && r.bottom <= Math.min(pane.bottom, window.innerHeight); })()"
    )

    def settled(expected: str) -> str:
        for _ in range(50):  # polled: the page's CSP forbids an evaluated predicate
            text = page.evaluate(current) or ""
            if expected in text and page.evaluate(in_pane):
                return text
            page.wait_for_timeout(100)
        return page.evaluate(current) or ""

    # The contact block is at the foot of the letter: the pane scrolls down to it.
    page.get_by_label("经办人电话").focus()
    assert "经办人" in settled("经办人")
    assert page.evaluate("document.querySelector('.preview-pane').scrollTop") > 0
    page.screenshot(path=SHOTS / "03-preview-follows-contact.png", full_page=False)

    # The second 小标题 row: its section in the preview, also after the preview updates.
    heading = page.locator(".measure-heading").nth(1)
    heading.focus()
    assert "关于弘扬劳模精神方面" in settled("关于弘扬劳模精神方面")
    heading.fill("关于弘扬劳模精神、工匠精神方面")
    assert "工匠精神" in settled("工匠精神")  # the new preview, marked again

    # Back to the top: the title.
    page.get_by_label("标题", exact=True).focus()
    assert "第12号建议的答复" in settled("答复").replace(" ", "")
    page.screenshot(path=SHOTS / "04-preview-follows-title.png", full_page=False)


def test_text_over_the_limit_is_kept_and_shown_over_not_cut(live_server, draft, clerk, page):
    """Pasting more than a box takes: nothing is cut off; the counter says how much is over, the
    save is refused naming the field, and the text is still there to shorten."""
    base = live_server.url
    sign_in(page, base, "clerk")
    page.goto(f"{base}{reverse('reply_edit', args=[draft.pk])}")
    opening = page.get_by_label("开头语")
    opening.fill("开" * 2160)
    assert len(opening.input_value()) == 2160
    counter = page.locator("#id_opening + .char-count")
    assert counter.inner_text() == "已输入 2160／2000 字，超出 160 字，请删减"
    page.get_by_role("button", name="保存", exact=True).click()
    page.get_by_text("开头语不能超过2000字（现有2160字）。").wait_for()
    assert len(page.get_by_label("开头语").input_value()) == 2160
    assert Reply.objects.get(pk=draft.pk).opening != "开" * 2160
