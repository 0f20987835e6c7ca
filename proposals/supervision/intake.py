"""Intake: a session's proposal list from Excel (.xlsx) or CSV, all or nothing.

The file is checked before it is parsed (size, real xlsx/csv, no macros, no zip bomb), every
row is checked, and only a file without errors is saved, in one transaction. Importing the
same file again changes nothing: proposals are keyed by session and number, assignments by
proposal and agency (their original 交办 date is kept).
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from proposals.models import (
    Agency,
    Assignment,
    Proposal,
    ProposalKind,
    Role,
    Session,
)
from proposals.supervision.spreadsheets import xlsx

COLUMNS = ["编号", "标题", "类别", "领衔代表", "联名代表", "主办单位", "协办单位", "交办日期", "重点督办"]
REQUIRED = ["编号", "标题", "领衔代表", "主办单位", "交办日期"]
MAX_ROWS = 5000
MAX_UNCOMPRESSED = 100 * 2**20
MAX_ENTRIES = 1000
MAX_RATIO = 100
NESTED_ARCHIVES = (".zip", ".xlsx", ".xlsm", ".docx", ".jar", ".gz", ".7z", ".rar")
NAME_SPLIT = re.compile(r"[、，,；;\s]+")


class IntakeRefused(ValueError):
    """The file itself is refused before any row is read."""


@dataclass
class IntakeResult:
    errors: list[str] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    rows: int = 0


def check_file(name: str, data: bytes) -> str:
    """'xlsx' or 'csv', or IntakeRefused with the reason."""
    if len(data) > settings.MAX_UPLOAD_BYTES:
        raise IntakeRefused(f"文件超过 {settings.MAX_UPLOAD_BYTES // 2**20} MB，不予导入。")
    lower = name.lower()
    if lower.endswith((".xlsm", ".xltm", ".xlsb", ".xls")):
        raise IntakeRefused("不接受含宏或旧格式的 Excel 文件，请另存为 .xlsx。")
    if lower.endswith(".xlsx"):
        if not data.startswith(b"PK\x03\x04"):
            raise IntakeRefused("文件扩展名是 .xlsx，但内容不是 Excel 文件。")
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            entries = archive.infolist()
        except zipfile.BadZipFile:
            raise IntakeRefused("Excel 文件已损坏，无法读取。") from None
        names = {entry.filename for entry in entries}
        if len(entries) > MAX_ENTRIES or sum(e.file_size for e in entries) > MAX_UNCOMPRESSED:
            raise IntakeRefused("Excel 文件解压后过大，不予导入。")
        if any(e.compress_size and e.file_size / e.compress_size > MAX_RATIO for e in entries):
            raise IntakeRefused("Excel 文件压缩比异常，不予导入。")
        if any(n.startswith("/") or "\\" in n or ".." in n.split("/") for n in names):
            raise IntakeRefused("Excel 文件结构异常，不予导入。")
        if any((e.external_attr >> 16) & 0o170000 == 0o120000 for e in entries):
            raise IntakeRefused("Excel 文件含有链接条目，不予导入。")
        if any(n.lower().endswith(NESTED_ARCHIVES) for n in names):
            raise IntakeRefused("Excel 文件内嵌了压缩包，不予导入。")
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise IntakeRefused("文件不是有效的 .xlsx 工作簿。")
        if any(n.lower().endswith("vbaproject.bin") for n in names) or b"macroEnabled" in archive.read(
            "[Content_Types].xml"
        ):
            raise IntakeRefused("不接受含宏的 Excel 文件。")
        return "xlsx"
    if lower.endswith(".csv"):
        if b"\x00" in data[:4096]:
            raise IntakeRefused("文件扩展名是 .csv，但内容不是文本。")
        return "csv"
    raise IntakeRefused("只接受 .xlsx 或 .csv 文件。")


def read_rows(kind: str, data: bytes) -> list[list]:
    if kind == "csv":
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise IntakeRefused("CSV 文件编码无法识别，请用 UTF-8 保存。")
        return list(csv.reader(io.StringIO(text)))
    from openpyxl import load_workbook

    rows = []
    try:
        # openpyxl parses through defusedxml: entity expansion (billion laughs) and external
        # entities (XXE) raise instead of being resolved.
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        for row in book.worksheets[0].iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + 1:
                break
    except Exception as problem:  # any parser failure is the file's fault, never a crash
        raise IntakeRefused("Excel 文件内容无法解析（格式错误或含有不安全的内容），不予导入。") from problem
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value).replace("/", "-").replace(".", "-")
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})|(\d{4})年(\d{1,2})月(\d{1,2})日", text)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups() if g is not None)
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


@dataclass
class Row:
    number: str
    title: str
    kind: str
    authors: list[str]
    lead_agency: Agency
    co_agencies: list[Agency]
    assigned: datetime.date
    key_supervision: bool


def parse(rows: list[list], agencies: dict[str, Agency]) -> tuple[list[Row], list[str]]:
    """Checked rows and the row-level errors (Chinese, naming the row and the column)."""
    if not rows:
        return [], ["文件是空的。"]
    header = [_text(cell) for cell in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [f"第1行（表头）缺少列：{'、'.join(missing)}。请使用导入模板。"]
    if len(rows) - 1 > MAX_ROWS:
        return [], [f"一次最多导入 {MAX_ROWS} 行。"]
    at = {name: header.index(name) for name in COLUMNS if name in header}
    parsed, errors, seen = [], [], {}
    for line, raw in enumerate(rows[1:], start=2):
        cells = {name: (raw[index] if index < len(raw) else None) for name, index in at.items()}
        if all(_text(v) == "" for v in cells.values()):
            continue
        problems = []
        number, title = _text(cells.get("编号")), _text(cells.get("标题"))
        if not number:
            problems.append("编号不能为空")
        elif number in seen:
            problems.append(f"编号“{number}”与第{seen[number]}行重复")
        else:
            seen[number] = line
        if not title:
            problems.append("标题不能为空")
        elif len(title) > Proposal._meta.get_field("title").max_length:
            problems.append("标题过长")
        kind = _text(cells.get("类别")) or ProposalKind.SUGGESTION
        if kind not in ProposalKind.values:
            problems.append(f"类别“{kind}”无效（可用：建议、议案、提案）")
        lead = _text(cells.get("领衔代表"))
        co_signers = [n for n in NAME_SPLIT.split(_text(cells.get("联名代表"))) if n]
        if not lead:
            problems.append("领衔代表不能为空")
        lead_name = _text(cells.get("主办单位"))
        lead_agency = agencies.get(lead_name)
        if not lead_name:
            problems.append("主办单位不能为空")
        elif lead_agency is None:
            problems.append(f"主办单位“{lead_name}”不存在")
        co_agencies = []
        for name in (n for n in NAME_SPLIT.split(_text(cells.get("协办单位"))) if n):
            if name not in agencies:
                problems.append(f"协办单位“{name}”不存在")
            elif agencies[name] != lead_agency and agencies[name] not in co_agencies:
                co_agencies.append(agencies[name])
        assigned = _date(cells.get("交办日期"))
        if assigned is None:
            problems.append(f"交办日期“{_text(cells.get('交办日期'))}”无效（应为 2022-03-15）")
        flag = _text(cells.get("重点督办"))
        if flag not in ("", "是", "否"):
            problems.append(f"重点督办应填“是”或“否”，不是“{flag}”")
        if problems:
            errors.append(f"第{line}行：{'；'.join(problems)}。")
            continue
        authors = [lead] + [n for n in co_signers if n != lead]
        parsed.append(
            Row(
                number,
                title,
                kind,
                list(dict.fromkeys(authors)),
                lead_agency,
                co_agencies,
                assigned,
                flag == "是",
            )
        )
    if not parsed and not errors:
        errors.append("文件中没有数据行。")
    return parsed, errors


def agency_index() -> dict[str, Agency]:
    index = {}
    for agency in Agency.objects.all():
        index[agency.name] = agency
        if agency.short_name:
            index.setdefault(agency.short_name, agency)
    return index


def import_proposals(session: Session, name: str, data: bytes) -> IntakeResult:
    """Check and import a proposal list into `session`; nothing is saved when anything is wrong."""
    kind = check_file(name, data)
    rows, errors = parse(read_rows(kind, data), agency_index())
    result = IntakeResult(errors=errors, rows=len(rows))
    if errors:
        return result
    with transaction.atomic():
        for row in rows:
            created = _save_row(session, row)
            result.created += created
            result.updated += not created
    return result


def _save_row(session: Session, row: Row) -> bool:
    proposal, created = Proposal.objects.get_or_create(
        session=session, number=row.number, defaults={"title": row.title, "kind": row.kind}
    )
    proposal.title, proposal.kind, proposal.key_supervision = row.title, row.kind, row.key_supervision
    proposal.save()
    proposal.set_authors(row.authors)
    for agency, role in [(row.lead_agency, Role.LEAD)] + [(a, Role.CO) for a in row.co_agencies]:
        Assignment.objects.get_or_create(
            proposal=proposal, agency=agency, defaults={"role": role, "assigned_date": row.assigned}
        )
    return created


def template_xlsx() -> bytes:
    """The import template: the header row and one example row."""
    example_agency = (
        Agency.objects.order_by("pk").values_list("name", flat=True).first() or "随州市人力资源和社会保障局"
    )
    example = [
        "12",
        "关于化解企业招工难的建议",
        "建议",
        "沈宝栋",
        "李芸、王强",
        example_agency,
        "",
        "2022-03-15",
        "否",
    ]
    return xlsx("建议提案清单", COLUMNS, [example], widths=(8, 40, 8, 12, 24, 30, 30, 12, 10))
