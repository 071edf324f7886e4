"""Evidence grouping for the text and HTML reports: fact identity, cite-once per type, internal values, summary."""

from __future__ import annotations

from typing import Any

from apprights.reports.grouping import fact_key, group_by_type, summary_rows, visible_items


def _f(
    pt: int, rule: str, subject: str, evidence: list[dict[str, Any]], severity: str = "high"
) -> dict[str, Any]:
    kind = "app" if subject == "app" else "sdk"
    return {
        "problem_type": pt,
        "rule": rule,
        "severity": severity,
        "subject": {"kind": kind, "id": subject, "name": subject},
        "evidence": evidence,
    }


def test_fact_identity_ignores_how_a_rule_spells_it() -> None:
    a = {"source": "trace", "trace": "t.jsonl", "session": 0, "event": 6, "kind": "network"}
    b = {"source": "trace", "trace": "t.jsonl", "index": 6, "host": "x"}
    assert fact_key(a) == fact_key(b) is not None
    c = {"source": "dex", "api": "A.b", "caller_class": "C", "caller_method": "m"}
    d = {"source": "dex", "api": "A.b", "class": "C", "method": "m", "pi_type": "x"}
    assert fact_key(c) == fact_key(d) is not None
    assert fact_key({"source": "policy", "sentence": -1, "path": "p"}) is None  # "not found" is no fact
    assert fact_key({"source": "dex", "sdk": "umeng"}) is None  # an SDK summary is not one fact
    assert fact_key({"source": "manifest", "permission": "P"}) != fact_key(
        {"source": "manifest", "permission": "Q"}
    )


def test_each_fact_is_full_once_per_type_in_reading_order() -> None:
    ev = {"source": "trace", "trace": "t", "event": 6}
    other = {"source": "trace", "trace": "t", "event": 7}
    findings = [
        _f(3, "T3.b", "umeng", [ev]),
        _f(3, "T3.a", "app", [ev, other]),  # printed first: the app's subject comes first
        _f(1, "T1.x", "umeng", [ev]),  # another type cites it in full again
    ]
    groups = group_by_type(findings)
    assert [g.problem_type for g in groups] == [1, 3]
    t3 = groups[1]
    assert [f["rule"] for f in t3.findings] == ["T3.a", "T3.b"]
    first, second = t3.cited[0], t3.cited[1]
    assert first[0].first and first[0].label == "E1" and first[1].label == "E2"
    assert not second[0].first and second[0].label == "E1" and second[0].first_in == "T3.a"
    assert groups[0].cited[0][0].first


def test_a_hidden_item_is_never_the_one_cited_above() -> None:
    ev = {"source": "trace", "trace": "t", "event": 9}
    findings = [_f(2, "T2.a", "app", [{"source": "x"}, ev]), _f(2, "T2.b", "app", [ev])]
    g = group_by_type(findings, shown=1)[0]
    assert g.cited[0][1].label == ""  # beyond what the reader sees: not registered
    assert g.cited[1][0].first and g.cited[1][0].label == "E1"


def test_internal_values_are_hidden() -> None:
    items = dict(
        visible_items({"source": "policy", "sentence": -1, "excerpt": "", "searched_for": "x", "n": 0})
    )
    assert items == {"searched_for": "x", "n": 0}
    assert dict(visible_items({"source": "policy", "sentence": 3}))["sentence"] == 3


def test_summary_rows_by_type_subject_severity() -> None:
    rows = summary_rows(
        [
            _f(1, "a", "umeng", [], "high"),
            _f(1, "b", "app", [], "medium"),
            _f(1, "c", "app", [], "medium"),
            _f(2, "d", "app", [], "low"),
        ]
    )
    assert [
        (r.problem_type, r.subject["id"], r.counts["high"], r.counts["medium"], r.total) for r in rows
    ] == [
        (1, "app", 0, 2, 2),
        (1, "umeng", 1, 0, 1),
        (2, "app", 0, 0, 1),
    ]
