"""Intake of a session's proposal list: all or nothing, row-level errors, refused files."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from proposals.models import Agency, Assignment, AuditEvent, Proposal, Session
from proposals.supervision import intake

pytestmark = pytest.mark.django_db

HEADER = intake.COLUMNS
GOOD_ROWS = [
    [
        "12",
        "关于化解企业招工难的建议",
        "建议",
        "沈宝栋",
        "李芸、王强",
        "随州市人力资源和社会保障局",
        "市总工会",
        "2022-03-15",
        "是",
    ],
    ["13", "关于加强职业教育的建议", "", "王芳", "", "市教育局", "", "2022/3/15", "否"],
    [
        "14",
        "关于改善农村公路的议案",
        "议案",
        "纪占斌",
        "刘洋，陈静",
        "随州市交通运输局",
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
    assert "导入成功：新增 3 件，更新 0 件" in response.content.decode()
    p12 = Proposal.objects.get(session=session, number="12")
    assert p12.author_names() == ["沈宝栋", "李芸", "王强"] and p12.key_supervision
    assert sorted(p12.assignments.values_list("agency__short_name", "role")) == [
        ("市人社局", "lead"),
        ("市总工会", "co"),
    ]
    assert Proposal.objects.get(number="14").kind == "议案"
    assert Proposal.objects.get(number="14").author_names() == ["纪占斌", "刘洋", "陈静"]
    assert str(Assignment.objects.get(proposal__number="13").assigned_date) == "2022-03-15"
    assert AuditEvent.objects.filter(event="import", outcome="ok").count() == 1


def test_importing_the_same_file_twice_creates_no_duplicates(agencies, session, staff):
    data = csv_bytes([HEADER, *GOOD_ROWS])
    upload(staff, session, "清单.csv", data)
    first = (Proposal.objects.count(), Assignment.objects.count())
    Assignment.objects.filter(proposal__number="12", role="lead").update(assigned_date="2022-03-10")
    response = upload(staff, session, "清单.csv", data)
    assert "新增 0 件，更新 3 件" in response.content.decode()
    assert (Proposal.objects.count(), Assignment.objects.count()) == first
    # The original 交办 date is kept.
    assert str(Assignment.objects.get(proposal__number="12", role="lead").assigned_date) == "2022-03-10"


def test_one_bad_row_saves_nothing_and_every_error_names_its_row(agencies, session, staff):
    rows = [
        HEADER,
        *GOOD_ROWS,
        ["15", "关于某事的建议", "建议", "张三", "", "随州市不存在局", "", "2022-03-15", ""],
        ["12", "重复编号的建议", "建议", "李四", "", "市人社局", "", "2022-03-15", ""],
        ["16", "", "建议", "王五", "", "市人社局", "", "2022-02-30", "可能"],
        ["17", "关于某事的提议", "意见", "", "", "市人社局", "市不存在办", "", ""],
    ]
    response = upload(staff, session, "清单.xlsx", xlsx(rows))
    html = response.content.decode()
    assert "未导入任何内容" in html
    assert "第5行：主办单位“随州市不存在局”不存在。" in html
    assert "第6行：编号“12”与第2行重复。" in html
    assert (
        "第7行：标题不能为空；交办日期“2022-02-30”无效（应为 2022-03-15）；重点督办应填“是”或“否”，不是“可能”。"
        in html
    )
    assert (
        "第8行：类别“意见”无效（可用：建议、议案、提案）；领衔代表不能为空；协办单位“市不存在办”不存在；交办日期“”无效"
        in html
    )
    assert Proposal.objects.count() == 0 and Assignment.objects.count() == 0


def test_a_fault_while_saving_rolls_back_every_row(agencies, session, monkeypatch):
    calls = []

    def fail_on_third(session_, row):
        calls.append(row.number)
        if len(calls) == 3:
            raise RuntimeError("模拟故障")
        return original(session_, row)

    original = intake._save_row
    monkeypatch.setattr(intake, "_save_row", fail_on_third)
    with pytest.raises(RuntimeError):
        intake.import_proposals(session, "清单.xlsx", xlsx([HEADER, *GOOD_ROWS]))
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


def test_the_template_downloads_and_imports(agencies, session, staff):
    response = staff.get(reverse("intake_template"))
    data = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[1]] == HEADER
    assert "导入成功：新增 1 件" in upload(staff, session, "模板.xlsx", data).content.decode()


def test_intake_is_for_committee_staff(agencies, session, clerk):
    client = Client()
    client.force_login(clerk)
    assert client.get(reverse("intake")).status_code == 403
    assert client.get(reverse("intake_template")).status_code == 403
