"""发出前检查: an incomplete letter is refused at submit, sign-off and issue with the whole list,
each item linking to its field; the editor and the reply page show the same list first."""

import datetime

import pytest
from django.urls import reverse

from measures.models import Measure
from proposals import workflow
from proposals.letters import checks
from proposals.models import Assignment, Reply, ReplyStatus
from tests.conftest import TWO_SECTIONS, editor_data, login, submit_opinion

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "number",
    [
        "13908661566",
        "139 0866 1566",
        "139-0866-1566",
        "１３９０８６６１５６６",
        "0722-3251238",
        "(0722)3251238",
        "0722 3251247",
        "010-12345678",
        "（0722）3251238",
    ],
)
def test_phone_numbers_written_the_usual_ways_are_valid(number):
    assert checks.valid_phone(number)


@pytest.mark.parametrize(
    "number", ["abc电话", "3251238", "12908661566", "1390866156", "139086615660", "8788586"]
)
def test_phone_numbers_that_cannot_be_dialled_are_not(number):
    assert not checks.valid_phone(number)


def messages(reply) -> list[str]:
    return [problem.message for problem in checks.problems(Reply.objects.get(pk=reply.pk))]


def test_a_complete_draft_passes(draft):
    assert messages(draft) == []


def test_each_missing_item_is_named_with_its_field(draft):
    Reply.objects.filter(pk=draft.pk).update(
        class_code="", leader_name="", handler_phone="abc电话", postcode="44"
    )
    Measure.objects.filter(reply=draft).update(paragraphs="")
    found = checks.problems(Reply.objects.get(pk=draft.pk))
    assert [(p.field, p.message) for p in found] == [
        ("sections", "小标题“关于提高工人待遇方面”下面没有内容。"),
        ("sections", "小标题“关于弘扬劳模精神方面”下面没有内容。"),
        ("class_code", "请选择办理结果分类（A、B、C、D类）。"),
        ("leader_name", "请填写主管领导姓名。"),
        ("handler_phone", "经办人电话“abc电话”不是有效的电话号码（手机11位，固定电话须带区号）。"),
        ("postcode", "请填写6位邮政编码。"),
    ]
    assert found[2].anchor == "id_class_code" and found[0].anchor == "measures"


def test_a_letter_without_sections(draft):
    Measure.objects.filter(reply=draft).delete()
    assert messages(draft) == ["答复还没有办理措施：请至少写一段正文。"]


def test_the_plain_contact_style_needs_only_the_contact_person(draft):
    Reply.objects.filter(pk=draft.pk).update(
        contact_style="plain", leader_name="", leader_phone="", postcode=""
    )
    assert messages(draft) == []
    Reply.objects.filter(pk=draft.pk).update(handler_name="")
    assert messages(draft) == ["请填写经办人姓名。"]


def test_a_verbatim_contact_block_needs_a_valid_number(draft):
    Reply.objects.filter(pk=draft.pk).update(contact_block_text="联系人：李伟\n联系电话：0722-3251238")
    assert messages(draft) == []
    Reply.objects.filter(pk=draft.pk).update(contact_block_text="联系人：李伟 8788586")
    assert messages(draft) == ["联系方式中的“8788586”不是有效的电话号码。"]
    Reply.objects.filter(pk=draft.pk).update(contact_block_text="联系人：李伟")
    assert messages(draft) == ["联系方式（按原文）中没有联系电话。"]


def test_checks_are_a_setting(draft, settings):
    Reply.objects.filter(pk=draft.pk).update(class_code="")
    settings.REPLY_CHECKS = ["contact", "sections"]
    assert messages(draft) == []


def test_submitting_an_incomplete_letter_is_refused_with_the_list(draft, clerk, cohandler, union_assignment):
    submit_opinion(cohandler, union_assignment)
    Reply.objects.filter(pk=draft.pk).update(class_code="", handler_phone="abc电话")
    response = login(clerk).post(reverse("reply_submit", args=[draft.pk]), follow=True)
    page = response.content.decode()
    assert (
        "答复还不完整，暂不能提交审核：请选择办理结果分类（A、B、C、D类）；"
        "经办人电话“abc电话”不是有效的电话号码（手机11位，固定电话须带区号）。请按“发出前检查”逐项补全。"
        in page
    )
    assert Reply.objects.get(pk=draft.pk).status == ReplyStatus.DRAFT
    # The panel links each item to its field in the editor.
    edit = reverse("reply_edit", args=[draft.pk])
    assert f'href="{edit}#id_class_code"' in page and f'href="{edit}#id_handler_phone"' in page
    editor = login(clerk).get(edit).content.decode()
    assert "发出前检查：还有 2 项待补全" in editor


