"""Excel files the portal writes: a bold header row, and no cell that can run as a formula."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")


def safe_cell(value):
    """A spreadsheet value that can never run as a formula: risky text gets a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def xlsx(title: str, header: Sequence[str], rows: Iterable[Sequence], widths: Sequence[int] = ()) -> bytes:
    """One sheet: the header in bold, then the rows, every text cell made safe."""
    return xlsx_book([(title, header, rows, widths)])


def xlsx_book(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence], Sequence[int]]]) -> bytes:
    """Several sheets (title, header, rows, column widths), each as `xlsx` writes one."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    for title, header, rows, widths in sheets:
        sheet = book.create_sheet(title)
        sheet.append(list(header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([safe_cell(value) for value in row])
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
