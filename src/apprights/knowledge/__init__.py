"""Versioned knowledge shipped in the package: sensitive APIs, SDKs, permissions, the 39 app categories.

Loaded once at the edge (``Knowledge.load()``) and passed down; every report records ``Knowledge.versions()``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from apprights.knowledge.categories import CategoryTable
from apprights.knowledge.permissions import PermissionTable
from apprights.knowledge.sdks import SdkCatalogue
from apprights.knowledge.sensitive_apis import SensitiveApiCatalogue

DATA_DIR = Path(__file__).parent / "data"


def _policy_lexicon_version() -> str:
    path = DATA_DIR / "policy_lexicon.json"
    if not path.exists():
        return ""
    return str(json.loads(path.read_text(encoding="utf-8")).get("version", ""))


@dataclass
class Knowledge:
    sensitive_apis: SensitiveApiCatalogue
    sdks: SdkCatalogue
    permissions: PermissionTable
    categories: CategoryTable
    policy_lexicon_version: str = ""

    @classmethod
    def load(cls, exodus_file: Path | None = None) -> Knowledge:
        """Load the packaged data; ``exodus_file`` adds Exodus trackers from a user-supplied file."""
        sdks = SdkCatalogue.load(DATA_DIR)
        if exodus_file is not None:
            sdks = sdks.with_exodus(exodus_file)
        return cls(
            sensitive_apis=SensitiveApiCatalogue.load(DATA_DIR),
            sdks=sdks,
            permissions=PermissionTable.load(DATA_DIR),
            categories=CategoryTable.load(DATA_DIR),
            policy_lexicon_version=_policy_lexicon_version(),
        )

    def versions(self) -> dict[str, str]:
        return {
            "sensitive_apis": self.sensitive_apis.version,
            "sdks": self.sdks.version,
            "permissions": self.permissions.version,
            "categories": self.categories.version,
            **({"policy_lexicon": self.policy_lexicon_version} if self.policy_lexicon_version else {}),
        }

    def version(self) -> str:
        v = self.versions()
        return "+".join(f"{k}:{v[k]}" for k in sorted(v))
