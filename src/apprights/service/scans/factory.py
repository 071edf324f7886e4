"""Synthetic ``apprights-report/1`` reports for tests, benchmarks and the walk-through."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from apprights.knowledge.legal import PROBLEM_TYPES
from apprights.model.finding import make_fingerprint

_SDKS = (
    ("umeng-analytics", "友盟统计", "analytics"),
    ("jpush", "极光推送", "push"),
    ("gdt-ads", "优量汇", "ads"),
)
_VENDORS = {
    "umeng-analytics": "友盟同欣（北京）科技有限公司",
    "jpush": "深圳市和讯华谷信息技术有限公司",
    "gdt-ads": "深圳市腾讯计算机系统有限公司",
}


def make_finding(
    rule: str, problem_type: int, subject: tuple[str, str, str] = ("app", "", ""), key: str = ""
) -> dict[str, Any]:
    kind, sid, name = subject
    zh, en = PROBLEM_TYPES[problem_type]
    return {
        "fingerprint": make_fingerprint(rule, sid, key or rule),
        "rule": rule,
        "problem_type": problem_type,
        "title": {"zh": f"{zh}（{rule}）", "en": f"{en} ({rule})"},
        "severity": "high",
        "confidence": "observed_in_violation",
        "subject": {"kind": kind, "id": sid, "name": name or sid},
        "legal_basis": [f"164号文 {'一一一一二二三三四四'[problem_type - 1]}({problem_type})"],
        "evidence": [
            {
                "source": "trace",
                "event": 17,
                "api": "android.telephony.TelephonyManager.getDeviceId",
                "t": 1.25,
            },
            {"source": "policy", "excerpt": "我们不会收集您的设备标识符"},
        ],
    }


def make_report(
    package: str,
    *,
    version_name: str = "1.0.0",
    version_code: int = 1,
    label: str = "",
    developer: str = "",
    findings: list[dict[str, Any]] | None = None,
    n_findings: int = 0,
    store: str = "",
    seed: int = 0,
    rules_run: Sequence[str] | None = None,
    evidence_kinds: Sequence[str] = ("static", "policy", "trace", "listing"),
) -> dict[str, Any]:
    """A report for ``package``; ``n_findings`` synthetic findings are added when ``findings`` is None.

    ``rules_run`` adds the ``coverage`` block (the rules that ran, on ``evidence_kinds``): a re-test proves a
    fix only for rules it ran. Without it the report is like one written before coverage was recorded."""
    if findings is None:
        findings = []
        for i in range(n_findings):
            pt = 1 + (i + seed) % 10
            if i % 3 == 0:
                subject = ("sdk", _SDKS[i % 3][0], _SDKS[i % 3][1])
            else:
                subject = ("app", package, label or package)
            findings.append(make_finding(f"t{pt}.synthetic_rule_{i}", pt, subject, key=f"k{i}"))
    apk_sha = hashlib.sha256(f"{package}:{version_code}:{seed}".encode()).hexdigest()
    report: dict[str, Any] = {
        "format": "apprights-report/1",
        "tool": {"name": "apprights", "version": "0.1.0", "ruleset": "2026.11", "knowledge": "2026.11"},
        "inputs": [{"kind": "apk", "path": f"{package}.apk", "sha256": apk_sha}],
        "app": {
            "package": package,
            "version_name": version_name,
            "version_code": version_code,
            "label": label or package.rsplit(".", 1)[-1],
            "min_sdk": 21,
            "target_sdk": 33,
            "category": None,
            "signer_sha256": [hashlib.sha256(package.encode()).hexdigest()],
            "developer": developer or None,
        },
        "permissions": [{"name": "android.permission.READ_PHONE_STATE", "dangerous": True}],
        "sdks": [
            {"id": k, "name": n, "vendor": _VENDORS[k], "category": c, "used": True, "evidence": []}
            for k, n, c in _SDKS
        ],
        "findings": findings,
        "errors": [],
        "timing": {"total_s": 1.5},
    }
    if store:
        report["store"] = store
    if rules_run is not None:
        report["coverage"] = {
            "evidence": list(evidence_kinds),
            "rules_run": sorted({*rules_run, *(f["rule"] for f in findings)}),
            "rules_skipped": {},
            "notes": [],
            "rules_failed": [],
        }
    return report
