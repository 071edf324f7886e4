"""Catalogue-wide checks: every rule, including rules added later, is complete and self-documenting."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from apprights.knowledge.legal import resolve
from apprights.model.finding import Severity
from apprights.rules.base import DOC_HEADINGS, FACT_KINDS, Rule, discover_rules

TESTS = Path(__file__).resolve().parent
ID_RE = re.compile(r"^T(10|[1-9])\.[a-z0-9_]+$")
CJK = re.compile(r"[\u4e00-\u9fff]")
RULES = discover_rules()


def rule_ids() -> list[str]:
    return [r.id for r in RULES]


def test_catalogue_is_not_empty_and_ids_unique() -> None:
    assert len(RULES) >= 10
    assert len(set(rule_ids())) == len(RULES)


@pytest.fixture(params=RULES, ids=rule_ids())
def rule(request: pytest.FixtureRequest) -> type[Rule]:
    return request.param  # type: ignore[no-any-return]


def test_id_problem_type_and_package_agree(rule: type[Rule]) -> None:
    m = ID_RE.match(rule.id)
    assert m, f"{rule.id} does not match {ID_RE.pattern}"
    assert rule.problem_type == int(m.group(1))
    package = rule.__module__.split(".")[2]
    assert package.startswith(f"t{rule.problem_type}_"), f"{rule.id} lives in {package}"


def test_docstring_has_every_heading_followed_by_text(rule: type[Rule]) -> None:
    lines = rule.doc().splitlines()
    stripped = [ln.strip() for ln in lines]
    positions = []
    for heading in DOC_HEADINGS:
        assert heading in stripped, f"{rule.id}: heading {heading!r} missing (must be on its own line)"
        i = stripped.index(heading)
        positions.append(i)
        following = next((s for s in stripped[i + 1 :] if s), "")
        assert following and following not in DOC_HEADINGS, f"{rule.id}: no text under {heading!r}"
    assert positions == sorted(positions), f"{rule.id}: headings out of order"


def test_legal_basis_resolves(rule: type[Rule]) -> None:
    assert rule.legal_basis, f"{rule.id} has no legal basis"
    for ref in rule.legal_basis:
        assert resolve(ref) is not None, f"{rule.id}: legal reference {ref!r} does not resolve"


def test_bilingual_titles_and_metadata(rule: type[Rule]) -> None:
    assert CJK.search(rule.title_zh), f"{rule.id}: title_zh is not Chinese"
    assert rule.title_en and not CJK.search(rule.title_en), f"{rule.id}: title_en missing or not English"
    assert isinstance(rule.severity, Severity)
    assert set(rule.requires) <= FACT_KINDS, f"{rule.id}: unknown facts {set(rule.requires) - FACT_KINDS}"
    assert isinstance(rule.default_options, dict)


def test_has_a_mirroring_test_with_triggering_and_clean_cases(rule: type[Rule]) -> None:
    parts = rule.__module__.split(".")  # apprights.rules.t<N>_x.module
    path = TESTS.joinpath(*parts[2:-1], f"test_{parts[-1]}.py")
    rel = path.relative_to(TESTS.parent.parent).as_posix()
    assert path.is_file(), f"{rule.id}: missing test file {rel}"
    assert rel in rule.doc().split("Fixtures", 1)[-1], f"{rule.id}: the Fixtures section does not name {rel}"
    names = [
        n.name
        for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(n, ast.FunctionDef)
    ]
    assert any(n.startswith("test_triggers") for n in names), f"{rule.id}: no test_triggers… in {path.name}"
    assert any(n.startswith("test_clean") for n in names), f"{rule.id}: no test_clean… in {path.name}"


class _BadRule(Rule):
    """Does things.

    What it detects
        Something.
    Legal basis
    """

    id = "T11.Bad-Id"
    problem_type = 3
    title_zh = "bad"
    title_en = "坏"
    legal_basis = ("164号文 五(11)",)
    requires = frozenset({"telepathy"})


_BadRule.__module__ = "apprights.rules.t4_targeted_push.not_there"


@pytest.mark.parametrize(
    "check",
    [
        test_id_problem_type_and_package_agree,
        test_docstring_has_every_heading_followed_by_text,
        test_legal_basis_resolves,
        test_bilingual_titles_and_metadata,
        test_has_a_mirroring_test_with_triggering_and_clean_cases,
    ],
)
def test_checks_reject_a_bad_rule(check) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AssertionError):
        check(_BadRule)
