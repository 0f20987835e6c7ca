"""Consistent, bounded: every free-text reason has a maximum the user sees with a counter, and the
server refuses more, naming the field; a 沟通记录 cannot lie in the future."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from proposals import workflow
from proposals.models import Communication, Reply, ReplyStatus
from tests.conftest import TWO_SECTIONS, editor_data, login

pytestmark = pytest.mark.django_db


def test_a_return_reason_over_1000_characters_is_refused(submitted, leader):
    response = login(leader).post(
        reverse("reply_return", args=[submitted.pk]), {"reason": "补" * 1001}, follow=True
    )
    assert "退回理由不能超过1000字（现有1001字）。" in response.content.decode()
    assert Reply.objects.get(pk=submitted.pk).status == ReplyStatus.SUBMITTED


def test_every_reason_the_workflow_takes_is_bounded(submitted, clerk, leader, committee_staff):
    for call, label in (
        (lambda: workflow.withdraw(submitted, clerk, "撤" * 1001), "撤回理由"),
        (lambda: workflow.request_extension(submitted.assignment, clerk, "延" * 1001), "延期理由"),
        (lambda: workflow.supervise(submitted.assignment, committee_staff, "督" * 1001), "督办内容"),
    ):
        with pytest.raises(workflow.WorkflowError, match=f"{label}不能超过1000字"):
            call()
    assert Reply.objects.get(pk=submitted.pk).status == ReplyStatus.SUBMITTED


def test_the_text_boxes_show_their_maximum_and_a_counter(submitted, leader):
    page = login(leader).get(reverse("reply_detail", args=[submitted.pk])).content.decode()
    assert 'maxlength="1000"' in page and "js/counter.js" in page


def test_a_communication_cannot_be_dated_in_the_future(draft, clerk):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = login(clerk).post(
        reverse("reply_communication", args=[draft.pk]),
        {"day": tomorrow.isoformat(), "form": "meeting", "participants": "沈宝栋代表、承办处室"},
        follow=True,
    )
    assert "沟通记录未登记：日期：日期不能晚于今天" in response.content.decode()
    assert not Communication.objects.exists()
    login(clerk).post(
        reverse("reply_communication", args=[draft.pk]),
        {"day": timezone.localdate().isoformat(), "form": "meeting", "participants": "沈宝栋代表、承办处室"},
    )
    assert Communication.objects.count() == 1


def test_the_letters_own_text_is_bounded_and_nothing_is_half_saved(draft, clerk):
    client = login(clerk)
    before = Reply.objects.get(pk=draft.pk)
    page = client.get(reverse("reply_edit", args=[draft.pk])).content.decode()
    for name, limit in (
        ("opening", 2000),
        ("closing", 2000),
        ("copies_text", 1000),
        ("m-0-paragraphs", 10000),
    ):
        tag = re.search(rf'<textarea[^>]*name="{name}"[^>]*>', page).group(0)
        assert f'maxlength="{limit}"' in tag, name
    data = editor_data(draft, TWO_SECTIONS, class_code="A")
    data.update(opening="开" * 2001, closing="此复。\n" + "谢" * 2000)
    data["m-1-paragraphs"] = "段" * 10001
    response = client.post(reverse("reply_edit", args=[draft.pk]), data)
    text = response.content.decode()
    assert response.status_code == 200
    assert "开头语不能超过2000字（现有2001字）。" in text
    assert "结束语不能超过2000字" in text
    assert "一条的内容不能超过10000字（现有10001字），请分成几条。" in text
    after = Reply.objects.get(pk=draft.pk)
    assert (after.version, after.opening, after.closing) == (before.version, before.opening, before.closing)


def test_line_breaks_count_one_each_as_the_counter_counts_them(draft, clerk):
    """Browsers post a line break as CR LF but count it as one: 20 lines of 2,000 characters in
    all are accepted, as the counter beside the box says, and stored with LF only."""
    data = editor_data(draft, TWO_SECTIONS, class_code="A")
    as_shown = "\n".join("谢" * 99 for _ in range(20)) + "谢" * 1  # 20 lines, 2,000 characters
    assert len(as_shown) == 2000
    data["closing"] = as_shown.replace("\n", "\r\n")  # as the browser posts it: 2,019
    assert len(data["closing"]) == 2019
    response = login(clerk).post(reverse("reply_edit", args=[draft.pk]), data)
    assert response.status_code == 302, response.content.decode()[:500]
    saved = Reply.objects.get(pk=draft.pk).closing
    assert "\r" not in saved and saved.count("\n") >= 19