def test_sign_off_and_issue_check_again(submitted, leader, clerk, pki):
    Reply.objects.filter(pk=submitted.pk).update(class_code="")  # e.g. changed behind the editor
    with pytest.raises(workflow.WorkflowError, match="暂不能签发：请选择办理结果分类"):
        workflow.sign_off(Reply.objects.get(pk=submitted.pk), leader)
    Reply.objects.filter(pk=submitted.pk).update(class_code="B")
    workflow.sign_off(Reply.objects.get(pk=submitted.pk), leader)
    Reply.objects.filter(pk=submitted.pk).update(class_code="")
    with pytest.raises(workflow.WorkflowError, match="暂不能发出：请选择办理结果分类"):
        workflow.issue(Reply.objects.get(pk=submitted.pk), clerk)
    assert Reply.objects.get(pk=submitted.pk).status == ReplyStatus.APPROVED


def test_a_complete_letter_shows_the_panel_as_complete(draft, clerk, cohandler, union_assignment):
    submit_opinion(cohandler, union_assignment)
    page = login(clerk).get(reverse("reply_detail", args=[draft.pk])).content.decode()
    assert "发出前检查：已齐全" in page


def test_the_panel_names_missing_opinions(draft, clerk):
    page = login(clerk).get(reverse("reply_detail", args=[draft.pk])).content.decode()
    assert "发出前检查：还有 1 项待补全" in page and "尚未收到随州市总工会" in page


def test_an_opinion_past_its_deadline_is_named_not_claimed_in(draft, clerk, union_assignment):
    """The lead need not wait once a co-handler's deadline has passed, but the panel does not say
    every opinion is in: it names who did not send one."""
    past = datetime.date.today() - datetime.timedelta(days=40)
    Assignment.objects.filter(pk=union_assignment.pk).update(assigned_date=past, due_on=None)
    page = login(clerk).get(reverse("reply_detail", args=[draft.pk])).content.decode()
    assert "发出前检查：已齐全" in page and "会办意见已齐" not in page
    assert "随州市总工会（截止" in page and "未在期限内提交会办意见" in page


def test_a_co_handler_without_a_date_says_who_must_act(draft, clerk, union_assignment):
    Assignment.objects.filter(pk=union_assignment.pk).update(assigned_date=None, due_on=None)
    response = login(clerk).post(reverse("reply_submit", args=[draft.pk]), follow=True)
    assert (
        "随州市总工会（没有交办日期，无法计算会办期限，请委员会工作人员补填交办日期）"
        in response.content.decode()
    )


def test_an_issued_letter_has_no_panel(issued, clerk):
    assert "发出前检查" not in login(clerk).get(reverse("reply_detail", args=[issued.pk])).content.decode()


def test_the_return_reason_stands_at_the_top_until_resubmitted(submitted, leader, clerk):
    login(leader).post(reverse("reply_return", args=[submitted.pk]), {"reason": "第二部分请补充具体数据。"})
    for name in ("reply_detail", "reply_edit"):
        page = login(clerk).get(reverse(name, args=[submitted.pk])).content.decode()
        banner = page.index("领导退回修改：请按以下意见修改后重新提交")
        assert banner < page.index("第二部分请补充具体数据。") < page.index("发出前检查")
    login(clerk).post(
        reverse("reply_edit", args=[submitted.pk]), editor_data(submitted, TWO_SECTIONS, class_code="A")
    )
    login(clerk).post(reverse("reply_submit", args=[submitted.pk]))
    assert (
        "领导退回修改" not in login(clerk).get(reverse("reply_detail", args=[submitted.pk])).content.decode()
    )


def test_the_buttons_that_cannot_be_undone_ask_first(submitted, leader, cohandler, union_assignment):
    page = login(leader).get(reverse("reply_detail", args=[submitted.pk])).content.decode()
    assert 'data-confirm="确认签发？' in page and "js/confirm.js" in page


def test_a_letter_that_cannot_be_edited_says_how_to_fix_it(submitted, leader):
    Reply.objects.filter(pk=submitted.pk).update(class_code="")
    page = login(leader).get(reverse("reply_detail", args=[submitted.pk])).content.decode()
    assert (
        "请选择办理结果分类" in page
        and f"{reverse('reply_edit', args=[submitted.pk])}#id_class_code" not in page
    )
    assert "请退回经办人补全，或由经办人撤回后补全。" in page
