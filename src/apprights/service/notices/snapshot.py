"""The snapshot of a published notice: its document frozen as data (JSON) and as rendered HTML/PDF with their
sha256, taken once at publication. A published 通报 or removal order is what the regulator said that day:
later renames of apps or enterprises, new versions or case changes do not alter it."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from apprights.service.db import utc_naive
from apprights.service.documents import (
    Document,
    FontUnavailableError,
    NoticeProblem,
    PublicNotice,
    PublicNoticeRow,
    RectificationNotice,
    RemovalOrder,
    RemovalRow,
    render_html,
    render_pdf,
)
from apprights.service.notices.models import NoticeSnapshot

log = logging.getLogger(__name__)


def freeze(doc: Document) -> str:
    """The document as JSON (dates as ISO strings), with its type."""
    data = {"type": type(doc).__name__, **dataclasses.asdict(doc)}
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=_iso)


def _iso(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot freeze {type(value).__name__}")


def thaw(raw: str) -> Document:
    """The document back from ``freeze``'s JSON."""
    data: dict[str, Any] = json.loads(raw)
    kind = data.pop("type")
    data["issued_on"] = date.fromisoformat(data["issued_on"])
    if kind == "PublicNotice":
        data["rows"] = [PublicNoticeRow(**r) for r in data["rows"]]
        return PublicNotice(**data)
    if kind == "RemovalOrder":
        data["rows"] = [RemovalRow(**r) for r in data["rows"]]
        return RemovalOrder(**data)
    if kind == "RectificationNotice":
        data["deadline"] = date.fromisoformat(data["deadline"])
        data["problems"] = [NoticeProblem(**p) for p in data["problems"]]
        return RectificationNotice(**data)
    raise ValueError(f"unknown document type {kind!r} in a notice snapshot")


def take(session: Session, notice_id: int, doc: Document, now: datetime) -> NoticeSnapshot:
    """Freeze ``doc`` as notice ``notice_id`` publishes it (HTML always; PDF when the CJK font is installed)."""
    html = render_html(doc)
    pdf: bytes | None
    try:
        pdf = render_pdf(doc)
    except FontUnavailableError as e:  # the HTML and the data are still frozen; the PDF renders from them
        log.warning("notice %s published without a PDF snapshot: %s", notice_id, e)
        pdf = None
    snap = NoticeSnapshot(
        notice_id=notice_id,
        taken_at=utc_naive(now),
        document=freeze(doc),
        html=html,
        html_sha256=hashlib.sha256(html.encode("utf-8")).hexdigest(),
        pdf=pdf,
        pdf_sha256=hashlib.sha256(pdf).hexdigest() if pdf is not None else "",
    )
    session.add(snap)
    session.flush()
    return snap
