"""The 征询意见表 online (issue 17 part C): a deputy rates an issued answer within the return
period, may change it for 7 days (each change kept and audited), the lead author's 办理结果
不满意 opens round 2 as a staff-entered rating does, 代录 by staff is marked and shown to the
deputy (and not overwritten online), and the statistics count returns, shares and how."""

import datetime
import io

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.urls import reverse
from openpyxl import load_workbook

from proposals.models import (
    AuditEvent,
    Feedback,
    FeedbackCorrection,
    Rating,
    Reply,
    User,
    UserRole,
    deadlines,
)
from proposals.supervision import statistics
from tests.conftest import TODAY, login

pytestmark = pytest.mark.django_db

S, B, D = Rating.SATISFIED, Rating.BASICALLY_SATISFIED, Rating.DISSATISFIED
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def deputy_user(deputy, username=None) -> User:
    user = User.objects.create(
        username=username or f"deputy-{deputy.pk}",
        role=UserRole.DEPUTY,
        deputy=deputy,
        first_name=deputy.name,
    )
    return user


def client_of(user):
    client = login(user)
    client.force_login(user)
    return client


def authors(reply):
    lead = reply.proposal.lead_author()
    co_signer = reply.proposal.authorships.filter(is_lead=False).first().deputy
    return lead, co_signer


def rate(client, reply, attitude, rating, note=""):
    return client.post(
        reverse("deputy_feedback", args=[reply.pk]), {"attitude": attitude, "rating": rating, "note": note}
    )


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def at(day: datetime.date, hour: int = 10):
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI), tick=False
    )


# --- rating within the period -------------------------------------------------------------------


def test_a_co_signer_rates_online_within_the_period(issued):
    lead, co_signer = authors(issued)
    client = client_of(deputy_user(co_signer))
    page = client.get(reverse("deputy_feedback", args=[issued.pk])).content.decode()
    assert "征询意见表" in page and "办理态度" in page and "办理结果" in page
    due = deadlines.feedback_due(issued.proposal.session, issued.issued_on)
    assert f"评价期限至{due.year}年{due.month}月{due.day}日" in page
    assert page.count('type="radio"') == 6 and "data-confirm" in page

    response = rate(client, issued, S, B, "答复具体，希望抓好落实。")
    assert response.status_code == 302
    feedback = Feedback.objects.get(reply=issued, deputy=co_signer)
    assert (feedback.attitude, feedback.rating, feedback.note) == (S, B, "答复具体，希望抓好落实。")
    assert feedback.by_proxy is False and feedback.recorded_by.deputy == co_signer
    assert set(AuditEvent.objects.filter(object_id=str(feedback.pk)).values_list("event", flat=True)) >= {
        "feedback",
        "feedback_online",
    }
    assert not issued.assignment.replies.filter(round=2).exists()  # a co-signer's rating opens nothing
    page = client.get(reverse("deputy_feedback", args=[issued.pk])).content.decode()
    assert "您的评价：办理态度<strong>满意</strong>，办理结果<strong>基本满意</strong>" in page
    limit = TODAY + datetime.timedelta(days=7)
    assert f"{limit.year}年{limit.month}月{limit.day}日前（含当日）可以修改" in page


