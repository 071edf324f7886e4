"""Runtime: location or contacts read by an app whose category does not need them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity, Subject
from apprights.model.pi import pi_label
from apprights.rules._rt_common import actor_subject, capped, sessions, trace_evidence
from apprights.rules.base import Rule, RuleContext


class CollectBeyondCategory(Rule):
    """Location or contacts actually read while the app's category (14号文) does not need them.

    What it detects
        With ``facts.category`` resolved in the 39-category table, every hooked read of a PI type in
        ``watched_pi_types`` (default location and contacts) that is not in the category's necessary PI, one
        finding per subject and PI type. The static rule T2.pi_outside_category judges declared permissions;
        this one judges observed reads; both use the merge key ``T2.pi:<subject>:<pi>``, so a static suspicion
        and its observed read are reported once.

    Legal basis
        认定方法 四(1) (收集的个人信息类型与现有业务功能无关); 164号文 一(2); 14号文 第五条.

    Evidence and confidence
        ``trace`` evidence per distinct API. Confidence ``observed``: the read is seen; an extended function the
        user chose may still need it.

    Known false positives
        Extended functions (nearby search, sharing a location) the user triggered; a wrong category given.

    Fixtures
        tests/fixtures/traces/t2_violate.jsonl (a news app reading location and contacts) and t2_clean.jsonl;
        tests/rules/t2_overreach/test_rt_collect_beyond_category.py.
    """

    id = "T2.collect_beyond_category"
    problem_type = 2
    title_zh = "收集与App类型基本功能无关的个人信息"
    title_en = "Personal information collected beyond what the app category needs"
    severity = Severity.MEDIUM
    legal_basis = ("认定方法 四(1)", "164号文 一(2)", "14号文 第五条")
    requires = frozenset({"runtime", "category"})
    default_options: ClassVar[dict[str, Any]] = {"watched_pi_types": ["location", "contacts"]}

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        if not facts.category:
            return
        cat = ctx.knowledge.categories.find(facts.category)
        if cat is None:
            return
        watched = set(ctx.option(type(self), "watched_pi_types")) - set(cat.necessary_pi)
        groups: dict[tuple[str, str], tuple[Subject, list[Evidence]]] = {}
        for s in sessions(facts):
            seen: set[tuple[str, str]] = set()
            for c in s.api_calls:
                if c.pi_type not in watched or (c.api, c.actor.id) in seen:
                    continue
                seen.add((c.api, c.actor.id))
                sub = actor_subject(facts, c.actor)
                ev = trace_evidence(s, c.at, kind="api_call", api=c.api, pi_type=c.pi_type, category=cat.name)
                groups.setdefault((sub.id, c.pi_type), (sub, []))[1].append(ev)
        for (_, pi), (subject, evs) in groups.items():
            yield self.finding(
                facts,
                key=f"category:{pi}",
                subject=subject,
                confidence=Confidence.OBSERVED,
                evidence=capped(evs),
                # the static T2.pi_outside_category key: the same PI of the same subject beyond the category
                merge_key=f"T2.pi:{subject.id}:{pi}",
                detail_zh=f"{cat.name}的基本功能（{cat.basic_function}）无需{pi_label(pi, 'zh')}，"
                f"但{subject.name}读取了该信息",
                detail_en=f"The basic function of a {cat.name} app does not need {pi_label(pi, 'en')}, "
                f"yet {subject.name} read it",
            )
