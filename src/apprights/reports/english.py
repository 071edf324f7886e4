"""English report text names SDKs and app categories in English.

Rules write one sentence per language but name an SDK subject by its display name (Chinese where there is one)
and a category by its regulation name (新闻资讯类). The report swaps those names for their English ones in the
English title and detail of every finding, and adds ``name_en`` to SDK subjects. A name is swapped only where it
stands alone (not inside a longer Chinese run, such as a company name), so legal names are left as written.
"""

from __future__ import annotations

import re
from typing import Any

from apprights.knowledge import Knowledge
from apprights.model.facts import AppFacts
from apprights.model.finding import Finding, SubjectKind

_CJK = r"\u3400-\u9fff\uf900-\ufaff"


def english_names(facts: AppFacts, findings: list[Finding], knowledge: Knowledge) -> dict[str, str]:
    """Chinese display name → English name, for the SDKs and the category this report can mention."""
    names: dict[str, str] = {}
    for s in facts.sdks:
        if s.name and s.name_en and s.name != s.name_en:
            names[s.name] = s.name_en
    for f in findings:
        if f.subject.kind is SubjectKind.SDK and f.subject.name not in names:
            e = knowledge.sdks.get(f.subject.id)
            if e is not None and e.name_en and f.subject.name in (e.name_zh, e.name):
                names[f.subject.name] = e.name_en
    if facts.category:
        cat = knowledge.categories.find(facts.category)
        if cat is not None and cat.name_en:
            names[cat.name] = cat.name_en
    return {zh: en for zh, en in names.items() if re.search(f"[{_CJK}]", zh)}


def localise(findings: list[Finding], names: dict[str, str]) -> None:
    """Swap the Chinese names in the English title and detail of ``findings`` (in place)."""
    if not names:
        return
    alternatives = "|".join(re.escape(zh) for zh in sorted(names, key=len, reverse=True))
    rx = re.compile(f"(?<![{_CJK}])(?:{alternatives})(?![{_CJK}])")

    def swap(text: str) -> str:
        return rx.sub(lambda m: names[m.group(0)], text) if text else text

    for f in findings:
        f.title_en = swap(f.title_en)
        f.detail_en = swap(f.detail_en)


def subject_dict(f: Finding, names: dict[str, str]) -> dict[str, Any]:
    d = f.subject.to_dict()
    if f.subject.kind is SubjectKind.SDK:
        d["name_en"] = names.get(f.subject.name, f.subject.name)
    return d
