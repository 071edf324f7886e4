"""Runtime: personal information read or sent before the user agreed to the privacy policy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity
from apprights.rules._rt_common import (
    capped,
    group_by_subject,
    is_collection,
    labels,
    packaging_evidence,
    sessions,
    trace_evidence,
    transfer_subject,
)
from apprights.rules.base import Rule, RuleContext


class CollectBeforeConsent(Rule):
    """The app or an SDK read personal information, or sent it out, before the user agreed.

    What it detects
        In a trace whose session has a consent timeline, every hooked PI API call (``api_call`` whose API the
        sensitive-API catalogue maps to a PI type) and every request that carries an identifier the app read
        (PI-in-traffic match) made while the consent phase is ``before`` or ``shown``, and every identifier found
        in data encrypted before sending (``crypto`` event: ``Cipher`` input) in that phase. One finding per
        subject: the SDK the first non-framework stack frame belongs to, or the app.

    Legal basis
        164号文 一(1) (未经用户同意私自收集个人信息); 认定方法 三(1) (征得同意前就开始收集个人信息).

    Evidence and confidence
        ``trace`` evidence per distinct API and per PI-bearing request (file, session, event index, time,
        phase, app state, API or host, stack frame, value SHA-256); ``kind: crypto`` evidence for encrypted
        data ("PI found in data encrypted by <SDK> before sending"; ``hosts`` lists the requests that carried
        the ciphertext, if any). Confidence ``observed_in_violation``.
        ``merge_key`` ``T1.pre_consent:<subject id>`` joins the static suspicion of SDK initialisation before
        consent into this finding.

    Known false positives
        A session whose driver did not record the consent dialog although one was shown (the extractor marks
        sessions without any consent event as phase ``unknown`` and this rule ignores them). PI types listed in
        ``ignore_pi_types`` (default: low-sensitivity device information) are skipped. Everyday start-up calls
        are not collection and are skipped as the static rules skip them (``_rt_common.is_collection``): APIs
        the catalogue flags ``weak`` or types as ``start``/``write`` (``startActivity``, ``File.mkdirs``) and
        the app's queries about itself (``getPackageInfo`` of its own package).

    Fixtures
        tests/fixtures/traces/spec_example.jsonl (Umeng reads and sends the IMEI before consent),
        t1_clean.jsonl; tests/rules/t1_collect/test_rt_collect_before_consent.py.
    """

    id = "T1.collect_before_consent"
    problem_type = 1
    title_zh = "同意隐私政策前收集个人信息"
    title_en = "Personal information collected before consent"
    severity = Severity.HIGH
    legal_basis = ("164号文 一(1)", "认定方法 三(1)")
    requires = frozenset({"runtime"})
    default_options: ClassVar[dict[str, Any]] = {"ignore_pi_types": ["device_info"]}

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        ignore = set(ctx.option(type(self), "ignore_pi_types"))
        items: list[tuple[Any, tuple[str, Evidence, str, str] | tuple[str, Evidence, str, str, str]]] = []
        for s in sessions(facts):
            seen: set[tuple[str, str]] = set()
            for c in s.api_calls:
                if not c.at.pre_consent or c.pi_type in ignore or (c.api, c.actor.id) in seen:
                    continue
                if not is_collection(ctx, c.api):
                    continue
                seen.add((c.api, c.actor.id))
                ev = trace_evidence(
                    s,
                    c.at,
                    kind="api_call",
                    api=c.api,
                    pi_type=c.pi_type,
                    frame=c.actor.frame,
                    value_sha256=c.value_sha256,
                    **({"outcome": f"attempted, threw {c.error}"} if c.error else {}),
                )
                items.append((c.actor, (c.pi_type, ev, c.api, "")))
            for x in s.pi_transfers:
                if not x.at.pre_consent or x.pi_type in ignore or (x.host, x.pi_type) in seen:
                    continue
                seen.add((x.host, x.pi_type))
                ev = trace_evidence(
                    s,
                    x.at,
                    kind="network",
                    host=x.host,
                    url=x.url,
                    pi_type=x.pi_type,
                    value_sha256=x.value_sha256,
                    encoding=x.encoding,
                    where=x.where,
                    read_event=x.read_index,
                    read_t=round(x.read_t, 3),
                )
                # the request's subject as T3 decides it (the receiving SDK first): one request, one subject
                items.append((transfer_subject(facts, x, ctx), (x.pi_type, ev, "", x.host)))
            for e in s.pi_encrypted:
                # an identifier in data encrypted before sending: collected (and packaged) before consent
                if (
                    not e.at.pre_consent
                    or e.pi_type in ignore
                    or (f"crypto:{e.packer.id}", e.pi_type) in seen
                ):
                    continue
                seen.add((f"crypto:{e.packer.id}", e.pi_type))
                items.append((e.packer, (e.pi_type, packaging_evidence(s, e), "", "", e.packer.name)))
        for subject, group in group_by_subject(facts, items):
            pis = [g[0] for g in group]
            apis = sorted({g[2] for g in group if g[2]})
            hosts = sorted({g[3] for g in group if g[3]})
            packers = sorted({g[4] for g in group if len(g) > 4})
            yield self.finding(
                facts,
                key="pre_consent",
                subject=subject,
                confidence=Confidence.OBSERVED_IN_VIOLATION,
                evidence=capped(g[1] for g in group),
                merge_key=f"T1.pre_consent:{subject.id}",
                detail_zh=f"{subject.name}在用户同意隐私政策前收集了{labels(pis, 'zh')}"
                + (f"，并发送至{'、'.join(hosts)}" if hosts else "")
                + (f"（调用：{'、'.join(apis)}）" if apis else "")
                + (f"（在{'、'.join(packers)}发送前加密的数据中发现个人信息）" if packers else ""),
                detail_en=f"{subject.name} collected {labels(pis, 'en')} before the user agreed"
                + (f" and sent it to {', '.join(hosts)}" if hosts else "")
                + (f" (calls: {', '.join(apis)})" if apis else "")
                + (
                    f" (PI found in data encrypted by {', '.join(packers)} before sending)" if packers else ""
                ),
            )
