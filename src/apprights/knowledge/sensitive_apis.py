"""The sensitive-API catalogue: framework methods mapped to the PI type they touch.

Data: ``data/sensitive_apis.json`` = {"version": str, "apis": [{"api", "pi_type", "label_zh", "label_en",
"permission", "kind", "arg_filter"}]}. ``api`` is dotted: ``android.telephony.TelephonyManager.getDeviceId``;
nested classes use ``$`` (``android.provider.Settings$Secure.getString``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class SensitiveApi:
    api: str
    pi_type: str  # model.pi.PIType value
    label_zh: str
    label_en: str
    permission: str | None = None
    kind: str = "read"  # read|send|request|start|download|listen
    # argument filter for runtime matching, e.g. {"index": 1, "equals": ["android_id"]}
    arg_filter: dict[str, Any] | None = None

    @property
    def class_name(self) -> str:
        return self.api.rsplit(".", 1)[0]

    @property
    def method_name(self) -> str:
        return self.api.rsplit(".", 1)[1]

    @property
    def class_descriptor(self) -> str:
        """The DEX type descriptor of the declaring class: ``Landroid/telephony/TelephonyManager;``."""
        return "L" + self.class_name.replace(".", "/") + ";"


@dataclass
class SensitiveApiCatalogue:
    version: str
    apis: list[SensitiveApi]
    _by_api: dict[str, list[SensitiveApi]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_api = {}
        for a in self.apis:
            self._by_api.setdefault(a.api, []).append(a)

    @classmethod
    def load(cls, data_dir: Path) -> SensitiveApiCatalogue:
        raw = json.loads((data_dir / "sensitive_apis.json").read_text(encoding="utf-8"))
        apis = [
            SensitiveApi(
                api=str(r["api"]),
                pi_type=str(r["pi_type"]),
                label_zh=str(r.get("label_zh", "")),
                label_en=str(r.get("label_en", "")),
                permission=r.get("permission"),
                kind=str(r.get("kind", "read")),
                arg_filter=r.get("arg_filter"),
            )
            for r in raw["apis"]
        ]
        return cls(version=str(raw["version"]), apis=apis)

    def lookup(self, api: str) -> list[SensitiveApi]:
        """All entries for a dotted API name (several when argument filters distinguish them)."""
        return self._by_api.get(api, [])

    def targets(self) -> set[tuple[str, str]]:
        """(class descriptor, method name) pairs for the DEX scanner."""
        return {(a.class_descriptor, a.method_name) for a in self.apis}