@pytest.mark.parametrize(
    "issued_on",
    [
        pytest.param(datetime.date(2026, 2, 6), id="春节"),  # 14 February worked, 15–23 February off
        pytest.param(datetime.date(2026, 9, 22), id="国庆"),  # 1–7 October off, 调休 weekends worked
    ],
)
def test_the_return_period_counts_working_days_and_then_refuses(submitted, leader, clerk, pki, issued_on):
    with at(issued_on):
        login(leader).post(reverse("reply_sign_off", args=[submitted.pk]))
        login(clerk).post(reverse("reply_issue", args=[submitted.pk]))
    reply = Reply.objects.get(pk=submitted.pk)
    assert (reply.status, reply.issued_on) == ("issued", issued_on)
    due = deadlines.add_working_days(issued_on, reply.proposal.session.feedback_working_days)
    assert due == deadlines.feedback_due(reply.proposal.session, issued_on)
    assert (due - issued_on).days > 28  # holidays made it longer than four calendar weeks
    lead, co_signer = authors(reply)
    late = client_of(deputy_user(lead))
    with at(due + datetime.timedelta(days=1)):
        response = rate(late, reply, S, S, "希望加快进度。")
        assert response.status_code == 400
        page = response.content.decode()
        assert f"评价期限已于{due.year}年{due.month}月{due.day}日届满" in page
        assert "希望加快进度。" in page  # what was typed is kept
        assert 'value="satisfied" autocomplete="off" required checked' in page
    assert not Feedback.objects.filter(reply=reply).exists()
    with at(due, hour=23):
        assert rate(client_of(deputy_user(co_signer)), reply, S, B).status_code == 302
    assert Feedback.objects.get(reply=reply, deputy=co_signer).by_proxy is False


def test_missing_choice_is_refused_and_keeps_the_text(issued):
    lead, _ = authors(issued)
    response = rate(client_of(deputy_user(lead)), issued, S, "", "已经看过答复。")
    assert response.status_code == 400
    page = response.content.decode()
    assert "请选择办理结果：满意、基本满意或不满意。" in page and "已经看过答复。" in page
    assert not Feedback.objects.exists()


# --- changing within 7 days ---------------------------------------------------------------------


def test_a_change_within_seven_days_is_kept_and_audited_then_final(issued, committee_staff):
    _, co_signer = authors(issued)
    user = deputy_user(co_signer)
    rate(client_of(user), issued, S, S)
    with at(TODAY + datetime.timedelta(days=7), hour=20):
        response = rate(client_of(user), issued, S, B, "落实进度慢于预期。")
        assert response.status_code == 302, response.content.decode()
    feedback = Feedback.objects.get(reply=issued, deputy=co_signer)
    assert (feedback.attitude, feedback.rating) == (S, B)
    correction = FeedbackCorrection.objects.get(feedback=feedback)
    assert (correction.from_rating, correction.to_rating, correction.from_attitude) == (S, B, "")
    assert correction.reason == "代表本人在线修改：落实进度慢于预期。"
    assert correction.corrected_by.deputy == co_signer
    event = AuditEvent.objects.get(event="feedback_change")
    assert (event.detail["from_rating"], event.detail["to_rating"]) == (S, B)
    staff_page = login(committee_staff).get(reverse("reply_detail", args=[issued.pk])).content.decode()
    assert "代表本人在线修改：落实进度慢于预期。" in staff_page and "代表本人在线评价于" in staff_page

    last = TODAY + datetime.timedelta(days=7)
    with at(TODAY + datetime.timedelta(days=8)):
        client = client_of(user)
        response = rate(client, issued, D, D, "仍不满意。")
        assert response.status_code == 400
        assert (
            f"评价只能在首次评价后7日内修改（至{last.year}年{last.month}月{last.day}日）"
            in response.content.decode()
        )
        page = client.get(reverse("deputy_feedback", args=[issued.pk])).content.decode()
        assert "评价已确定" in page and 'type="radio"' not in page
    assert FeedbackCorrection.objects.filter(feedback=feedback).count() == 1


# --- round 2 ------------------------------------------------------------------------------------


