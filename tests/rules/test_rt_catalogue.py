"""Every runtime rule (module rt_*) has a test module with test_triggers_* and test_clean_* functions,
fixtures that exist, resolvable legal bases and the documented headings."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from apprights.knowledge.legal import resolve
from apprights.rules.base import DOC_HEADINGS, discover_rules

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS.parent / "fixtures" / "traces"


def runtime_rules() -> list[type]:
    return [r for r in discover_rules() if r.__module__.rsplit(".", 1)[-1].startswith("rt_")]


def test_runtime_rules_exist_for_types_1_to_8() -> None:
    assert {r.problem_type for r in runtime_rules()} == set(range(1, 9))


def test_each_runtime_rule_has_triggering_and_clean_tests() -> None:
    for rule in runtime_rules():
        pkg, mod = rule.__module__.split(".")[-2:]
        test_mod = importlib.import_module(f"tests.rules.{pkg}.test_{mod}")
        names = [n for n in dir(test_mod) if n.startswith("test_")]
        assert any(n.startswith("test_triggers_") for n in names), rule.id
        assert any(n.startswith("test_clean_") for n in names), rule.id


def test_docs_legal_basis_requires_and_fixtures() -> None:
    for rule in runtime_rules():
        doc = rule.doc()
        for h in DOC_HEADINGS:
            assert h in doc, (rule.id, h)
        assert rule.legal_basis and all(resolve(x) is not None for x in rule.legal_basis), rule.id
        assert "runtime" in rule.requires, rule.id
        assert re.fullmatch(r"T[1-8]\.[a-z0-9_]+", rule.id), rule.id
        assert rule.title_zh and rule.title_en, rule.id
        for name in re.findall(r"(\w+\.jsonl)", doc):
            assert (FIXTURES / name).exists(), (rule.id, name)
