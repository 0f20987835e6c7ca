"""Re-importing a proposal list never rewrites what a letter printed (issue 14 §2): once a reply
is in review or out, a row changing the proposal's 类别, 标题 or 提出人 is refused with the row
named; no row gives a proposal a second 主办; every change an import makes is audited per
proposal, before and after."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from proposals.models import Assignment, AuditEvent, Proposal, Role
from proposals.supervision import intake
from tests.conftest import login

pytestmark = pytest.mark.django_db


def csv_file(rows) -> bytes:
    import csv

    out = io.StringIO()
    csv.writer(out).writerows([intake.COLUMNS, *rows])
    return out.getvalue().encode("utf-8-sig")


def row_of(proposal: Proposal, **change) -> list[str]:
    """The proposal as a row of the import file (unchanged unless told)."""
    lead = proposal.assignments.get(role=Role.LEAD)
    co = proposal.assignments.filter(role=Role.CO).values_list("agency__name", flat=True)
    joint = proposal.assignments.filter(role=Role.JOINT).values_list("agency__name", flat=True)
    authors = proposal.author_names()
    cells = {
        "编号": proposal.number,
        "标题": proposal.title,
        "类别": proposal.kind,
        "领衔代表": authors[0],
        "联名代表": "、".join(authors[1:]),
        "主办单位": lead.agency.name,
        "协办单位": "、".join(co),
        "会办单位": "、".join(joint),
        "交办日期": lead.assigned_date.isoformat() if lead.assigned_date else "",
        "重点督办": "是" if proposal.key_supervision else "否",
    }
    cells.update(change)
    return [cells[column] for column in intake.COLUMNS]


def import_rows(committee_staff, proposal, rows) -> str:
    response = login(committee_staff).post(
        reverse("intake"),
        {"session": proposal.session_id, "file": SimpleUploadedFile("清单.csv", csv_file(rows))},
    )
    assert response.status_code in (200, 400)  # 400: the file was refused, row by row
    return response.content.decode()


def facts(proposal: Proposal) -> tuple:
    proposal.refresh_from_db()
    return (proposal.kind, proposal.title, proposal.author_names(), proposal.assignments.count())


@pytest.mark.parametrize("stage", ["submitted", "issued"])
@pytest.mark.parametrize(
    "change,named",
    [
        ({"类别": "提案"}, "类别"),
        ({"标题": "关于改善营商环境的建议"}, "标题"),
        ({"领衔代表": "王强"}, "提出人"),
        ({"联名代表": "李芸、赵敏"}, "提出人"),
    ],
)
def test_a_row_that_would_change_a_printed_fact_is_refused(request, stage, change, named, committee_staff):
    reply = request.getfixturevalue(stage)
    proposal = reply.proposal
    before = facts(proposal)
    html = import_rows(committee_staff, proposal, [row_of(proposal, **change)])
    status = "已答复" if stage == "issued" else "待审核"
    assert (
        f"第2行：第{proposal.number}号随州市人力资源和社会保障局的答复已“{status}”，{named}不能再通过导入修改"
        in html
    )
    assert facts(proposal) == before
    assert not AuditEvent.objects.filter(event="proposal_import").exists()
    if stage == "issued":
        letter = login(request.getfixturevalue("clerk")).get(reverse("reply_detail", args=[reply.pk]))
        assert "第12号建议" in letter.content.decode().replace(" ", "")


def test_an_import_never_gives_a_second_lead_agency(issued, committee_staff, outsider):
    proposal = issued.proposal
    html = import_rows(committee_staff, proposal, [row_of(proposal, 主办单位="随州市教育局")])
    assert "导入不更换主办单位（文件中为“随州市教育局”）" in html
    assert proposal.assignments.filter(role=Role.LEAD).count() == 1
    assert not Assignment.objects.filter(proposal=proposal, agency=outsider.agency).exists()
    # The other agency's clerk still cannot open the proposal or the letter.
    assert login(outsider).get(reverse("proposal_detail", args=[proposal.pk])).status_code == 404
    assert login(outsider).get(reverse("reply_detail", args=[issued.pk])).status_code == 404


def test_one_refused_row_saves_nothing_from_the_others(issued, committee_staff):
    proposal = issued.proposal
    new_row = row_of(proposal, 编号="99", 标题="关于加强职业教育的建议")
    html = import_rows(committee_staff, proposal, [new_row, row_of(proposal, 类别="提案")])
    assert "第3行" in html and not Proposal.objects.filter(number="99").exists()


def test_a_draft_may_still_change_and_each_change_is_audited_with_before_and_after(draft, committee_staff):
    proposal = draft.proposal
    old_title = proposal.title
    html = import_rows(
        committee_staff, proposal, [row_of(proposal, 标题="关于化解企业招工难问题的建议", 重点督办="是")]
    )
    assert "更新 1 件" in html
    event = AuditEvent.objects.get(event="proposal_import")
    assert event.object_type == "proposals.Proposal" and event.object_id == str(proposal.pk)
    assert event.detail["changes"]["title"] == [old_title, "关于化解企业招工难问题的建议"]
    assert event.detail["changes"]["key_supervision"] == [False, True]
    page = login(committee_staff).get(reverse("audit_log")).content.decode()
    assert "导入建议（逐条）" in page
    assert f"标题：{old_title} → 关于化解企业招工难问题的建议" in page
    # The same file again: nothing changes and nothing is audited as a change.
    proposal.refresh_from_db()
    import_rows(committee_staff, proposal, [row_of(proposal)])
    assert AuditEvent.objects.filter(event="proposal_import").count() == 1


def test_a_new_proposal_is_audited_once(draft, committee_staff):
    proposal = draft.proposal
    import_rows(committee_staff, proposal, [row_of(proposal, 编号="99", 标题="关于加强职业教育的建议")])
    created = Proposal.objects.get(number="99")
    event = AuditEvent.objects.get(event="proposal_import")
    assert event.object_id == str(created.pk) and event.detail["action"] == "create"
