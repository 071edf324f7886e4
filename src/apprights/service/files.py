"""Evidence files on disk, content-addressed by sha256 under ``<data dir>/files``; never overwritten."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from fastapi import HTTPException, Response
from sqlalchemy.orm import Session

from apprights.errors import InputError
from apprights.service.db import utc_naive
from apprights.service.leads.models import StoredFile

_SAFE_NAME = re.compile(r"[^\w.\-() \u4e00-\u9fff]")


def blob_path(data_dir: Path, sha256: str) -> Path:
    return data_dir / "files" / sha256[:2] / sha256


def store_file(
    session: Session,
    data_dir: Path,
    *,
    owner_kind: str,
    owner_id: int,
    filename: str,
    content: bytes,
    content_type: str,
    now: datetime,
    max_bytes: int,
) -> StoredFile:
    if len(content) > max_bytes:
        raise InputError(filename[:100], f"文件过大 / larger than {max_bytes} bytes")
    sha = write_blob(data_dir, content)
    safe = _SAFE_NAME.sub("_", Path(filename.replace("\\", "/")).name)[:200] or "file"
    row = StoredFile(
        owner_kind=owner_kind,
        owner_id=owner_id,
        sha256=sha,
        size=len(content),
        filename=safe,
        content_type=(content_type or "application/octet-stream")[:100],
        stored_at=utc_naive(now),
    )
    session.add(row)
    session.flush()
    return row


def record_kept_file(
    session: Session,
    *,
    sha256: str,
    size: int,
    owner_kind: str,
    owner_id: int,
    filename: str,
    content_type: str,
    now: datetime,
) -> StoredFile:
    """The ``StoredFile`` row of bytes already kept in the blob store under ``sha256`` (nothing is read)."""
    row = StoredFile(
        owner_kind=owner_kind,
        owner_id=owner_id,
        sha256=sha256,
        size=size,
        filename=safe_name(filename),
        content_type=(content_type or "application/octet-stream")[:100],
        stored_at=utc_naive(now),
    )
    session.add(row)
    session.flush()
    return row


def safe_name(filename: str) -> str:
    return _SAFE_NAME.sub("_", Path(filename.replace("\\", "/")).name)[:200] or "file"


def write_blob(data_dir: Path, content: bytes, *, sync: bool = True) -> str:
    """Keep ``content`` under its sha256 (once: the same bytes again are not rewritten); returns the sha256."""
    sha = hashlib.sha256(content).hexdigest()
    path = blob_path(data_dir, sha)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(content)
                fh.flush()
                if sync:
                    os.fsync(fh.fileno())
            os.replace(tmp, path)  # atomic: a half-written file is never visible under its hash
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return sha


def adopt_blob(data_dir: Path, tmp: Path, sha256: str, *, sync: bool = True) -> str:
    """Move the already hashed file ``tmp`` (on the same file system) into the store under ``sha256``."""
    path = blob_path(data_dir, sha256)
    if path.exists():
        tmp.unlink(missing_ok=True)
        return sha256
    path.parent.mkdir(parents=True, exist_ok=True)
    if sync:
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    os.replace(tmp, path)
    return sha256


def read_file(data_dir: Path, row: StoredFile) -> bytes:
    data = blob_path(data_dir, row.sha256).read_bytes()
    if hashlib.sha256(data).hexdigest() != row.sha256:
        raise InputError(row.filename, "存储文件校验失败 / stored file does not match its sha256")
    return data


def content_disposition(filename: str, disposition: str = "attachment", *, fallback: str = "") -> str:
    """A ``Content-Disposition`` value any client reads: an ASCII ``filename`` fallback and the real name
    (``截图.png``) as RFC 5987 / RFC 6266 ``filename*=UTF-8''…``. Path parts, quotes and control characters
    never reach the header."""
    name = Path(filename.replace("\\", "/")).name or "file"
    name = "".join(ch for ch in name if ch.isprintable())[:200] or "file"
    stem, dot, ext = name.rpartition(".") if "." in name else (name, "", "")
    ascii_stem = re.sub(r"[^A-Za-z0-9._\-]", "_", stem)
    ascii_ext = re.sub(r"[^A-Za-z0-9]", "", ext)[:10]
    if not re.search(r"[A-Za-z0-9]", ascii_stem):
        ascii_stem = "file"
    ascii_name = ascii_stem + (f".{ascii_ext}" if dot and ascii_ext else "")
    if fallback:
        ascii_name = re.sub(r"[^A-Za-z0-9._\-]", "_", fallback)[:200]
    value = f'{disposition}; filename="{ascii_name}"'
    if ascii_name != name:
        value += f"; filename*=UTF-8''{quote(name, safe='')}"
    return value


def untrusted_download(data_dir: Path, row: StoredFile) -> Response:
    """A kept file that a user submitted, as a download under its original name (RFC 5987 ``filename*``);
    ``application/octet-stream`` so it is never rendered inline. 410 when its bytes are gone or altered."""
    try:
        data = read_file(data_dir, row)
    except (InputError, OSError) as e:
        raise HTTPException(
            410, f"{row.filename}: {getattr(e, 'problem', 'stored file is missing')}"
        ) from None
    return Response(
        data,
        media_type="application/octet-stream",
        headers={"Content-Disposition": content_disposition(row.filename)},
    )
