"""XLSX rendering (openpyxl): one sheet with the document's table, header row bold, fitted column widths."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from apprights.service.documents.models import (
    PUBLIC_NOTICE_COLUMNS,
    RECTIFICATION_PROBLEM_COLUMNS,
    REMOVAL_COLUMNS,
    Document,
    PublicNotice,
    RectificationNotice,
    RemovalOrder,
    public_notice_table,
    rectification_problem_table,
    removal_table,
    zh_date,
)

MAX_COLUMN_WIDTH = 60
MIN_COLUMN_WIDTH = 6
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
_WRAP = Alignment(wrap_text=True, vertical="top")


def _display_width(text: str) -> int:
    # East Asian wide/fullwidth characters take two columns in Excel's width units.
    longest = 0
    for line in text.splitlines() or [""]:
        longest = max(longest, sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line))
    return longest


def _put(ws: Worksheet, row: int, col: int, value: str) -> None:
    cell = ws.cell(row=row, column=col)
    # Control characters are not allowed in XLSX XML; drop them rather than fail on hostile input.
    cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
    # Always a string: a store-supplied name like "=HYPERLINK(...)" must never become a formula.
    cell.data_type = "s"
    cell.alignment = _WRAP


def _table_sheet(ws: Worksheet, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [_display_width(h) for h in header]
    for c, h in enumerate(header, start=1):
        _put(ws, 1, c, h)
        ws.cell(row=1, column=c).font = _HEADER_FONT
        ws.cell(row=1, column=c).fill = _HEADER_FILL
        ws.cell(row=1, column=c).alignment = Alignment(horizontal="center", vertical="center")
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            _put(ws, r, c, value)
            widths[c - 1] = max(widths[c - 1], _display_width(value))
    for c, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = max(MIN_COLUMN_WIDTH, min(MAX_COLUMN_WIDTH, w + 2))
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"


def _info_sheet(ws: Worksheet, items: Sequence[tuple[str, str]]) -> None:
    _table_sheet(ws, ("项目", "内容"), items)


def render_xlsx(doc: Document) -> bytes:
    """An XLSX workbook for ``doc``: the table sheet first (exact published headers), then document info."""
    wb = Workbook()
    first = wb.active
    assert first is not None
    if isinstance(doc, PublicNotice):
        first.title = "通报"
        _table_sheet(first, PUBLIC_NOTICE_COLUMNS, public_notice_table(doc))
        info = [("标题", doc.title), ("批次", doc.batch_no), ("发布日期", zh_date(doc.issued_on))]
        info += [("说明", doc.intro)] if doc.intro else []
        info += [("发布单位", doc.issuer)] if doc.issuer else []
    elif isinstance(doc, RemovalOrder):
        first.title = "下架"
        _table_sheet(first, REMOVAL_COLUMNS, removal_table(doc))
        info = [("标题", doc.title), ("发布日期", zh_date(doc.issued_on))]
        info += [("说明", doc.intro)] if doc.intro else []
        info += [("发布单位", doc.issuer)] if doc.issuer else []
    elif isinstance(doc, RectificationNotice):
        first.title = "问题"
        _table_sheet(first, RECTIFICATION_PROBLEM_COLUMNS, rectification_problem_table(doc))
        info = [
            ("通知编号", doc.notice_no),
            ("发文日期", zh_date(doc.issued_on)),
            ("整改期限", f"请于{zh_date(doc.deadline)}前完成整改并反馈"),
            ("企业名称", doc.enterprise_name),
            ("统一社会信用代码", doc.enterprise_uscc),
            ("应用名称", doc.app_name),
            ("应用包名", doc.package),
            ("应用版本", doc.version),
            ("应用来源", doc.store),
            ("发文单位", doc.issuer),
        ]
    else:
        raise TypeError(f"not a document: {type(doc).__name__}")
    _info_sheet(wb.create_sheet("信息"), info)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
