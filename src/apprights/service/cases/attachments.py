"""Evidence files of an enterprise's response (screenshots, documents of the rebuilt version): ``stored_files``
rows owned by the response, kept on disk by sha256 like every other evidence file."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from apprights.errors import InputError
from apprights.service import audit
from apprights.service.audit.service import Acting
from apprights.service.cases.models import CaseResponse
from apprights.service.files import store_file
from apprights.service.leads.models import StoredFile

OWNER_KIND = "case_response"
MAX_FILES = 10  # per response


def attach(
    session: Session,
    data_dir: Path,
    response: CaseResponse,
    *,
    actor: Acting,
    filename: str,
    content: bytes,
    content_type: str,
    now: datetime,
    max_bytes: int,
) -> StoredFile:
    """Keep one evidence file for ``response`` (refused over ``max_bytes`` or past ``MAX_FILES``); audited on
    the case."""
    if count(session, response.id) >= MAX_FILES:
        raise InputError(
            filename[:100] or "file", f"每条反馈最多 {MAX_FILES} 个附件 / at most {MAX_FILES} files"
        )
    row = store_file(
        session,
        data_dir,
        owner_kind=OWNER_KIND,
        owner_id=response.id,
        filename=filename or "file",
        content=content,
        content_type=content_type,
        now=now,
        max_bytes=max_bytes,
    )
    audit.record_by(
        session,
        actor,
        now=now,
        entity="case",
        entity_id=response.case_id,
        action="response_file",
        reason=row.filename,
        evidence=[f"response:{response.id}", f"file:{row.id}", f"sha256:{row.sha256}"],
    )
    return row


def count(session: Session, response_id: int) -> int:
    return len(files_of(session, [response_id]).get(response_id, []))


def files_of(session: Session, response_ids: Iterable[int]) -> dict[int, list[StoredFile]]:
    """Each response's files in upload order."""
    ids = list(response_ids)
    out: dict[int, list[StoredFile]] = defaultdict(list)
    if not ids:
        return out
    rows = session.scalars(
        select(StoredFile)
        .where(StoredFile.owner_kind == OWNER_KIND, StoredFile.owner_id.in_(ids))
        .order_by(StoredFile.id)
    )
    for row in rows:
        out[row.owner_id].append(row)
    return out


def file_of(session: Session, case_id: int, response_id: int, file_id: int) -> StoredFile | None:
    """The file ``file_id`` when it belongs to response ``response_id`` of case ``case_id``."""
    resp = session.get(CaseResponse, response_id)
    row = session.get(StoredFile, file_id)
    if resp is None or resp.case_id != case_id or row is None:
        return None
    if row.owner_kind != OWNER_KIND or row.owner_id != resp.id:
        return None
    return row
