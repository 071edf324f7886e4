"""XLSX rendering re-read with openpyxl."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from apprights.service.documents import (
    PUBLIC_NOTICE_COLUMNS,
    RECTIFICATION_PROBLEM_COLUMNS,
    REMOVAL_COLUMNS,
    PublicNoticeRow,
    render_xlsx,
)
from tests.service.documents import samples


def _sheet_rows(data: bytes, index: int = 0) -> tuple[object, list[tuple[object, ...]]]:
    wb = load_workbook(io.BytesIO(data))
    ws = wb.worksheets[index]
    return ws, [tuple(r) for r in ws.iter_rows(values_only=True)]


def test_public_notice_headers_rows_and_style() -> None:
    ws, rows = _sheet_rows(render_xlsx(samples.public_notice()))
    assert rows[0] == PUBLIC_NOTICE_COLUMNS
    assert rows[2] == (
        "2",
        "快看天气",
        "深圳某某网络有限公司",
        "小米应用商店",
        "3.1.4",
        "超范围收集个人信息、欺骗误导用户下载APP",
    )
    assert len(rows) == 4
    assert all(c.font.bold for c in ws[1])  # type: ignore[attr-defined]
    assert not ws["B2"].font.bold  # type: ignore[index]
    widths = {k: d.width for k, d in ws.column_dimensions.items()}  # type: ignore[attr-defined]
    # the problems column is wider than the number column, and CJK text counts double
    assert widths["F"] > widths["A"] >= 6
    assert widths["C"] >= 2 * len("深圳某某网络有限公司")


def test_removal_headers() -> None:
    _, rows = _sheet_rows(render_xlsx(samples.removal_order()))
    assert rows[0] == REMOVAL_COLUMNS
    assert rows[1] == ("1", "掌上新闻", "北京某某科技有限公司", "5.2.0")


def test_rectification_notice_sheets() -> None:
    data = render_xlsx(samples.rectification_notice())
    _, problems = _sheet_rows(data, 0)
    assert problems[0] == RECTIFICATION_PROBLEM_COLUMNS
    assert problems[1][2] == "用户同意隐私政策前收集设备标识符（IMEI）"
    assert "ulogs.umeng.com" in str(problems[1][3])
    _, info = _sheet_rows(data, 1)
    assert ("整改期限", "请于2026年10月13日前完成整改并反馈") in info
    assert ("统一社会信用代码", "91110108MA01ABCD2X") in info


def test_formula_and_control_characters_are_plain_text() -> None:
    doc = samples.public_notice('=HYPERLINK("http://evil.example","点我")')
    doc.rows.append(PublicNoticeRow("坏\x00名\x07字", "dev", "store", "1.0", ["+cmd|' /C calc'!A0"]))
    wb = load_workbook(io.BytesIO(render_xlsx(doc)))
    ws = wb.worksheets[0]
    assert ws["B2"].data_type == "s"
    assert ws["B2"].value == '=HYPERLINK("http://evil.example","点我")'
    assert ws["B5"].value == "坏名字"
    assert ws["F5"].value == "+cmd|' /C calc'!A0" and ws["F5"].data_type == "s"
