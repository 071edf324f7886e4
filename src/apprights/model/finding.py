"""Findings, their evidence, subject and confidence: pure data, serialisable to report JSON."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.INFO: 0, Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3}


class Confidence(StrEnum):
    """How far the evidence got. Static evidence alone never claims ``observed``."""

    DECLARED = "declared"
    PRESENT = "present"
    REACHABLE = "reachable"
    OBSERVED = "observed"
    OBSERVED_IN_VIOLATION = "observed_in_violation"

    @property
    def rank(self) -> int:
        return _CONFIDENCE_ORDER.index(self)


_CONFIDENCE_ORDER = [
    Confidence.DECLARED,
    Confidence.PRESENT,
    Confidence.REACHABLE,
    Confidence.OBSERVED,
    Confidence.OBSERVED_IN_VIOLATION,
]


class SubjectKind(StrEnum):
    APP = "app"
    SDK = "sdk"
    PLATFORM = "platform"


@dataclass(frozen=True)
class Subject:
    """Who is responsible: the app itself, a named SDK, or a distribution platform."""

    kind: SubjectKind
    id: str
    name: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": str(self.kind), "id": self.id, "name": self.name}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Subject:
        return cls(SubjectKind(d["kind"]), str(d["id"]), str(d.get("name", d["id"])))


@dataclass
class Evidence:
    """One evidence item pointing back into the facts.

    ``source`` is one of manifest|dex|policy|trace|listing|apk; ``data`` holds the pointer (class and method,
    component, event index and time, policy excerpt, listing field …). Volatile fields may be here: the
    fingerprint never reads evidence.
    """

    source: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, **self.data}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Evidence:
        rest = {k: v for k, v in d.items() if k != "source"}
        return cls(str(d.get("source", "")), rest)


def make_fingerprint(rule: str, subject_id: str, key: str) -> str:
    """A stable identity for a finding: rule, subject and a rule-chosen key free of volatile details."""
    # surrogatepass: a fingerprint must never fail, whatever text an input smuggled into a key
    raw = "\x1f".join((rule, subject_id, key)).encode("utf-8", "surrogatepass")
    return hashlib.sha256(raw).hexdigest()[:32]


@dataclass
class Finding:
    rule: str
    problem_type: int
    title_zh: str
    title_en: str
    severity: Severity
    confidence: Confidence
    subject: Subject
    legal_basis: list[str]
    evidence: list[Evidence]
    key: str = ""  # stable part of the identity (e.g. "android.telephony.TelephonyManager.getDeviceId")
    detail_zh: str = ""
    detail_en: str = ""
    # Findings from different rules that describe the same problem share a merge key (e.g. a static
    # suspicion and its runtime confirmation); the engine reports them once at the higher confidence.
    merge_key: str = ""
    also_rules: list[str] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        return make_fingerprint(self.rule, self.subject.id, self.key)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "fingerprint": self.fingerprint,
            "rule": self.rule,
            "problem_type": self.problem_type,
            "title": {"zh": self.title_zh, "en": self.title_en},
            "severity": str(self.severity),
            "confidence": str(self.confidence),
            "subject": self.subject.to_dict(),
            "legal_basis": list(self.legal_basis),
            "evidence": [e.to_dict() for e in self.evidence],
            "key": self.key,
        }
        if self.detail_zh or self.detail_en:
            d["detail"] = {"zh": self.detail_zh, "en": self.detail_en}
        if self.merge_key:
            d["merge_key"] = self.merge_key
        if self.also_rules:
            d["also_rules"] = list(self.also_rules)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Finding:
        title = d.get("title") or {}
        detail = d.get("detail") or {}
        return cls(
            rule=str(d["rule"]),
            problem_type=int(d["problem_type"]),
            title_zh=str(title.get("zh", "")),
            title_en=str(title.get("en", "")),
            severity=Severity(d["severity"]),
            confidence=Confidence(d["confidence"]),
            subject=Subject.from_dict(d["subject"]),
            legal_basis=[str(x) for x in d.get("legal_basis", [])],
            evidence=[Evidence.from_dict(e) for e in d.get("evidence", [])],
            key=str(d.get("key", "")),
            detail_zh=str(detail.get("zh", "")),
            detail_en=str(detail.get("en", "")),
            merge_key=str(d.get("merge_key", "")),
            also_rules=[str(x) for x in d.get("also_rules", [])],
        )
