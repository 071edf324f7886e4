"""The developer identity a store shows is missing or cannot be true."""

from __future__ import annotations

from collections.abc import Iterator

from apprights.knowledge.uscc import uscc_problem
from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity
from apprights.rules.base import Rule, RuleContext
from apprights.rules.t9_store_disclosure._common import listing_evidence, store_subject


class DeveloperIdentityInvalid(Rule):
    """The developer identity a store shows is missing or cannot be true.

    What it detects
        For a listed app: no developer name; for a Chinese developer (country CN or unspecified), no 统一社会信用代码
        or one that fails the GB 32100-2015 check character; no working contact (neither phone nor e-mail);
        a developer name that differs from the operator named by the privacy policy or from ``--developer``.

    Legal basis
        164号文 四(10) 应用分发平台管理责任落实不到位 (开发者身份信息不真实或不准确、联系方式失效); T/TAF 078.8.

    Evidence and confidence
        ``listing`` evidence with the developer fields and what is wrong with each; ``policy`` evidence with the
        operator where names differ. Confidence ``observed`` (what the store showed).

    Known false positives
        A group company listing under its brand while the policy names a subsidiary; foreign developers without a
        USCC (only checked when the country is CN or not given).

    Fixtures
        tests/rules/t10_store_management/test_developer_identity_invalid.py
    """

    id = "T10.developer_identity_invalid"
    problem_type = 10
    title_zh = "应用分发平台登记的开发者身份信息不真实或不准确"
    title_en = "Developer identity shown by the store is missing or inaccurate"
    severity = Severity.MEDIUM
    legal_basis = ("164号文 四(10)", "T/TAF 078.8")
    requires = frozenset({"listing"})

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        operator = ""
        if facts.policy is not None:
            operator = facts.policy.operator or ""
        claimed = facts.developer or ""
        for listing in facts.listings:
            if not listing.listed:
                continue
            problems: dict[str, str] = {}
            name = (listing.developer_name or "").strip()
            if not name:
                problems["developer.name"] = "missing"
            domestic = (listing.developer_country or "CN").upper() in ("CN", "CHN", "CHINA", "中国")
            if domestic:
                if not listing.developer_uscc:
                    problems["developer.uscc"] = "missing"
                else:
                    p = uscc_problem(listing.developer_uscc.strip().upper())
                    if p is not None:
                        problems["developer.uscc"] = f"invalid: {p}"
            if not (listing.contact_phone or "").strip() and not (listing.contact_email or "").strip():
                problems["contact"] = "no phone or e-mail"
            evidence = []
            for other, label in ((operator, "policy operator"), (claimed, "--developer")):
                if name and other and _norm(other) not in _norm(name) and _norm(name) not in _norm(other):
                    problems["developer.name"] = f"differs from the {label} {other!r}"
                    if label == "policy operator" and facts.policy is not None:
                        evidence.append(Evidence("policy", {"path": facts.policy.path, "operator": other}))
            if not problems:
                continue
            evidence.insert(
                0,
                listing_evidence(
                    listing,
                    developer={
                        "name": listing.developer_name,
                        "uscc": listing.developer_uscc,
                        "country": listing.developer_country,
                    },
                    problems=problems,
                ),
            )
            yield self.finding(
                facts,
                key=f"{listing.store}:{listing.package or listing.app_name}",
                subject=store_subject(listing),
                confidence=Confidence.OBSERVED,
                evidence=evidence,
                detail_zh="开发者信息问题：" + "；".join(f"{k} {v}" for k, v in problems.items()),
                detail_en="Developer identity problems: "
                + "; ".join(f"{k} {v}" for k, v in problems.items()),
            )


def _norm(s: str) -> str:
    return "".join(ch for ch in s.lower() if ch.isalnum())
