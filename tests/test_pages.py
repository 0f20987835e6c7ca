"""The pages a newcomer sees: login, the list of all replies and a reply, with row-level access."""

import io
import json
import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from proposals.models import Reply, User
from tests.conftest import PASSWORD, SEED_JSON

pytestmark = pytest.mark.django_db


def visible_text(html: str) -> str:
    """Page text without tags and whitespace, for verbatim comparisons."""
    return re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", html))


@pytest.mark.parametrize("url", ["/", "/replies/1/", "/admin/"])
def test_every_page_requires_login(client, seed_reply, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_login_page_is_chinese_and_wrong_password_is_refused(client, clerk):
    page = client.get(reverse("login"))
    assert "登录" in page.content.decode()
    response = client.post(reverse("login"), {"username": "clerk", "password": "wrong-password"})
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    response = client.post(reverse("login"), {"username": "clerk", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_clerk_sees_the_seed_letter_among_all_replies(client, clerk, seed_reply):
    client.force_login(clerk)
    html = client.get(reverse("reply_list")).content.decode()
    assert "对市五届人大一次会议第 12 号建议的答复" in html
    assert "关于化解企业招工难的建议" in html
    assert "沈宝栋（领衔）、李芸等" in html
    assert reverse("reply_detail", args=[seed_reply.pk]) in html


def test_reply_page_shows_the_whole_letter_verbatim(client, clerk, seed_reply):
    client.force_login(clerk)
    response = client.get(reverse("reply_detail", args=[seed_reply.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    text = visible_text(html[html.index('<article class="letter"') : html.index("</article>")])
    letter = json.loads(SEED_JSON.read_text(encoding="utf-8"))
    expected = [
        letter["agency"],
        f"({letter['class_code']})",
        letter["title"],
        letter["salutation"],
        letter["opening"],
        letter["closing"],
        *letter["contact_block_lines"],
        letter["cc_line"],
    ]
    for number, section in zip("一二三四五", letter["sections"], strict=False):
        expected.append(f"{number}、{section['heading']}")
        expected.extend(section["paragraphs"])
    for piece in expected:
        assert re.sub(r"\s+", "", piece) in text, piece
    # Printed in order.
    positions = [text.index(re.sub(r"\s+", "", piece)) for piece in expected[:6]]
    assert positions == sorted(positions)


def test_committee_staff_see_every_agency(client, committee_staff, seed_reply):
    client.force_login(committee_staff)
    assert "对市五届人大一次会议第 12 号建议的答复" in client.get(reverse("reply_list")).content.decode()
    assert client.get(reverse("reply_detail", args=[seed_reply.pk])).status_code == 200


def test_outsider_sees_nothing_of_another_agency(client, outsider, seed_reply):
    client.force_login(outsider)
    html = client.get(reverse("reply_list")).content.decode()
    assert "关于化解企业招工难的建议" not in html
    assert "暂无答复函" in html
    assert client.get(reverse("reply_detail", args=[seed_reply.pk])).status_code == 404


def test_cohandler_sees_the_proposal_but_not_the_leads_draft(client, cohandler, seed_reply):
    client.force_login(cohandler)
    html = client.get(reverse("reply_list")).content.decode()
    assert "关于化解企业招工难的建议" in html
    assert "暂无答复函" in html
    assert client.get(reverse("reply_detail", args=[seed_reply.pk])).status_code == 404


ADMIN_CHANGELISTS = ["session", "deputy", "proposal", "agency", "assignment", "reply", "user"]


@pytest.mark.parametrize("model", ADMIN_CHANGELISTS)
def test_admin_lists_search_and_edit_pages(client, sysadmin, seed_reply, model):
    client.force_login(sysadmin)
    base = f"/admin/proposals/{model}/"
    assert client.get(base).status_code == 200
    assert client.get(base, {"q": "随州"}).status_code == 200
    assert client.get(f"{base}add/").status_code == 200


def test_admin_measures_and_reply_edit_page(client, sysadmin, seed_reply):
    client.force_login(sysadmin)
    assert client.get("/admin/measures/measure/", {"q": "劳模"}).status_code == 200
    page = client.get(f"/admin/proposals/reply/{seed_reply.pk}/change/").content.decode()
    assert "关于提高工人待遇，特别是提高技术工人薪酬方面" in page


def test_seed_demo_is_safe_to_run_twice():
    first = io.StringIO()
    call_command("seed_demo", stdout=first)
    second = io.StringIO()
    call_command("seed_demo", stdout=second)
    assert Reply.objects.count() == 1
    # Issue 17: the seed proposal's deputies get accounts (login by code) besides the staff.
    assert User.objects.filter(role="deputy", deputy__mobile__startswith="1390000").count() == 2
    assert set(User.objects.exclude(role="deputy").values_list("username", flat=True)) == {
        "clerk",
        "leader",
        "cohandler",
        "committee",
        "outsider",
        "sysadmin",
    }
    # Passwords are printed once, on creation, and they work.
    password = re.search(r"clerk\s+(\S+)\s+孙建波", first.getvalue()).group(1)
    assert User.objects.get(username="clerk").check_password(password)
    assert "已存在，密码未改变" in second.getvalue() and password not in second.getvalue()


def test_seed_demo_never_overwrites_the_users_work():
    call_command("seed_demo", stdout=io.StringIO())
    reply = Reply.objects.get()
    Reply.objects.filter(pk=reply.pk).update(status="issued", title="用户改过的标题")
    call_command("seed_demo", stdout=io.StringIO())
    assert Reply.objects.get().title == "用户改过的标题"


def test_the_start_page_is_paged_for_committee_staff(client, committee_staff, seed_reply):
    from proposals.models import Proposal

    session = seed_reply.proposal.session
    Proposal.objects.bulk_create(
        Proposal(session=session, number=str(100 + n), title=f"关于第{n}项工作的建议") for n in range(60)
    )
    client.force_login(committee_staff)
    html = client.get(reverse("reply_list")).content.decode()
    assert "共 61 件" in html and "第 1 / 2 页" in html
    assert html.count("关于第") == 50 - 1  # the seed proposal is one of page 1's 50 rows
    second = client.get(reverse("reply_list"), {"proposals": 2}).content.decode()
    assert "第 2 / 2 页" in second and second.count("关于第") == 11
