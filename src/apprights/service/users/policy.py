"""Account rules: the password policy and login throttling (lock-out after repeated failures).

Throttling is per username: a known account keeps its count in the database (``users.failed_logins``,
``users.locked_until``: shared by every worker, survives restarts); an unknown username gets the same answers
from an in-process table, so the lock-out does not tell which accounts exist.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

MIN_LENGTH = 12
PASSPHRASE_LENGTH = 16  # a long passphrase needs no character classes
MAX_FAILURES = 5
LOCK_MINUTES = 15
# The most common passwords of Chinese and international leaks (any case), refused whatever their length.
COMMON = frozenset(
    {
        "123456789012",
        "1234567890123",
        "qwertyuiopasdf",
        "password1234",
        "passw0rd1234",
        "admin1234567",
        "administrator",
        "1qaz2wsx3edc",
        "1q2w3e4r5t6y",
        "qwer1234asdf",
        "woaini1314520",
        "a1234567890b",
        "iloveyou1234",
    }
)


def password_problem(password: str, username: str = "") -> str | None:
    """Why ``password`` is refused (Chinese / English), or None."""
    classes = sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )
    if len(password) < MIN_LENGTH:
        return f"密码至少{MIN_LENGTH}位 / a password has at least {MIN_LENGTH} characters"
    if len(password) < PASSPHRASE_LENGTH and classes < 3:
        return (
            "密码须包含大写、小写、数字、符号中的三类，或不少于16位 / use three of upper case, lower case, digits "
            f"and symbols, or a passphrase of {PASSPHRASE_LENGTH}+ characters"
        )
    if len(set(password)) < 4 or password.lower() in COMMON:
        return "密码过于简单 / the password is too common"
    if username and username.lower() in password.lower():
        return "密码不得包含用户名 / the password contains the username"
    return None


def lock_until(failures: int, now: datetime) -> datetime | None:
    """When ``failures`` consecutive failures lock the account: until ``now`` + 15 minutes."""
    return now + timedelta(minutes=LOCK_MINUTES) if failures >= MAX_FAILURES else None


@dataclass
class UnknownNames:
    """Failure counts of usernames that have no account (bounded; oldest forgotten first)."""

    limit: int = 10_000
    _rows: dict[str, tuple[int, datetime | None]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def locked(self, name: str, now: datetime) -> datetime | None:
        with self._lock:
            _n, until = self._rows.get(name, (0, None))
            return until if until is not None and until > now else None

    def fail(self, name: str, now: datetime) -> None:
        with self._lock:
            n, until = self._rows.pop(name, (0, None))
            if until is not None and until <= now:
                n = 0
            n += 1
            self._rows[name] = (n, lock_until(n, now))
            while len(self._rows) > self.limit:
                self._rows.pop(next(iter(self._rows)))
