"""/api/v1/auth and /api/v1/users."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from sqlalchemy import func, select

from apprights.errors import InputError
from apprights.service.db import utc_naive
from apprights.service.deps import (
    SESSION_COOKIE,
    IdPath,
    NowDep,
    Page,
    PageDep,
    Principal,
    Role,
    SessionDep,
    SettingsDep,
    allow,
)
from apprights.service.users import policy, service
from apprights.service.users.models import ApiToken, User
from apprights.service.users.schemas import (
    LoginIn,
    PasswordChangeIn,
    PasswordResetOut,
    TokenIn,
    TokenInfo,
    TokenOut,
    UserIn,
    UserOut,
)

router = APIRouter(tags=["users"])
ANY_USER = (Role.MINISTRY, Role.PROVINCE, Role.AGENCY, Role.ENTERPRISE, Role.STORE)


def login_throttle(request: Request) -> policy.UnknownNames:
    """The per-app table of failed logins for usernames without an account (see ``users.policy``)."""
    state = request.app.state
    table: policy.UnknownNames | None = getattr(state, "unknown_logins", None)
    if table is None:
        table = state.unknown_logins = policy.UnknownNames()
    return table


@router.post("/auth/login", response_model=TokenOut)
def login(
    request: Request,
    body: LoginIn,
    session: SessionDep,
    now: NowDep,
    settings: SettingsDep,
    response: Response,
    _p: Annotated[Principal, Depends(allow(Role.PUBLIC))],
) -> TokenOut:
    try:
        token, expires = service.login(
            session,
            body.username,
            body.password,
            now,
            settings.session_hours,
            unknown=login_throttle(request),
        )
    except service.LoginLocked as e:
        wait = max(1, int((e.until - utc_naive(now)).total_seconds()))
        raise HTTPException(429, str(e), headers={"Retry-After": str(wait)}) from None
    except PermissionError as e:
        raise HTTPException(401, str(e)) from None
    session.commit()
    response.set_cookie(
        SESSION_COOKIE, token, httponly=True, samesite="strict", max_age=settings.session_hours * 3600
    )
    return TokenOut(token=token, expires_at=expires)


@router.post("/auth/logout", status_code=204)
def logout(
    request: Request,
    session: SessionDep,
    response: Response,
    _p: Annotated[Principal, Depends(allow(*ANY_USER))],
) -> None:
    auth = request.headers.get("authorization", "")
    token = auth[7:].strip() if auth[:7].lower() == "bearer " else request.cookies.get(SESSION_COOKIE, "")
    service.logout(session, token)
    session.commit()
    response.delete_cookie(SESSION_COOKIE)


@router.post("/me/password", status_code=204)
def change_password(
    request: Request,
    body: PasswordChangeIn,
    session: SessionDep,
    now: NowDep,
    p: Annotated[Principal, Depends(allow(*ANY_USER))],
) -> None:
    """Change your password (the policy applies); every other session and token of the account is revoked."""
    user = session.get(User, p.user_id)
    assert user is not None
    auth = request.headers.get("authorization", "")
    token = auth[7:].strip() if auth[:7].lower() == "bearer " else request.cookies.get(SESSION_COOKIE, "")
    try:
        service.change_password(session, user, body.current, body.new, keep_token=token, now=now)
    except PermissionError as e:
        raise HTTPException(403, str(e)) from None
    session.commit()


@router.get("/me", response_model=UserOut)
def me(session: SessionDep, p: Annotated[Principal, Depends(allow(*ANY_USER))]) -> User:
    user = session.get(User, p.user_id)
    assert user is not None
    return user


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(
    body: UserIn, session: SessionDep, now: NowDep, _p: Annotated[Principal, Depends(allow(Role.MINISTRY))]
) -> User:
    user = service.create_user(session, body, now)
    session.commit()
    return user


@router.get("/users", response_model=Page[UserOut])
def list_users(
    session: SessionDep, page: PageDep, _p: Annotated[Principal, Depends(allow(Role.MINISTRY))]
) -> Page[UserOut]:
    total = session.scalar(select(func.count()).select_from(User)) or 0
    rows = session.scalars(select(User).order_by(User.id).limit(page.limit).offset(page.offset))
    return Page(
        items=[UserOut.model_validate(u) for u in rows], total=total, limit=page.limit, offset=page.offset
    )


@router.post("/users/{user_id}/tokens", response_model=TokenOut, status_code=201)
def create_token(
    user_id: IdPath,
    body: TokenIn,
    session: SessionDep,
    now: NowDep,
    _p: Annotated[Principal, Depends(allow(Role.MINISTRY))],
) -> TokenOut:
    """An API token for an agency, province, store or enterprise account (shown once, stored hashed)."""
    user = session.get(User, user_id)
    if user is None:
        raise HTTPException(404, "用户不存在 / no such user")
    if not user.active:
        raise HTTPException(409, "账户已停用 / the account is deactivated")
    token, expires = service.issue_token(session, user, now, kind="api", name=body.name, hours=body.days * 24)
    session.commit()
    return TokenOut(token=token, expires_at=expires)


@router.get("/users/{user_id}/tokens", response_model=list[TokenInfo])
def list_tokens(
    user_id: IdPath, session: SessionDep, _p: Annotated[Principal, Depends(allow(Role.MINISTRY))]
) -> list[ApiToken]:
    """The account's tokens and sessions (metadata only), newest first (at most 1000)."""
    if session.get(User, user_id) is None:
        raise HTTPException(404, "用户不存在 / no such user")
    q = select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc()).limit(1000)
    return list(session.scalars(q))


