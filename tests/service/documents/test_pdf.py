"""PDF rendering: text layer, embedded CJK font, real glyphs (no tofu), rendered pixels."""

from __future__ import annotations

import io
import logging
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ContentStream

from apprights.service.documents import (
    PUBLIC_NOTICE_COLUMNS,
    REMOVAL_COLUMNS,
    PublicNoticeRow,
    render_pdf,
)
from tests.service.documents import samples

REPO = Path(__file__).resolve().parents[3]


def _text(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def _fonts(pdf: bytes) -> set[str]:
    names: set[str] = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            names.add(str(ref.get_object()["/BaseFont"]))
    return names


def _shown_glyphs(pdf: bytes) -> list[tuple[str, int, bool]]:
    """(font, glyph id, glyph is real) for every glyph shown on the pages.

    The fonts are Identity-H CID fonts (two bytes per glyph id, CIDToGIDMap /Identity). A glyph is real when
    its id exists in the embedded font program and has an outline (or stands for whitespace). WeasyPrint
    shows a character the font lacks with an id beyond the font's glyphs or .notdef: a tofu box.
    """
    reader = PdfReader(io.BytesIO(pdf))
    shown: list[tuple[str, int, bool]] = []
    for page in reader.pages:
        fonts = {}
        for res_name, ref in page["/Resources"]["/Font"].items():
            font = ref.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            program = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
            cmap = font["/ToUnicode"].get_object().get_data().decode("latin-1")
            spaces = {
                int(g, 16)
                for g, u in re.findall(r"<([0-9a-f]{4})> <([0-9a-f]{4,})>", cmap, re.I)
                if bytes.fromhex(u).decode("utf-16-be", "replace").isspace()
            }
            fonts[res_name] = (str(font["/BaseFont"]), program, spaces)
        current = None
        for operands, op in ContentStream(page.get_contents(), reader).operations:
            if op == b"Tf":
                current = fonts[operands[0]]
                continue
            parts = operands[0] if op == b"TJ" else operands[:1] if op == b"Tj" else []
            for s in parts:
                raw = getattr(s, "original_bytes", None) or (s if isinstance(s, bytes) else None)
                if raw is None or current is None:
                    continue
                name, program, spaces = current
                order = program.getGlyphOrder()
                for i in range(0, len(raw) - 1, 2):
                    gid = int.from_bytes(raw[i : i + 2], "big")
                    real = 0 < gid < len(order) and (
                        gid in spaces or program["glyf"][order[gid]].numberOfContours != 0
                    )
                    shown.append((name, gid, real))
    return shown


@pytest.fixture(scope="module")
def public_pdf() -> bytes:
    return render_pdf(samples.public_notice())


def test_public_notice_text_layer(public_pdf: bytes) -> None:
    assert public_pdf.startswith(b"%PDF-")
    text = re.sub(r"\s+", "", _text(public_pdf))  # cell text wraps inside table cells
    for col in PUBLIC_NOTICE_COLUMNS:
        assert col in text, col
    for name in ("掌上新闻", "快看天气", "深圳某某网络有限公司", "关于侵害用户权益行为的APP通报"):
        assert name in text, name


def test_removal_and_notice_text_layer() -> None:
    text = _text(render_pdf(samples.removal_order()))
    assert all(c in text for c in REMOVAL_COLUMNS) and "速读小说" in text
    text = _text(render_pdf(samples.rectification_notice(samples.HOSTILE_NAME)))
    assert "请于2026年10月13日前完成整改并反馈" in text.replace("\n", "")
    assert "<script>" in text  # escaped in HTML, shown literally in the document


def test_only_the_embedded_wenquanyi_font_is_used(public_pdf: bytes) -> None:
    fonts = _fonts(public_pdf)
    assert fonts and all("WenQuanYi-Micro-Hei" in f for f in fonts), fonts
    reader = PdfReader(io.BytesIO(public_pdf))
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            descendant = ref.get_object()["/DescendantFonts"][0].get_object()
            descriptor = descendant["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor  # embedded TrueType program, not a reference


def test_no_missing_glyphs(public_pdf: bytes) -> None:
    shown = _shown_glyphs(public_pdf)
    assert len(shown) > 100
    assert [g for g in shown if not g[2]] == []


def test_missing_glyph_check_detects_tofu() -> None:
    # U+20000 (CJK Extension B) is not in WenQuanYi Micro Hei: the check above must notice it.
    shown = _shown_glyphs(render_pdf(samples.removal_order("\U00020000\U00020001")))
    assert len([g for g in shown if not g[2]]) == 2


def _page_pixels(pdf: bytes, tmp_path: Path, dpi: int = 60) -> tuple[int, int, bytes]:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) not installed")
    tmp_path.mkdir(parents=True, exist_ok=True)
    src = tmp_path / "doc.pdf"
    src.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-gray", "-f", "1", "-l", "1", str(src), str(tmp_path / "page")],
        check=True,
        timeout=30,
    )
    (pgm,) = tmp_path.glob("page*.pgm")
    data = pgm.read_bytes()
    # binary PGM: "P5\n<w> <h>\n<max>\n" then one byte per pixel
    header = data.split(maxsplit=4)
    assert header[0] == b"P5"
    width, height = int(header[1]), int(header[2])
    return width, height, data[len(data) - width * height :]


