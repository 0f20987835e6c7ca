"""并案办理: proposals with the same subject handled together by one lead agency, each deputy
still answered (one letter per proposal sharing one body, or one joint letter); deadlines,
ratings and statistics per proposal; split again while no letter is out."""

import datetime
import subprocess

import pytest
from django.urls import reverse

from measures.outline import measure_rows
from proposals import workflow
from proposals.letters import rendering
from proposals.letters.interchange import export_letter
from proposals.models import (
    Agency,
    Assignment,
    HandlingEvent,
    HandlingVerb,
    LetterMode,
    Notice,
    Proposal,
    ProposalGroup,
    Reply,
    ReplyStatus,
    Role,
    Session,
    deadlines,
)
from tests.conftest import TODAY, TWO_SECTIONS, editor_data, login

pytestmark = pytest.mark.django_db


def register(staff, session, number, title, authors, agency, days_ago=5):
    proposal = Proposal(session=session, number=number, title=title, kind="建议")
    workflow.register_proposal(
        proposal, staff, authors, agency, [], TODAY - datetime.timedelta(days=days_ago)
    )
    return proposal


@pytest.fixture
def second(lead_assignment, committee_staff):
    """建议 15 of the same session, also led by 市人社局, handed over five days ago."""
    return register(
        committee_staff,
        lead_assignment.proposal.session,
        "15",
        "关于加强企业用工保障的建议",
        ["李四", "赵六"],
        lead_assignment.agency,
    )


@pytest.fixture
def third(lead_assignment, committee_staff):
    return register(
        committee_staff,
        lead_assignment.proposal.session,
        "23",
        "关于缓解中小企业招工难的建议",
        ["王五"],
        lead_assignment.agency,
        days_ago=2,
    )


def group(staff, proposals, agency, mode=LetterMode.EACH, **kwargs):
    return workflow.group_proposals(proposals, staff, agency, letter_mode=mode, **kwargs)


def answer(proposal):
    return Reply.objects.get(assignment__proposal=proposal, assignment__role=Role.LEAD, round=1)


