"""Drafting, co-handling, review, sign-off, issue and feedback, through the pages users click."""

import datetime
import hashlib
import re
import subprocess
from pathlib import Path

import pytest
from django.urls import URLPattern, get_resolver, reverse

from measures.models import Measure
from proposals.models import (
    Assignment,
    AuditEvent,
    CoOpinion,
    FrozenReply,
    Reply,
    ReplyEvent,
    ReplyVersion,
    Role,
    User,
    UserRole,
    deadlines,
)
from tests.conftest import TODAY, TWO_SECTIONS, editor_data, login, submit_opinion

pytestmark = pytest.mark.django_db


def statuses(reply) -> list[tuple[str, str]]:
    return list(ReplyEvent.objects.filter(reply=reply).values_list("from_status", "to_status"))


# --- drafting ---------------------------------------------------------------------------------


def test_new_draft_is_prefilled_from_the_proposal_and_agency(draft, lead_assignment):
    reply = draft
    assert reply.status == "draft" and reply.round == 1
    assert reply.effective_salutation == "沈宝栋、李芸等代表："
    assert reply.effective_title == "对市五届人大一次会议第12号建议的答复"
    assert reply.consulted == ["市总工会"]
    assert "经会商市总工会意见" in reply.opening and "关于化解企业招工难的建议" in reply.opening
    assert reply.due_date == deadlines.add_months(lead_assignment.assigned_date, 3)
    assert reply.copy_line() == "抄送：市人大常委会选任工委（2份）、市政府督查室（2份）"
    assert reply.handler_name == "孙建波"
    assert [m.heading for m in reply.measures.order_by("position")] == [
        "关于提高工人待遇方面",
        "关于弘扬劳模精神方面",
    ]
    assert reply.measures.get(position=1).paragraph_list == [
        "建立了重点产业企业薪酬调查工作机制。",
        "完成了 275 家省级样本企业薪酬调查。",
    ]
    assert reply.versions.count() == 2 and reply.version == 2
    assert statuses(reply) == [("", "draft")]


def test_editor_saves_nested_sections_and_refuses_a_skipped_level(draft, clerk):
    client = login(clerk)
    sections = [
        (1, "一级", "甲。"),
        (2, "二级", "乙。"),
        (3, "三级", "丙。"),
        (4, "四级", "丁。"),
        (1, "", "无标题段落。"),
    ]
    response = client.post(reverse("reply_edit", args=[draft.pk]), editor_data(draft, sections))
    assert response.status_code == 302
    levels = list(
        Measure.objects.filter(reply=draft).order_by("level", "position").values_list("level", "heading")
    )
    assert levels == [(1, "一级"), (1, ""), (2, "二级"), (3, "三级"), (4, "四级")]
    bad = editor_data(Reply.objects.get(pk=draft.pk), [(1, "一级", "甲。"), (3, "跳级", "乙。")])
    response = client.post(reverse("reply_edit", args=[draft.pk]), bad)
    assert response.status_code == 200
    assert "第2条办理措施：层级不能跳级" in response.content.decode()
    assert Measure.objects.filter(reply=draft).count() == 5  # nothing half-saved


def test_live_preview_renders_unsaved_text_without_saving(draft, clerk):
    data = editor_data(draft, [(1, "尚未保存的小标题", "尚未保存的内容。")])
    response = login(clerk).post(reverse("reply_preview", args=[draft.pk]), data)
    html = response.content.decode()
    assert "一、尚未保存的小标题" in html and '<article class="letter"' in html
    assert not Measure.objects.filter(heading="尚未保存的小标题").exists()


