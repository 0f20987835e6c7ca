"""Records people can read: the audit page in Chinese (events, detail keys and values, objects as
names with links, users as 姓名（登录名）), the raw record behind a toggle; attempts to open
another agency's objects are recorded as 越权访问."""

import pytest
from django.urls import reverse

from proposals.models import AuditEvent, Rating
from tests.conftest import login

pytestmark = pytest.mark.django_db


def audit_page(user, **filters) -> str:
    return login(user).get(reverse("audit_log"), filters).content.decode()


def test_moves_read_as_chinese_with_the_object_named_and_linked(submitted, committee_staff, clerk):
    page = audit_page(committee_staff, event="reply_submit")
    assert "提交审核" in page
    assert (
        '原状态：</dt><dd class="d-inline">起草中' in page
        and '新状态：</dt><dd class="d-inline">待审核' in page
    )
    name = "答复：市五届人大一次会议第12号建议（随州市人力资源和社会保障局）第1轮"
    assert f'<a href="{reverse("reply_detail", args=[submitted.pk])}">{name}</a>' in page
    assert "孙建波（clerk）" in page and "经办人" in page
    assert "proposals.Reply:" not in page.split("<tbody>")[1]
    # The raw record is still there, behind a toggle.
    assert "<summary" in page and "原始记录" in page and "&quot;from_status&quot;: &quot;draft&quot;" in page


def test_ratings_and_roles_are_named(issued, committee_staff):
    lead = issued.proposal.lead_author()
    login(committee_staff).post(
        reverse("reply_feedback", args=[issued.pk]),
        {"deputy": lead.pk, "attitude": Rating.DISSATISFIED, "rating": Rating.BASICALLY_SATISFIED},
    )
    page = audit_page(committee_staff, event="feedback")
    assert (
        '办理结果：</dt><dd class="d-inline">基本满意' in page
        and '办理态度：</dt><dd class="d-inline">不满意' in page
        and f'代表：</dt><dd class="d-inline">{lead.name}' in page
    )
    visible = page.split("<tbody>")[1].split("<details>")[0]
    assert "basically" not in visible


def test_opening_another_agencys_reply_is_recorded_as_an_attempt(draft, outsider, committee_staff):
    assert login(outsider).get(reverse("reply_detail", args=[draft.pk])).status_code == 404
    row = AuditEvent.objects.get(event="access_outside")
    assert (row.actor, row.outcome, row.object_type, row.object_id) == (
        outsider,
        "denied",
        "proposals.Reply",
        str(draft.pk),
    )
    assert "越权访问" in audit_page(committee_staff, event="access_outside")


def test_a_missing_object_is_no_attempt(clerk):
    assert login(clerk).get(reverse("reply_detail", args=[999_999])).status_code == 404
    assert not AuditEvent.objects.filter(event="access_outside").exists()
