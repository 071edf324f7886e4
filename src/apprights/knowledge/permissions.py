"""Android permissions: protection level (platform list, API 36), group, PI type and Chinese label.

Data: ``data/permissions.json`` = {"version": str, "permissions": [{"name", "protection_level", "group",
"pi_type", "label_zh", "label_en"}]}.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class PermissionInfo:
    name: str
    protection_level: str
    group: str | None = None
    pi_type: str | None = None
    label_zh: str = ""
    label_en: str = ""

    @property
    def dangerous(self) -> bool:
        return "dangerous" in self.protection_level.split("|")


@dataclass
class PermissionTable:
    version: str
    entries: list[PermissionInfo]
    _by_name: dict[str, PermissionInfo] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_name = {p.name: p for p in self.entries}

    @classmethod
    def load(cls, data_dir: Path) -> PermissionTable:
        raw = json.loads((data_dir / "permissions.json").read_text(encoding="utf-8"))
        entries = [
            PermissionInfo(
                name=str(r["name"]),
                protection_level=str(r.get("protection_level", "normal")),
                group=r.get("group"),
                pi_type=r.get("pi_type"),
                label_zh=str(r.get("label_zh", "")),
                label_en=str(r.get("label_en", "")),
            )
            for r in raw["permissions"]
        ]
        return cls(version=str(raw["version"]), entries=entries)

    def get(self, name: str) -> PermissionInfo | None:
        return self._by_name.get(name)

    def is_dangerous(self, name: str) -> bool:
        p = self._by_name.get(name)
        return p is not None and p.dangerous
