"""会签: with the session's rule on, the lead's submitted draft goes to every co-handler (协办/会办),
who agrees or returns comments within N working days; 签发 waits until every co-handler of the
current circulation has agreed or its time ran out (视为同意, recorded by the clock). Changes
start a new circulation; the same text already agreed does not."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from proposals import workflow
from proposals.models import (
    Agency,
    Assignment,
    AuditEvent,
    CalendarDay,
    Countersign,
    CountersignAnswer,
    HandlingEvent,
    HandlingVerb,
    Notice,
    Reply,
    ReplyStatus,
    Role,
    Session,
    User,
    UserRole,
    deadlines,
)
from tests.conftest import PASSWORD, TODAY, TWO_SECTIONS, editor_data, login, submit_opinion

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def status(reply) -> str:
    return Reply.objects.get(pk=reply.pk).status


def rows(reply) -> list[Countersign]:
    return list(Countersign.objects.filter(reply=reply).order_by("circulation", "assignment__agency__name"))


@pytest.fixture
def countersign_on(draft):
    """The session of 建议 12 with 会签 on, as the portal's default is (5 working days)."""
    Session.objects.filter(pk=draft.proposal.session_id).update(countersign_on=True)
    return draft


@pytest.fixture
def union_leader(union_agency):
    user = User(username="unionleader", first_name="周国平", role=UserRole.LEADER, agency=union_agency)
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def circulating(countersign_on, clerk, cohandler, union_assignment, union_leader):
    """The draft submitted with the opinion in: the first circulation is out to 市总工会."""
    submit_opinion(cohandler, union_assignment)
    login(clerk).post(reverse("reply_submit", args=[countersign_on.pk]))
    return Reply.objects.get(pk=countersign_on.pk)


def answer(user, assignment, row, decision: str, comments: str = "", **extra):
    return login(user).post(
        reverse("countersign", args=[assignment.pk]),
        {"countersign": row.pk, "decision": decision, "comments": comments},
        **extra,
    )


def todo_count(user, key: str) -> int:
    groups = login(user).get(reverse("home")).context["groups"]
    return next(group.count for group in groups if group.key == key)


def edit_and_resubmit(reply, clerk, text="积极开展劳模先进事迹宣传，并联合市总工会开展劳模宣传月活动。"):
    sections = [TWO_SECTIONS[0], (1, "关于弘扬劳模精神方面", text)]
    response = login(clerk).post(
        reverse("reply_edit", args=[reply.pk]), editor_data(reply, sections, class_code="A")
    )
    assert response.status_code == 302
    login(clerk).post(reverse("reply_submit", args=[reply.pk]))


# --- the circulation ----------------------------------------------------------------------------


def test_submitting_sends_the_draft_to_every_co_handler(
    leader, circulating, union_assignment, cohandler, union_leader
):
    [row] = rows(circulating)
    submitted = circulating.versions.filter(submitted=True).order_by("-number").first()
    assert (row.assignment, row.circulation, row.version_number, row.answer) == (
        union_assignment,
        1,
        submitted.number,
        CountersignAnswer.PENDING,
    )
    # 5 working days from Tuesday 1 December 2026: Tuesday 8 December.
    assert row.due_date == datetime.date(2026, 12, 8) == deadlines.add_working_days(TODAY, 5)
    event = HandlingEvent.objects.get(verb=HandlingVerb.COUNTERSIGN_SEND)
    assert event.reply == circulating and event.actor.username == "clerk"
    assert "随州市总工会" in event.note and "2026年12月8日" in event.note
    for person in (cohandler, union_leader):
        notice = Notice.objects.get(user=person, text__startswith="待会签：")
        assert notice.link == reverse("countersign", args=[union_assignment.pk])
        assert "2026年12月8日前" in notice.text
    assert AuditEvent.objects.filter(event="countersign_send").count() == 1
    leader_notice = Notice.objects.get(user__username="leader", text__startswith="待签发：")
    assert "已送随州市总工会会签，会签完成后才能签发" in leader_notice.text