@router.delete("/users/{user_id}/tokens/{token_id}", status_code=204)
def revoke_token(
    user_id: IdPath,
    token_id: IdPath,
    session: SessionDep,
    now: NowDep,
    p: Annotated[Principal, Depends(allow(Role.MINISTRY))],
) -> None:
    """Revoke one token (audited): it stops working at once."""
    tok = session.get(ApiToken, token_id)
    if tok is None or tok.user_id != user_id:
        raise HTTPException(404, "令牌不存在 / no such token")
    service.revoke_token(session, tok, actor=p.actor, actor_id=p.user_id, now=now)
    session.commit()


@router.post("/users/{user_id}/deactivate", response_model=UserOut)
def deactivate_user(
    user_id: IdPath,
    session: SessionDep,
    now: NowDep,
    p: Annotated[Principal, Depends(allow(Role.MINISTRY))],
) -> User:
    """Deactivate an account: it can no longer log in and every token it has is revoked (audited)."""
    user = session.get(User, user_id)
    if user is None:
        raise HTTPException(404, "用户不存在 / no such user")
    if user.id == p.user_id:
        raise HTTPException(409, "不能停用自己的账户 / you cannot deactivate your own account")
    service.deactivate(session, user, actor=p.actor, actor_id=p.user_id, now=now)
    session.commit()
    return user


@router.post("/users/{user_id}/password-reset", response_model=PasswordResetOut)
def reset_password(
    user_id: IdPath,
    session: SessionDep,
    now: NowDep,
    p: Annotated[Principal, Depends(allow(Role.MINISTRY))],
) -> PasswordResetOut:
    """A one-time temporary password for the account (shown once here, stored hashed); it must be changed at
    the next login, and every session and token of the account is revoked (audited)."""
    user = session.get(User, user_id)
    if user is None:
        raise HTTPException(404, "用户不存在 / no such user")
    if user.id == p.user_id:
        raise HTTPException(409, "请通过修改密码更改自己的密码 / change your own password instead")
    try:
        temporary = service.reset_password(session, user, actor=p.actor, actor_id=p.user_id, now=now)
    except InputError as e:
        raise HTTPException(409, e.problem) from None
    session.commit()
    return PasswordResetOut(temporary_password=temporary)