def test_second_editor_gets_a_conflict_page_and_loses_nothing(draft, clerk, hr_agency):
    other = User.objects.create(username="clerk2", first_name="周敏", role=UserRole.CLERK, agency=hr_agency)
    first = editor_data(draft, [(1, "甲的小标题", "甲写的内容。")])
    second = editor_data(draft, [(1, "乙的小标题", "乙写的内容。")])
    assert login(clerk).post(reverse("reply_edit", args=[draft.pk]), first).status_code == 302
    response = login(other).post(reverse("reply_edit", args=[draft.pk]), second)
    assert response.status_code == 409
    html = response.content.decode()
    assert "保存冲突" in html and "甲的小标题" in html and "乙的小标题" in html and "乙写的内容。" in html
    assert Measure.objects.get(reply=draft).heading == "甲的小标题"
    # Saving again from the conflict page keeps the second clerk's text deliberately.
    again = dict(second, version=str(Reply.objects.get(pk=draft.pk).version))
    assert login(other).post(reverse("reply_edit", args=[draft.pk]), again).status_code == 302
    assert Measure.objects.get(reply=draft).heading == "乙的小标题"
    assert ReplyVersion.objects.filter(reply=draft).count() == 4


# --- co-handling ------------------------------------------------------------------------------


def test_submit_waits_for_every_co_opinion(draft, clerk, cohandler, union_assignment):
    client = login(clerk)
    response = client.post(reverse("reply_submit", args=[draft.pk]), follow=True)
    assert "尚未收到随州市总工会" in response.content.decode() and "的会办意见" in response.content.decode()
    assert Reply.objects.get(pk=draft.pk).status == "draft"
    page = login(cohandler).get(reverse("opinion_edit", args=[union_assignment.pk]))
    assert "关于化解企业招工难的建议" in page.content.decode()
    submit_opinion(cohandler, union_assignment)
    opinion = CoOpinion.objects.get(assignment=union_assignment)
    assert opinion.is_submitted
    editor = client.get(reverse("reply_edit", args=[draft.pk])).content.decode()
    assert "市总工会将继续开展劳模宣传月活动。" in editor
    client.post(reverse("reply_submit", args=[draft.pk]))
    assert Reply.objects.get(pk=draft.pk).status == "submitted"


def test_a_past_opinion_deadline_does_not_block_the_lead(draft, clerk, union_assignment):
    union_assignment.assigned_date = TODAY - datetime.timedelta(days=40)
    union_assignment.save()
    login(clerk).post(reverse("reply_submit", args=[draft.pk]))
    assert Reply.objects.get(pk=draft.pk).status == "submitted"


def test_submitted_opinion_cannot_be_changed(cohandler, union_assignment, draft):
    submit_opinion(cohandler, union_assignment)
    response = login(cohandler).post(
        reverse("opinion_edit", args=[union_assignment.pk]), {"text": "改过的意见"}
    )
    assert response.status_code == 403
    assert CoOpinion.objects.get(assignment=union_assignment).text == "市总工会将继续开展劳模宣传月活动。"


# --- review, sign-off, issue ------------------------------------------------------------------


def test_only_the_clerk_submits_and_a_double_click_moves_once(
    draft, leader, clerk, cohandler, union_assignment
):
    submit_opinion(cohandler, union_assignment)
    response = login(leader).post(reverse("reply_submit", args=[draft.pk]), follow=True)
    assert "只有本单位的经办人可以提交审核" in response.content.decode()
    client = login(clerk)
    client.post(reverse("reply_submit", args=[draft.pk]))
    response = client.post(reverse("reply_submit", args=[draft.pk]), follow=True)
    assert "不能提交审核" in response.content.decode()
    assert statuses(draft) == [("", "draft"), ("draft", "submitted")]


def test_return_needs_a_reason_and_the_leader_sees_what_changed(submitted, leader, clerk):
    client = login(leader)
    response = client.post(reverse("reply_return", args=[submitted.pk]), {"reason": "  "}, follow=True)
    assert "退回修改必须说明理由" in response.content.decode()
    client.post(reverse("reply_return", args=[submitted.pk]), {"reason": "第二部分请补充具体数据。"})
    reply = Reply.objects.get(pk=submitted.pk)
    assert reply.status == "returned"
    assert ReplyEvent.objects.get(reply=reply, to_status="returned").note == "第二部分请补充具体数据。"
    changed = [TWO_SECTIONS[0], (1, "关于弘扬劳模精神方面", "积极开展劳模先进事迹宣传，今年评选劳模 25 名。")]
    login(clerk).post(reverse("reply_edit", args=[reply.pk]), editor_data(reply, changed))
    login(clerk).post(reverse("reply_submit", args=[reply.pk]))
    page = client.get(reverse("reply_changes", args=[reply.pk])).content.decode()
    assert re.search(
        r'diff-removed[^"]*"><span[^>]*>二、第1段</span><span>－\s*积极开展劳模先进事迹宣传。<', page
    )
    assert re.search(
        r'diff-added[^"]*"><span[^>]*>二、第1段</span><span>＋\s*积极开展劳模先进事迹宣传，今年评选劳模 25 名。',
        page,
    )
    # Only the change and one line around it: the opening, far away, is not repeated.
    assert "开头语" not in page.split('class="diff ')[1]
    detail = client.get(reverse("reply_detail", args=[reply.pk])).content.decode()
    assert "第二部分请补充具体数据。" in detail  # the timeline shows the reason