def test_without_the_rule_or_without_co_handlers_nothing_changes(
    draft, clerk, leader, cohandler, union_assignment
):
    submit_opinion(cohandler, union_assignment)
    login(clerk).post(reverse("reply_submit", args=[draft.pk]))  # the fixtures' session: rule off
    assert not Countersign.objects.exists()
    assert not HandlingEvent.objects.filter(verb__startswith="countersign").exists()
    login(leader).post(reverse("reply_sign_off", args=[draft.pk]))
    assert status(draft) == ReplyStatus.APPROVED


def test_a_proposal_without_co_handlers_is_not_circulated(lead_assignment, clerk, leader):
    Session.objects.filter(pk=lead_assignment.proposal.session_id).update(countersign_on=True)
    client = login(clerk)
    client.post(reverse("assignment_start", args=[lead_assignment.pk]))
    reply = Reply.objects.get(assignment=lead_assignment)
    client.post(reverse("reply_edit", args=[reply.pk]), editor_data(reply, TWO_SECTIONS, class_code="A"))
    client.post(reverse("reply_submit", args=[reply.pk]))
    assert status(reply) == ReplyStatus.SUBMITTED and not Countersign.objects.exists()
    login(leader).post(reverse("reply_sign_off", args=[reply.pk]))
    assert status(reply) == ReplyStatus.APPROVED


def test_every_co_handler_gets_its_own_row(countersign_on, clerk, cohandler, union_assignment):
    other = Agency.objects.create(name="随州市财政局", short_name="市财政局")
    finance = Assignment.objects.create(
        proposal=countersign_on.proposal,
        agency=other,
        role=Role.CO,
        assigned_date=union_assignment.assigned_date,
    )
    finance_clerk = User.objects.create(
        username="finance", first_name="黄敏", role=UserRole.CLERK, agency=other
    )
    submit_opinion(cohandler, union_assignment)
    workflow.save_opinion(finance, finance_clerk, "市财政局将保障劳模宣传经费。", submit_now=True)
    login(clerk).post(reverse("reply_submit", args=[countersign_on.pk]))
    assert {row.assignment.agency.name for row in rows(countersign_on)} == {"随州市总工会", "随州市财政局"}
    assert Notice.objects.filter(user=finance_clerk, text__startswith="待会签：").count() == 1


# --- the co-handler's page ----------------------------------------------------------------------


