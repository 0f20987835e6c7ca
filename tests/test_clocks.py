"""The clocks and the timeline shared by the handling steps: `manage.py tick_clocks` runs every
registered rule once and says what each did; the reply's 办理记录 shows status changes and handling
steps (签收, 会签, …) in time order, 系统 where a clock acted."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from proposals.models import HandlingEvent, HandlingVerb
from proposals.workflow import clocks
from proposals.workflow.moves import record_handling
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_the_command_runs_every_rule_and_prints_its_count_in_chinese(seed_reply):
    out = io.StringIO()
    call_command("tick_clocks", "--date", "2026-12-01", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == len(clocks.RULES)
    for (label, _), line in zip(clocks.RULES, lines, strict=True):
        assert line.startswith(f"{label}：") and line.endswith("件")


def test_a_second_run_the_same_day_records_nothing(seed_reply):
    clocks.tick()
    before = HandlingEvent.objects.count()
    assert all(count == 0 for count in clocks.tick().values())
    assert HandlingEvent.objects.count() == before


def test_a_bad_date_is_refused_in_chinese():
    with pytest.raises(CommandError, match="日期“2026-13-01”格式不对"):
        call_command("tick_clocks", "--date", "2026-13-01", stdout=io.StringIO())


def test_the_reply_page_shows_handling_steps_beside_status_changes(draft, clerk, committee_staff):
    record_handling(draft.assignment, HandlingVerb.DEEM_RECEIVED, None, "逾期未签收")
    record_handling(
        draft.assignment, HandlingVerb.HANDBACK_REJECT, committee_staff, "属本单位职责", reply=draft
    )
    page = login(clerk).get(reverse("reply_detail", args=[draft.pk])).content.decode()
    timeline = page[page.index("办理记录") :]
    assert "视为签收" in timeline and "系统" in timeline and "逾期未签收" in timeline
    assert "不同意退办" in timeline and "属本单位职责" in timeline
    assert timeline.index("视为签收") < timeline.index("不同意退办")


def test_each_handling_step_leaves_an_audit_row_in_chinese(draft, committee_staff):
    from proposals.models import AuditEvent
    from proposals.records.audit import EVENT_LABELS

    record_handling(draft.assignment, HandlingVerb.HANDBACK_APPROVE, committee_staff, "改由市教育局办理")
    row = AuditEvent.objects.get(event="handback_approve")
    assert row.actor == committee_staff and row.detail["note"] == "改由市教育局办理"
    assert {verb.value for verb in HandlingVerb} <= set(EVENT_LABELS)


def test_status_changes_read_as_what_was_done(submitted, clerk):
    """The record says what was done, then the status it led to: not bare status codes."""
    login(clerk).post(reverse("reply_withdraw", args=[submitted.pk]), {"reason": "补充培训数据"})
    page = login(clerk).get(reverse("reply_detail", args=[submitted.pk])).content.decode()
    timeline = page[page.index("办理记录") :]
    assert "开始起草" in timeline
    assert "提交审核（起草中 → 待审核）" in timeline
    assert "撤回提交（待审核 → 起草中）" in timeline and "补充培训数据" in timeline