def test_the_drafter_cannot_sign_off(submitted, leader, second_leader, clerk):
    # The leader edits a returned draft, so becomes one of its drafters.
    login(leader).post(reverse("reply_return", args=[submitted.pk]), {"reason": "请调整措辞。"})
    reply = Reply.objects.get(pk=submitted.pk)
    login(leader).post(reverse("reply_edit", args=[reply.pk]), editor_data(reply, TWO_SECTIONS))
    login(clerk).post(reverse("reply_submit", args=[reply.pk]))
    response = login(leader).post(reverse("reply_sign_off", args=[reply.pk]), follow=True)
    assert "起草人不能签发自己起草的答复" in response.content.decode()
    response = login(clerk).post(reverse("reply_sign_off", args=[reply.pk]), follow=True)
    assert "只有本单位的主管领导／签发人可以签发" in response.content.decode()
    login(second_leader).post(reverse("reply_sign_off", args=[reply.pk]))
    assert Reply.objects.get(pk=reply.pk).status == "approved"


def test_issue_fixes_the_date_stores_the_pdf_and_freezes_the_letter(issued, clerk, sysadmin):
    reply = issued
    assert reply.status == "issued" and reply.date == TODAY and reply.issued_on == TODAY
    detail = login(clerk).get(reverse("reply_detail", args=[reply.pk])).content.decode()
    assert reply.pdf_sha256 in detail and reply.pdf_sm3 in detail
    stored = reply.pdf.read()
    assert hashlib.sha256(stored).hexdigest() == reply.pdf_sha256
    text = subprocess.run(["pdftotext", "-", "-"], input=stored, capture_output=True).stdout.decode()
    assert "关于提高工人待遇方面" in text and f"{TODAY.year}年{TODAY.month}月{TODAY.day}日" in text
    download = login(clerk).get(reverse("reply_pdf", args=[reply.pk]))
    assert b"".join(download.streaming_content) == stored
    assert statuses(reply)[-3:] == [("draft", "submitted"), ("submitted", "approved"), ("approved", "issued")]
    # Frozen: the editor, the ORM and the admin all refuse.
    response = login(clerk).get(reverse("reply_edit", args=[reply.pk]), follow=True)
    assert "不能修改" in response.content.decode()
    response = login(clerk).post(
        reverse("reply_edit", args=[reply.pk]), {"version": reply.version}, follow=True
    )
    assert "不能修改" in response.content.decode()
    reply.title = "改过的标题"
    with pytest.raises(FrozenReply):
        reply.save()
    with pytest.raises(FrozenReply):
        Measure.objects.filter(reply=reply).first().save()
    with pytest.raises(FrozenReply):
        Measure.objects.create(reply=reply, level=1, position=99, heading="追加")
    admin = login(sysadmin)
    refused = admin.post(f"/admin/proposals/reply/{reply.pk}/change/", {"title": "改"}, follow=True)
    assert refused.status_code == 200 and "只能查看，不能修改或删除" in refused.content.decode()
    assert Reply.objects.get(pk=reply.pk).effective_title == "对市五届人大一次会议第12号建议的答复"


