"""Intake of a session's proposal list: all or nothing, row-level errors, refused files."""

import datetime
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from proposals.models import Agency, Assignment, AuditEvent, Deputy, Proposal, Session
from proposals.supervision import intake

pytestmark = pytest.mark.django_db

HEADER = intake.COLUMNS
# 编号, 标题, 类别, 领衔代表, 联名代表, 主办单位, 协办单位, 会办单位, 交办日期, 重点督办
GOOD_ROWS = [
    [
        "12",
        "关于化解企业招工难的建议",
        "建议",
        "沈宝栋",
        "李芸、王强",
        "随州市人力资源和社会保障局",
        "市教育局",
        "市总工会",
        "2022-03-15",
        "是",
    ],
    ["13", "关于加强职业教育的建议", "", "王芳", "", "市教育局", "", "", "2022/3/15", "否"],
    [
        "14",
        "关于改善农村公路的议案",
        "议案",
        "纪占斌",
        "刘洋，陈静",
        "随州市交通运输局",
        "",
        "",
        "2022年3月16日",
        "",
    ],
]


@pytest.fixture
def agencies(db):
    Agency.objects.create(name="随州市人力资源和社会保障局", short_name="市人社局")
    Agency.objects.create(name="随州市总工会", short_name="市总工会")
    Agency.objects.create(name="随州市教育局", short_name="市教育局")
    Agency.objects.create(name="随州市交通运输局", short_name="市交通运输局")


@pytest.fixture
def session(db):
    return Session.objects.create(name="市五届人大一次会议", year=2022)


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows, encoding="utf-8-sig") -> bytes:
    import csv

    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def upload(client, session, name, data):
    return client.post(reverse("intake"), {"session": session.pk, "file": SimpleUploadedFile(name, data)})


@pytest.fixture
def staff(committee_staff):
    client = Client()
    client.force_login(committee_staff)
    return client


def test_import_creates_proposals_authors_and_assignments(agencies, session, staff):
    response = upload(staff, session, "清单.xlsx", xlsx([HEADER, *GOOD_ROWS]))
    assert "导入成功：新增 3 件，更新 0 件，未变化 0 件。" in response.content.decode()
    p12 = Proposal.objects.get(session=session, number="12")
    assert p12.author_names() == ["沈宝栋", "李芸", "王强"] and p12.key_supervision
    assert sorted(p12.assignments.values_list("agency__short_name", "role")) == [
        ("市人社局", "lead"),
        ("市总工会", "joint"),
        ("市教育局", "co"),
    ]
    assert Proposal.objects.get(number="14").kind == "议案"
    assert Proposal.objects.get(number="14").author_names() == ["纪占斌", "刘洋", "陈静"]
    assert str(Assignment.objects.get(proposal__number="13").assigned_date) == "2022-03-15"
    assert AuditEvent.objects.filter(event="import", outcome="ok").count() == 1


def test_agencies_in_the_huiban_column_get_joint_assignments_shown_as_huiban(agencies, session, staff):
    row = [
        "21",
        "关于推进劳动者技能培训的建议",
        "建议",
        "沈宝栋",
        "",
        "市人社局",
        "",
        "市总工会、市教育局",
        "",
        "",
    ]
    upload(staff, session, "清单.xlsx", xlsx([HEADER, row]))
    proposal = Proposal.objects.get(number="21")
    assert sorted(proposal.assignments.values_list("agency__short_name", "role")) == [
        ("市人社局", "lead"),
        ("市总工会", "joint"),
        ("市教育局", "joint"),
    ]
    page = staff.get(reverse("proposal_detail", args=[proposal.pk])).content.decode()
    for name in ("随州市总工会", "随州市教育局"):
        assert re.search(rf"<td>{name}</td>\s*<td>会办</td>", page), name


def test_a_list_in_the_old_format_without_huiban_column_still_imports(agencies, session, staff):
    old_header = [c for c in HEADER if c != "会办单位"]
    row = ["31", "关于加强职业教育的建议", "建议", "王芳", "", "市教育局", "市人社局", "2022-03-15", "否"]
    response = upload(staff, session, "旧清单.csv", csv_bytes([old_header, row]))
    assert "导入成功：新增 1 件" in response.content.decode()
    assert sorted(Assignment.objects.values_list("agency__short_name", "role")) == [
        ("市人社局", "co"),
        ("市教育局", "lead"),
    ]


