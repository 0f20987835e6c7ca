"""Notices for every step, to the person who acts next: in-app once per event and recipient, an
e-mail after commit, opened (and marked read) by a click."""

import pytest
from django.core import mail
from django.urls import reverse

from proposals.models import Deputy, Notice, Rating, Reply, User, UserRole
from tests.conftest import PASSWORD, login, submit_opinion

pytestmark = pytest.mark.django_db


def texts(user) -> list[str]:
    return list(Notice.objects.filter(user=user).order_by("pk").values_list("text", flat=True))


def forget_notices() -> None:
    """What the fixtures' steps told people is not what the test is about."""
    Notice.objects.all().delete()


@pytest.fixture
def mailboxes(clerk, leader, committee_staff, cohandler):
    for user, address in (
        (clerk, "sun@rsj.example.cn"),
        (leader, "zhang@rsj.example.cn"),
        (committee_staff, "chen@rd.example.cn"),
        (cohandler, "liu@zgh.example.cn"),
    ):
        user.email = address
        user.save(update_fields=["email"])


def test_submitting_tells_the_leaders_once_and_mails_after_commit(
    draft, clerk, leader, cohandler, union_assignment, mailboxes, django_capture_on_commit_callbacks
):
    submit_opinion(cohandler, union_assignment)
    client = login(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reply_submit", args=[draft.pk]))
        client.post(reverse("reply_submit", args=[draft.pk]))  # a second click is refused
    waiting = texts(leader)
    assert waiting == ["待签发：市五届人大一次会议第12号建议的答复，孙建波已提交审核，请审核签发或退回修改。"]
    assert Notice.objects.get(user=leader).link == reverse("reply_detail", args=[draft.pk])
    to_leader = [m for m in mail.outbox if m.to == ["zhang@rsj.example.cn"]]
    assert len(to_leader) == 1 and to_leader[0].subject == "【建议提案答复】待签发"
    assert reverse("reply_detail", args=[draft.pk]) in to_leader[0].body
    assert not any("待签发" in text for text in texts(clerk))  # nobody is told of their own step


def test_an_undone_transaction_sends_no_mail(
    submitted, leader, clerk, mailboxes, django_capture_on_commit_callbacks
):
    from proposals.supervision import notices

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notices.reply_signed_off(submitted, leader)
    assert len(callbacks) == 1 and mail.outbox == []  # queued for the commit, not sent before it


def test_returning_tells_the_drafter_with_the_reason(submitted, leader, clerk):
    forget_notices()
    login(leader).post(reverse("reply_return", args=[submitted.pk]), {"reason": "第二部分请补充具体数据。"})
    assert texts(clerk) == [
        "已退回：市五届人大一次会议第12号建议的答复被张春强退回修改。退回理由：第二部分请补充具体数据。"
    ]
    assert Notice.objects.get(user=clerk).link == reverse("reply_edit", args=[submitted.pk])


def test_a_refused_return_tells_nobody(submitted, leader, clerk):
    forget_notices()
    login(leader).post(reverse("reply_return", args=[submitted.pk]), {"reason": "  "})
    assert texts(clerk) == []


def test_signing_off_tells_the_drafter_and_issuing_tells_committee_staff(
    committee_staff, issued, clerk, leader
):
    assert texts(clerk)[1:] == ["已签发：市五届人大一次会议第12号建议的答复已由张春强签发，请发出答复代表。"]
    assert texts(committee_staff) == [
        "已答复：随州市人力资源和社会保障局已发出市五届人大一次会议第12号建议的答复，请登记代表的评价。"
    ]


def test_a_submitted_opinion_tells_the_lead_agencys_clerks_only(
    draft, clerk, leader, cohandler, union_assignment
):
    login(cohandler).post(reverse("opinion_edit", args=[union_assignment.pk]), {"text": "同意主办单位意见。"})
    assert texts(clerk) == []  # saved, not submitted
    submit_opinion(cohandler, union_assignment)
    assert texts(clerk) == ["会办意见已提交：随州市总工会已提交对市五届人大一次会议第12号建议的会办意见。"]
    assert texts(leader) == [] and texts(cohandler) == []


def test_extension_request_and_approval(draft, clerk, leader, committee_staff):
    login(clerk).post(
        reverse("reply_extension", args=[draft.pk]), {"reason": "涉及跨部门协调，需延长办理时间。"}
    )
    assert texts(committee_staff) == [
        "延期申请：随州市人力资源和社会保障局申请延期答复市五届人大一次会议第12号建议，理由：涉及跨部门协调，需延长办理时间。"
    ]
    login(committee_staff).post(reverse("reply_extension", args=[draft.pk]), {"approve": "1"})
    due = Reply.objects.get(pk=draft.pk).assignment.due_on
    expected = (
        "延期已批准：市五届人大一次会议第12号建议的延期申请已由陈志刚批准，"
        f"答复期限顺延至{due.year}年{due.month}月{due.day}日。"
    )
    assert texts(clerk) == [expected] and texts(leader) == [expected]


def test_the_lead_authors_dissatisfaction_tells_the_agency(issued, clerk, leader, committee_staff):
    lead = issued.proposal.lead_author()
    login(committee_staff).post(
        reverse("reply_feedback", args=[issued.pk]),
        {
            "deputy": lead.pk,
            "attitude": Rating.SATISFIED,
            "rating": Rating.DISSATISFIED,
            "note": "措施不够具体。",
        },
    )
    second = Reply.objects.get(assignment=issued.assignment, round=2)
    expected = (
        f"再次办理：领衔代表{lead.name}对市五届人大一次会议第12号建议答复的办理结果不满意，"
        "已开始第2轮办理，请重新答复。"
    )
    assert texts(leader)[-1] == expected and texts(clerk)[-1] == expected
    assert Notice.objects.filter(user=clerk).order_by("pk").last().link == reverse(
        "reply_edit", args=[second.pk]
    )


def test_a_co_signers_rating_tells_nobody(issued, clerk, committee_staff):
    co_signer = Deputy.objects.filter(
        authorships__proposal=issued.proposal, authorships__is_lead=False
    ).first()
    before = Notice.objects.count()
    login(committee_staff).post(
        reverse("reply_feedback", args=[issued.pk]),
        {"deputy": co_signer.pk, "attitude": Rating.DISSATISFIED, "rating": Rating.DISSATISFIED},
    )
    assert Notice.objects.count() == before


def test_inactive_users_are_not_told(draft, clerk, leader, cohandler, union_assignment, hr_agency):
    retired = User(
        username="retired", first_name="退休领导", role=UserRole.LEADER, agency=hr_agency, is_active=False
    )
    retired.set_password(PASSWORD)
    retired.save()
    submit_opinion(cohandler, union_assignment)
    login(clerk).post(reverse("reply_submit", args=[draft.pk]))
    assert texts(retired) == [] and len(texts(leader)) == 1


def test_opening_a_notice_marks_it_read_and_goes_to_its_object(submitted, leader, clerk):
    forget_notices()
    login(leader).post(reverse("reply_return", args=[submitted.pk]), {"reason": "请核对数据。"})
    notice = Notice.objects.get(user=clerk)
    client = login(clerk)
    page = client.get(reverse("notices")).content.decode()
    assert "未读：" in page and reverse("notice_open", args=[notice.pk]) in page
    assert client.get(reverse("home")).context["unread_notices"] == 1
    response = client.post(reverse("notice_open", args=[notice.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("reply_edit", args=[submitted.pk])
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert client.get(reverse("home")).context["unread_notices"] == 0


def test_nobody_opens_another_users_notice(submitted, leader, clerk, outsider):
    forget_notices()
    login(leader).post(reverse("reply_return", args=[submitted.pk]), {"reason": "请核对数据。"})
    notice = Notice.objects.get(user=clerk)
    assert login(outsider).post(reverse("notice_open", args=[notice.pk])).status_code == 404
    assert login(leader).post(reverse("notice_open", args=[notice.pk])).status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None


def test_a_notice_never_sends_the_user_off_site(clerk):
    notice = Notice.objects.create(user=clerk, text="测试", link="https://evil.example.com/")
    response = login(clerk).post(reverse("notice_open", args=[notice.pk]))
    assert response["Location"] == reverse("notices")
