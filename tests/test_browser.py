"""A newcomer in a real browser: log in, land on the to-do list, find the seed letter, open it."""

import pytest

from tests.conftest import ARTIFACTS, PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_logs_in_and_reads_the_seed_letter(live_server, clerk, seed_reply, page):
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.get_by_label("用户名").fill("clerk")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="待办事项").is_visible()
    assert page.get_by_role("heading", name="草稿").is_visible()  # the seed letter is a draft
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "home.png", full_page=True)

    page.get_by_role("link", name="全部答复", exact=True).click()
    page.get_by_role("link", name="对市五届人大一次会议第 12 号建议的答复").click()
    page.wait_for_url(f"{live_server.url}/replies/{seed_reply.pk}/")
    letter = page.locator("article.letter")
    assert letter.locator(".letter-agency").inner_text() == "随州市人力资源和社会保障局"
    assert letter.locator("h2").first.inner_text() == "一、关于提高工人待遇，特别是提高技术工人薪酬方面"
    assert (
        letter.locator(".letter-copies").inner_text()
        == "抄送：市人大常委会选任工委（2份）、市政府督查室（2份）"
    )
    # Bootstrap is served from static/, not a CDN: the navbar is styled.
    background = page.locator("nav.navbar").evaluate("el => getComputedStyle(el).display")
    assert background == "flex"
    page.screenshot(path=ARTIFACTS / "reply.png", full_page=True)


def test_wrong_password_shows_chinese_error(live_server, clerk, page):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("clerk")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_text("用户名或密码不正确，请重新输入。").is_visible()
