"""The regulator's documents in Chinese: rectification notice (整改通知), public notice (通报), removal order
(下架通知). Plain dataclasses in, HTML / PDF / XLSX bytes out.
"""

from __future__ import annotations

from apprights.service.documents.html import render_html
from apprights.service.documents.models import (
    PUBLIC_NOTICE_COLUMNS,
    RECTIFICATION_PROBLEM_COLUMNS,
    REMOVAL_COLUMNS,
    Document,
    NoticeProblem,
    PublicNotice,
    PublicNoticeRow,
    RectificationNotice,
    RemovalOrder,
    RemovalRow,
    zh_date,
)
from apprights.service.documents.pdf import CJK_FONT_FAMILY, FontUnavailableError, render_pdf
from apprights.service.documents.xlsx import render_xlsx

__all__ = [
    "CJK_FONT_FAMILY",
    "PUBLIC_NOTICE_COLUMNS",
    "RECTIFICATION_PROBLEM_COLUMNS",
    "REMOVAL_COLUMNS",
    "Document",
    "FontUnavailableError",
    "NoticeProblem",
    "PublicNotice",
    "PublicNoticeRow",
    "RectificationNotice",
    "RemovalOrder",
    "RemovalRow",
    "render_html",
    "render_pdf",
    "render_xlsx",
    "zh_date",
]