def test_an_agency_in_both_xieban_and_huiban_is_an_error(agencies, session, staff):
    row = [
        "41",
        "关于某事的建议",
        "建议",
        "王芳",
        "",
        "市教育局",
        "市总工会",
        "随州市总工会",
        "2022-03-15",
        "",
    ]
    html = upload(staff, session, "清单.xlsx", xlsx([HEADER, *GOOD_ROWS, row])).content.decode()
    assert "第5行：“随州市总工会”同时列在协办单位和会办单位中，请只留一处。" in html
    assert Proposal.objects.count() == 0


def test_an_empty_assignment_date_is_accepted_and_said_so(agencies, session, staff):
    row = ["51", "关于增设社区养老服务站的建议", "建议", "王芳", "", "市人社局", "", "市总工会", "", "否"]
    response = upload(staff, session, "清单.xlsx", xlsx([HEADER, row]))
    html = response.content.decode()
    assert response.status_code == 200 and "导入成功：新增 1 件" in html
    assert "未填交办日期：补填后才能计算办理期限" in html
    assert list(Assignment.objects.values_list("assigned_date", flat=True)) == [None, None]
    # Committee staff are told to fill it in.
    assert "缺交办日期" in staff.get(reverse("home")).content.decode()
    # The next import of the list with the date fills it in, and says so.
    row[8] = "2022年4月1日"
    html = upload(staff, session, "清单.xlsx", xlsx([HEADER, row])).content.decode()
    assert "新增 0 件，更新 1 件，未变化 0 件" in html
    assert "补填市人社局的交办日期、补填市总工会的交办日期" in html
    assert {str(d) for d in Assignment.objects.values_list("assigned_date", flat=True)} == {"2022-04-01"}


@pytest.mark.parametrize(
    "cell",
    ["2022-02-30", "2022年13月1日", "下周一", "3月15日", "44635"],
)
def test_a_date_that_cannot_be_read_names_row_and_column_and_saves_nothing(agencies, session, staff, cell):
    row = ["61", "关于某事的建议", "建议", "王芳", "", "市教育局", "", "", cell, ""]
    response = upload(staff, session, "清单.csv", csv_bytes([HEADER, *GOOD_ROWS, row]))
    html = response.content.decode()
    assert response.status_code == 400 and "未导入任何内容" in html
    assert f"第5行：“交办日期”不是有效日期（“{cell}”），请写成 2026-12-01 或 2026年12月1日。" in html
    assert Proposal.objects.count() == 0 and Assignment.objects.count() == 0


def test_dates_as_excel_cells_and_with_midnight_times_are_read(agencies, session, staff):
    rows = [
        ["71", "关于某事的建议", "建议", "王芳", "", "市教育局", "", "", datetime.date(2022, 3, 15), ""],
        ["72", "关于另一事的建议", "建议", "王芳", "", "市教育局", "", "", "2022-03-16 00:00:00", ""],
        ["73", "关于第三事的建议", "建议", "王芳", "", "市教育局", "", "", " 2022.3.17 ", ""],
    ]
    assert "新增 3 件" in upload(staff, session, "清单.xlsx", xlsx([HEADER, *rows])).content.decode()
    assert [
        str(d)
        for d in Assignment.objects.order_by("proposal__number").values_list("assigned_date", flat=True)
    ] == [
        "2022-03-15",
        "2022-03-16",
        "2022-03-17",
    ]


def row_writes(queries) -> list[str]:
    """The statements of a request that wrote to proposals, authors, deputies or assignments."""
    tables = ("proposals_proposal", "proposals_proposalauthor", "proposals_deputy", "proposals_assignment")
    return [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and any(f'"{table}"' in q["sql"] for table in tables)
    ]


