"""Statistics as files: CSV and XLSX, with Vietnamese headers.

Text cells that a spreadsheet would read as a formula (starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return, as an agency or procedure
name may) are written with a leading apostrophe, so they stay text (OWASP,
CSV injection). Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font

from dossiers.queries import Stats, StatsRow

COLUMNS = (
    ("agency_id", "Cơ quan"),
    ("procedure_code", "Thủ tục"),
    ("received", "Tiếp nhận"),
    ("received_online", "Trực tuyến"),
    ("received_in_person", "Trực tiếp"),
    ("received_backfilled", "Nhập bù"),
    ("resolved_on_time", "Giải quyết đúng hạn"),
    ("resolved_late", "Giải quyết quá hạn"),
    ("in_progress", "Đang giải quyết"),
    ("overdue", "Đang quá hạn"),
    ("returned_for_supplement", "Yêu cầu bổ sung"),
    ("on_time_rate", "Tỷ lệ đúng hạn (%)"),
    ("agency_name", "Tên cơ quan"),
    ("procedure_name", "Tên thủ tục"),
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    """``value``, with text that would start a formula made plain text."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _values(row: StatsRow) -> list[object]:
    values: list[object] = []
    for name, _ in COLUMNS:
        value = getattr(row, name)
        if name == "on_time_rate":
            value = "" if value is None else round(value * 100, 1)
        values.append(_cell(value))
    return values


def to_csv(stats: Stats) -> str:
    """UTF-8 CSV (with BOM so spreadsheet programs read the diacritics)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([label for _, label in COLUMNS])
    for row in [*stats.rows, stats.total()]:
        writer.writerow(_values(row))
    return "\ufeff" + out.getvalue()


def to_xlsx(stats: Stats, *, title: str) -> bytes:
    """An XLSX workbook with one sheet and a bold total line."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Thống kê"
    sheet.append([_cell(title)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([label for _, label in COLUMNS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in [*stats.rows, stats.total()]:
        sheet.append(_values(row))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