def test_a_changed_byte_in_the_stored_pdf_is_refused(issued, clerk, committee_staff):
    from proposals.models import Notice

    path = issued.pdf.path
    data = bytearray(Path(path).read_bytes())
    data[len(data) // 2] ^= 0xFF
    Path(path).write_bytes(bytes(data))
    response = login(clerk).get(reverse("reply_pdf", args=[issued.pk]))
    assert response.status_code == 409
    assert (
        "市五届人大一次会议第12号建议（随州市人力资源和社会保障局）的答复函与生成时的校验值不一致"
        in response.content.decode()
    )
    event = AuditEvent.objects.get(event="file_integrity_failure")
    assert (event.actor, event.object_id, event.outcome) == (clerk, str(issued.pk), "denied")
    assert event.detail["expected_sha256"] == issued.pdf_sha256 != event.detail["actual_sha256"]
    # Committee staff are told which letter.
    assert Notice.objects.filter(
        user__role="committee", text__contains="第12号建议（随州市人力资源和社会保障局）的答复函"
    ).exists()


# --- feedback and re-handling -----------------------------------------------------------------


def test_committee_records_feedback_per_author(issued, committee_staff, clerk):
    deputies = {a.deputy.name: a.deputy for a in issued.proposal.authorships.select_related("deputy")}
    response = login(clerk).post(
        reverse("reply_feedback", args=[issued.pk]),
        {"deputy": deputies["沈宝栋"].pk, "attitude": "satisfied", "rating": "satisfied"},
        follow=True,
    )
    assert "办理评价由委员会工作人员登记" in response.content.decode()
    staff = login(committee_staff)
    staff.post(
        reverse("reply_feedback", args=[issued.pk]),
        {"deputy": deputies["沈宝栋"].pk, "attitude": "satisfied", "rating": "satisfied"},
    )
    staff.post(
        reverse("reply_feedback", args=[issued.pk]),
        {
            "deputy": deputies["李芸"].pk,
            "attitude": "basically",
            "rating": "dissatisfied",
            "note": "希望加大补贴力度",
        },
    )
    assert sorted(issued.feedback.values_list("deputy__name", "rating")) == [
        ("李芸", "dissatisfied"),
        ("沈宝栋", "satisfied"),
    ]
    assert Reply.objects.filter(assignment=issued.assignment).count() == 1  # only the lead's rating reopens
    response = staff.post(
        reverse("reply_feedback", args=[issued.pk]),
        {"deputy": deputies["沈宝栋"].pk, "attitude": "dissatisfied", "rating": "dissatisfied"},
        follow=True,
    )
    assert issued.feedback.count() == 2


def test_dissatisfied_lead_author_opens_a_second_round(issued, committee_staff, clerk):
    lead = issued.proposal.lead_author()
    login(committee_staff).post(
        reverse("reply_feedback", args=[issued.pk]),
        {"deputy": lead.pk, "attitude": "satisfied", "rating": "dissatisfied", "note": "措施不够具体"},
    )
    second = Reply.objects.get(assignment=issued.assignment, round=2)
    assert second.status == "draft"
    assert second.due_date == deadlines.add_months(TODAY, 1)
    assert [m.heading for m in second.measures.order_by("position")] == [
        "关于提高工人待遇方面",
        "关于弘扬劳模精神方面",
    ]
    assert ReplyEvent.objects.get(reply=second).note == "领衔代表沈宝栋对办理结果不满意：措施不够具体"
    client = login(clerk)
    assert "第2轮" in client.get(reverse("home")).content.decode()
    assert "第2轮" in client.get(reverse("queue")).content.decode()
    assert "第2轮" in client.get(reverse("reply_detail", args=[second.pk])).content.decode()
    assert "第2轮" in client.get(reverse("reply_edit", args=[second.pk])).content.decode()


def test_feedback_form_pdf(issued, clerk):
    response = login(clerk).get(reverse("feedback_form_pdf", args=[issued.pk]))
    pdf = b"".join(response.streaming_content)
    text = re.sub(
        r"\s+", "", subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True).stdout.decode()
    )
    assert "人大代表建议、批评和意见办理情况征询意见表" in text
    assert "市五届人大一次会议第12号建议" in text and "关于化解企业招工难的建议" in text
    assert "□满意□基本满意□不满意" in text and "随州市总工会" in text


