"""Accounts: creation with role bindings, password login, sessions and API tokens."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from apprights.errors import InputError
from apprights.service.db import utc_naive
from apprights.service.deps import Role
from apprights.service.orgs.models import Enterprise, Province, TestAgency
from apprights.service.security import hash_password, new_token, token_hash, verify_password
from apprights.service.stores.models import Store
from apprights.service.users.models import ApiToken, User
from apprights.service.users.schemas import UserIn

log = logging.getLogger(__name__)

# Which binding each role needs: a province user sees its region, an enterprise its apps, and so on.
_BINDING = {
    Role.PROVINCE: "province_code",
    Role.ENTERPRISE: "enterprise_id",
    Role.STORE: "store_id",
    Role.AGENCY: "agency_id",
}


def create_user(session: Session, data: UserIn, now: datetime) -> User:
    if data.role is Role.PUBLIC:
        raise InputError("user", "公众无需账户 / the public role has no accounts")
    need = _BINDING.get(data.role)
    if need is not None and getattr(data, need) is None:
        raise InputError("user", f"角色 {data.role} 需要 {need} / role {data.role} needs {need}")
    checks = (
        (data.province_code, Province),
        (data.enterprise_id, Enterprise),
        (data.store_id, Store),
        (data.agency_id, TestAgency),
    )
    for value, model in checks:
        if value is not None and session.get(model, value) is None:
            raise InputError("user", f"unknown {model.__tablename__} {value}")
    if session.scalar(select(User.id).where(User.username == data.username)) is not None:
        raise InputError("user", f"用户名已存在 / username {data.username!r} exists")
    user = User(
        username=data.username,
        display_name=data.display_name,
        password_hash=hash_password(data.password) if data.password else "",
        role=str(data.role),
        province_code=data.province_code if data.role is Role.PROVINCE else None,
        enterprise_id=data.enterprise_id if data.role is Role.ENTERPRISE else None,
        store_id=data.store_id if data.role is Role.STORE else None,
        agency_id=data.agency_id if data.role is Role.AGENCY else None,
        created_at=utc_naive(now),
    )
    session.add(user)
    session.flush()
    return user


def issue_token(
    session: Session,
    user: User,
    now: datetime,
    *,
    kind: str = "api",
    name: str = "",
    hours: int | None = None,
) -> tuple[str, datetime | None]:
    token = new_token()
    expires = utc_naive(now) + timedelta(hours=hours) if hours else None
    session.add(
        ApiToken(
            token_hash=token_hash(token),
            user_id=user.id,
            kind=kind,
            name=name,
            created_at=utc_naive(now),
            expires_at=expires,
        )
    )
    session.flush()
    return token, expires


def login(
    session: Session, username: str, password: str, now: datetime, hours: int
) -> tuple[str, datetime | None]:
    user = session.scalar(select(User).where(User.username == username))
    if (
        user is None
        or not user.active
        or not user.password_hash
        or not verify_password(password, user.password_hash)
    ):
        raise PermissionError("用户名或密码错误 / wrong username or password")
    return issue_token(session, user, now, kind="session", hours=hours)


def logout(session: Session, token: str) -> None:
    tok = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
    if tok is not None:
        tok.revoked = True


def ensure_admin(session: Session, username: str, password: str, now: datetime) -> str | None:
    """Create the first ministry account when there are no users; returns the generated password if any."""
    if session.scalar(select(func.count()).select_from(User)):
        return None
    generated = None
    if not password:
        password = generated = secrets.token_urlsafe(12)
    create_user(session, UserIn(username=username, password=password, role=Role.MINISTRY), now)
    return generated
