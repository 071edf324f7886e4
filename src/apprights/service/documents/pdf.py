"""PDF rendering through WeasyPrint with an embedded CJK font."""

from __future__ import annotations

import logging

from apprights.errors import AppRightsError
from apprights.service.documents.html import render_html
from apprights.service.documents.models import Document

log = logging.getLogger(__name__)

CJK_FONT_FAMILY = "WenQuanYi Micro Hei"


class FontUnavailableError(AppRightsError):
    """The CJK font the documents are typeset in is not installed: the PDF would show tofu boxes."""


def render_pdf(doc: Document) -> bytes:
    """A4 PDF of ``doc`` typeset in WenQuanYi Micro Hei (embedded as a subset).

    Raises ``FontUnavailableError`` when that font is not installed (Debian: ``fonts-wqy-microhei``) rather
    than producing a PDF whose Chinese text may be unreadable.
    """
    import weasyprint  # heavy import (Pango, cairo-free layout): only when a PDF is wanted

    document = weasyprint.HTML(string=render_html(doc)).render()
    pdf: bytes = document.write_pdf()
    # ``fonts`` is filled by write_pdf with the fonts actually embedded (WeasyPrint >= 61).
    fonts = getattr(document, "fonts", None)
    if fonts is not None:
        families = {str(getattr(f, "family", "")) for f in fonts.values()}
        if CJK_FONT_FAMILY not in families:
            raise FontUnavailableError(
                f"font {CJK_FONT_FAMILY!r} is not installed (Debian/Ubuntu: apt install fonts-wqy-microhei); "
                f"fonts used instead: {sorted(families)} / 未安装文泉驿微米黑字体"
            )
        for f in fonts.values():
            missing = getattr(f, "missing", None)
            if missing:
                log.warning(
                    "font %s has no glyph for %d character(s), e.g. U+%04X",
                    getattr(f, "family", "?"),
                    len(missing),
                    next(iter(missing)),
                )
    return pdf
