"""The SDK catalogue: third-party SDKs with class prefixes, hosts, manifest components and the PI they collect.

Data: ``data/sdks.json`` = {"version": str, "sdks": [{"id", "name_zh", "name_en", "vendor", "category",
"prefixes": [dotted package prefixes], "hosts": [domain suffixes], "components": [class names],
"pi": [PIType values], "country": "CN"|..., "source": "..."}]}.
Categories: push, analytics, ads, map, payment, social, crash, identity, oaid, other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class SdkEntry:
    id: str
    name_zh: str
    name_en: str
    vendor: str
    category: str
    prefixes: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()
    components: tuple[str, ...] = ()
    pi: tuple[str, ...] = ()
    country: str = ""
    source: str = "apprights"

    @property
    def name(self) -> str:
        return self.name_zh or self.name_en


@dataclass
class SdkCatalogue:
    version: str
    entries: list[SdkEntry]
    _by_id: dict[str, SdkEntry] = field(default_factory=dict, repr=False)
    _by_prefix: dict[str, SdkEntry] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {e.id: e for e in self.entries}
        self._by_prefix = {}
        for e in self.entries:
            for p in e.prefixes:
                self._by_prefix.setdefault(p.rstrip("."), e)

    @classmethod
    def load(cls, data_dir: Path) -> SdkCatalogue:
        raw = json.loads((data_dir / "sdks.json").read_text(encoding="utf-8"))
        entries = [
            SdkEntry(
                id=str(r["id"]),
                name_zh=str(r.get("name_zh", "")),
                name_en=str(r.get("name_en", "")),
                vendor=str(r.get("vendor", "")),
                category=str(r.get("category", "other")),
                prefixes=tuple(r.get("prefixes", ())),
                hosts=tuple(r.get("hosts", ())),
                components=tuple(r.get("components", ())),
                pi=tuple(r.get("pi", ())),
                country=str(r.get("country", "")),
                source=str(r.get("source", "apprights")),
            )
            for r in raw["sdks"]
        ]
        return cls(version=str(raw["version"]), entries=entries)

    def with_exodus(self, path: Path) -> SdkCatalogue:
        """Add trackers from a user-supplied Exodus JSON file (not shipped: AGPL data)."""
        raise NotImplementedError  # implemented by the knowledge work

    def get(self, sdk_id: str) -> SdkEntry | None:
        return self._by_id.get(sdk_id)

    def match_class(self, dotted: str) -> SdkEntry | None:
        """The SDK owning a dotted class name (longest matching package prefix), or None."""
        name = dotted
        while True:
            hit = self._by_prefix.get(name)
            if hit is not None:
                return hit
            if "." not in name:
                return None
            name = name.rsplit(".", 1)[0]

    def match_host(self, host: str) -> SdkEntry | None:
        """The SDK whose vendor domain the host belongs to (suffix match on labels), or None."""
        host = host.lower().rstrip(".")
        for e in self.entries:
            for h in e.hosts:
                if host == h or host.endswith("." + h):
                    return e
        return None
