"""Request dependencies: database session, clock, the calling principal and its role check, pagination."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar

import anyio
from fastapi import Depends, HTTPException, Path, Query, Request
from pydantic import BaseModel
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from apprights.knowledge import Knowledge
from apprights.service.db import utc_naive
from apprights.service.security import token_hash
from apprights.service.settings import Settings
from apprights.service.users.models import ApiToken, User

SESSION_COOKIE = "apprights_session"


class Role(StrEnum):
    MINISTRY = "ministry"
    PROVINCE = "province"
    AGENCY = "agency"
    ENTERPRISE = "enterprise"
    STORE = "store"
    PUBLIC = "public"


ROLE_LABELS: dict[Role, tuple[str, str]] = {
    Role.MINISTRY: ("工业和信息化部", "ministry"),
    Role.PROVINCE: ("省通信管理局", "provincial administration"),
    Role.AGENCY: ("检测机构", "test agency"),
    Role.ENTERPRISE: ("APP运营企业", "app enterprise"),
    Role.STORE: ("应用分发平台", "distribution platform"),
    Role.PUBLIC: ("公众", "public"),
}


@dataclass(frozen=True)
class Principal:
    """Who is calling. Anonymous callers are the ``public`` role."""

    role: Role
    user_id: int | None = None
    username: str = "anonymous"
    province_code: str | None = None
    enterprise_id: int | None = None
    store_id: int | None = None
    agency_id: int | None = None
    must_change_password: bool = False  # a reset account: only the password change is open to it

    @property
    def actor(self) -> str:
        return f"{self.role}:{self.username}"


PUBLIC = Principal(Role.PUBLIC)


# Dependencies that never block are ``async def``: FastAPI runs them on the event loop instead of handing each to
# the thread pool (a thread hop per dependency per request is what limits reads under load). Anything that does
# I/O stays a plain ``def`` (the thread pool) or hands its I/O to a worker thread.


def db_slots(state: Any) -> anyio.CapacityLimiter:
    """How many requests may hold a database session at once (``Settings.worker_threads``; the pool has more
    connections than that). Waiting for a slot happens on the event loop, holding neither a thread nor a
    connection, so requests queue instead of exhausting the pool while holding threads others need."""
    slots: anyio.CapacityLimiter | None = getattr(state, "db_slots", None)
    if slots is None:
        slots = state.db_slots = anyio.CapacityLimiter(state.settings.worker_threads)
    return slots


_READ_METHODS = frozenset({"GET", "HEAD"})
WRITES_ATTR = "__apprights_writes__"
F = TypeVar("F", bound=Callable[..., Any])


def writes(endpoint: F) -> F:
    """Mark a GET route that writes to the database: it gets a session with a transaction like POST routes do.
    Every other GET/HEAD request gets a read session (``db.read_engine``: no transaction round trips on
    PostgreSQL; a write is refused with ``WriteInReadSession``)."""
    setattr(endpoint, WRITES_ATTR, True)
    return endpoint


async def get_session(request: Request) -> AsyncIterator[Session]:
    """A session per request. Creating one does no I/O (the connection is taken on first use, in the route's
    thread); closing it returns the connection to the pool, which may roll back, so it runs in a worker thread —
    unless the session holds no transaction (the route committed or closed it in its own thread): then closing
    does no I/O and the thread hop is skipped."""
    state = request.app.state
    async with db_slots(state):
        maker = state.sessionmaker
        if request.method in _READ_METHODS and not getattr(request.scope.get("endpoint"), WRITES_ATTR, False):
            maker = state.read_sessionmaker
        session: Session = maker()
        try:
            yield session
        finally:
            if session.in_transaction():
                await anyio.to_thread.run_sync(session.close)
            else:
                session.close()


async def get_now(request: Request) -> datetime:
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_knowledge(request: Request) -> Knowledge:
    """The knowledge bundle, loaded once per app instance (on first use) and kept on ``app.state``."""
    state = request.app.state
    with state.knowledge_lock:
        if state.knowledge is None:
            state.knowledge = Knowledge.load()
        knowledge: Knowledge = state.knowledge
    return knowledge


SessionDep = Annotated[Session, Depends(get_session)]
NowDep = Annotated[datetime, Depends(get_now)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
KnowledgeDep = Annotated[Knowledge, Depends(get_knowledge)]


def _bearer(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip() or None
    return request.cookies.get(SESSION_COOKIE) or None


def resolve_principal(session: Session, token: str | None, now: datetime) -> Principal | None:
    """The principal a token belongs to; None for an unknown, revoked or expired token."""
    if not token or len(token) > 200:
        return None
    # plain columns through the session's connection, with a statement built once: this runs on every
    # authenticated request
    row = session.connection().execute(_PRINCIPAL_BY_TOKEN, {"token_hash": token_hash(token)}).first()
    if row is None:
        return None
    (
        revoked,
        expires_at,
        active,
        role,
        user_id,
        username,
        province,
        enterprise_id,
        store_id,
        agency_id,
        must_change,
    ) = row
    if revoked or not active:
        return None
    if expires_at is not None and expires_at <= utc_naive(now):
        return None
    return Principal(
        role=Role(role),
        user_id=user_id,
        username=username,
        province_code=province,
        enterprise_id=enterprise_id,
        store_id=store_id,
        agency_id=agency_id,
        must_change_password=bool(must_change),
    )


_PRINCIPAL_BY_TOKEN = (
    select(
        ApiToken.revoked,
        ApiToken.expires_at,
        User.active,
        User.role,
        User.id,
        User.username,
        User.province_code,
        User.enterprise_id,
        User.store_id,
        User.agency_id,
        User.must_change_password,
    )
    .join(User, User.id == ApiToken.user_id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


def principal_of(user: User) -> Principal:
    return Principal(
        role=Role(user.role),
        user_id=user.id,
        username=user.username,
        province_code=user.province_code,
        enterprise_id=user.enterprise_id,
        store_id=user.store_id,
        agency_id=user.agency_id,
        must_change_password=user.must_change_password,
    )


def current_principal(request: Request, session: SessionDep, now: NowDep) -> Principal:
    token = _bearer(request)
    if token is None:
        return PUBLIC
    p = resolve_principal(session, token, now)
    if p is None:
        raise HTTPException(401, "令牌无效或已过期 / invalid or expired token")
    return p


MUST_CHANGE = "请先修改临时密码 / change your temporary password first"
# What an account with a temporary password may still call (everything else: 403 ``MUST_CHANGE``).
CHANGE_FIRST_OPEN = frozenset({"/api/v1/me", "/api/v1/me/password", "/api/v1/auth/logout"})


class Roles:
    """Dependency: the caller must have one of ``roles`` (``public`` admits everyone)."""

    def __init__(self, *roles: Role) -> None:
        self.roles = frozenset(roles)

    async def __call__(
        self, request: Request, p: Annotated[Principal, Depends(current_principal)]
    ) -> Principal:
        if p.must_change_password and request.url.path not in CHANGE_FIRST_OPEN:
            raise HTTPException(403, MUST_CHANGE)
        if Role.PUBLIC in self.roles or p.role in self.roles:
            return p
        if p.role is Role.PUBLIC:
            raise HTTPException(
                401, "需要登录 / authentication required", headers={"WWW-Authenticate": "Bearer"}
            )
        raise HTTPException(403, "无权访问 / this role may not use this endpoint")


def allow(*roles: Role) -> Roles:
    return Roles(*roles)


class PageParams(BaseModel):
    limit: int
    offset: int


async def page_params(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=1000, description="page size (capped by the server)")] = 50,
    offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
) -> PageParams:
    settings: Settings = request.app.state.settings
    return PageParams(limit=min(limit, settings.page_limit_max), offset=offset)


PageDep = Annotated[PageParams, Depends(page_params)]

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


IdPath = Annotated[int, Path(ge=1, le=2**31 - 1, description="row id")]
