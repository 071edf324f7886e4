"""Facts derived from runtime traces (filled by ``extractors.trace``).

The trace helper owns the detailed structure; rules read it through these classes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RuntimeFacts:
    package: str
    traces: list[str] = field(default_factory=list)  # paths
    sessions: list[Any] = field(default_factory=list)
