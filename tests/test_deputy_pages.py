"""What a deputy sees (issue 17, part B): 我的建议 with plain status words per agency, the issued
letters with their PDF, the communication records, nothing internal, 404 for everything else,
and the notices (in-app and SMS, with the deputy's opt-out)."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from proposals import sms
from proposals.models import (
    Assignment,
    Commitment,
    Deputy,
    Notice,
    Proposal,
    ProposalAuthor,
    Rating,
    Reply,
    User,
    UserRole,
)
from proposals.workflow.feedback import reopen
from tests.conftest import login

pytestmark = pytest.mark.django_db


def deputy_user(deputy: Deputy, username: str) -> User:
    user = User(username=username, first_name=deputy.name, role=UserRole.DEPUTY, deputy=deputy)
    user.set_unusable_password()
    user.save()
    return user


@pytest.fixture
def lead_deputy(seed_reply):
    """沈宝栋, 领衔 author of 建议 12 (D)."""
    deputy = seed_reply.proposal.lead_author()
    Deputy.objects.filter(pk=deputy.pk).update(mobile="13800001111")
    deputy.refresh_from_db()
    return deputy


@pytest.fixture
def d_user(lead_deputy):
    return deputy_user(lead_deputy, "deputy_d")


@pytest.fixture
def co_user(seed_reply):
    """李芸, who co-signed 建议 12."""
    authorship = seed_reply.proposal.authorships.get(is_lead=False, position=2)
    Deputy.objects.filter(pk=authorship.deputy_id).update(mobile="13800002222")
    return deputy_user(Deputy.objects.get(pk=authorship.deputy_id), "deputy_co")


@pytest.fixture
def e_user(seed_reply):
    """E: the author of another proposal of the same session, nothing to do with 建议 12."""
    other = Proposal.objects.create(
        session=seed_reply.proposal.session, number="31", title="关于加强农村公路养护的建议"
    )
    deputy = Deputy.objects.create(
        name="王建国", mobile="13900003333", phone="0722-3333333", address="随州市曾都区"
    )
    ProposalAuthor.objects.create(proposal=other, deputy=deputy, position=1, is_lead=True)
    Assignment.objects.create(
        proposal=other, agency=seed_reply.agency, assigned_date=datetime.date(2026, 11, 20)
    )
    return deputy_user(deputy, "deputy_e")


@pytest.fixture(autouse=True)
def sms_outbox(settings):
    settings.SMS_BACKEND = "proposals.sms.LocmemBackend"
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()


def page(user, name, *args) -> str:
    response = login(user).get(reverse(name, args=args))
    assert response.status_code == 200, (name, response.status_code)
    return response.content.decode()


def test_the_list_shows_their_proposal_with_its_status_per_agency(draft, d_user, e_user):
    Deputy.objects.filter(pk=d_user.deputy_id).update(phone="0722-1111111", address="随州市高新区")
    html = page(d_user, "deputy_home")
    assert "我的建议" in html
    assert "第12号建议（领衔）" in html and "关于化解企业招工难的建议" in html
    assert "办理中" in html and "随州市人力资源和社会保障局（主办）" in html
    assert "市总工会" not in html  # the 会办 agency does not answer the deputy
    due = Assignment.objects.get(pk=draft.assignment_id).due_on
    assert f"办理期限：{due.year}年{due.month}月{due.day}日" in html
    assert "第31号" not in html
    other = page(e_user, "deputy_home")
    assert "第31号建议（领衔）" in other and "已交办" in other and "第12号" not in other
    assert "0722-1111111" not in other and "随州市高新区" not in other


def test_a_member_reads_my_proposals(seed_reply):
    deputy = Deputy.objects.create(name="陈静", body="cppcc")
    other = Proposal.objects.create(
        session=seed_reply.proposal.session, number="7", title="关于发展夜间经济的提案", kind="提案"
    )
    ProposalAuthor.objects.create(proposal=other, deputy=deputy, position=1, is_lead=True)
    html = page(deputy_user(deputy, "member"), "deputy_home")
    assert "我的提案" in html and "第7号提案" in html


def test_issued_letter_pdf_and_communications(issued, d_user, clerk):
    login(clerk).post(
        reverse("reply_communication", args=[issued.pk]),
        {
            "day": "2026-11-20",
            "form": "visit",
            "participants": "沈宝栋代表、张经办",
            "deputy_opinion": "希望加大技能补贴",
        },
    )
    home = page(d_user, "deputy_home")
    assert "已答复" in home
    html = page(d_user, "deputy_proposal", issued.proposal.pk)
    assert "对市五届人大一次会议第 12 号建议的答复" in html or "第12号建议的答复" in html
    assert "关于提高工人待遇方面" in html  # the letter's text, as HTML
    assert "登门走访" in html and "希望加大技能补贴" in html
    assert reverse("deputy_reply_pdf", args=[issued.pk]) in html
    assert 'id="reply-' in html
    client = login(d_user)
    inline = client.get(reverse("deputy_reply_pdf", args=[issued.pk]))
    assert inline.status_code == 200 and inline["Content-Type"] == "application/pdf"
    assert inline["Content-Disposition"].startswith("inline")
    body = b"".join(inline.streaming_content)
    assert body.startswith(b"%PDF") and body == issued.pdf.open("rb").read()
    download = client.get(reverse("deputy_reply_download", args=[issued.pk]))
    assert download["Content-Disposition"].startswith("attachment")


def test_nothing_internal(issued, d_user):
    html = page(d_user, "deputy_proposal", issued.proposal.pk)
    for internal in ("市总工会将继续开展劳模宣传月活动", "版本", "审计", "会办意见", "起草中", "待审核"):
        assert internal not in html, internal
    # A draft of round 2 is not shown (only the issued round-1 letter), and its PDF is a 404.
    opened = reopen(issued, User.objects.get(username="clerk"), "领衔代表不满意")
    html = page(d_user, "deputy_proposal", issued.proposal.pk)
    assert html.count('id="reply-') == 1 and f'id="reply-{opened.pk}"' not in html
    assert login(d_user).get(reverse("deputy_reply_pdf", args=[opened.pk])).status_code == 404


def test_status_words_rehandling_and_follow_up(issued, d_user, clerk):
    opened = reopen(issued, clerk, "领衔代表不满意")
    html = page(d_user, "deputy_home")
    assert "再次办理中" in html
    due = opened.due_date
    assert f"办理期限：{due.year}年{due.month}月{due.day}日" in html
    opened.delete()
    Commitment.objects.create(
        assignment=issued.assignment,
        reply=issued,
        class_code="B",
        text="年底前完成薪酬调查。",
        due_date=datetime.date(2026, 12, 31),
    )
    html = page(d_user, "deputy_home")
    assert "跟踪办理中" in html and "办理期限：2026年12月31日" in html


def test_contact_is_the_letters_handler(draft, d_user):
    Reply.objects.filter(pk=draft.pk).update(handler_name="张经办", handler_phone="0722-3255555")
    html = page(d_user, "deputy_home")
    assert "联系人：张经办 0722-3255555" in html


def test_co_signer_sees_the_same_proposal(issued, co_user):
    html = page(co_user, "deputy_home")
    assert "第12号建议（联名）" in html
    page(co_user, "deputy_proposal", issued.proposal.pk)
    assert login(co_user).get(reverse("deputy_reply_pdf", args=[issued.pk])).status_code == 200


def test_another_deputy_gets_404(issued, e_user, d_user):
    client = login(e_user)
    for name, pk in (
        ("deputy_proposal", issued.proposal.pk),
        ("deputy_reply_pdf", issued.pk),
        ("deputy_reply_download", issued.pk),
        ("deputy_proposal", 999_999),
    ):
        assert client.get(reverse(name, args=[pk])).status_code == 404, name


def test_the_fence_answers_404_outside_the_deputy_pages(issued, d_user):
    client = login(d_user)
    for url in (
        reverse("home"),
        reverse("reply_detail", args=[issued.pk]),
        reverse("reply_pdf", args=[issued.pk]),
        reverse("proposal_detail", args=[issued.proposal.pk]),
        reverse("notices"),
        reverse("public_list"),
        "/admin/",
        "/no-such-page/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        html = response.content.decode()
        assert "页面不存在" in html and reverse("deputy_home") in html
    assert client.get(reverse("letter_font_css")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302


def test_staff_and_anonymous_do_not_get_deputy_pages(issued, clerk, committee_staff):
    for user in (clerk, committee_staff):
        assert login(user).get(reverse("deputy_home")).status_code == 404
        assert login(user).get(reverse("deputy_reply_pdf", args=[issued.pk])).status_code == 404
    assert Client().get(reverse("deputy_home")).status_code == 302


def test_for_user_querysets_give_a_deputy_nothing(issued, d_user):
    from proposals.models import Commitment as C

    for model in (Proposal, Assignment, Reply, C):
        assert not model.objects.for_user(d_user).exists(), model.__name__
    assert not d_user.sees_everything


def issue(reply, leader, clerk, capture):
    with capture(execute=True):
        login(leader).post(reverse("reply_sign_off", args=[reply.pk]))
        login(clerk).post(reverse("reply_issue", args=[reply.pk]))
    return Reply.objects.get(pk=reply.pk)


def test_notices_when_a_reply_is_issued_in_app_and_sms(
    d_user, co_user, e_user, submitted, leader, clerk, pki, sms_outbox, django_capture_on_commit_callbacks
):
    issued = issue(submitted, leader, clerk, django_capture_on_commit_callbacks)
    assert issued.status == "issued"
    link = reverse("deputy_proposal", args=[issued.proposal.pk])
    for user in (d_user, co_user):
        notice = Notice.objects.get(user=user)
        assert (
            notice.text.startswith("已答复：随州市人力资源和社会保障局已发出对您的") and notice.link == link
        )
    assert not Notice.objects.filter(user=e_user).exists()
    assert sorted(m.mobile for m in sms_outbox) == ["13800001111", "13800002222"]
    assert all("第12号建议" in m.text for m in sms_outbox)
    html = page(d_user, "deputy_notices")
    assert "已答复" in html and link in html
    login(d_user).post(reverse("deputy_notices_read"))
    assert not Notice.objects.filter(user=d_user, read_at=None).exists()
    assert Notice.objects.filter(user=co_user, read_at=None).exists()


def test_sms_opt_out_keeps_the_in_app_notice(
    d_user, co_user, submitted, leader, clerk, pki, sms_outbox, django_capture_on_commit_callbacks
):
    response = login(d_user).post(reverse("deputy_settings"), {"sms_enabled": "0"}, follow=True)
    assert "已关闭短信通知" in response.content.decode()
    assert Deputy.objects.get(pk=d_user.deputy_id).sms_enabled is False
    issue(submitted, leader, clerk, django_capture_on_commit_callbacks)
    assert [m.mobile for m in sms_outbox] == ["13800002222"]
    assert Notice.objects.filter(user=d_user, text__startswith="已答复").exists()
    html = page(d_user, "deputy_settings")
    assert "不接收短信通知" in html and "138****1111" in html
    login(d_user).post(reverse("deputy_settings"), {"sms_enabled": "1"})
    assert Deputy.objects.get(pk=d_user.deputy_id).sms_enabled is True


def test_notices_on_reopening_its_letter_and_a_communication(
    d_user, issued, clerk, leader, committee_staff, sms_outbox, django_capture_on_commit_callbacks
):
    sms_outbox.clear()
    lead = issued.proposal.lead_author()
    with django_capture_on_commit_callbacks(execute=True):
        login(committee_staff).post(
            reverse("reply_feedback", args=[issued.pk]),
            {
                "deputy": lead.pk,
                "attitude": Rating.SATISFIED,
                "rating": Rating.DISSATISFIED,
                "note": "补贴太少",
            },
        )
    reopened = Notice.objects.get(user=d_user, text__startswith="再次办理")
    assert "第2轮" in reopened.text
    assert any(m.text.startswith("再次办理") for m in sms_outbox)
    html = page(d_user, "deputy_home")
    assert "再次办理中" in html
    with django_capture_on_commit_callbacks(execute=True):
        login(clerk).post(
            reverse("reply_communication", args=[issued.pk]),
            {"day": "2026-11-30", "form": "phone", "participants": "沈宝栋代表"},
        )
    assert Notice.objects.filter(user=d_user, text__startswith="沟通记录").exists()
    assert any(m.text.startswith("沟通记录") for m in sms_outbox)


def test_the_second_rounds_letter_tells_the_deputies_again(
    d_user, issued, clerk, leader, committee_staff, sms_outbox, django_capture_on_commit_callbacks
):
    lead = issued.proposal.lead_author()
    login(committee_staff).post(
        reverse("reply_feedback", args=[issued.pk]),
        {"deputy": lead.pk, "attitude": Rating.SATISFIED, "rating": Rating.DISSATISFIED, "note": "补贴太少"},
    )
    opened = Reply.objects.get(assignment=issued.assignment, round=2)
    login(clerk).post(reverse("reply_submit", args=[opened.pk]))
    sms_outbox.clear()
    second = issue(opened, leader, clerk, django_capture_on_commit_callbacks)
    assert second.status == "issued"
    assert Notice.objects.filter(user=d_user, text__contains="第2轮答复").exists()
    assert any("第2轮答复" in m.text for m in sms_outbox)
    html = page(d_user, "deputy_proposal", issued.proposal.pk)
    assert f'id="reply-{second.pk}"' in html and f'id="reply-{issued.pk}"' in html
    assert "已答复" in page(d_user, "deputy_home")