def write_primary(clerk, proposal, **fields):
    """The clerk starts (any member) and saves the group's first letter through the editor."""
    client = login(clerk)
    lead = Assignment.objects.get(proposal=proposal, role=Role.LEAD)
    client.post(reverse("assignment_start", args=[lead.pk]))
    primary = answer(proposal)
    response = client.post(
        reverse("reply_edit", args=[primary.pk]),
        editor_data(primary, TWO_SECTIONS, client=client, class_code="A", **fields),
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    return Reply.objects.get(pk=primary.pk)


# --- grouping and its refusals --------------------------------------------------------------------


def test_staff_group_through_the_page_and_every_member_is_marked(
    lead_assignment, second, committee_staff, clerk, leader
):
    first = lead_assignment.proposal
    client = login(committee_staff)
    page = client.get(reverse("group_new"), {"proposal": [second.pk, first.pk]})
    assert page.status_code == 200
    assert page.context["form"].initial["numbers"] == "12、15"
    response = client.post(
        reverse("group_new"),
        {
            "session": first.session.pk,
            "numbers": "12、15",
            "lead_agency": lead_assignment.agency.pk,
            "letter_mode": LetterMode.EACH,
            "subject": "均建议化解企业招工难",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("proposal_detail", args=[first.pk])
    created = ProposalGroup.objects.get()
    assert set(created.proposals.values_list("number", flat=True)) == {"12", "15"}
    events = HandlingEvent.objects.filter(verb=HandlingVerb.GROUP_JOIN)
    assert {e.assignment.proposal.number for e in events} == {"12", "15"}
    assert all("第12、15号并案办理" in e.note for e in events)
    # The agency's clerk and leader are told, once each.
    for person in (clerk, leader):
        assert Notice.objects.filter(user=person, text__contains="第12、15号并案办理").count() == 1
    detail = client.get(reverse("proposal_detail", args=[second.pk])).content.decode()
    assert "并案办理" in detail and "第12、15号" in detail and "撤销并案" in detail
    assert "每件分别答复（共用正文）" in detail
    # Each member keeps its own 交办日期 and deadline.
    assert Assignment.objects.get(
        proposal=second, role=Role.LEAD
    ).assigned_date == TODAY - datetime.timedelta(days=5)
    assert lead_assignment.assigned_date == TODAY - datetime.timedelta(days=10)


def test_a_member_without_a_lead_is_handed_to_the_lead_agency_and_co_handlers_join_each(
    lead_assignment, committee_staff
):
    session = lead_assignment.proposal.session
    loose = Proposal.objects.create(session=session, number="31", title="关于技能培训的建议")
    loose.set_authors(["钱七"])
    union = Agency.objects.create(name="随州市总工会", short_name="市总工会")
    made = group(
        committee_staff, [lead_assignment.proposal, loose], lead_assignment.agency, co_agencies=[union]
    )
    lead = Assignment.objects.get(proposal=loose, role=Role.LEAD)
    assert lead.agency == lead_assignment.agency and lead.assigned_date == TODAY
    for proposal in made.proposals.all():
        assert Assignment.objects.filter(proposal=proposal, agency=union, role=Role.CO).exists()


@pytest.mark.parametrize(
    "case,message",
    [
        ("one", "至少需要两件"),
        ("sessions", "须属于同一届次"),
        ("grouped", "已与其他建议／提案并案办理"),
        ("other_lead", "的主办单位是“随州市教育局”"),
        ("submitted", "的答复已“待审核”，不能再并案办理"),
        ("clerk", "只有委员会工作人员可以并案办理"),
    ],
)
def test_refusals_name_the_proposal_and_write_nothing(
    case, message, lead_assignment, second, third, committee_staff, clerk, education_agency
):
    first = lead_assignment.proposal
    agency, user, chosen = lead_assignment.agency, committee_staff, [first, second]
    if case == "one":
        chosen = [first]
    elif case == "sessions":
        other = Session.objects.create(name="市五届人大二次会议", year=2027, body=first.session.body)
        chosen = [first, register(committee_staff, other, "3", "关于就业的建议", ["孙八"], agency)]
    elif case == "grouped":
        group(committee_staff, [second, third], agency)
        chosen = [first, second]
    elif case == "other_lead":
        chosen = [
            first,
            register(committee_staff, first.session, "40", "关于校园的建议", ["周九"], education_agency),
        ]
    elif case == "submitted":
        write_primary(clerk, second)
        workflow.submit(answer(second), clerk)
    elif case == "clerk":
        user = clerk
    before = ProposalGroup.objects.count()
    with pytest.raises(workflow.WorkflowError, match=message):
        workflow.group_proposals(chosen, user, agency)
    assert ProposalGroup.objects.count() == before
    assert not Proposal.objects.filter(pk=first.pk, group__isnull=False).exists()
    if case == "other_lead":
        assert "调整承办单位" in str(
            pytest.raises(workflow.WorkflowError, workflow.group_proposals, chosen, user, agency).value
        )


def test_a_refused_page_keeps_what_was_typed(lead_assignment, committee_staff):
    response = login(committee_staff).post(
        reverse("group_new"),
        {
            "session": lead_assignment.proposal.session.pk,
            "numbers": "12、99",
            "lead_agency": lead_assignment.agency.pk,
            "letter_mode": LetterMode.EACH,
            "subject": "均建议化解企业招工难",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "没有第99号建议／提案" in page and "均建议化解企业招工难" in page


# --- 每件分别答复: one body, each its own letter ------------------------------------------------


def test_each_mode_the_clerk_writes_once_and_every_member_has_its_own_letter(
    lead_assignment, second, third, committee_staff, clerk
):
    first = lead_assignment.proposal
    group(committee_staff, [third, second, first], lead_assignment.agency)
    # Starting a member takes the clerk to the group's first letter.
    client = login(clerk)
    response = client.post(reverse("assignment_start", args=[Assignment.objects.get(proposal=third).pk]))
    primary = answer(first)
    assert response["Location"] == reverse("reply_edit", args=[primary.pk])
    primary = write_primary(clerk, first)
    for member in (second, third):
        reply = answer(member)
        assert reply.body_source == primary
        assert [r["heading"] for r in measure_rows(reply)] == [r["heading"] for r in measure_rows(primary)]
        assert reply.class_code == "A" and reply.closing == primary.closing
        assert reply.copy_line() == primary.copy_line()
        letter = rendering.letter_context(reply)
        assert letter["title"] == f"对市五届人大一次会议第{member.number}号建议的答复"
        assert letter["salutation"] == f"{'、'.join(member.author_names())}代表："
        assert f"第{member.number}号" in letter["opening"] and member.title in letter["opening"]
        exported = export_letter(reply)
        assert str(exported["proposal_number"]) == member.number
        assert exported["deputies"] == member.author_names()
        assert reply.versions.count() >= 1
    # Each member's deadline is its own (its own 交办日期).
    for member in (first, second, third):
        lead = Assignment.objects.get(proposal=member, role=Role.LEAD)
        assert answer(member).due_date == deadlines.reply_due(lead)
    assert len({answer(p).due_date for p in (first, second, third)}) == 3


def test_a_member_letter_is_read_only_and_names_the_letter_to_edit(
    lead_assignment, second, committee_staff, clerk
):
    group(committee_staff, [lead_assignment.proposal, second], lead_assignment.agency)
    primary = write_primary(clerk, lead_assignment.proposal)
    member = answer(second)
    client = login(clerk)
    editor = client.get(reverse("reply_edit", args=[member.pk]))
    page = editor.content.decode()
    assert editor.status_code == 200 and "本件答复不在此修改" in page
    assert reverse("reply_edit", args=[primary.pk]) in page
    assert 'id="reply-form"' not in page
    detail = client.get(reverse("reply_detail", args=[member.pk])).content.decode()
    assert "本件与第12号建议并案办理" in detail and "提交审核</button>" not in detail
    primary_page = client.get(reverse("reply_detail", args=[primary.pk])).content.decode()
    assert "本件与第15号建议并案办理" in primary_page and "提交审核</button>" in primary_page
    with pytest.raises(workflow.WorkflowError, match="在第12号建议的答复上进行"):
        workflow.submit(member, clerk)
    with pytest.raises(workflow.WorkflowError, match="在第12号建议的答复上进行"):
        workflow.save_draft(member, clerk, member.version, lambda reply: None)
    assert Reply.objects.get(pk=member.pk).status == ReplyStatus.DRAFT


def test_members_move_with_the_primary_and_each_has_its_own_signed_pdf(
    lead_assignment, second, committee_staff, clerk, leader, pki
):
    group(committee_staff, [lead_assignment.proposal, second], lead_assignment.agency)
    primary = write_primary(clerk, lead_assignment.proposal)
    member = answer(second)
    login(clerk).post(reverse("reply_submit", args=[primary.pk]))
    assert Reply.objects.get(pk=member.pk).status == ReplyStatus.SUBMITTED
    assert member.events.filter(verb="submit").count() == 1
    # The leader is told once, about the first letter.
    assert Notice.objects.filter(user=leader, text__startswith="待签发").count() == 1
    login(leader).post(reverse("reply_return", args=[primary.pk]), {"reason": "请补充培训数据。"})
    assert Reply.objects.get(pk=member.pk).status == ReplyStatus.RETURNED
    assert member.events.get(verb="return").note == "请补充培训数据。"
    primary = write_primary(clerk, lead_assignment.proposal)
    login(clerk).post(reverse("reply_submit", args=[primary.pk]))
    login(leader).post(reverse("reply_sign_off", args=[primary.pk]))
    assert Reply.objects.get(pk=member.pk).status == ReplyStatus.APPROVED
    response = login(clerk).post(reverse("reply_issue", args=[primary.pk]))
    assert response.status_code == 302
    primary, member = Reply.objects.get(pk=primary.pk), Reply.objects.get(pk=member.pk)
    assert primary.status == member.status == ReplyStatus.ISSUED
    assert primary.pdf_sha256 and member.pdf_sha256 and primary.pdf_sha256 != member.pdf_sha256
    assert "第15号" in member.pdf.name and "第12号" in primary.pdf.name
    assert member.events.filter(verb="issue").count() == 1
    pdf = login(clerk).get(reverse("reply_pdf", args=[member.pk]))
    assert pdf.status_code == 200
    text = _pdf_text(b"".join(pdf.streaming_content) if pdf.streaming else pdf.content)
    assert "第15号" in text and "李四、赵六代表" in text


def _pdf_text(data: bytes) -> str:
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout
    return "".join(text.decode().split())


def test_a_refused_member_refuses_the_whole_move(lead_assignment, second, committee_staff, clerk):
    group(committee_staff, [lead_assignment.proposal, second], lead_assignment.agency)
    primary = write_primary(clerk, lead_assignment.proposal)
    # The member's proposal loses its lead author's name: its letter has no salutation to print.
    Reply.objects.filter(pk=answer(second).pk).update(salutation="")
    second.authorships.all().delete()
    with pytest.raises(workflow.WorkflowError, match="并案的第15号建议不能一同办理"):
        workflow.submit(primary, clerk)
    assert Reply.objects.get(pk=primary.pk).status == ReplyStatus.DRAFT


# --- 一函联合答复 -----------------------------------------------------------------------------


def test_joint_letter_title_salutation_opening_and_every_member_issued_with_it(
    lead_assignment, second, third, committee_staff, clerk, leader, pki
):
    first = lead_assignment.proposal
    group(committee_staff, [first, second, third], lead_assignment.agency, mode=LetterMode.JOINT)
    client = login(clerk)
    client.post(reverse("assignment_start", args=[lead_assignment.pk]))
    primary = answer(first)
    assert primary.title == "对市五届人大一次会议第12、15、23号建议的答复"
    assert primary.salutation == "沈宝栋、李四、王五代表："
    for member in (first, second, third):
        assert f"“{member.title}”的建议（第{member.number}号）" in primary.opening
    response = client.post(
        reverse("reply_edit", args=[primary.pk]),
        editor_data(primary, TWO_SECTIONS, client=client, class_code="A"),
    )
    assert response.status_code == 302
    for member in (second, third):
        letter = rendering.letter_context(answer(member))
        assert letter["title"] == "对市五届人大一次会议第12、15、23号建议的答复"
        assert letter["salutation"] == "沈宝栋、李四、王五代表："
    client.post(reverse("reply_submit", args=[primary.pk]))
    login(leader).post(reverse("reply_sign_off", args=[primary.pk]))
    client.post(reverse("reply_issue", args=[primary.pk]))
    issued = [answer(p) for p in (first, second, third)]
    assert {r.status for r in issued} == {ReplyStatus.ISSUED}
    assert len({r.pdf_sha256 for r in issued}) == 1  # the one signed letter
    # Deadlines stay per proposal, and ratings are recorded per proposal.
    assert len({r.due_date for r in issued}) == 3
    staff = login(committee_staff)
    for reply in issued:
        deputy = reply.proposal.lead_author()
        response = staff.post(
            reverse("reply_feedback", args=[reply.pk]),
            {"deputy": deputy.pk, "attitude": "satisfied", "rating": "satisfied"},
        )
        assert response.status_code == 302
        assert reply.feedback.filter(deputy=deputy).exists()


def test_wording_of_the_joint_letter():
    from proposals.letters import wording

    assert wording.joint_title("市五届人大一次会议", ["12", "15", "23"], "建议") == (
        "对市五届人大一次会议第12、15、23号建议的答复"
    )
    assert wording.joint_salutation(["张三", "李四", "张三", "王五"]) == "张三、李四、王五代表："
    assert wording.joint_salutation(["王芳", "刘明"], "委员") == "王芳、刘明委员："


# --- 撤销并案 ------------------------------------------------------------------------------------


def test_split_before_issue_keeps_the_drafts(lead_assignment, second, committee_staff, clerk, leader):
    made = group(committee_staff, [lead_assignment.proposal, second], lead_assignment.agency)
    write_primary(clerk, lead_assignment.proposal)
    member = answer(second)
    client = login(committee_staff)
    refused = client.post(reverse("group_split", args=[made.pk]), {"reason": ""})
    assert refused.status_code == 302 and ProposalGroup.objects.filter(pk=made.pk).exists()
    client.post(reverse("group_split", args=[made.pk]), {"reason": "经核实内容不同，分别办理。"})
    assert not ProposalGroup.objects.exists()
    member = Reply.objects.get(pk=member.pk)
    assert member.body_source is None and member.measures.count() == 2
    assert HandlingEvent.objects.filter(verb=HandlingVerb.GROUP_SPLIT).count() == 2
    assert Notice.objects.filter(user=leader, text__startswith="撤销并案").count() == 1
    # Each is now its own letter again: the member is edited and submitted by itself.
    assert login(clerk).get(reverse("reply_edit", args=[member.pk])).context["form"] is not None


def test_split_of_a_joint_letter_gives_each_member_its_own_title_back(
    lead_assignment, second, committee_staff, clerk
):
    made = group(
        committee_staff, [lead_assignment.proposal, second], lead_assignment.agency, mode=LetterMode.JOINT
    )
    write_primary(clerk, lead_assignment.proposal)
    workflow.split_group(made, committee_staff, "分别答复。")
    for proposal in (lead_assignment.proposal, second):
        letter = rendering.letter_context(answer(proposal))
        assert letter["title"] == f"对市五届人大一次会议第{proposal.number}号建议的答复"


def test_split_refused_once_a_letter_is_out(lead_assignment, second, committee_staff, clerk, leader, pki):
    made = group(committee_staff, [lead_assignment.proposal, second], lead_assignment.agency)
    primary = write_primary(clerk, lead_assignment.proposal)
    workflow.submit(primary, clerk)
    workflow.sign_off(primary, leader)
    workflow.issue(primary, clerk)
    with pytest.raises(workflow.WorkflowError, match="答复已发出，不能再撤销并案"):
        workflow.split_group(made, committee_staff, "分别办理。")
    page = login(committee_staff).get(reverse("proposal_detail", args=[second.pk])).content.decode()
    assert "不能再撤销并案" in page and 'name="reason"' not in page


# --- with 会签 and 督办审核 on ---------------------------------------------------------------------


def test_co_handler_countersigns_once_and_the_review_moves_every_member(
    lead_assignment, second, union_agency, cohandler, committee_staff, clerk, leader
):
    from proposals.models import Countersign, CountersignAnswer
    from tests.conftest import submit_opinion

    Session.objects.filter(pk=second.session_id).update(countersign_on=True, committee_review_on=True)
    group(
        committee_staff,
        [lead_assignment.proposal, second],
        lead_assignment.agency,
        co_agencies=[union_agency],
    )
    for assignment in Assignment.objects.filter(agency=union_agency):
        submit_opinion(cohandler, assignment)
    primary = write_primary(clerk, lead_assignment.proposal)
    member = answer(second)
    workflow.submit(primary, clerk)
    on_primary = Countersign.objects.get(reply=primary)
    on_member = Countersign.objects.get(reply=member)
    with pytest.raises(workflow.WorkflowError, match="在第12号建议的答复上进行"):
        workflow.countersign(on_member, cohandler, True)
    workflow.countersign(on_primary, cohandler, True)
    assert Countersign.objects.get(pk=on_member.pk).answer == CountersignAnswer.AGREED
    workflow.sign_off(primary, leader)
    assert Reply.objects.get(pk=member.pk).status == ReplyStatus.REVIEWING
    workflow.review_pass(primary, committee_staff, "C", "经核实属列入规划解决。")
    member = Reply.objects.get(pk=member.pk)
    assert member.status == ReplyStatus.APPROVED and member.class_code == "C"
    assert member.class_changes.get().reason == "经核实属列入规划解决。"


def test_a_grouped_proposal_keeps_its_lead_until_the_group_is_split(
    lead_assignment, second, committee_staff, education_agency
):
    made = group(committee_staff, [lead_assignment.proposal, second], lead_assignment.agency)
    lead = Assignment.objects.get(proposal=second, role=Role.LEAD)
    with pytest.raises(workflow.WorkflowError, match="请先在并案办理中撤销并案"):
        workflow.reassign(lead, committee_staff, education_agency, "职责调整。")
    workflow.split_group(made, committee_staff, "分别办理。")
    workflow.reassign(lead, committee_staff, education_agency, "职责调整。")
    assert Assignment.objects.get(pk=lead.pk).agency == education_agency


def test_dashboard_badge_and_filter_and_the_statistics_figure(
    lead_assignment, second, third, committee_staff
):
    group(committee_staff, [lead_assignment.proposal, second], lead_assignment.agency)
    client = login(committee_staff)
    everything = client.get(reverse("dashboard"))
    assert {row.proposal.number for row in everything.context["page"]} == {"12", "15", "23"}
    grouped = client.get(reverse("dashboard"), {"grouped": "1"})
    assert {row.proposal.number for row in grouped.context["page"]} == {"12", "15"}
    assert grouped.content.decode().count('title="与其他建议并案办理">并案</span>') == 2
    assert 'name="proposal" value="' in everything.content.decode()  # rows to tick for 并案办理
    assert "并案办理：1组，共2件" in client.get(reverse("statistics")).content.decode()
