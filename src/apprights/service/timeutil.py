"""Beijing time (UTC+8, no daylight saving): notices and cutoffs are dated in it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")


def beijing_date(now: datetime) -> date:
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now.astimezone(BEIJING).date()


def beijing_midnight_utc(d: date) -> datetime:
    """00:00 Beijing time on ``d`` as a naive UTC datetime (how the database stores times)."""
    return datetime(d.year, d.month, d.day, tzinfo=BEIJING).astimezone(UTC).replace(tzinfo=None)


def as_utc(dt: datetime) -> datetime:
    """A stored (naive UTC) datetime as an aware one, so the API always states the zone."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


def as_beijing(dt: datetime) -> datetime:
    """A stored (naive UTC) datetime in Beijing time (+08:00): how deadlines and cut-offs are shown."""
    return as_utc(dt).astimezone(BEIJING)
