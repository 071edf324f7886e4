"""HTML rendering: structure, exact headers, escaping of hostile names."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from apprights.service.documents import (
    PUBLIC_NOTICE_COLUMNS,
    REMOVAL_COLUMNS,
    render_html,
)
from tests.service.documents import samples


class _Tables(HTMLParser):
    """Collects th/td texts per row and the names of all start tags."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.tags: list[str] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def _parse(html: str) -> _Tables:
    p = _Tables()
    p.feed(html)
    return p


def test_public_notice_table_exact_columns_and_merged_rows() -> None:
    t = _parse(render_html(samples.public_notice()))
    assert tuple(t.rows[0]) == PUBLIC_NOTICE_COLUMNS
    body = t.rows[1:]
    assert [r[0] for r in body] == ["1", "2", "3"]
    assert body[1] == [
        "2",
        "快看天气",
        "深圳某某网络有限公司",
        "小米应用商店",
        "3.1.4",
        "超范围收集个人信息、欺骗误导用户下载APP",
    ]
    assert body[2][3] == "应用宝"


def test_removal_table_exact_columns() -> None:
    t = _parse(render_html(samples.removal_order()))
    assert tuple(t.rows[0]) == REMOVAL_COLUMNS
    assert t.rows[2] == ["2", "速读小说", "杭州某某信息技术有限公司", "2.0.1"]


def test_rectification_notice_content() -> None:
    html = render_html(samples.rectification_notice())
    for text in (
        "北京某某科技有限公司",
        "91110108MA01ABCD2X",
        "com.example.news",
        "5.2.0",
        "华为应用市场",
        "违规收集个人信息",
        "第1类",
        "ulogs.umeng.com",
        "工信管函〔2026〕第128号",
        "2026年9月30日",
    ):
        assert text in html, text
    assert "请于2026年10月13日前完成整改并反馈" in html


@pytest.mark.parametrize(
    "doc",
    [
        samples.rectification_notice(samples.HOSTILE_NAME),
        samples.public_notice(samples.HOSTILE_NAME),
        samples.removal_order(samples.HOSTILE_NAME),
    ],
    ids=["notice", "public", "removal"],
)
def test_hostile_app_name_is_escaped(doc: object) -> None:
    html = render_html(doc)  # type: ignore[arg-type]
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "script" not in _parse(html).tags
    assert re.search(r"alert\(&#34;x&#34;\)|alert\(&quot;x&quot;\)", html)


def test_not_a_document_is_type_error() -> None:
    with pytest.raises(TypeError):
        render_html("not a document")  # type: ignore[arg-type]
