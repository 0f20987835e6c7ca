"""Intake: reading and checking a session's proposal list from Excel (.xlsx) or CSV, and the
import template. The write, all rows or none, is proposals.workflow.intake.

The file is checked before it is parsed (size, real xlsx/csv, no macros, no zip bomb), every
row is checked, and only a file without errors is saved, in one transaction. Importing the
same file again changes nothing and says so (未变化): proposals are keyed by session and number,
assignments by proposal and agency (their original 交办 date and role are kept; a missing 交办
date is filled in). 交办日期 may be empty (committee staff see it under 缺交办日期 in their 待办);
a date that cannot be read is an error naming the row and the column. The template's example
row (编号 or 标题 starting with 示例) is skipped, so importing the untouched template creates
nothing.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.conf import settings

from proposals.models import (
    Agency,
    Proposal,
    ProposalKind,
    Role,
)
from proposals.supervision.spreadsheets import xlsx_book

COLUMNS = [
    "编号",
    "标题",
    "类别",
    "领衔代表",
    "联名代表",
    "主办单位",
    "协办单位",
    "会办单位",
    "交办日期",
    "重点督办",
]
# The columns a file must have; 协办单位, 会办单位, 类别, 联名代表 and 重点督办 may be left out.
# 交办日期 must be there (a list without it is more likely misnamed than undated) but a cell
# may be empty.
REQUIRED = ["编号", "标题", "领衔代表", "主办单位", "交办日期"]
CO_COLUMNS = (("协办单位", Role.CO), ("会办单位", Role.JOINT))
EXAMPLE_MARK = "示例"
DATE_HINT = "请写成 2026-12-01 或 2026年12月1日"
MAX_ROWS = 5000
MAX_UNCOMPRESSED = 100 * 2**20
MAX_ENTRIES = 1000
MAX_RATIO = 100
NESTED_ARCHIVES = (".zip", ".xlsx", ".xlsm", ".docx", ".jar", ".gz", ".7z", ".rar")
NAME_SPLIT = re.compile(r"[、，,；;\s]+")


class IntakeRefused(ValueError):
    """The file itself is refused before any row is read."""


class TooManyRows(Exception):
    """The sheet says it has more rows than one import takes (the count without the header)."""


CREATED, UPDATED, UNCHANGED, SKIPPED = "新增", "更新", "未变化", "已跳过"


@dataclass
class RowReport:
    """What the import did with one row of the file: 新增, 更新 (with what changed), 未变化 or
    已跳过 (the template's example row), and notes such as a kept original 交办日期."""

    line: int
    number: str
    title: str
    status: str = UNCHANGED
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class IntakeResult:
    errors: list[str] = field(default_factory=list)
    reports: list[RowReport] = field(default_factory=list)

    def _count(self, status: str) -> int:
        return sum(report.status == status for report in self.reports)

    @property
    def created(self) -> int:
        return self._count(CREATED)

    @property
    def updated(self) -> int:
        return self._count(UPDATED)

    @property
    def unchanged(self) -> int:
        return self._count(UNCHANGED)

    @property
    def skipped(self) -> int:
        return self._count(SKIPPED)


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
        sheet = book.worksheets[0]
        # The sheet's own size (its <dimension> element) refuses an oversized list before a row
        # is parsed; a file without it is still cut off at the limit below.
        if (sheet.max_row or 0) - 1 > MAX_ROWS:
            raise TooManyRows(sheet.max_row - 1)
        for row in sheet.iter_rows(values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS + 1:
                break
    except TooManyRows as too_many:
        raise IntakeRefused(
            f"一次最多导入 {MAX_ROWS} 行（文件有 {too_many.args[0]} 行），请分成几个文件导入。"
        ) from None
    except Exception as problem:  # any parser failure is the file's fault, never a crash
        raise IntakeRefused("Excel 文件内容无法解析（格式错误或含有不安全的内容），不予导入。") from problem
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


DATE_TEXT = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]0{1,2}:00(?::00)?)?|(\d{4})年(\d{1,2})月(\d{1,2})日"
)


def _date(value) -> datetime.date | None:
    """The date in a cell: an Excel date, 2026-12-01, 2026/12/1, 2026.12.1 or 2026年12月1日
    (a CSV export's midnight time is ignored); None when it cannot be read."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = re.sub(r"\s+", " ", _text(value)).replace("/", "-").replace(".", "-")
    match = DATE_TEXT.fullmatch(text)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups() if g is not None)
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _date_problem(column: str, value) -> tuple[datetime.date | None, str]:
    """(date, "") for a readable or empty cell, (None, the error) for one that cannot be read."""
    if _text(value) == "":
        return None, ""
    day = _date(value)
    if day is None:
        return None, f"“{column}”不是有效日期（“{_text(value)}”），{DATE_HINT}"
    return day, ""


def is_example(cells: dict) -> bool:
    """The template's example row: its 编号 or 标题 starts with 示例."""
    return any(_text(cells.get(column)).startswith(EXAMPLE_MARK) for column in ("编号", "标题"))


