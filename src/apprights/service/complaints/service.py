"""12321 complaint intake: the complainant's contact is encrypted at rest; complaints are grouped by app, and an
app with more than K complaints in the window gets a detection task queued."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from apprights.errors import InputError
from apprights.service.apps.models import App
from apprights.service.complaints.models import Complaint, DetectionTask
from apprights.service.complaints.schemas import ComplaintIn, Contact
from apprights.service.db import utc_naive
from apprights.service.files import store_file
from apprights.service.security import PiCipher


def group_key(package: str, app_name: str) -> str:
    return package.strip() or "name:" + "".join(app_name.split()).lower()


def intake(
    session: Session,
    data: ComplaintIn,
    *,
    cipher: PiCipher,
    now: datetime,
    data_dir: Path,
    max_upload_bytes: int,
    threshold: int,
    window_days: int,
) -> tuple[Complaint, DetectionTask | None]:
    app_id = None
    if data.package.strip():
        app_id = session.scalar(select(App.id).where(App.package == data.package.strip()))
    if app_id is None and data.app_name.strip():
        app_id = session.scalars(
            select(App.id).where(App.name == data.app_name.strip()).order_by(App.id)
        ).first()
    key = group_key(data.package, data.app_name)
    if app_id is not None:
        key = session.scalar(select(App.package).where(App.id == app_id)) or key
    blobs = []
    for att in data.attachments:
        try:
            blobs.append((att, base64.b64decode(att.content_base64, validate=True)))
        except (binascii.Error, ValueError):
            raise InputError(
                att.filename[:100], "附件不是有效的base64 / attachment is not valid base64"
            ) from None
    complaint = Complaint(
        received_at=utc_naive(now),
        app_name=data.app_name.strip(),
        package=data.package.strip(),
        store_name=data.store_name.strip(),
        app_id=app_id,
        group_key=key,
        problem_type=data.problem_type,
        description=data.description,
        contact_ciphertext=cipher.encrypt(data.contact.model_dump_json()),
    )
    session.add(complaint)
    session.flush()
    for att, content in blobs:
        store_file(
            session,
            data_dir,
            owner_kind="complaint",
            owner_id=complaint.id,
            filename=att.filename,
            content=content,
            content_type=att.content_type,
            now=now,
            max_bytes=max_upload_bytes,
        )
    return complaint, maybe_queue_detection(
        session, key, app_id, now=now, threshold=threshold, window_days=window_days
    )


def maybe_queue_detection(
    session: Session, key: str, app_id: int | None, *, now: datetime, threshold: int, window_days: int
) -> DetectionTask | None:
    since = utc_naive(now) - timedelta(days=window_days)
    n = (
        session.scalar(
            select(func.count())
            .select_from(Complaint)
            .where(Complaint.group_key == key, Complaint.received_at >= since)
        )
        or 0
    )
    if n <= threshold:
        return None
    queued = session.scalar(
        select(DetectionTask).where(DetectionTask.group_key == key, DetectionTask.status == "queued")
    )
    if queued is not None:
        queued.complaint_count = n
        return queued
    task = DetectionTask(
        group_key=key,
        app_id=app_id,
        reason=f"{window_days}天内投诉{n}件（阈值{threshold}）/ {n} complaints in {window_days} days (> {threshold})",
        complaint_count=n,
        status="queued",
        created_at=utc_naive(now),
    )
    session.add(task)
    session.flush()
    return task


def decrypt_contact(cipher: PiCipher, complaint: Complaint) -> Contact:
    raw = cipher.decrypt(complaint.contact_ciphertext)
    try:
        return Contact.model_validate(json.loads(raw)) if raw else Contact()
    except ValueError:
        return Contact()