def test_the_co_handler_reads_the_draft_beside_its_opinion_but_never_the_reply_page(
    circulating, cohandler, union_assignment, outsider, clerk
):
    client = login(cohandler)
    assert client.get(reverse("reply_detail", args=[circulating.pk])).status_code == 404
    response = client.get(reverse("countersign", args=[union_assignment.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "答复稿（只读）" in page and "关于弘扬劳模精神方面" in page and 'class="letter' in page
    assert "市总工会将继续开展劳模宣传月活动。" in page  # its own 会办意见
    assert "2026年12月8日" in page and "还剩7天" in page
    assert 'value="agree"' in page and 'value="comment"' in page
    queue = client.get(reverse("queue")).content.decode()
    assert reverse("countersign", args=[union_assignment.pk]) in queue  # 我的办理 links to it too
    # Another agency does not see the page; the lead agency has no 会签 page of its own.
    assert login(outsider).get(reverse("countersign", args=[union_assignment.pk])).status_code == 404
    lead = circulating.assignment
    assert login(clerk).get(reverse("countersign", args=[lead.pk])).status_code == 404


def test_the_co_handler_agrees_and_the_leader_signs_off(
    circulating, cohandler, union_assignment, leader, clerk
):
    response = login(leader).post(reverse("reply_sign_off", args=[circulating.pk]), follow=True)
    assert "会签尚未完成，暂不能签发：随州市总工会（截止2026年12月8日）尚未会签" in response.content.decode()
    assert status(circulating) == ReplyStatus.SUBMITTED
    [row] = rows(circulating)
    response = answer(cohandler, union_assignment, row, "agree", follow=True)
    assert "已同意该答复稿" in response.content.decode()
    row.refresh_from_db()
    assert (row.answer, row.answered_by, row.answered_at is not None) == (
        CountersignAnswer.AGREED,
        cohandler,
        True,
    )
    assert HandlingEvent.objects.filter(verb=HandlingVerb.COUNTERSIGN_AGREE, actor=cohandler).count() == 1
    assert Notice.objects.filter(user=leader, text__startswith="会签已完成：").count() == 1
    assert Notice.objects.filter(user=clerk, text__startswith="会签同意：").count() == 1
    login(leader).post(reverse("reply_sign_off", args=[circulating.pk]))
    assert status(circulating) == ReplyStatus.APPROVED


def test_comments_are_required_and_kept_when_refused(circulating, cohandler, union_assignment):
    [row] = rows(circulating)
    response = answer(cohandler, union_assignment, row, "comment", "   ")
    assert response.status_code == 400 and "提出修改意见必须写明具体意见" in response.content.decode()
    row.refresh_from_db()
    assert row.answer == CountersignAnswer.PENDING
    # Too long: refused, the typed text back in the form.
    long_text = "请补充。" * 1300
    response = answer(cohandler, union_assignment, row, "comment", long_text)
    assert response.status_code == 400 and "修改意见不能超过5000字" in response.content.decode()
    assert long_text in response.content.decode()


def test_comments_go_to_the_lead_who_withdraws_edits_and_circulates_again(
    circulating, cohandler, union_assignment, clerk, leader
):
    [first] = rows(circulating)
    comments = "第二部分请写明市总工会2026年开展劳模宣传月活动的具体安排。"
    answer(cohandler, union_assignment, first, "comment", comments)
    first.refresh_from_db()
    assert (first.answer, first.comments) == (CountersignAnswer.COMMENTS, comments)
    notice = Notice.objects.get(user=clerk, text__startswith="会签意见待处理：")
    assert comments in notice.text and notice.link == reverse("reply_detail", args=[circulating.pk])
    # The lead's to-do and reply page show the comments; 签发 is refused naming the agency.
    home = login(clerk).get(reverse("home")).content.decode()
    assert "会签意见待处理" in home and f"会签意见：随州市总工会：{comments}" in home
    page = login(leader).get(reverse("reply_detail", args=[circulating.pk])).content.decode()
    assert comments in page and "修改意见" in page and "countersign-waiting" in page
    assert "reply_sign_off" not in page and reverse("reply_sign_off", args=[circulating.pk]) not in page
    response = login(leader).post(reverse("reply_sign_off", args=[circulating.pk]), follow=True)
    assert "随州市总工会提出了修改意见" in response.content.decode()
    # A second answer in the same circulation is refused.
    with pytest.raises(workflow.WorkflowError, match="不能重复回复"):
        workflow.countersign(first, cohandler, True)
    # The clerk withdraws, edits and submits again: a new circulation of the new version.
    login(clerk).post(reverse("reply_withdraw", args=[circulating.pk]), {"reason": "按市总工会意见修改。"})
    assert not Notice.objects.filter(text__startswith="会签已中止：").exists()  # it had answered
    edit_and_resubmit(circulating, clerk)
    old, new = rows(circulating)
    assert (old.circulation, new.circulation, new.answer) == (1, 2, CountersignAnswer.PENDING)
    assert new.version_number > old.version_number
    assert Notice.objects.filter(user=cohandler, text__contains="（第2轮）").count() == 1
    # The first circulation is over: its row cannot be answered any more.
    with pytest.raises(workflow.WorkflowError, match="第1轮会签已结束"):
        workflow.countersign(old, cohandler, True)
    assert todo_count(clerk, "countersign_comments") == 0
    answer(cohandler, union_assignment, new, "agree")
    login(leader).post(reverse("reply_sign_off", args=[circulating.pk]))
    assert status(circulating) == ReplyStatus.APPROVED


def test_a_withdrawn_draft_cannot_be_countersigned(circulating, cohandler, clerk, union_assignment):
    login(clerk).post(reverse("reply_withdraw", args=[circulating.pk]), {"reason": "再核实数据。"})
    assert Notice.objects.filter(user=cohandler, text__startswith="会签已中止：").count() == 1
    [row] = rows(circulating)
    with pytest.raises(workflow.WorkflowError, match="主办单位已撤回该答复稿修改"):
        workflow.countersign(row, cohandler, True)
    page = login(cohandler).get(reverse("countersign", args=[union_assignment.pk])).content.decode()
    assert "主办单位已撤回该答复稿修改" in page and "答复稿（只读）" not in page
    assert todo_count(cohandler, "countersign") == 0


def test_the_same_text_already_agreed_is_not_circulated_again(
    circulating, cohandler, union_assignment, clerk, leader
):
    [row] = rows(circulating)
    answer(cohandler, union_assignment, row, "agree")
    login(clerk).post(reverse("reply_withdraw", args=[circulating.pk]), {"reason": "先核对一下联系人。"})
    login(clerk).post(reverse("reply_submit", args=[circulating.pk]))  # nothing changed
    assert status(circulating) == ReplyStatus.SUBMITTED
    assert len(rows(circulating)) == 1
    assert HandlingEvent.objects.filter(verb=HandlingVerb.COUNTERSIGN_SEND).count() == 1
    login(leader).post(reverse("reply_sign_off", args=[circulating.pk]))
    assert status(circulating) == ReplyStatus.APPROVED


def test_the_same_text_with_comments_goes_round_again(circulating, cohandler, union_assignment, clerk):
    [row] = rows(circulating)
    answer(cohandler, union_assignment, row, "comment", "请补充联系人。")
    login(clerk).post(
        reverse("reply_withdraw", args=[circulating.pk]), {"reason": "与市总工会沟通后认为无需修改。"}
    )
    login(clerk).post(reverse("reply_submit", args=[circulating.pk]))
    assert [r.circulation for r in rows(circulating)] == [1, 2]


def test_only_the_co_handlers_clerks_and_leaders_answer(
    circulating, clerk, leader, outsider, committee_staff, sysadmin, union_leader, union_assignment
):
    [row] = rows(circulating)
    for person in (clerk, leader, outsider, committee_staff, sysadmin):
        with pytest.raises(workflow.WorkflowError):
            workflow.countersign(row, person, True)
    assert login(committee_staff).get(reverse("countersign", args=[union_assignment.pk])).status_code == 200
    assert answer(committee_staff, union_assignment, row, "agree").status_code == 403
    # The co-handling agency's leader may answer too.
    workflow.countersign(row, union_leader, False, "请核对第一部分的数据。")
    row.refresh_from_db()
    assert (row.answer, row.answered_by) == (CountersignAnswer.COMMENTS, union_leader)


# --- the clock ----------------------------------------------------------------------------------


def test_an_unanswered_countersign_lapses_once_after_its_due_date(circulating, clerk, leader, cohandler):
    [row] = rows(circulating)
    assert workflow.tick_clocks(row.due_date)["会签逾期视为同意"] == 0  # the due day itself: still open
    after = row.due_date + datetime.timedelta(days=1)
    assert workflow.tick_clocks(after)["会签逾期视为同意"] == 1
    row.refresh_from_db()
    assert row.answer == CountersignAnswer.LAPSED and row.answered_by is None
    event = HandlingEvent.objects.get(verb=HandlingVerb.COUNTERSIGN_LAPSE)
    assert event.actor is None and "视为同意" in event.note
    assert Notice.objects.filter(user=leader, text__startswith="会签逾期视为同意：").count() == 1
    assert workflow.tick_clocks(after)["会签逾期视为同意"] == 0  # idempotent
    assert HandlingEvent.objects.filter(verb=HandlingVerb.COUNTERSIGN_LAPSE).count() == 1
    with pytest.raises(workflow.WorkflowError, match="已视为同意"):
        workflow.countersign(row, cohandler, True)
    page = login(leader).get(reverse("reply_detail", args=[circulating.pk])).content.decode()
    assert "逾期视为同意" in page and "系统" in page
    login(leader).post(reverse("reply_sign_off", args=[circulating.pk]))
    assert status(circulating) == ReplyStatus.APPROVED


def test_after_the_due_date_the_answer_is_refused_and_sign_off_records_the_lapse(
    circulating, cohandler, leader
):
    [row] = rows(circulating)
    later = datetime.datetime(2026, 12, 9, 9, 0, tzinfo=SHANGHAI)
    with time_machine.travel(later, tick=False):
        with pytest.raises(workflow.WorkflowError, match="2026年12月8日届满"):
            workflow.countersign(row, cohandler, True)
        workflow.sign_off(circulating, leader)
    row.refresh_from_db()
    assert row.answer == CountersignAnswer.LAPSED and status(circulating) == ReplyStatus.APPROVED
    assert HandlingEvent.objects.filter(verb=HandlingVerb.COUNTERSIGN_LAPSE).count() == 1


def test_a_withdrawn_draft_does_not_lapse(circulating, clerk):
    login(clerk).post(reverse("reply_withdraw", args=[circulating.pk]), {"reason": "再核实数据。"})
    [row] = rows(circulating)
    assert workflow.tick_clocks(row.due_date + datetime.timedelta(days=3))["会签逾期视为同意"] == 0


# 5 working days, the official holidays and the 调休 working weekends counted (chinese-calendar for
# 2026; a year it does not know yet uses the CalendarDay rows the administrator enters).
SPRING_2027 = {  # an example schedule entered as CalendarDay rows, not the official 2027 one
    datetime.date(2027, 2, 6): True,  # Saturday worked (调休)
    **{datetime.date(2027, 2, day): False for day in range(8, 13)},  # Monday to Friday off
}


@pytest.mark.parametrize(
    ("submitted_on", "due", "calendar"),
    [
        # 春节 2026: Saturday 14 February worked, 15–23 February off.
        (datetime.date(2026, 2, 12), datetime.date(2026, 2, 26), {}),
        # 国庆 and 中秋 2026: Sunday 20 September worked, 25 September and 1–7 October off,
        # Saturday 10 October worked.
        (datetime.date(2026, 9, 24), datetime.date(2026, 10, 9), {}),
        (datetime.date(2026, 9, 18), datetime.date(2026, 9, 24), {}),
        (datetime.date(2026, 10, 9), datetime.date(2026, 10, 15), {}),
        # 春节 2027 from CalendarDay rows.
        (datetime.date(2027, 2, 4), datetime.date(2027, 2, 17), SPRING_2027),
    ],
)
def test_the_due_date_counts_working_days_across_holidays(
    submitted_on, due, calendar, countersign_on, clerk, cohandler, union_assignment
):
    for day, workday in calendar.items():
        CalendarDay.objects.create(day=day, is_workday=workday, note="春节")
    Assignment.objects.filter(proposal=countersign_on.proposal).update(
        assigned_date=submitted_on - datetime.timedelta(days=10)
    )
    with time_machine.travel(
        datetime.datetime.combine(submitted_on, datetime.time(10), SHANGHAI), tick=False
    ):
        submit_opinion(cohandler, union_assignment)
        workflow.submit(countersign_on, clerk)
    [row] = rows(countersign_on)
    assert row.due_date == due
    # Overdue from the day after: the clock lapses it then, not on the due day.
    assert workflow.tick_clocks(due)["会签逾期视为同意"] == 0
    assert workflow.tick_clocks(due + datetime.timedelta(days=1))["会签逾期视为同意"] == 1


# --- lists, the reply page and the timeline -----------------------------------------------------


def test_the_to_do_lists_show_each_side_what_waits(
    circulating, cohandler, union_leader, leader, clerk, union_assignment, committee_staff
):
    for person in (cohandler, union_leader):
        home = login(person).get(reverse("home")).content.decode()
        assert todo_count(person, "countersign") == 1
        assert reverse("countersign", args=[union_assignment.pk]) in home
        assert "2026年12月8日" in home and "还剩7天" in home
    home = login(leader).get(reverse("home")).content.decode()
    assert "等待会签" in home and "协办单位会签完成后才能签发" in home
    dashboard = login(committee_staff).get(reverse("dashboard") + "?countersign=1").content.decode()
    assert reverse("reply_detail", args=[circulating.pk]) in dashboard
    [row] = rows(circulating)
    answer(cohandler, union_assignment, row, "agree")
    assert todo_count(cohandler, "countersign") == todo_count(union_leader, "countersign") == 0
    home = login(leader).get(reverse("home")).content.decode()
    assert "审核签发" in home and "等待会签" not in home
    dashboard = login(committee_staff).get(reverse("dashboard") + "?countersign=1").content.decode()
    assert reverse("reply_detail", args=[circulating.pk]) not in dashboard


def test_the_draft_page_says_it_will_go_round(countersign_on, clerk):
    page = login(clerk).get(reverse("reply_detail", args=[countersign_on.pk])).content.decode()
    assert "提交审核后，答复稿将送随州市总工会会签（5个工作日内同意或提出修改意见，逾期视为同意）" in page


def test_the_reply_page_shows_every_answer_per_circulation_and_the_timeline_every_step(
    circulating, cohandler, union_assignment, clerk, leader
):
    [first] = rows(circulating)
    page = login(clerk).get(reverse("reply_detail", args=[circulating.pk])).content.decode()
    assert "第1轮会签" in page and "待会签" in page and "期限2026年12月8日" in page
    answer(cohandler, union_assignment, first, "comment", "请补充宣传月的时间安排。")
    login(clerk).post(reverse("reply_withdraw", args=[circulating.pk]), {"reason": "按会签意见修改。"})
    edit_and_resubmit(circulating, clerk)
    second = rows(circulating)[1]
    answer(cohandler, union_assignment, second, "agree")
    page = login(leader).get(reverse("reply_detail", args=[circulating.pk])).content.decode()
    assert "第2轮会签" in page and "第1轮会签" in page and "已结束" in page
    assert "请补充宣传月的时间安排。" in page and "同意" in page
    timeline = page.split('class="list-group list-group-flush timeline"')[1]
    for step in ("送协办单位会签", "会签提出修改意见", "会签同意"):
        assert step in timeline
    assert timeline.count("送协办单位会签") == 2


def test_a_draft_the_leader_returns_stops_the_circulation(circulating, leader, cohandler, union_leader):
    login(leader).post(reverse("reply_return", args=[circulating.pk]), {"reason": "请先统一数据口径。"})
    assert status(circulating) == ReplyStatus.RETURNED
    for person in (cohandler, union_leader):
        assert Notice.objects.filter(user=person, text__startswith="会签已中止：").count() == 1
        assert todo_count(person, "countersign") == 0


def test_statistics_count_countersigns_answered_in_time_and_lapsed(
    circulating, cohandler, union_assignment, clerk, committee_staff
):
    [first] = rows(circulating)
    answer(cohandler, union_assignment, first, "comment", "请补充。")
    login(clerk).post(reverse("reply_withdraw", args=[circulating.pk]), {"reason": "按会签意见修改。"})
    edit_and_resubmit(circulating, clerk)
    second = rows(circulating)[1]
    workflow.tick_clocks(second.due_date + datetime.timedelta(days=1))
    response = login(committee_staff).get(reverse("statistics"))
    [union] = [row for row in response.context["rows"] if row.agency == "随州市总工会"]
    assert (union.countersign_answered, union.countersign_lapsed, union.countersign_rate) == (1, 1, 50.0)
    assert 'class="countersign-on-time">1/2' in response.content.decode()


def test_the_audit_page_reads_the_countersign_steps_in_chinese(
    circulating, cohandler, union_assignment, sysadmin
):
    [row] = rows(circulating)
    answer(cohandler, union_assignment, row, "comment", "请补充。")
    page = login(sysadmin).get(reverse("audit_log")).content.decode()
    visible = page.split('class="table', 1)[-1]
    assert "送协办单位会签" in visible and "会签提出修改意见" in visible and "会签轮次" in visible
    assert "circulation" not in visible.split("<details")[0]


def test_the_leader_learns_of_comments_and_the_row_says_to_return_it(
    circulating, cohandler, union_assignment, leader
):
    """The leader may 退回 a draft a co-handler asked to change: told, and the 待签发 row says so."""
    [first] = rows(circulating)
    comments = "请补充市总工会劳模宣传月的时间安排。"
    answer(cohandler, union_assignment, first, "comment", comments)
    notice = Notice.objects.get(user=leader, text__startswith="会签有修改意见：")
    assert comments in notice.text and notice.link == reverse("reply_detail", args=[circulating.pk])
    home = login(leader).get(reverse("home")).content.decode()
    to_sign = home[home.index("待签发") :]
    assert "会签有修改意见：退回修改" in to_sign and comments in to_sign
