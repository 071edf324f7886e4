"""PDF rendering: text layer, embedded CJK font, real glyphs (no tofu), rendered pixels."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import ContentStream

from apprights.service.documents import (
    PUBLIC_NOTICE_COLUMNS,
    REMOVAL_COLUMNS,
    render_pdf,
)
from tests.service.documents import samples


def _text(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def _fonts(pdf: bytes) -> set[str]:
    names: set[str] = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            names.add(str(ref.get_object()["/BaseFont"]))
    return names


def _glyph_ids(pdf: bytes) -> list[int]:
    """All glyph ids shown on the pages (fonts are Identity-H: two bytes per glyph)."""
    reader = PdfReader(io.BytesIO(pdf))
    gids: list[int] = []
    for page in reader.pages:
        for operands, op in ContentStream(page.get_contents(), reader).operations:
            parts = operands[0] if op == b"TJ" else operands[:1] if op == b"Tj" else []
            for s in parts:
                if isinstance(s, str | bytes):
                    raw = getattr(s, "original_bytes", None) or (s if isinstance(s, bytes) else b"")
                    gids += [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw) - 1, 2)]
    return gids


@pytest.fixture(scope="module")
def public_pdf() -> bytes:
    return render_pdf(samples.public_notice())


def test_public_notice_text_layer(public_pdf: bytes) -> None:
    assert public_pdf.startswith(b"%PDF-")
    text = _text(public_pdf)
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
    gids = _glyph_ids(public_pdf)
    assert len(gids) > 100
    assert 0 not in gids  # glyph 0 is .notdef: a tofu box


def test_missing_glyph_check_detects_tofu() -> None:
    # U+20000 (CJK Extension B) is not in WenQuanYi Micro Hei: the check above must notice it.
    gids = _glyph_ids(render_pdf(samples.removal_order("\U00020000\U00020001")))
    assert 0 in gids


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