def test_reimporting_an_unchanged_file_reports_unchanged_and_writes_nothing(agencies, session, staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    data = csv_bytes([HEADER, *GOOD_ROWS])
    upload(staff, session, "清单.csv", data)
    first = (Proposal.objects.count(), Assignment.objects.count())
    with CaptureQueriesContext(connection) as queries:
        response = upload(staff, session, "清单.csv", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "导入成功：新增 0 件，更新 0 件，未变化 3 件。" in html
    assert html.count(">未变化</span>") == 3
    assert row_writes(queries.captured_queries) == []
    assert (Proposal.objects.count(), Assignment.objects.count()) == first
    second = AuditEvent.objects.filter(event="import").latest("seq")
    assert (second.detail["created"], second.detail["updated"], second.detail["unchanged"]) == (0, 0, 3)
    audit_page = staff.get(reverse("audit_log")).content.decode()
    assert "未变化" in audit_page


def test_reimporting_a_changed_file_updates_only_the_changed_rows(agencies, session, staff):
    upload(staff, session, "清单.csv", csv_bytes([HEADER, *GOOD_ROWS]))
    Assignment.objects.filter(proposal__number="12", role="lead").update(assigned_date="2022-03-10")
    changed = [list(row) for row in GOOD_ROWS]
    changed[1][1] = "关于加强中等职业教育的建议"
    changed[1][7] = "市总工会"
    response = upload(staff, session, "清单.csv", csv_bytes([HEADER, *changed]))
    html = response.content.decode()
    assert "新增 0 件，更新 1 件，未变化 2 件" in html
    assert "修改标题、增加会办单位市总工会" in html
    # The original 交办 date is kept, and the row says so.
    assert "市人社局的交办日期保留原来的2022年3月10日；如需更正，请在建议页面修改" in html
    assert str(Assignment.objects.get(proposal__number="12", role="lead").assigned_date) == "2022-03-10"
    assert Proposal.objects.get(number="13").title == "关于加强中等职业教育的建议"
    assert Proposal.objects.count() == 3 and Assignment.objects.count() == 6


def test_a_changed_role_is_not_applied_by_the_import_and_the_row_says_so(agencies, session, staff):
    upload(staff, session, "清单.csv", csv_bytes([HEADER, *GOOD_ROWS]))
    moved = [list(row) for row in GOOD_ROWS]
    moved[0][6], moved[0][7] = "市总工会", "市教育局"  # 协办 and 会办 swapped
    html = upload(staff, session, "清单.csv", csv_bytes([HEADER, *moved])).content.decode()
    assert "新增 0 件，更新 0 件，未变化 3 件" in html
    assert "市总工会已按会办交办，导入不改变办理方式；如需更正，请在建议页面修改" in html
    assert Assignment.objects.get(proposal__number="12", agency__short_name="市总工会").role == "joint"


def test_one_bad_row_saves_nothing_and_every_error_names_its_row(agencies, session, staff):
    rows = [
        HEADER,
        *GOOD_ROWS,
        ["15", "关于某事的建议", "建议", "张三", "", "随州市不存在局", "", "", "2022-03-15", ""],
        ["12", "重复编号的建议", "建议", "李四", "", "市人社局", "", "", "2022-03-15", ""],
        ["16", "", "建议", "王五", "", "市人社局", "", "", "2022-02-30", "可能"],
        ["17", "关于某事的提议", "意见", "", "", "市人社局", "市不存在办", "市也不存在办", "", ""],
    ]
    response = upload(staff, session, "清单.xlsx", xlsx(rows))
    html = response.content.decode()
    assert "未导入任何内容" in html
    assert "第5行：主办单位“随州市不存在局”不存在。" in html
    assert "第6行：编号“12”与第2行重复。" in html
    assert (
        "第7行：标题不能为空；“交办日期”不是有效日期（“2022-02-30”），请写成 2026-12-01 或 2026年12月1日；"
        "重点督办应填“是”或“否”，不是“可能”。" in html
    )
    assert (
        "第8行：类别“意见”无效（可用：建议、议案、提案）；领衔代表不能为空；协办单位“市不存在办”不存在；"
        "会办单位“市也不存在办”不存在。" in html
    )
    assert Proposal.objects.count() == 0 and Assignment.objects.count() == 0


def test_a_fault_while_saving_rolls_back_every_row(agencies, session, committee_staff, monkeypatch):
    from proposals.workflow import intake as importing

    calls = []

    def fail_on_third(session_, row, user):
        calls.append(row.number)
        if len(calls) == 3:
            raise RuntimeError("模拟故障")
        return original(session_, row, user)

    original = importing._save_row
    monkeypatch.setattr(importing, "_save_row", fail_on_third)
    with pytest.raises(RuntimeError):
        importing.import_proposals(session, committee_staff, "清单.xlsx", xlsx([HEADER, *GOOD_ROWS]))
    assert Proposal.objects.count() == 0


@pytest.mark.parametrize(
    "name,data,message",
    [
        ("清单.xlsx", b"this is not a spreadsheet", "内容不是 Excel 文件"),
        ("清单.exe", b"MZ\x90\x00", "只接受 .xlsx 或 .csv 文件"),
        ("清单.xlsm", b"PK\x03\x04", "不接受含宏"),
        ("清单.csv", b"\x00\x01\x02binary", "内容不是文本"),
    ],
)
def test_files_that_are_not_real_xlsx_or_csv_are_refused(agencies, session, staff, name, data, message):
    html = upload(staff, session, name, data).content.decode()
    assert message in html and Proposal.objects.count() == 0


def test_macro_workbook_renamed_to_xlsx_is_refused(agencies, session, staff):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/vbaProject.bin", b"\x00" * 100)
    assert "不接受含宏的 Excel 文件" in upload(staff, session, "清单.xlsx", data.getvalue()).content.decode()


def test_zip_bomb_is_refused_before_parsing(agencies, session, staff):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (20 * 2**20))
    assert "压缩比异常" in upload(staff, session, "清单.xlsx", data.getvalue()).content.decode()


def test_oversized_file_is_refused(agencies, session, staff, settings):
    settings.MAX_UPLOAD_BYTES = 1024
    html = upload(staff, session, "清单.csv", b"a" * 2048).content.decode()
    assert "文件超过" in html


def download_template(staff):
    response = staff.get(reverse("intake_template"))
    return b"".join(response.streaming_content)


def test_the_template_has_the_huiban_column_and_an_obviously_illustrative_row(
    seed_reply, union_agency, education_agency, staff
):
    book = load_workbook(io.BytesIO(download_template(staff)))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == HEADER
    assert "会办单位" in HEADER and HEADER.index("会办单位") == HEADER.index("协办单位") + 1
    assert sheet.max_row == 2
    example = [c.value for c in sheet[2]]
    assert example[0].startswith("示例") and example[1].startswith("示例：")
    # Not the seed's proposal 12 nor any real deputy.
    real_deputies = set(Deputy.objects.values_list("name", flat=True))
    assert real_deputies and not real_deputies & set(intake.NAME_SPLIT.split(f"{example[3]}、{example[4]}"))
    assert "招工难" not in example[1] and example[0] != "12"
    assert book.sheetnames == ["建议提案清单", "填写说明", "承办单位"]
    help_text = {row[0]: row[1] for row in book["填写说明"].iter_rows(min_row=2, values_only=True)}
    assert set(help_text) == set(HEADER) and "示例" in help_text["编号"] and "留空" in help_text["交办日期"]
    listed = {row[0] for row in book["承办单位"].iter_rows(min_row=2, values_only=True)}
    assert set(Agency.objects.values_list("name", flat=True)) == listed


def test_importing_the_untouched_template_creates_nothing_and_says_why(agencies, session, staff):
    response = upload(staff, session, "模板.xlsx", download_template(staff))
    html = response.content.decode()
    assert response.status_code == 400 and "未导入任何内容" in html
    assert "文件中没有可导入的建议：第2行是模板的示例行（编号或标题以“示例”开头），不会导入。" in html
    assert Proposal.objects.count() == 0 and Assignment.objects.count() == 0


def test_the_template_filled_in_below_the_example_imports_and_skips_the_example(agencies, session, staff):
    book = load_workbook(io.BytesIO(download_template(staff)))
    book.worksheets[0].append(GOOD_ROWS[1])
    out = io.BytesIO()
    book.save(out)
    html = upload(staff, session, "模板.xlsx", out.getvalue()).content.decode()
    assert "导入成功：新增 1 件，更新 0 件，未变化 0 件；跳过示例行 1 行。" in html
    assert "模板示例行，未导入" in html
    assert list(Proposal.objects.values_list("number", flat=True)) == ["13"]


def test_intake_is_for_committee_staff(agencies, session, clerk):
    client = Client()
    client.force_login(clerk)
    assert client.get(reverse("intake")).status_code == 403
    assert client.get(reverse("intake_template")).status_code == 403
