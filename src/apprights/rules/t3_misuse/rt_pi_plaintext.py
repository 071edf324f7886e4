"""Runtime: personal information sent over plaintext HTTP."""

from __future__ import annotations

from collections.abc import Iterator

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity, Subject
from apprights.rules._rt_common import capped, labels, sessions, transfer_subject
from apprights.rules.base import Rule, RuleContext
from apprights.rules.t3_misuse.rt_pi_to_third_party import transfer_evidence


class PiPlaintext(Rule):
    """An identifier the app read travelled unencrypted (``http://`` or ``tls: false``).

    What it detects
        PI-in-traffic matches in requests whose scheme is ``http`` or that the capture marked ``tls: false``,
        whatever the host. One finding per subject and host.

    Legal basis
        164号文 一(3) (违规使用个人信息); T/TAF 078.5; GB/T 35273-2020 6.3 (传输时采取加密等安全措施).

    Evidence and confidence
        ``trace`` evidence per (host, PI type) with the request URL (query removed), where the value was found
        and its SHA-256. Confidence ``observed_in_violation``.

    Known false positives
        A capture that records the scheme wrongly (a TLS-terminating proxy logging ``http``).

    Fixtures
        tests/fixtures/traces/t3_violate.jsonl (Android ID in an http:// query) and t3_clean.jsonl;
        tests/rules/t3_misuse/test_rt_pi_plaintext.py.
    """

    id = "T3.pi_plaintext"
    problem_type = 3
    title_zh = "明文传输个人信息"
    title_en = "Personal information sent in plaintext"
    severity = Severity.HIGH
    legal_basis = ("164号文 一(3)", "T/TAF 078.5", "GB/T 35273-2020 6.3")
    requires = frozenset({"runtime"})

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        groups: dict[tuple[str, str], tuple[Subject, list[tuple[str, Evidence]]]] = {}
        for s in sessions(facts):
            seen: set[tuple[str, str]] = set()
            for x in s.pi_transfers:
                if not x.plaintext or (x.host, x.pi_type) in seen:
                    continue
                seen.add((x.host, x.pi_type))
                sub = transfer_subject(facts, x, ctx)
                groups.setdefault((sub.id, x.host), (sub, []))[1].append((x.pi_type, transfer_evidence(s, x)))
        for (_, host), (subject, items) in groups.items():
            pis = [i[0] for i in items]
            yield self.finding(
                facts,
                key=f"plaintext:{host}",
                subject=subject,
                confidence=Confidence.OBSERVED_IN_VIOLATION,
                evidence=capped(i[1] for i in items),
                detail_zh=f"{labels(pis, 'zh')}以明文HTTP发送至{host}",
                detail_en=f"{labels(pis, 'en')} sent over plaintext HTTP to {host}",
            )