@dataclass
class Row:
    number: str
    title: str
    kind: str
    authors: list[str]
    lead_agency: Agency
    co_agencies: list[tuple[Agency, str]]  # (agency, Role.CO or Role.JOINT), in file order
    assigned: datetime.date | None
    key_supervision: bool
    line: int = 0


def parse(rows: list[list], agencies: dict[str, Agency]) -> tuple[list[Row], list[str], list[RowReport]]:
    """Checked rows, the row-level errors (Chinese, naming the row and the column) and the
    skipped example rows."""
    if not rows:
        return [], ["文件是空的。"], []
    header = [_text(cell) for cell in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        return [], [f"第1行（表头）缺少列：{'、'.join(missing)}。请使用导入模板。"], []
    if len(rows) - 1 > MAX_ROWS:
        return [], [f"一次最多导入 {MAX_ROWS} 行，请分成几个文件导入。"], []
    at = {name: header.index(name) for name in COLUMNS if name in header}
    parsed, errors, skipped, seen = [], [], [], {}
    for line, raw in enumerate(rows[1:], start=2):
        cells = {name: (raw[index] if index < len(raw) else None) for name, index in at.items()}
        if all(_text(v) == "" for v in cells.values()):
            continue
        if is_example(cells):
            skipped.append(
                RowReport(
                    line,
                    _text(cells.get("编号")),
                    _text(cells.get("标题")),
                    SKIPPED,
                    notes=["模板示例行，未导入"],
                )
            )
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
        co_agencies: list[tuple[Agency, str]] = []
        listed_in: dict[Agency, str] = {}
        for column, role in CO_COLUMNS:
            for name in (n for n in NAME_SPLIT.split(_text(cells.get(column))) if n):
                agency = agencies.get(name)
                if agency is None:
                    problems.append(f"{column}“{name}”不存在")
                elif agency == lead_agency:
                    continue  # the lead handles it anyway, as before
                elif agency in listed_in:
                    if listed_in[agency] != column:
                        problems.append(f"“{name}”同时列在{listed_in[agency]}和{column}中，请只留一处")
                else:
                    listed_in[agency] = column
                    co_agencies.append((agency, role))
        assigned, problem = _date_problem("交办日期", cells.get("交办日期"))
        if problem:
            problems.append(problem)
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
                line,
            )
        )
    if not parsed and not errors:
        if skipped:
            lines = "、".join(f"第{report.line}行" for report in skipped)
            errors.append(
                f"文件中没有可导入的建议：{lines}是模板的示例行（编号或标题以“示例”开头），不会导入。"
                "请删除示例行，从第2行起填写要导入的建议。"
            )
        else:
            errors.append("文件中没有数据行。")
    return parsed, errors, skipped


def agency_index() -> dict[str, Agency]:
    index = {}
    for agency in Agency.objects.all():
        index[agency.name] = agency
        if agency.short_name:
            index.setdefault(agency.short_name, agency)
    return index


COLUMN_HELP = [
    ("编号", "必填。本届次内的编号，如 12 或 74227。编号或标题以“示例”开头的行是示例，不会导入。"),
    ("标题", "必填。建议、议案或提案的标题。"),
    ("类别", "建议、议案或提案；不填视为建议。"),
    ("领衔代表", "必填。领衔代表或第一提案人的姓名。"),
    ("联名代表", "其他提出人，用顿号、逗号或空格分开。"),
    ("主办单位", "必填。承办单位全称或简称，见“承办单位”表。"),
    ("协办单位", "可填多个，用顿号分开；向主办单位提交会办意见。"),
    ("会办单位", "可填多个，用顿号分开；向主办单位提交会办意见。同一单位不能同时列在协办和会办中。"),
    ("交办日期", "写成 2026-12-01 或 2026年12月1日，也可用 Excel 日期。暂时不知道可以留空，以后补填。"),
    ("重点督办", "是或否；不填视为否。"),
]


def template_xlsx() -> bytes:
    """The import template: the header, one example row that the importer skips, a sheet that
    explains each column and the list of agencies as they must be written."""
    agencies = list(Agency.objects.order_by("name").values_list("name", "short_name"))
    names = [name for name, _ in agencies] + ["", "", ""]
    example = [
        f"{EXAMPLE_MARK}1",
        f"{EXAMPLE_MARK}：关于××××的建议（示例行，不会导入，可删除）",
        "建议",
        "示例代表甲",
        "示例代表乙、示例代表丙",
        names[0] or "随州市××局",
        names[1],
        names[2],
        "2026-03-15",
        "否",
    ]
    return xlsx_book(
        [
            ("建议提案清单", COLUMNS, [example], (8, 48, 8, 12, 24, 30, 30, 30, 12, 10)),
            ("填写说明", ["列", "说明"], COLUMN_HELP, (12, 90)),
            ("承办单位", ["全称", "简称"], agencies, (36, 20)),
        ]
    )