def test_the_leads_dissatisfied_result_opens_round_two_and_the_agency_sees_it(issued, clerk):
    lead, _ = authors(issued)
    client = client_of(deputy_user(lead))
    page = client.get(reverse("deputy_feedback", args=[issued.pk])).content.decode()
    assert "对办理结果不满意时，承办单位将再次办理" in page
    rate(client, issued, B, D, "措施不够具体。")
    second = Reply.objects.get(assignment=issued.assignment, round=2)
    assert second.status == "draft"
    home = login(clerk).get(reverse("home")).content.decode()
    assert "再次办理" in home and reverse("reply_edit", args=[second.pk]) in home
    assert clerk.notices.filter(text__contains=f"领衔代表{lead.name}").exists()
    # changed away from 不满意 within the 7 days: round 2 stays open, and the page said so
    page = client.get(reverse("deputy_feedback", args=[issued.pk])).content.decode()
    assert "修改为满意或基本满意不会撤销再次办理" in page
    rate(client, issued, B, B)
    assert Feedback.objects.get(reply=issued, deputy=lead).rating == B
    assert Reply.objects.filter(assignment=issued.assignment, round=2).count() == 1
    # and back to 不满意: no third draft
    rate(client, issued, B, D)
    assert Reply.objects.filter(assignment=issued.assignment, round__gt=1).count() == 1


def test_a_lead_who_changes_to_dissatisfied_opens_round_two(issued):
    lead, _ = authors(issued)
    client = client_of(deputy_user(lead))
    rate(client, issued, S, S)
    assert not Reply.objects.filter(assignment=issued.assignment, round=2).exists()
    rate(client, issued, S, D, "再看了一遍，问题没有解决。")
    assert Reply.objects.filter(assignment=issued.assignment, round=2, status="draft").exists()


def test_a_co_signers_dissatisfied_opens_nothing(issued, clerk):
    _, co_signer = authors(issued)
    rate(client_of(deputy_user(co_signer)), issued, D, D, "不满意。")
    assert Feedback.objects.get(reply=issued, deputy=co_signer).rating == D
    assert not Reply.objects.filter(assignment=issued.assignment, round=2).exists()


# --- 代录 ---------------------------------------------------------------------------------------


def test_a_paper_form_entered_by_staff_is_marked_and_shown_to_the_deputy(issued, committee_staff):
    lead, _ = authors(issued)
    login(committee_staff).post(
        reverse("reply_feedback", args=[issued.pk]),
        {"deputy": lead.pk, "attitude": S, "rating": B, "note": "纸质表。"},
    )
    feedback = Feedback.objects.get(reply=issued, deputy=lead)
    assert feedback.by_proxy is True and feedback.recorded_by == committee_staff
    staff_page = login(committee_staff).get(reverse("reply_detail", args=[issued.pk])).content.decode()
    assert f"{committee_staff.display_name} 代录（纸质征询意见表）" in staff_page
    client = client_of(deputy_user(lead))
    page = client.get(reverse("deputy_feedback", args=[issued.pk])).content.decode()
    assert f"委员会工作人员{committee_staff.display_name}代录" in page and 'type="radio"' not in page
    response = rate(client, issued, D, D, "我要改。")
    assert response.status_code == 400
    assert (
        "委员会工作人员" in response.content.decode()
        and "如需更正请联系委员会工作人员" in response.content.decode()
    )
    feedback.refresh_from_db()
    assert (feedback.attitude, feedback.rating) == (S, B)
    assert not Reply.objects.filter(assignment=issued.assignment, round=2).exists()


# --- who may --------------------------------------------------------------------------------------


def test_only_an_author_with_an_active_deputy_account_reaches_the_form(issued, clerk, committee_staff):
    from proposals.models import Deputy

    stranger = Deputy.objects.create(name="王其他")
    url = reverse("deputy_feedback", args=[issued.pk])
    other = client_of(deputy_user(stranger))
    assert other.get(url).status_code == 404
    assert other.post(url, {"attitude": S, "rating": S}).status_code == 404
    assert login(clerk).get(url).status_code == 404
    assert login(committee_staff).post(url, {"attitude": S, "rating": S}).status_code == 404
    lead, _ = authors(issued)
    own = deputy_user(lead)
    assert client_of(own).get(url).status_code == 200
    client = client_of(own)
    own.is_active = False
    own.save()
    assert client.get(url).status_code in (302, 404)
    assert client.post(url, {"attitude": S, "rating": S}).status_code in (302, 404)
    assert not Feedback.objects.exists()


