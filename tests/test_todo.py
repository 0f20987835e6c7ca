"""待办: everyone lands on what waits for them, grouped with counts, each row saying what to do."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from proposals.models import Assignment, Deputy, Proposal, Rating, Reply
from tests.conftest import TODAY, TWO_SECTIONS, editor_data, login, submit_opinion

pytestmark = pytest.mark.django_db


def groups(user) -> dict:
    response = login(user).get(reverse("home"))
    assert response.status_code == 200
    return {group.key: group for group in response.context["groups"]}


def counts(user) -> dict[str, int]:
    return {key: group.count for key, group in groups(user).items()}


def test_the_clerk_is_led_from_start_to_send(lead_assignment, union_assignment, clerk, leader, cohandler):
    assert counts(clerk) == {
        "to_receive": 1,  # 签收 (tests/test_receipt.py); 开始起草 signs for it too
        "urgent": 0,
        "returned": 0,
        "unstarted": 1,
        "drafts": 0,
        "rehandling": 0,
        "opinions": 0,
        "countersign": 0,  # 会签 (tests/test_countersign.py)
        "countersign_comments": 0,
        "to_send": 0,
        "follow_up": 0,  # 跟踪事项 (tests/test_follow_up.py)
    }
    page = login(clerk).get(reverse("home")).content.decode()
    assert "待起草" in page and reverse("assignment_start", args=[lead_assignment.pk]) in page
    item = groups(clerk)["unstarted"].items[0]
    assert item.action == "开始起草" and item.start_form

    login(clerk).post(reverse("assignment_start", args=[lead_assignment.pk]))
    reply = Reply.objects.get(assignment=lead_assignment)
    draft = groups(clerk)["drafts"]
    assert draft.count == 1 and draft.items[0].link == reverse("reply_edit", args=[reply.pk])
    assert groups(clerk)["unstarted"].count == 0

    submit_opinion(cohandler, union_assignment)
    login(clerk).post(
        reverse("reply_edit", args=[reply.pk]), editor_data(reply, TWO_SECTIONS, class_code="A")
    )
    login(clerk).post(reverse("reply_submit", args=[reply.pk]))
    assert counts(clerk)["drafts"] == 0 and groups(leader)["to_sign"].count == 1
    login(leader).post(reverse("reply_return", args=[reply.pk]), {"reason": "请补充培训人数。"})
    returned = groups(clerk)["returned"]
    assert returned.count == 1 and returned.items[0].note == "请补充培训人数。"
    assert "退回理由：请补充培训人数。" in login(clerk).get(reverse("home")).content.decode()


def test_the_co_handler_sees_the_opinion_to_write_until_it_is_submitted(draft, cohandler, union_assignment):
    opinions = groups(cohandler)["opinions"]
    assert opinions.count == 1 and opinions.items[0].link == reverse(
        "opinion_edit", args=[union_assignment.pk]
    )
    submit_opinion(cohandler, union_assignment)
    assert groups(cohandler)["opinions"].count == 0


def test_the_leader_sees_sign_off_then_publication(submitted, leader, clerk, pki):
    assert groups(leader)["to_sign"].items[0].link == reverse("reply_detail", args=[submitted.pk])
    login(leader).post(reverse("reply_sign_off", args=[submitted.pk]))
    assert counts(leader)["to_sign"] == 0
    to_send = groups(clerk)["to_send"]
    assert to_send.count == 1 and to_send.items[0].action == "发出答复"
    login(clerk).post(reverse("reply_issue", args=[submitted.pk]))
    assert counts(clerk)["to_send"] == 0 and counts(leader)["to_publish"] == 1
    Proposal.objects.filter(pk=submitted.proposal.pk).update(confidential=True)
    assert counts(leader)["to_publish"] == 0  # a confidential proposal is never published


def test_due_soon_and_overdue_come_first(draft, clerk, committee_staff):
    assignment = draft.assignment
    Assignment.objects.filter(pk=assignment.pk).update(due_on=TODAY + datetime.timedelta(days=3))
    Reply.objects.filter(pk=draft.pk).update(due_date=None)
    urgent = groups(clerk)["urgent"]
    assert urgent.count == 1 and urgent.items[0].days_left == 3
    assert counts(committee_staff)["due_soon"] >= 1
    Assignment.objects.filter(pk=assignment.pk).update(due_on=TODAY - datetime.timedelta(days=2))
    assert groups(clerk)["urgent"].items[0].overdue_days == 2
    overdue = groups(committee_staff)["overdue"]
    assert any(item.assignment.pk == assignment.pk for item in overdue.items)
    assert "已超期2天" in login(clerk).get(reverse("home")).content.decode()


def test_committee_staff_see_extensions_ratings_and_missing_dates(committee_staff, issued, clerk):
    assert counts(committee_staff)["unrated"] == 1
    for authorship in issued.proposal.authorships.all():
        assert counts(committee_staff)["unrated"] == 1
        login(committee_staff).post(
            reverse("reply_feedback", args=[issued.pk]),
            {"deputy": authorship.deputy_id, "attitude": Rating.SATISFIED, "rating": Rating.SATISFIED},
        )
    assert counts(committee_staff)["unrated"] == 0

    Assignment.objects.filter(pk=issued.assignment_id).update(assigned_date=None)
    no_date = groups(committee_staff)["no_date"]
    assert no_date.count >= 1 and no_date.items[0].link.endswith("/edit/")


def test_an_extension_request_waits_for_the_committee(draft, clerk, leader, committee_staff):
    login(clerk).post(reverse("reply_extension", args=[draft.pk]), {"reason": "需要跨部门协调。"})
    assert counts(committee_staff)["extensions"] == 1 and counts(leader)["extensions"] == 1
    login(committee_staff).post(reverse("reply_extension", args=[draft.pk]), {"approve": "1"})
    assert counts(committee_staff)["extensions"] == 0 and counts(leader)["extensions"] == 0


def test_a_dissatisfied_lead_author_puts_the_reply_back_on_both_lists(issued, clerk, committee_staff):
    lead = Deputy.objects.get(authorships__proposal=issued.proposal, authorships__is_lead=True)
    login(committee_staff).post(
        reverse("reply_feedback", args=[issued.pk]),
        {"deputy": lead.pk, "attitude": Rating.BASICALLY_SATISFIED, "rating": Rating.DISSATISFIED},
    )
    assert counts(clerk)["rehandling"] == 1 and counts(committee_staff)["rehandling"] == 1


def test_another_agency_sees_none_of_it(draft, outsider):
    assert all(count == 0 for count in counts(outsider).values())


def test_the_navigation_bar_counts_what_waits(submitted, leader):
    page = login(leader).get(reverse("queue")).content.decode()
    assert '待办 <span class="badge text-bg-light">1</span>' in page


def test_the_full_lists_stay(draft, clerk):
    page = login(clerk).get(reverse("reply_list")).content.decode()
    assert "答复函" in page and reverse("reply_detail", args=[draft.pk]) in page


def test_a_deadline_of_today_reads_today_not_zero_days(draft, clerk, committee_staff):
    Reply.objects.filter(pk=draft.pk).update(due_date=timezone.localdate())
    home = login(clerk).get(reverse("home")).content.decode()
    assert "今天到期" in home and "还剩0天" not in home
    dashboard = login(committee_staff).get(reverse("dashboard")).content.decode()
    assert "今天到期" in dashboard and ">0天<" not in dashboard