# --- the queue and access ---------------------------------------------------------------------


def test_queue_lists_my_agencys_assignments_by_urgency(
    lead_assignment, union_assignment, clerk, cohandler, hr_agency
):
    from proposals.models import Proposal

    later = Proposal.objects.create(
        session=lead_assignment.proposal.session, number="30", title="关于加强职业技能培训的建议"
    )
    Assignment.objects.create(proposal=later, agency=hr_agency, role=Role.CO, assigned_date=TODAY)
    html = login(clerk).get(reverse("queue")).content.decode()
    # The opinion due in a month comes before the reply due in about three.
    assert html.index("关于加强职业技能培训的建议") < html.index("关于化解企业招工难的建议")
    assert "起草答复" in html and "会办意见" in html
    left = (deadlines.add_months(lead_assignment.assigned_date, 3) - TODAY).days
    assert f"{left}天" in html
    union_page = login(cohandler).get(reverse("queue")).content.decode()
    assert "关于化解企业招工难的建议" in union_page and "关于加强职业技能培训的建议" not in union_page


def object_urls(reply: Reply, assignment: Assignment) -> list[tuple[str, str]]:
    """(name, url) for every URL pattern that takes an object id."""
    urls = []
    for pattern in get_resolver().url_patterns:
        if not isinstance(pattern, URLPattern) or "pk" not in pattern.pattern.converters:
            continue
        name = pattern.name
        if name.startswith("proposal"):
            kwargs = {"pk": assignment.proposal_id}
        else:
            kwargs = {"pk": assignment.pk if name.startswith(("assignment", "opinion")) else reply.pk}
        if "number" in pattern.pattern.converters:
            kwargs["number"] = 1
        urls.append((name, reverse(name, kwargs=kwargs)))
    return urls


def test_outsider_gets_404_for_every_object_url(issued, outsider, union_assignment, committee_staff):
    urls = object_urls(issued, union_assignment)
    assert len(urls) >= 22
    client = login(outsider)
    for name, url in urls:
        response = client.get(url)
        if response.status_code == 405:  # an action: it answers POST only
            response = client.post(url)
        assert response.status_code == 404, (name, url, response.status_code)
    # Nothing of agency B in the outsider's lists.
    for page in (reverse("home"), reverse("queue")):
        assert "关于化解企业招工难的建议" not in client.get(page).content.decode()
    # Committee staff read everything but do not edit drafts.
    staff = login(committee_staff)
    assert staff.get(reverse("reply_detail", args=[issued.pk])).status_code == 200
    assert staff.get(reverse("opinion_edit", args=[union_assignment.pk])).status_code == 200


def test_committee_staff_cannot_edit_a_draft(draft, committee_staff):
    staff = login(committee_staff)
    assert staff.get(reverse("reply_edit", args=[draft.pk])).status_code == 403
    assert (
        staff.post(reverse("reply_edit", args=[draft.pk]), editor_data(draft, TWO_SECTIONS)).status_code
        == 403
    )
    response = staff.post(reverse("reply_submit", args=[draft.pk]), follow=True)
    assert "只有本单位的经办人可以提交审核" in response.content.decode()
    assert Reply.objects.get(pk=draft.pk).status == "draft"


def test_the_lead_agency_logs_communications(draft, clerk, committee_staff):
    client = login(clerk)
    url = reverse("reply_communication", args=[draft.pk])
    response = client.post(
        url,
        {
            "day": "2022-03-20",
            "form": "meeting",
            "participants": "孙建波、沈宝栋代表",
            "deputy_opinion": "希望加大技能补贴",
        },
        follow=True,
    )
    assert "沟通记录已登记" in response.content.decode()
    assert "2022年3月20日 见面会" in response.content.decode()
    response = client.post(url, {"day": "", "form": "letter", "participants": ""}, follow=True)
    assert "沟通记录未登记" in response.content.decode() and "日期" in response.content.decode()
    assert (
        login(committee_staff)
        .post(url, {"day": "2022-03-21", "form": "phone", "participants": "工作人员"})
        .status_code
        == 403
    )
    assert draft.assignment.communications.count() == 1
