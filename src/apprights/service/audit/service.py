"""Writing the audit log. Records are only ever added: the session refuses to update or delete them
(and the database refuses too, by trigger, on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from apprights.service.audit.models import AuditRecord
from apprights.service.db import utc_naive
from apprights.service.notices.models import NoticeSnapshot


class Acting(Protocol):
    """Who acts, as the flows name it (``cases.flows.Actor``): the audit name and the user id, if any."""

    @property
    def name(self) -> str: ...

    @property
    def user_id(self) -> int | None: ...


class AuditImmutableError(RuntimeError):
    """An attempt to change or remove an audit record."""


def record(
    session: Session,
    *,
    now: datetime,
    actor: str,
    actor_id: int | None,
    entity: str,
    entity_id: int,
    action: str,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    evidence: Sequence[str] = (),
) -> AuditRecord:
    rec = AuditRecord(
        at=utc_naive(now),
        actor=actor,
        actor_id=actor_id,
        entity=entity,
        entity_id=entity_id,
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        evidence=json.dumps(list(evidence), ensure_ascii=False),
    )
    session.add(rec)
    return rec


def record_by(
    session: Session,
    actor: Acting,
    *,
    now: datetime,
    entity: str,
    entity_id: int,
    action: str,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    evidence: Sequence[str] = (),
) -> AuditRecord:
    """``record`` for an acting user or the system: its audit name and user id."""
    return record(
        session,
        now=now,
        actor=actor.name,
        actor_id=actor.user_id,
        entity=entity,
        entity_id=entity_id,
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        evidence=evidence,
    )


def trail(session: Session, entity: str, entity_id: int) -> list[AuditRecord]:
    q = (
        select(AuditRecord)
        .where(AuditRecord.entity == entity, AuditRecord.entity_id == entity_id)
        .order_by(AuditRecord.id)
    )
    return list(session.scalars(q))


# Append-only rows: the audit log and the snapshots of published notices.
APPEND_ONLY: tuple[type, ...] = (AuditRecord, NoticeSnapshot)


def _refuse_changes(session: Session, _ctx: Any, _instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, APPEND_ONLY) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditImmutableError(f"{type(obj).__name__} row is append-only")


def _refuse_bulk(orm_execute_state: Any) -> None:
    if orm_execute_state.is_update or orm_execute_state.is_delete:
        for mapper in orm_execute_state.all_mappers:
            if mapper.class_ in APPEND_ONLY:
                raise AuditImmutableError(f"{mapper.class_.__tablename__} rows are append-only")


def install_guard(session_cls: Any) -> None:
    """Refuse UPDATE/DELETE of audit records in sessions made by ``session_cls`` (a sessionmaker)."""
    if not event.contains(session_cls, "before_flush", _refuse_changes):
        event.listen(session_cls, "before_flush", _refuse_changes)
        event.listen(session_cls, "do_orm_execute", _refuse_bulk)
