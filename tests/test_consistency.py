"""One way to print and to find: a search for 第12号, 12号 or 12 finds proposal 12; empty choices
read 请选择, never "---------"."""

import pytest
from django.urls import reverse

from proposals.letters.wording import bare_number
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("第12号", "12"),
        ("第 12 号", "12"),
        ("12号", "12"),
        ("12", "12"),
        ("１２", "12"),
        ("12号建议", "12"),
        ("关于12项工作", None),
        ("招工难", None),
    ],
)
def test_a_number_is_understood_however_it_is_written(text, number):
    assert bare_number(text) == number


@pytest.mark.parametrize("query", ["第12号", "12号", "12", "第 12 号"])
def test_the_dashboard_finds_proposal_12(seed_reply, committee_staff, query):
    page = login(committee_staff).get(reverse("dashboard"), {"q": query}).content.decode()
    assert "关于化解企业招工难的建议" in page


def test_empty_choices_read_please_choose(committee_staff, seed_reply, clerk):
    pages = [
        login(committee_staff).get(reverse("proposal_create")).content.decode(),
        login(clerk).get(reverse("reply_detail", args=[seed_reply.pk])).content.decode(),
    ]
    for page in pages:
        assert "---------" not in page and "请选择" in page


def test_lists_print_numbers_and_rounds_one_way(draft, clerk, committee_staff):
    """第12号 and 第1轮 on the dashboard and the reply list, as on every other page."""
    dashboard = login(committee_staff).get(reverse("dashboard")).content.decode()
    assert 'title="建议详情与交办">第12号</a>' in dashboard and "<td>第1轮</td>" in dashboard
    replies = login(clerk).get(reverse("reply_list")).content.decode()
    assert "<td>第12号</td>" in replies and "<td>第1轮</td>" in replies
