"""Beijing time (UTC+8, no daylight saving): notices and cutoffs are dated in it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Annotated

from pydantic import AfterValidator

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


def _to_utc(v: datetime) -> datetime:
    return as_utc(v).astimezone(UTC)


def _to_beijing(v: datetime) -> datetime:
    return as_beijing(v)


# Timestamps in API responses: always with their zone. Stored values are naive UTC; these types state it
# (``…Z``), and Beijing-dated moments (deadlines, cut-offs) are shown in +08:00.
UtcTime = Annotated[datetime, AfterValidator(_to_utc)]
BeijingTime = Annotated[datetime, AfterValidator(_to_beijing)]


DEADLINE_AT_DOC = (
    "期限届满时刻：期限日次日 00:00（北京时间）/ when the deadline has passed: 00:00 +08:00 of the next day"
)


def deadline_end(deadline: date | None) -> datetime | None:
    """The moment a deadline (a Beijing working day) has passed: 00:00 +08:00 of the next day (``None`` stays)."""
    if deadline is None:
        return None
    try:
        nxt = deadline + timedelta(days=1)
    except OverflowError:
        return None
    return datetime(nxt.year, nxt.month, nxt.day, tzinfo=BEIJING)