# --- statistics -----------------------------------------------------------------------------------


def test_statistics_count_returns_and_how_they_came(issued, committee_staff):
    lead, co_signer = authors(issued)
    expected = issued.proposal.authorships.count()
    rate(client_of(deputy_user(co_signer)), issued, S, S)
    login(committee_staff).post(
        reverse("reply_feedback", args=[issued.pk]),
        {"deputy": lead.pk, "attitude": S, "rating": B, "note": ""},
    )
    rows = statistics.per_agency()
    row = next(r for r in rows if r.agency == issued.assignment.agency.name)
    assert (row.returns_expected, row.returned, row.returned_online, row.returned_by_proxy) == (
        expected,
        2,
        1,
        1,
    )
    assert row.return_rate == pytest.approx(200 / expected)
    total = statistics.totals(rows)
    assert (total.returns_expected, total.returned, total.returned_online, total.returned_by_proxy) == (
        expected,
        2,
        1,
        1,
    )
    page = login(committee_staff).get(reverse("statistics")).content.decode()
    assert "评价已返回" in page and "返回率" in page and "在线" in page and "代录" in page
    response = login(committee_staff).get(reverse("statistics_xlsx", args=["returns"]))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = [[cell.value for cell in line] for line in sheet.iter_rows()]
    assert values[0] == ["承办单位", "应返回", "评价已返回", "返回率%", "在线评价", "代录"]
    assert values[-1][:3] == ["合计", expected, 2] and values[-1][4:] == [1, 1]


def test_the_proposal_page_shows_the_rating_state(issued, committee_staff):
    lead, co_signer = authors(issued)
    proposal_url = reverse("deputy_proposal", args=[issued.proposal.pk])
    form_url = reverse("deputy_feedback", args=[issued.pk])
    client = client_of(deputy_user(co_signer))
    page = client.get(proposal_url).content.decode()
    due = deadlines.feedback_due(issued.proposal.session, issued.issued_on)
    assert f"未评价：请于{due.year}年{due.month}月{due.day}日前（含当日）评价" in page and form_url in page
    rate(client, issued, S, B)
    page = client.get(proposal_url).content.decode()
    limit = TODAY + datetime.timedelta(days=7)
    assert "办理态度：<strong>满意</strong>　办理结果：<strong>基本满意</strong>" in page
    assert f"{limit.year}年{limit.month}月{limit.day}日前（含当日）可以修改" in page and "修改评价" in page
    with at(TODAY + datetime.timedelta(days=8)):
        assert (
            "评价已确定" in client_of(User.objects.get(deputy=co_signer)).get(proposal_url).content.decode()
        )
    login(committee_staff).post(
        reverse("reply_feedback", args=[issued.pk]),
        {"deputy": lead.pk, "attitude": S, "rating": S, "note": ""},
    )
    page = client_of(deputy_user(lead)).get(proposal_url).content.decode()
    assert f"委员会工作人员{committee_staff.display_name}代录" in page and form_url not in page


def test_the_dashboard_says_how_the_leads_rating_came(issued, committee_staff):
    lead, _ = authors(issued)
    rate(client_of(deputy_user(lead)), issued, S, B)
    page = login(committee_staff).get(reverse("dashboard")).content.decode()
    assert '结果：基本满意</div><div class="text-body-secondary">在线评价</div>' in page


def test_the_lead_is_warned_before_a_rating_that_reopens_the_handling(db, request):
    """领衔代表: the confirmation says that 不满意 on 办理结果 starts 再次办理 and cannot be undone."""
    from proposals.models import UserRole

    reply = request.getfixturevalue("issued")
    lead = reply.proposal.lead_author()
    user = User.objects.create(
        username="deputy-lead", role=UserRole.DEPUTY, deputy=lead, first_name=lead.name
    )
    page = login(user).get(reverse("deputy_feedback", args=[reply.pk])).content.decode()
    assert "办理结果选“不满意”的，承办单位将再次办理，提交后不能撤销" in page
