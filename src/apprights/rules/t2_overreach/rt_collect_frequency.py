"""Runtime: the same identifier read again and again without a user action."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity
from apprights.model.pi import pi_label
from apprights.rules._rt_common import actor_subject, sessions
from apprights.rules.base import Rule, RuleContext


def longest_periodic_run(times: list[float], period_s: float) -> tuple[int, int]:
    """(length, start position) of the longest run of reads whose consecutive gaps are all ≤ ``period_s``."""
    best, best_start, run, start = (1, 0, 1, 0) if times else (0, 0, 0, 0)
    for i in range(1, len(times)):
        if times[i] - times[i - 1] <= period_s:
            run += 1
            if run > best:
                best, best_start = run, start
        else:
            run, start = 1, i
    return best, best_start


class CollectFrequency(Rule):
    """One identifier read periodically (period ≤ 30 s) or too many times in a session, with no user action.

    What it detects
        Per session, subject and PI type (several APIs of one identifier are merged), the reads that had no
        user tap within the extractor's window before them. A finding when at least ``min_run`` consecutive
        such reads are each at most ``period_s`` apart (S1: "每30s", "每2秒读取一次"), or when there are more
        than ``max_reads`` of them in one session.

    Legal basis
        认定方法 四(4) (收集个人信息的频度等超出业务功能实际需要); 164号文 一(2).

    Evidence and confidence
        ``trace`` evidence of the first read of the run, with the count, the run length and the shortest and
        median gap. Confidence ``observed``: the frequency is seen, whether the function needs it is a judgement.

    Known false positives
        Functions that legitimately poll (navigation, fitness tracking) for location; a driver that does not
        record taps (then every read counts as unprompted).

    Fixtures
        tests/fixtures/traces/t2_violate.jsonl (IMEI every 2 s) and t2_clean.jsonl;
        tests/rules/t2_overreach/test_rt_collect_frequency.py.
    """

    id = "T2.collect_frequency"
    problem_type = 2
    title_zh = "频繁读取个人信息，频度超出业务需要"
    title_en = "Personal information read more often than needed"
    severity = Severity.MEDIUM
    legal_basis = ("认定方法 四(4)", "164号文 一(2)")
    requires = frozenset({"runtime"})
    default_options: ClassVar[dict[str, Any]] = {
        "period_s": 30.0,
        "min_run": 4,
        "max_reads": 30,
        "ignore_pi_types": ["device_info", "sensors"],
    }

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        cls = type(self)
        period = float(ctx.option(cls, "period_s"))
        min_run = int(ctx.option(cls, "min_run"))
        max_reads = int(ctx.option(cls, "max_reads"))
        ignore = set(ctx.option(cls, "ignore_pi_types"))
        reported: set[tuple[str, str]] = set()
        for s in sessions(facts):
            merged: dict[tuple[str, str], dict[str, Any]] = {}
            for series in s.api_series:
                if series.pi_type in ignore:
                    continue
                sub = actor_subject(facts, series.actor)
                m = merged.setdefault(
                    (sub.id, series.pi_type), {"subject": sub, "pairs": [], "count": 0, "apis": set()}
                )
                m["pairs"].extend(zip(series.unprompted_t, series.unprompted_index, strict=False))
                m["count"] += series.unprompted_count
                m["apis"].add(series.api)
            for (sid, pi), m in merged.items():
                if (sid, pi) in reported:
                    continue
                pairs = sorted(m["pairs"])
                times = [p[0] for p in pairs]
                run, start = longest_periodic_run(times, period)
                if run < min_run and m["count"] <= max_reads:
                    continue
                reported.add((sid, pi))
                gaps = sorted(b - a for a, b in pairwise(times))
                median = gaps[len(gaps) // 2] if gaps else 0.0
                first_t, first_index = pairs[start] if run >= min_run else pairs[0]
                subject = m["subject"]
                ev = Evidence(
                    "trace",
                    s.evidence(
                        first_index,
                        first_t,
                        kind="api_series",
                        pi_type=pi,
                        apis=sorted(m["apis"]),
                        unprompted_reads=m["count"],
                        periodic_run=run,
                        min_gap_s=round(gaps[0], 3) if gaps else None,
                        median_gap_s=round(median, 3),
                    ),
                )
                yield self.finding(
                    facts,
                    key=f"frequency:{pi}",
                    subject=subject,
                    confidence=Confidence.OBSERVED,
                    evidence=[ev],
                    detail_zh=f"{subject.name}在无用户操作时读取{pi_label(pi, 'zh')}{m['count']}次，"
                    f"连续{run}次间隔不超过{period:g}秒（中位间隔{median:.1f}秒）",
                    detail_en=f"{subject.name} read {pi_label(pi, 'en')} {m['count']} times without a user action; "
                    f"{run} consecutive reads at most {period:g} s apart (median gap {median:.1f} s)",
                )
