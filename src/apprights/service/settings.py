"""Service settings: resolved once at the edge (CLI flags, environment) and passed into ``create_app``."""

from __future__ import annotations

import base64
import hashlib
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DB_PATH = Path("var") / "apprights.sqlite3"

log = logging.getLogger(__name__)


def default_db_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'apprights.sqlite3').resolve()}"


def secret_key_file(data_dir: Path, key_file: Path | None = None) -> str:
    """The instance's own random key (mode 0600), created on first start, kept away from the database: in
    ``key_file`` or ``keys.default_key_path`` (see ``service/keys.py``).

    Used when ``APPRIGHTS_SECRET_KEY`` is not set, so complainants' personal data is never encrypted with a key
    anyone could derive. Losing the file makes those rows unreadable: back it up (separately from the data).
    """
    from apprights.service import keys

    return keys.load_or_create(key_file or keys.default_key_path(data_dir, os.environ), data_dir)


@dataclass(frozen=True)
class Settings:
    """Everything the service needs; nothing is read from the environment inside the service."""

    db_url: str = ""
    data_dir: Path = field(default_factory=lambda: Path("var"))
    # Key for encrypting complainants' personal data at rest (urlsafe base64 Fernet key, or any passphrase,
    # which is stretched to one). ``from_env`` (the CLI) always supplies one: APPRIGHTS_SECRET_KEY or the
    # instance's random key file (``service/keys.py``). The derived fallback below only serves Settings built in tests.
    secret_key: str = ""
    key_file: Path | None = None  # where ``secret_key`` came from (None: APPRIGHTS_SECRET_KEY or a test)
    admin_username: str = "admin"
    admin_password: str = ""
    default_working_days: int = 5
    complaint_threshold: int = 5  # more than K complaints about one app in the window queue a detection task
    complaint_window_days: int = 30
    lead_cutoff_day: int = 15
    listing_grace_hours: int = 24  # a store has this long after a removal order before a listing is a finding
    page_limit_max: int = 200
    max_report_bytes: int = 512 * 1024 * 1024
    max_upload_bytes: int = 20 * 1024 * 1024
    max_apk_bytes: int = 200 * 1024 * 1024  # an enterprise's self-check upload
    max_json_bytes: int = 1024 * 1024  # any other request body (JSON, forms): refused with 413 before reading
    sync_ingest_max_bytes: int = 8 * 1024 * 1024  # a larger scan batch is ingested as a background job (202)
    # Threads that run the (blocking) routes; the database pool is sized to them, so a request never waits
    # for a connection held by another request's thread.
    worker_threads: int = 32
    # Service processes sharing this database (``apprights serve --workers N``): with more than one, start-up
    # chores that must run once (migrations, first account, leftover self-checks) are done by the launcher.
    worker_processes: int = 1
    # Background jobs (service/jobs): heartbeat period, a running job without a heartbeat for this long is
    # queued again (at most job_max_attempts claims), and the worker process's niceness (yield to reads).
    job_heartbeat_s: float = 5.0
    job_stale_after_s: float = 60.0
    job_max_attempts: int = 3
    job_nice: int = 10
    self_check_timeout_s: float = 300.0  # per self-check scan (the worker process is killed after it)
    session_hours: int = 12
    title: str = "全国APP技术检测平台管理系统 / National App Technical Detection Platform"

    def resolved_db_url(self) -> str:
        return self.db_url or default_db_url(self.data_dir)

    def fernet_key(self) -> bytes:
        raw = self.secret_key or f"apprights-dev-key:{self.data_dir.resolve()}"
        try:
            key = base64.urlsafe_b64decode(raw.encode("ascii"))
            if len(key) == 32:
                return raw.encode("ascii")
        except (ValueError, UnicodeEncodeError):
            pass
        digest = hashlib.sha256(raw.encode("utf-8")).digest()
        return base64.urlsafe_b64encode(digest)

    @classmethod
    def from_env(cls, db_url: str | None = None, data_dir: Path | None = None) -> Settings:
        """Settings from ``APPRIGHTS_*`` environment variables (called by the CLI, never by the service)."""
        env = os.environ
        kwargs: dict[str, object] = {}
        ddir = data_dir or Path(env.get("APPRIGHTS_DATA_DIR", "var"))
        kwargs["data_dir"] = ddir
        kwargs["db_url"] = db_url or env.get("APPRIGHTS_DB", "")
        if env.get("APPRIGHTS_SECRET_KEY", ""):
            kwargs["secret_key"] = env["APPRIGHTS_SECRET_KEY"]
        else:
            from apprights.service import keys

            key_file = Path(env.get("APPRIGHTS_KEY_FILE", "") or keys.default_key_path(ddir, env))
            legacy = ddir / keys.LEGACY_NAME
            kwargs["key_file"] = legacy if legacy.exists() and not key_file.exists() else key_file
            kwargs["secret_key"] = secret_key_file(ddir, key_file)
        kwargs["admin_password"] = env.get("APPRIGHTS_ADMIN_PASSWORD", "")
        if "APPRIGHTS_WORKER_THREADS" in env:
            kwargs["worker_threads"] = max(1, int(env["APPRIGHTS_WORKER_THREADS"]))
        if "APPRIGHTS_JOB_NICE" in env:
            kwargs["job_nice"] = max(0, min(19, int(env["APPRIGHTS_JOB_NICE"])))
        if "APPRIGHTS_WORKERS" in env:
            kwargs["worker_processes"] = max(1, int(env["APPRIGHTS_WORKERS"]))
        if "APPRIGHTS_COMPLAINT_THRESHOLD" in env:
            kwargs["complaint_threshold"] = int(env["APPRIGHTS_COMPLAINT_THRESHOLD"])
        return cls(**kwargs)  # type: ignore[arg-type]
