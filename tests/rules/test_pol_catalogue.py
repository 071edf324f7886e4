"""Every privacy-policy rule (modules ``pol_*``) is documented, cites resolvable law and has both fixtures."""

import ast
from pathlib import Path

from apprights.knowledge.legal import resolve
from apprights.rules.base import DOC_HEADINGS, discover_rules

REPO = Path(__file__).resolve().parents[2]


def _pol_rules():
    rules = [r for r in discover_rules() if r.__module__.rsplit(".", 1)[-1].startswith("pol_")]
    assert len(rules) >= 10
    return rules


def test_pol_rules_documented_and_tested():
    ids = set()
    for rule in _pol_rules():
        assert rule.id not in ids
        ids.add(rule.id)
        doc = rule.doc()
        positions = [doc.find("\n" + h + "\n") for h in DOC_HEADINGS]
        assert all(p > 0 for p in positions) and positions == sorted(positions), rule.id
        assert rule.legal_basis and all(resolve(ref) is not None for ref in rule.legal_basis), rule.id
        assert rule.title_zh and rule.title_en and 1 <= rule.problem_type <= 10
        fixture = doc.split("\nFixtures\n", 1)[1].split()[0]
        path = REPO / fixture
        assert path.is_file(), fixture
        names = {
            n.name
            for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(n, ast.FunctionDef)
        }
        assert any(n.startswith("test_triggers_") for n in names), fixture
        assert any(n.startswith("test_clean_") for n in names), fixture
