"""What the text and HTML reports share: each fact cited once per problem type, internal values hidden, and the
summary by problem type × severity × subject.

A fact (a trace event, a call site, a manifest entry, a policy sentence, a listing field) often supports several
findings of one problem type. Analysts read the type's section top to bottom, so a fact is printed in full the
first time and as a reference (``E3``) after that. The JSON report keeps every finding's evidence complete.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

SEVERITIES = ("high", "medium", "low", "info")

# evidence source → the keys that identify the fact it points at (the first set present wins)
_IDENTITY: dict[str, tuple[tuple[str, ...], ...]] = {
    "manifest": (("permission",), ("component",)),
    "policy": (("path", "sentence"),),
    "listing": (("listing", "field"), ("store", "field")),
}
# values that mean "none" inside the tool (a sentence index of -1 = not found) and say nothing to a reader
_INTERNAL = {"sentence": -1, "index": -1, "event": -1, "read_event": -1}


def visible_items(e: dict[str, Any]) -> list[tuple[str, Any]]:
    """The evidence item's fields a reader should see: no source, no empty values, no internal sentinels."""
    out = []
    for k, v in e.items():
        if k == "source" or k.startswith("_") or v is None or v == "" or v == [] or v == {}:
            continue
        if k in _INTERNAL and v == _INTERNAL[k]:
            continue
        out.append((k, v))
    return out


def fact_key(e: dict[str, Any]) -> str | None:
    """The identity of the fact an evidence item cites, or None when it names no single fact."""
    src = str(e.get("source", ""))
    if src == "trace":  # runtime rules write the event number as "event", policy rules as "index"
        n = e.get("event", e.get("index"))
        if isinstance(n, int) and n >= 0:
            return json.dumps(["trace", str(e.get("trace", "")), n], ensure_ascii=False)
        return None
    if src == "dex":  # a call site: static rules say caller_class/caller_method, policy rules class/method
        site = (e.get("api"), e.get("caller_class", e.get("class")), e.get("caller_method", e.get("method")))
        if all(isinstance(x, str) and x for x in site[:2]):
            return json.dumps(["dex", *site], ensure_ascii=False)
        return None
    for keys in _IDENTITY.get(src, ()):
        if all(e.get(k) not in (None, "", -1) for k in keys):
            return json.dumps([src, *[e[k] for k in keys]], ensure_ascii=False, default=str)
    return None


@dataclass
class Cited:
    """One evidence item of one finding: ``label`` (E1 …) when it names a fact; ``first`` when printed in full."""

    evidence: dict[str, Any]
    label: str = ""
    first: bool = True
    first_in: str = ""  # the rule whose finding printed it in full


@dataclass
class TypeGroup:
    problem_type: int
    findings: list[dict[str, Any]] = field(default_factory=list)
    cited: dict[int, list[Cited]] = field(default_factory=dict)  # index in findings → its evidence


def subject_label(s: dict[str, Any]) -> str:
    en = s.get("name_en")
    name = f"{s.get('name', '')} / {en}" if en and en != s.get("name") else str(s.get("name", ""))
    return f"{s.get('kind', '')}: {name} ({s.get('id', '')})"


def _subject_order(f: dict[str, Any]) -> tuple[bool, str]:
    s = f.get("subject") or {}
    return (s.get("kind") != "app", subject_label(s))


def group_by_type(findings: list[dict[str, Any]], shown: int | None = None) -> list[TypeGroup]:
    """Findings by problem type, within a type by subject (the app first; report order otherwise kept), each
    fact labelled once per type in that reading order. With ``shown`` (the reader sees only the first items of
    each finding) a hidden item is never the full citation a later "cited above" points to."""
    groups: dict[int, TypeGroup] = {}
    for f in findings:
        pt = int(f["problem_type"])
        groups.setdefault(pt, TypeGroup(pt)).findings.append(f)
    for g in groups.values():
        g.findings.sort(key=_subject_order)
        seen: dict[str, tuple[str, str]] = {}
        for i, f in enumerate(g.findings):
            items: list[Cited] = []
            for j, e in enumerate(f.get("evidence", []) or []):
                if not isinstance(e, dict):
                    continue
                key = fact_key(e)
                if key is None or (shown is not None and j >= shown and key not in seen):
                    items.append(Cited(e))
                elif key in seen:
                    label, rule = seen[key]
                    items.append(Cited(e, label, first=False, first_in=rule))
                else:
                    label = f"E{len(seen) + 1}"
                    seen[key] = (label, str(f.get("rule", "")))
                    items.append(Cited(e, label))
            g.cited[i] = items
    return [groups[k] for k in sorted(groups)]


@dataclass
class SummaryRow:
    problem_type: int
    subject: dict[str, Any]
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def summary_rows(findings: list[dict[str, Any]]) -> list[SummaryRow]:
    """Problem type × subject rows, counts by severity (the table at the top of the HTML report)."""
    rows: dict[tuple[int, str, str], SummaryRow] = {}
    for f in findings:
        s = f.get("subject") or {}
        k = (int(f["problem_type"]), str(s.get("kind", "")), str(s.get("id", "")))
        row = rows.setdefault(k, SummaryRow(k[0], s, dict.fromkeys(SEVERITIES, 0)))
        sev = str(f.get("severity", "info"))
        row.counts[sev] = row.counts.get(sev, 0) + 1
    return [rows[k] for k in sorted(rows, key=lambda k: (k[0], k[1] != "app", k[2]))]
