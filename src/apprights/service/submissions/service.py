"""Record a submission: the raw bytes go to disk by sha256 and a ``Submission`` row is written BEFORE anything
parses them, so a rejected or partly rejected submission is kept as it came. The caller commits the row right
away (``receive`` then ``session.commit()``), parses, and records the outcome with ``finish``."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy.orm import Session

from apprights.errors import InputError
from apprights.service.db import utc_naive
from apprights.service.files import adopt_blob, blob_path, safe_name, write_blob
from apprights.service.submissions.models import Submission
from apprights.service.uploads import SpooledBody

OUTCOMES = ("received", "accepted", "partial", "rejected", "duplicate")
MAX_ERRORS = 1000
MAX_RECORDED_SIZE = 2**31 - 1  # the column is a 32-bit integer; a larger declared size is recorded as this


def receive(
    session: Session,
    data_dir: Path,
    *,
    kind: str,
    content: bytes = b"",
    now: datetime,
    filename: str = "",
    content_type: str = "",
    user_id: int | None = None,
    actor: str = "",
    channel: str = "api",
    agency_id: int | None = None,
    enterprise_id: int | None = None,
    province_code: str | None = None,
    store_id: int | None = None,
    max_bytes: int | None = None,
    sync: bool = True,
    spooled: SpooledBody | None = None,
) -> Submission:
    """Keep ``content`` (or the ``spooled`` body, moved into the store without reading it) and add its row
    (flushed, not committed). Over ``max_bytes`` (or a spooled body over its cap) the bytes are not kept: the
    row records the size and the refusal (outcome ``rejected``)."""
    if spooled is not None:
        size = spooled.size
        too_big = spooled.too_big or (max_bytes is not None and size > max_bytes)
        tmp = None if too_big else spooled.release()
        sha = adopt_blob(data_dir, tmp, spooled.sha256, sync=sync) if tmp is not None else ""
    else:
        size = len(content)
        too_big = max_bytes is not None and size > max_bytes
        sha = "" if too_big else write_blob(data_dir, content, sync=sync)
    row = Submission(
        kind=kind[:32],
        channel=channel[:16],
        sha256=sha,
        size=min(size, MAX_RECORDED_SIZE),
        filename=safe_name(filename) if filename else "",
        content_type=(content_type or "application/octet-stream")[:100],
        submitted_by=user_id,
        actor=actor[:100],
        agency_id=agency_id,
        enterprise_id=enterprise_id,
        province_code=province_code,
        store_id=store_id,
        received_at=utc_naive(now),
        outcome="received",
        items_received=0,
        items_accepted=0,
        errors="[]",
    )
    if too_big:
        if max_bytes is None and spooled is not None:
            max_bytes = spooled.cap
        row.outcome = "rejected"
        row.errors = orjson.dumps(
            [{"where": filename[:100] or kind, "message": f"文件过大 / larger than {max_bytes} bytes"}]
        ).decode()
    session.add(row)
    session.flush()
    return row


def receive_from(
    session: Session,
    data_dir: Path,
    principal: Any,
    *,
    kind: str,
    content: bytes = b"",
    now: datetime,
    filename: str = "",
    content_type: str = "",
    max_bytes: int | None = None,
    channel: str = "api",
    spooled: SpooledBody | None = None,
) -> Submission:
    """``receive`` for an API or web caller (a ``deps.Principal``): who, and on whose behalf."""
    return receive(
        session,
        data_dir,
        kind=kind,
        content=content,
        now=now,
        filename=filename,
        content_type=content_type,
        user_id=principal.user_id,
        actor=principal.actor,
        agency_id=principal.agency_id,
        enterprise_id=principal.enterprise_id,
        province_code=principal.province_code,
        store_id=principal.store_id,
        max_bytes=max_bytes,
        channel=channel,
        spooled=spooled,
    )


def finish(
    row: Submission,
    *,
    received: int,
    accepted: int,
    errors: Iterable[tuple[str, str]] = (),
    duplicates: int = 0,
    outcome: str | None = None,
) -> Submission:
    """Record what came of the submission; the outcome follows from the counts unless given."""
    errs = [{"where": w[:300], "message": m[:1000]} for w, m in list(errors)[:MAX_ERRORS]]
    row.items_received = received
    row.items_accepted = accepted
    row.errors = orjson.dumps(errs).decode()
    if outcome is None:
        if accepted and (errs or accepted + duplicates < received):
            outcome = "partial"
        elif accepted:
            outcome = "accepted"
        elif duplicates and not errs:
            outcome = "duplicate"
        elif duplicates:
            outcome = "partial"
        else:
            outcome = "rejected"
    row.outcome = outcome
    return row


def raw_bytes(data_dir: Path, row: Submission) -> bytes:
    """The bytes exactly as submitted (checked against their sha256)."""
    if not row.sha256:
        raise InputError(
            f"submission {row.id}", "内容未保存（超过大小上限）/ bytes not kept (over the size cap)"
        )
    path = blob_path(data_dir, row.sha256)
    try:
        data = path.read_bytes()
    except OSError:
        raise InputError(f"submission {row.id}", "存储文件缺失 / stored file is missing") from None
    if hashlib.sha256(data).hexdigest() != row.sha256:
        raise InputError(f"submission {row.id}", "存储文件校验失败 / stored file does not match its sha256")
    return data


def report_line(data: bytes, line: int) -> bytes:
    """Line ``line`` (1-based, as numbered by ``scans.ingest.parse_payload``) of a JSON-Lines batch; 0 = all."""
    if line <= 0:
        return data
    lines = data.splitlines()
    if line > len(lines):
        raise InputError("report", f"line {line} is not in the stored file")
    return lines[line - 1]


def errors_of(row: Submission) -> list[dict[str, str]]:
    try:
        v = orjson.loads(row.errors or "[]")
    except orjson.JSONDecodeError:
        return []
    return v if isinstance(v, list) else []
