"""The rule framework: one small module per rule, discovered automatically.

A rule is a class with a docstring under fixed headings (see ``DOC_HEADINGS``), its id, the 164 problem type,
legal bases, the facts it needs and default options. ``check`` is a pure function of the facts: no I/O.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import pkgutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from apprights.model.facts import AppFacts, SdkHit
from apprights.model.finding import Confidence, Evidence, Finding, Severity, Subject, SubjectKind

if TYPE_CHECKING:
    from apprights.knowledge import Knowledge

DOC_HEADINGS = (
    "What it detects",
    "Legal basis",
    "Evidence and confidence",
    "Known false positives",
    "Fixtures",
)

# Facts a rule may require; the engine skips a rule whose facts were not supplied.
FACT_KINDS = frozenset({"manifest", "code", "sdks", "policy", "runtime", "listing", "category"})


@dataclass
class RuleContext:
    knowledge: Knowledge
    options: dict[str, Any] = field(default_factory=dict)

    def option(self, rule: type[Rule], name: str) -> Any:
        scoped = self.options.get(rule.id, {})
        if isinstance(scoped, dict) and name in scoped:
            return scoped[name]
        return rule.default_options[name]


class Rule:
    """Base class. Subclasses set the class variables and implement ``check``."""

    id: ClassVar[str] = ""
    problem_type: ClassVar[int] = 0
    title_zh: ClassVar[str] = ""
    title_en: ClassVar[str] = ""
    severity: ClassVar[Severity] = Severity.MEDIUM
    legal_basis: ClassVar[tuple[str, ...]] = ()
    requires: ClassVar[frozenset[str]] = frozenset()
    default_options: ClassVar[dict[str, Any]] = {}

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterable[Finding]:
        raise NotImplementedError

    # helpers for subclasses -------------------------------------------------------------------------
    @classmethod
    def finding(
        cls,
        facts: AppFacts,
        *,
        key: str,
        evidence: list[Evidence],
        confidence: Confidence,
        subject: Subject | None = None,
        severity: Severity | None = None,
        detail_zh: str = "",
        detail_en: str = "",
        merge_key: str = "",
        title_zh: str | None = None,
        title_en: str | None = None,
    ) -> Finding:
        return Finding(
            rule=cls.id,
            problem_type=cls.problem_type,
            title_zh=title_zh or cls.title_zh,
            title_en=title_en or cls.title_en,
            severity=severity or cls.severity,
            confidence=confidence,
            subject=subject or app_subject(facts),
            legal_basis=list(cls.legal_basis),
            evidence=evidence,
            key=key,
            detail_zh=detail_zh,
            detail_en=detail_en,
            merge_key=merge_key,
        )

    @classmethod
    def doc(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")


def app_subject(facts: AppFacts) -> Subject:
    pkg = facts.package or "unknown"
    label = facts.manifest.label if facts.manifest is not None and facts.manifest.label else pkg
    return Subject(SubjectKind.APP, pkg, label)


def sdk_subject(sdk: SdkHit) -> Subject:
    return Subject(SubjectKind.SDK, sdk.id, sdk.name or sdk.name_en)


def platform_subject(store: str, name: str | None = None) -> Subject:
    return Subject(SubjectKind.PLATFORM, store, name or store)


def _iter_rule_modules() -> Iterator[Any]:
    import apprights.rules as pkg

    for info in pkgutil.walk_packages(pkg.__path__, prefix="apprights.rules."):
        leaf = info.name.rsplit(".", 1)[-1]
        if leaf.startswith("_") or info.name in {"apprights.rules.base"}:
            continue
        yield importlib.import_module(info.name)


def discover_rules() -> list[type[Rule]]:
    """Every ``Rule`` subclass with an id under ``apprights.rules``, sorted by id. Duplicate ids raise."""
    return list(_discover_rules())


@functools.cache
def _discover_rules() -> tuple[type[Rule], ...]:
    # The rule modules are code shipped with the package: scanning them once per process is enough.
    found: dict[str, type[Rule]] = {}
    for module in _iter_rule_modules():
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, Rule) and obj is not Rule and obj.id and obj.__module__ == module.__name__:
                if obj.id in found and found[obj.id] is not obj:
                    raise RuntimeError(f"duplicate rule id {obj.id}: {found[obj.id]} and {obj}")
                found[obj.id] = obj
    return tuple(found[k] for k in sorted(found))
