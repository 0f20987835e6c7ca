"""Hostile imports (SEC-24, SEC-25): each is refused with a Chinese message and a 400, nothing
is saved, and the refusal is fast and does not blow up memory."""

import io
import re
import resource
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook

from proposals.models import Proposal, Session

pytestmark = pytest.mark.django_db

CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)


@pytest.fixture
def session(db):
    return Session.objects.create(name="市五届人大一次会议", year=2022)


@pytest.fixture
def staff(committee_staff):
    client = Client()
    client.force_login(committee_staff)
    return client


def workbook_bytes(rows=(), extra: dict[str, bytes] | None = None) -> bytes:
    """A real workbook, optionally with parts added or replaced."""
    book = Workbook()
    for row in rows:
        book.active.append(row)
    plain = io.BytesIO()
    book.save(plain)
    if not extra:
        return plain.getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename not in extra:
                target.writestr(item, source.read(item.filename))
        for name, data in extra.items():
            target.writestr(name, data)
    return out.getvalue()


def zip_with(entries) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("xl/workbook.xml", "<workbook/>")
        for entry, data in entries:
            archive.writestr(entry, data)
    return out.getvalue()


def symlink_entry() -> zipfile.ZipInfo:
    info = zipfile.ZipInfo("xl/worksheets/sheet2.xml")
    info.external_attr = 0o120777 << 16
    return info


SHEET = (
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>&%s;</t></is></c></row></sheetData></worksheet>'
)
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY lol0 "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, b"&lol%d;" % (i - 1) * 10) for i in range(1, 10))
    + b"]>"
    + SHEET % b"lol9"
)
XXE = (
    b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + SHEET % b"xxe"
)


def hostile_files():
    yield "renamed executable", "清单.xlsx", b"MZ\x90\x00" + b"\x00" * 500, "内容不是 Excel 文件"
    yield "macro workbook", "清单.xlsm", workbook_bytes(), "不接受含宏"
    yield (
        "macro part in xlsx",
        "清单.xlsx",
        workbook_bytes(extra={"xl/vbaProject.bin": b"\x00" * 64}),
        "不接受含宏",
    )
    yield (
        "zeros bomb",
        "清单.xlsx",
        zip_with([("xl/worksheets/sheet1.xml", b"0" * (200 * 2**20))]),
        "解压后过大",
    )
    yield (
        "ten thousand entries",
        "清单.xlsx",
        zip_with([(f"xl/media/{i}.xml", b"x") for i in range(10_000)]),
        "解压后过大",
    )
    yield "zip slip", "清单.xlsx", zip_with([("../../etc/cron.d/x", b"x")]), "结构异常"
    yield "absolute path", "清单.xlsx", zip_with([("/etc/passwd", b"x")]), "结构异常"
    yield "symlink", "清单.xlsx", zip_with([(symlink_entry(), b"/etc/passwd")]), "链接条目"
    yield (
        "nested archive",
        "清单.xlsx",
        zip_with([("xl/embeddings/inner.zip", b"PK\x03\x04")]),
        "内嵌了压缩包",
    )
    yield (
        "billion laughs",
        "清单.xlsx",
        workbook_bytes(extra={"xl/worksheets/sheet1.xml": BILLION_LAUGHS}),
        "无法解析",
    )
    yield "external entity", "清单.xlsx", workbook_bytes(extra={"xl/worksheets/sheet1.xml": XXE}), "无法解析"
    yield (
        "not a workbook",
        "清单.xlsx",
        zip_with([]).replace(b"xl/workbook.xml", b"xl/notebook.xml"),
        "不是有效的",
    )


@pytest.mark.parametrize(
    "label, name, data, message", list(hostile_files()), ids=[f[0] for f in hostile_files()]
)
def test_hostile_imports_are_refused_fast_and_small(staff, session, label, name, data, message):
    peak_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = staff.post(reverse("intake"), {"session": session.pk, "file": SimpleUploadedFile(name, data)})
    seconds = time.perf_counter() - started
    growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - peak_before) / 1024
    assert response.status_code == 400 and message in response.content.decode(), label
    assert Proposal.objects.count() == 0
    assert seconds < 2, f"{label}: {seconds:.2f} s"
    assert growth_mb < 200, f"{label}: +{growth_mb:.0f} MB"


def test_a_sheet_over_the_row_cap_is_refused(staff, session):
    header = ["编号", "标题", "类别", "领衔代表", "联名代表", "主办单位", "协办单位", "交办日期", "重点督办"]
    data = workbook_bytes(
        [header] + [[str(n), "标题", "", "代表", "", "单位", "", "2022-03-15", ""] for n in range(5_002)]
    )
    response = staff.post(
        reverse("intake"), {"session": session.pk, "file": SimpleUploadedFile("清单.xlsx", data)}
    )
    assert response.status_code == 400 and "一次最多导入 5000 行" in response.content.decode()


def test_an_oversized_sheet_is_refused_from_its_size_before_its_rows_are_read(staff, session):
    header = ["编号", "标题", "类别", "领衔代表", "联名代表", "主办单位", "协办单位", "交办日期", "重点督办"]
    rows = [[str(n), "标题", "", "代表", "", "单位", "", "2022-03-15", ""] for n in range(6_000)]
    data = workbook_bytes([header] + rows)
    response = staff.post(
        reverse("intake"), {"session": session.pk, "file": SimpleUploadedFile("清单.xlsx", data)}
    )
    # The count comes from the sheet's own <dimension>: no row was parsed to know it.
    assert "一次最多导入 5000 行（文件有 6000 行），请分成几个文件导入。" in response.content.decode()
    # A sheet that does not state its size is still cut off at the limit.
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                content = re.sub(rb"<dimension[^>]*/>", b"", content)
            target.writestr(item, content)
    response = staff.post(
        reverse("intake"), {"session": session.pk, "file": SimpleUploadedFile("清单.xlsx", out.getvalue())}
    )
    assert (
        response.status_code == 400
        and "一次最多导入 5000 行，请分成几个文件导入。" in response.content.decode()
    )
    assert Proposal.objects.count() == 0


def test_more_than_ten_megabytes_or_five_files_is_refused(staff, session):
    big = SimpleUploadedFile("清单.csv", b"a," * (5 * 2**20 + 1))
    response = staff.post(reverse("intake"), {"session": session.pk, "file": big})
    assert response.status_code == 400 and "文件超过 10 MB" in response.content.decode()
    files = {f"file{n}": SimpleUploadedFile(f"{n}.csv", b"a") for n in range(6)}
    response = staff.post(reverse("intake"), {"session": session.pk, **files})
    assert response.status_code == 400
    assert Proposal.objects.count() == 0
