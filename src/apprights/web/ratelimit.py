"""A captcha-free rate limit for anonymous forms: at most ``limit`` posts per client address per window."""

from __future__ import annotations

import threading
from collections import deque
from datetime import datetime, timedelta


class RateLimit:
    def __init__(self, limit: int, window: timedelta, max_clients: int = 100_000) -> None:
        self.limit = limit
        self.window = window
        self.max_clients = max_clients
        self._hits: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str, now: datetime) -> bool:
        """Record a hit for ``client`` at ``now`` (a parameter: tests move time) unless it is over the limit."""
        with self._lock:
            hits = self._hits.setdefault(client, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            if len(self._hits) > self.max_clients:  # forget idle clients so memory stays bounded
                for key in [k for k, v in self._hits.items() if not v or v[-1] <= now - self.window]:
                    del self._hits[key]
            return True
