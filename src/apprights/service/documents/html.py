"""HTML rendering of the regulator's documents (Jinja2 templates shipped in this package)."""

from __future__ import annotations

from typing import Any

import jinja2

from apprights.service.documents.models import (
    PUBLIC_NOTICE_COLUMNS,
    REMOVAL_COLUMNS,
    Document,
    PublicNotice,
    RectificationNotice,
    RemovalOrder,
    public_notice_table,
    removal_table,
    zh_date,
)


def _environment() -> jinja2.Environment:
    # Autoescape everything: app names, developers and evidence come from enterprises and stores.
    return jinja2.Environment(
        loader=jinja2.PackageLoader("apprights.service.documents", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _context(doc: Document) -> tuple[str, dict[str, Any]]:
    if isinstance(doc, RectificationNotice):
        return "rectification_notice.html.j2", {
            "doc": doc,
            "doc_title": f"{doc.notice_no} 整改通知",
            "deadline_zh": zh_date(doc.deadline),
            "issued_zh": zh_date(doc.issued_on),
        }
    if isinstance(doc, PublicNotice):
        return "public_notice.html.j2", {
            "doc": doc,
            "doc_title": doc.title,
            "columns": PUBLIC_NOTICE_COLUMNS,
            "rows": public_notice_table(doc),
            "issued_zh": zh_date(doc.issued_on),
        }
    if isinstance(doc, RemovalOrder):
        return "removal_order.html.j2", {
            "doc": doc,
            "doc_title": doc.title,
            "columns": REMOVAL_COLUMNS,
            "rows": removal_table(doc),
            "issued_zh": zh_date(doc.issued_on),
        }
    raise TypeError(f"not a document: {type(doc).__name__}")


def render_html(doc: Document) -> str:
    """A self-contained HTML page (inline CSS, CJK font stack) for ``doc``."""
    template_name, context = _context(doc)
    return _environment().get_template(template_name).render(**context)
