"""Accounts: creation with role bindings, password login, sessions and API tokens."""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from apprights.errors import InputError
from apprights.service import audit
from apprights.service.db import utc_naive
from apprights.service.deps import Role
from apprights.service.orgs.models import Enterprise, Province, TestAgency
from apprights.service.security import hash_password, new_token, token_hash, verify_password
from apprights.service.stores.models import Store
from apprights.service.users import policy
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


def create_user(session: Session, data: UserIn, now: datetime, *, enforce_policy: bool = True) -> User:
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
    problem = policy.password_problem(data.password, data.username) if data.password else None
    if problem is not None and enforce_policy:
        raise InputError("user", problem)
    if problem is not None:
        log.warning("account %r has a weak password: %s", data.username, problem)
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


class LoginLocked(PermissionError):
    """Too many failed logins for this username: refused until ``until`` (UTC)."""

    def __init__(self, until: datetime) -> None:
        self.until = until
        super().__init__(
            f"登录失败次数过多，请于{policy.LOCK_MINUTES}分钟后再试 / too many failed logins: try again after "
            f"{until.isoformat(timespec='minutes')}Z"
        )


# A real scrypt hash of a random password: an unknown user costs the same time as a wrong password.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def login(
    session: Session,
    username: str,
    password: str,
    now: datetime,
    hours: int,
    unknown: policy.UnknownNames | None = None,
) -> tuple[str, datetime | None]:
    """A session token, or ``PermissionError`` (``LoginLocked`` after repeated failures). Unknown users,
    deactivated users and token-only accounts take the same time and get the same answer as a wrong password."""
    at = utc_naive(now)
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        verify_password(password, _DUMMY_HASH)
        if unknown is not None:
            until = unknown.locked(username, at)
            if until is not None:
                raise LoginLocked(until)
            unknown.fail(username, at)
        raise PermissionError(WRONG_PASSWORD)
    if user.locked_until is not None and user.locked_until > at:
        verify_password(password, _DUMMY_HASH)
        raise LoginLocked(user.locked_until)
    ok = verify_password(password, user.password_hash or _DUMMY_HASH)
    if not (ok and user.active and user.password_hash):
        if user.locked_until is not None:  # an earlier lock-out has expired: count afresh
            user.failed_logins = 0
            user.locked_until = None
        user.failed_logins += 1
        user.locked_until = policy.lock_until(user.failed_logins, at)
        session.commit()  # the count survives the refusal
        log.warning("failed login for %r (%d in a row)", username, user.failed_logins)
        raise PermissionError(WRONG_PASSWORD)
    user.failed_logins = 0
    user.locked_until = None
    return issue_token(session, user, now, kind="session", hours=hours)


WRONG_PASSWORD = "用户名或密码错误 / wrong username or password"


def _revoke_live_tokens(session: Session, user: User, *, keep: str | None = None) -> int:
    """Revoke every unrevoked token and session of ``user`` except the one whose hash is ``keep``; returns how
    many were revoked."""
    cond = [ApiToken.user_id == user.id, ApiToken.revoked.is_(False)]
    if keep is not None:
        cond.append(ApiToken.token_hash != keep)
    tokens = session.scalars(select(ApiToken).where(*cond)).all()
    for tok in tokens:
        tok.revoked = True
    return len(tokens)


def deactivate(session: Session, user: User, *, actor: str, actor_id: int | None, now: datetime) -> int:
    """Deactivate ``user`` and revoke every token it has (audited); returns how many tokens were revoked."""
    user.active = False
    revoked = _revoke_live_tokens(session, user)
    audit.record(
        session,
        now=now,
        actor=actor,
        actor_id=actor_id,
        entity="user",
        entity_id=user.id,
        action="deactivate",
        evidence=[f"tokens_revoked:{revoked}"],
    )
    session.flush()
    return revoked


def revoke_token(session: Session, tok: ApiToken, *, actor: str, actor_id: int | None, now: datetime) -> None:
    tok.revoked = True
    audit.record(
        session,
        now=now,
        actor=actor,
        actor_id=actor_id,
        entity="user",
        entity_id=tok.user_id,
        action="revoke_token",
        evidence=[f"token:{tok.id}"],
    )
    session.flush()


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
    # the operator's configured password is checked but not refused (a warning): the service must start
    create_user(
        session, UserIn(username=username, password=password, role=Role.MINISTRY), now, enforce_policy=False
    )
    return generated


def change_password(
    session: Session, user: User, current: str, new: str, *, keep_token: str, now: datetime
) -> int:
    """Set a new password (policy applies) after checking the current one; every other token and session of
    the account is revoked (audited). ``PermissionError`` for a wrong current password (counted like a failed
    login), ``InputError`` for a refused new one. Returns how many tokens were revoked."""
    if not user.password_hash or not verify_password(current, user.password_hash):
        user.failed_logins += 1
        user.locked_until = policy.lock_until(user.failed_logins, utc_naive(now))
        session.commit()
        raise PermissionError("当前密码错误 / the current password is wrong")
    problem = policy.password_problem(new, user.username)
    if problem is not None:
        raise InputError("password", problem)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    revoked = _revoke_live_tokens(session, user, keep=token_hash(keep_token))
    audit.record(
        session,
        now=now,
        actor=f"{user.role}:{user.username}",
        actor_id=user.id,
        entity="user",
        entity_id=user.id,
        action="change_password",
        evidence=[f"tokens_revoked:{revoked}"],
    )
    session.flush()
    return revoked


def temporary_password(username: str) -> str:
    """A random one-time password that passes the policy (shown once, never stored in clear)."""
    while True:
        candidate = secrets.token_urlsafe(15)  # 20 characters: a passphrase by length
        if policy.password_problem(candidate, username) is None:
            return candidate


def reset_password(session: Session, user: User, *, actor: str, actor_id: int | None, now: datetime) -> str:
    """Give ``user`` a temporary password that must be changed at the next login; every session and token of
    the account is revoked and a lock-out is lifted (audited, without the password). Returns the password."""
    if not user.active:
        raise InputError("user", "账户已停用 / the account is deactivated")
    temporary = temporary_password(user.username)
    user.password_hash = hash_password(temporary)
    user.must_change_password = True
    user.failed_logins = 0
    user.locked_until = None
    revoked = _revoke_live_tokens(session, user)
    audit.record(
        session,
        now=now,
        actor=actor,
        actor_id=actor_id,
        entity="user",
        entity_id=user.id,
        action="reset_password",
        evidence=[f"tokens_revoked:{revoked}"],
    )
    session.flush()
    return temporary