def test_rendered_title_has_ink_and_differs_from_tofu(public_pdf: bytes, tmp_path: Path) -> None:
    w, h, px = _page_pixels(public_pdf, tmp_path / "a")
    title_band = px[int(h * 0.06) * w : int(h * 0.14) * w]
    dark = sum(1 for v in title_band if v < 128)
    assert dark > 300, "title area is blank"
    # The same layout with every character replaced by one missing from the font renders boxes; a real
    # rendering of the Chinese title must differ from it.
    tofu_doc = samples.public_notice()
    tofu_doc.title = "\U00020000" * len(tofu_doc.title)
    w2, h2, px2 = _page_pixels(render_pdf(tofu_doc), tmp_path / "b")
    tofu_band = px2[int(h2 * 0.06) * w2 : int(h2 * 0.14) * w2]
    differing = sum(1 for a, b in zip(title_band, tofu_band, strict=True) if abs(a - b) > 64)
    assert differing > 300


def test_missing_cjk_font_is_an_error_not_tofu(tmp_path: Path) -> None:
    # A fontconfig that only knows DejaVu (no CJK glyphs): rendering must refuse instead of emitting boxes.
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
        f"<dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>{tmp_path / 'cache'}</cachedir></fontconfig>",
        encoding="utf-8",
    )
    code = (
        "from tests.service.documents import samples\n"
        "from apprights.service.documents import FontUnavailableError, render_pdf\n"
        "try:\n    render_pdf(samples.removal_order())\nexcept FontUnavailableError as e:\n    print('ERR', e)\n"
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    r = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=REPO,
        check=True,
    )
    assert r.stdout.startswith("ERR font 'WenQuanYi Micro Hei' is not installed"), r.stdout + r.stderr


def test_glyphs_missing_from_the_font_are_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="apprights.service.documents.pdf"):
        render_pdf(samples.removal_order("\U00020000"))
    assert any("U+20000" in r.getMessage() for r in caplog.records)


def test_long_public_notice_repeats_the_header_on_every_page() -> None:
    doc = samples.public_notice()
    doc.rows = [
        PublicNoticeRow(
            f"应用{i:03d}", f"开发者{i:03d}有限公司", "华为应用市场", f"1.{i}.0", ["违规收集个人信息"]
        )
        for i in range(120)
    ]
    reader = PdfReader(io.BytesIO(render_pdf(doc)))
    assert len(reader.pages) >= 3
    for page in reader.pages:
        text = re.sub(r"\s+", "", page.extract_text())
        assert "".join(PUBLIC_NOTICE_COLUMNS) in text  # thead repeated
    assert "应用119" in re.sub(r"\s+", "", reader.pages[-1].extract_text())
