"""The FastAPI application factory: ``create_app(settings)`` builds the engine, routes and pages.

Nothing happens at import time; the clock is a parameter so tests can move time.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import anyio
from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker as sessionmaker_t

from apprights.errors import CalendarError, InputError
from apprights.service.audit.service import AuditImmutableError, install_guard
from apprights.service.cases.lifecycle import TransitionError
from apprights.service.db import make_engine, make_sessionmaker, read_engine, session_scope
from apprights.service.errors import Conflict, Forbidden, NotFound
from apprights.service.settings import Settings

log = logging.getLogger(__name__)
API_PREFIX = "/api/v1"


def system_clock() -> datetime:
    return datetime.now(UTC)


def api_router() -> APIRouter:
    from apprights.service.apps.views import router as apps
    from apprights.service.campaigns.views import router as campaigns
    from apprights.service.cases.views import router as cases
    from apprights.service.complaints.views import router as complaints
    from apprights.service.jobs.views import router as jobs
    from apprights.service.leads.views import router as leads
    from apprights.service.notices.views import router as notices
    from apprights.service.orgs.views import router as orgs
    from apprights.service.scans.selfcheck_views import router as self_checks
    from apprights.service.scans.views import router as scans
    from apprights.service.stores.views import router as stores
    from apprights.service.submissions.views import router as submissions
    from apprights.service.users.views import router as users

    api = APIRouter(prefix=API_PREFIX)
    for r in (
        users,
        orgs,
        stores,
        apps,
        scans,
        self_checks,
        cases,
        notices,
        leads,
        complaints,
        submissions,
        jobs,
        campaigns,
    ):
        api.include_router(r)
    return api


def _json_error(status: int, detail: object) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(InputError)
    async def _input(_r: Request, e: InputError) -> JSONResponse:
        return _json_error(422, f"{e.path}: {e.problem}")

    @app.exception_handler(CalendarError)
    async def _calendar(_r: Request, e: CalendarError) -> JSONResponse:
        return _json_error(422, str(e))

    @app.exception_handler(TransitionError)
    async def _transition(_r: Request, e: TransitionError) -> JSONResponse:
        return _json_error(409, {"from": str(e.from_state), "to": str(e.to_state), "why": e.why})

    @app.exception_handler(Conflict)
    async def _conflict(_r: Request, e: Conflict) -> JSONResponse:
        return _json_error(409, str(e))

    @app.exception_handler(NotFound)
    async def _notfound(_r: Request, e: NotFound) -> JSONResponse:
        return _json_error(404, str(e))

    @app.exception_handler(Forbidden)
    async def _forbidden(_r: Request, e: Forbidden) -> JSONResponse:
        return _json_error(403, str(e))

    @app.exception_handler(AuditImmutableError)
    async def _audit(_r: Request, e: AuditImmutableError) -> JSONResponse:
        return _json_error(409, str(e))

    @app.exception_handler(IntegrityError)
    async def _integrity(_r: Request, _e: IntegrityError) -> JSONResponse:
        return _json_error(409, "与已有数据冲突 / conflicts with existing data")

    @app.exception_handler(DataError)
    async def _data(_r: Request, _e: DataError) -> JSONResponse:
        return _json_error(422, "数据库拒绝该取值 / the database rejected a value (e.g. a NUL character)")

    @app.exception_handler(OverflowError)
    async def _overflow(_r: Request, e: OverflowError) -> JSONResponse:
        # date/time arithmetic past year 9999 (or before year 1): the input was out of range, not the server
        return _json_error(422, f"日期或数值超出范围 / date or number out of range: {str(e)[:200]}")

    @app.exception_handler(PoolTimeout)
    async def _busy(_r: Request, _e: PoolTimeout) -> JSONResponse:
        return JSONResponse(
            {"detail": "服务繁忙，请稍后重试 / the service is busy, retry shortly"},
            status_code=503,
            headers={"Retry-After": "5"},
        )

    @app.exception_handler(ValueError)
    async def _value(_r: Request, e: ValueError) -> JSONResponse:
        return _json_error(422, str(e)[:500])

    _ = RequestValidationError  # FastAPI's own 422 handler stays in place


def prepare(settings: Settings, sessionmaker: sessionmaker_t[Session], now: datetime) -> None:
    """Start-up chores that must run once per service, not once per worker process: the first ministry
    account, and the self-checks a stopped service left running."""
    from apprights.service.scans.selfcheck import reset_running_self_checks
    from apprights.service.users.service import ensure_admin

    with session_scope(sessionmaker) as s:
        generated = ensure_admin(s, settings.admin_username, settings.admin_password, now)
    if generated:
        log.warning("created the first ministry account %r with password %s", settings.admin_username, generated)
    if settings.worker_processes > 1:
        reset_running_self_checks(sessionmaker)


def create_app_from_env() -> FastAPI:
    """The app factory uvicorn imports in each worker process (``apprights serve --workers N``): settings come
    from the ``APPRIGHTS_*`` environment the launcher set (``Settings.from_env``); the database is migrated."""
    return create_app(Settings.from_env())


def create_app(settings: Settings, clock: Callable[[], datetime] | None = None) -> FastAPI:
    """Build the service for ``settings`` (database must already be migrated: see ``db.upgrade``)."""
    # one connection per request slot (deps.db_slots), plus the self-check and job runners and the lifespan
    engine = make_engine(settings.resolved_db_url(), pool_size=settings.worker_threads + 4)
    sessionmaker = make_sessionmaker(engine)
    install_guard(sessionmaker)
    read_sessionmaker = make_sessionmaker(read_engine(engine))  # GET/HEAD requests (deps.get_session)
    install_guard(read_sessionmaker)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        single = settings.worker_processes <= 1
        if single:  # with several processes the launcher did it once (``prepare``)
            prepare(settings, sessionmaker, app.state.clock())
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.worker_threads
        app.state.db_slots = anyio.CapacityLimiter(settings.worker_threads)
        app.state.jobs.start_if_pending()
        app.state.self_checks.resume(reset_running=single)
        yield
        app.state.self_checks.shutdown()
        app.state.jobs.shutdown()
        engine.dispose()

    app = FastAPI(
        title="apprights management service",
        summary="全国APP技术检测平台管理系统 — findings review, rectification cases, notices, leads, complaints",
        version="1",
        lifespan=lifespan,
        docs_url=None,  # served from the package by apidocs.install_docs (offline, CSP-clean)
        redoc_url=None,  # ReDoc would load from a CDN
        swagger_ui_oauth2_redirect_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = sessionmaker
    app.state.read_sessionmaker = read_sessionmaker
    app.state.clock = clock or system_clock
    app.state.knowledge = None  # loaded on first use (deps.get_knowledge), then kept for this app instance
    app.state.knowledge_lock = threading.Lock()
    from apprights.service.scans.selfcheck import SelfCheckRunner

    app.state.self_checks = SelfCheckRunner(
        sessionmaker, settings.data_dir, app.state.clock, timeout_s=settings.self_check_timeout_s
    )
    from apprights.service.jobs.runner import JobConfig, JobRunner

    app.state.jobs = JobRunner(
        JobConfig(
            db_url=settings.resolved_db_url(),
            data_dir=str(settings.data_dir),
            heartbeat_s=settings.job_heartbeat_s,
            stale_after_s=settings.job_stale_after_s,
            max_attempts=settings.job_max_attempts,
            nice=settings.job_nice,
        ),
        sessionmaker,
    )
    _install_error_handlers(app)
    from apprights.service.middleware import BodyLimitMiddleware, SecurityHeadersMiddleware

    app.add_middleware(BodyLimitMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)  # outermost: every answer carries the headers, a 413 too
    app.include_router(api_router())
    from apprights.service.apidocs import install_docs

    install_docs(app)
    from apprights.web.pages import install_pages

    install_pages(app)
    return app
