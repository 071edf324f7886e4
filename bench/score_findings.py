"""Score static findings against hand-checked expected-findings files and print precision/recall per rule.

Each ``bench/expected/<apk>.toml`` names one sample APK (under ``../shared/data``) and says what an analyst
expects there, after reading the manifest, the dex (call sites, strings) and the SDKs' documentation:

- ``[sdks] present`` / ``absent``: SDK ids that must / must not be reported;
- ``[[expected]]``: findings that must appear, by ``rule`` and ``subject`` (an SDK id, or ``app``), with ``pi``
  types the finding must claim (its evidence items' ``pi_type``); a finding merged into another (``also_rules``)
  counts for its rule;
- ``[[noise]]``: findings that must not appear above ``max_severity`` (``none`` = not at all, ``low`` = low is
  tolerated as a capability note); ``subject = "*"`` matches any subject; ``pending = "<branch>"`` marks noise
  whose fix lives in another branch (still counted, but not yet blocking);
- ``[[wrong_pi]]``: PI types a finding of that rule and subject must not claim.

Findings of policy and runtime rules (``.pol_``/``.rt_``) are out of scope: a scan of an APK alone cannot judge
them. Findings that no entry mentions are counted as unjudged, not as right or wrong.

Per rule: expected (E), found (TP), missed (FN: absent, or present without the expected PI types), noise
(FP: a noise entry matched above its tolerated severity), unjudged, precision = TP / (TP + FP), recall = TP / E.

Usage: .venv/bin/python bench/score_findings.py [--shared ../shared/data] [--expected bench/expected]
                                                 [--markdown bench/RESULTS-precision.md]
"""

from __future__ import annotations

import argparse
import sys
import time
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apprights.errors import InputError

REPO = Path(__file__).resolve().parents[1]
SEVERITY_RANK = {"none": 0, "info": 1, "low": 2, "medium": 3, "high": 4}
OUT_OF_SCOPE = (".pol_", ".rt_")


@dataclass
class RuleScore:
    expected: int = 0
    tp: int = 0
    fn: int = 0
    fp: int = 0
    fp_medium: int = 0  # noise at medium or high: what a 通报 could rest on
    unjudged: int = 0
    wrong_pi: int = 0

    def add(self, other: RuleScore) -> None:
        for k in vars(self):
            setattr(self, k, getattr(self, k) + getattr(other, k))

    @property
    def precision(self) -> float | None:
        judged = self.tp + self.fp
        return self.tp / judged if judged else None

    @property
    def recall(self) -> float | None:
        return self.tp / self.expected if self.expected else None


@dataclass
class FileScore:
    name: str
    rules: dict[str, RuleScore] = field(default_factory=dict)
    misses: list[str] = field(default_factory=list)
    noise: list[str] = field(default_factory=list)
    unjudged: list[str] = field(default_factory=list)  # findings no entry mentions: to be judged by hand
    # medium/high noise not waiting for another branch's fix (``pending``): what must be zero
    blocking: list[str] = field(default_factory=list)
    sdk_tp: int = 0
    sdk_fp: int = 0
    sdk_fn: int = 0
    sdk_errors: list[str] = field(default_factory=list)

    def rule(self, rule_id: str) -> RuleScore:
        return self.rules.setdefault(rule_id, RuleScore())


def load_expected(path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        try:
            data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as e:
            raise ValueError(f"{path}: not valid TOML: {e}") from e
    if not isinstance(data.get("apk"), str):
        raise ValueError(f"{path}: no 'apk' key naming the sample under ../shared/data")
    for section in ("expected", "noise", "wrong_pi"):
        for i, item in enumerate(data.get(section, [])):
            if not isinstance(item, dict) or not isinstance(item.get("rule"), str):
                raise ValueError(f"{path}: [[{section}]] #{i + 1} has no 'rule'")
            if section != "noise" and not isinstance(item.get("subject"), str):
                raise ValueError(f"{path}: [[{section}]] #{i + 1} has no 'subject'")
            if item.get("max_severity", "none") not in SEVERITY_RANK:
                raise ValueError(
                    f"{path}: [[{section}]] #{i + 1}: unknown max_severity {item['max_severity']!r}"
                )
    return data


def _subject_matches(want: str, finding: dict[str, Any]) -> bool:
    subj = finding["subject"]
    if want == "*":
        return True
    if want == "app":
        return bool(subj.get("kind") == "app")
    return bool(subj.get("id") == want)


def _rules_of(finding: dict[str, Any]) -> set[str]:
    return {finding["rule"], *finding.get("also_rules", [])}


def _pi_of(finding: dict[str, Any]) -> set[str]:
    out: set[str] = set()
    for e in finding.get("evidence", []):
        v = e.get("pi_type")
        if isinstance(v, str):
            out.add(v)
        elif isinstance(v, list):
            out.update(str(x) for x in v)
        for x in e.get("pi_types", []) or []:
            out.add(str(x))
    return out


def _in_scope(rule_id: str) -> bool:
    return not any(s in rule_id for s in OUT_OF_SCOPE)


def score(expected: dict[str, Any], report: dict[str, Any], name: str = "") -> FileScore:
    """Score one scan report (``apprights-report/1`` dict) against one expected-findings file."""
    out = FileScore(name or str(expected.get("apk")))
    findings = [f for f in report.get("findings", []) if _in_scope(f["rule"])]
    judged: set[int] = set()
    for item in expected.get("expected", []):
        rule, subj, pi = item["rule"], item["subject"], set(item.get("pi", []))
        rs = out.rule(rule)
        rs.expected += 1
        hits = [i for i, f in enumerate(findings) if rule in _rules_of(f) and _subject_matches(subj, f)]
        judged.update(hits)
        good = [i for i in hits if pi <= _pi_of(findings[i])]
        if good:
            rs.tp += 1
        else:
            rs.fn += 1
            why = "absent" if not hits else f"without PI {sorted(pi - _pi_of(findings[hits[0]]))}"
            out.misses.append(f"{rule} {subj}: {why}")
    counted_noise: set[int] = set()
    for item in expected.get("noise", []):
        rule, subj = item["rule"], item.get("subject", "*")
        tolerated = SEVERITY_RANK[item.get("max_severity", "none")]
        for i, f in enumerate(findings):
            if rule not in _rules_of(f) or not _subject_matches(subj, f):
                continue
            judged.add(i)
            if SEVERITY_RANK.get(f["severity"], 0) > tolerated and i not in counted_noise:
                counted_noise.add(i)  # a finding two noise entries describe is one false positive
                rs = out.rule(f["rule"])
                rs.fp += 1
                if SEVERITY_RANK.get(f["severity"], 0) >= SEVERITY_RANK["medium"]:
                    rs.fp_medium += 1
                pending = f" [pending {item['pending']}]" if item.get("pending") else ""
                out.noise.append(
                    f"{f['rule']} {f['subject'].get('id')} ({f['severity']}){pending}: {item.get('why', '')}"
                )
                if not pending and SEVERITY_RANK.get(f["severity"], 0) >= SEVERITY_RANK["medium"]:
                    out.blocking.append(out.noise[-1])
    for item in expected.get("wrong_pi", []):
        bad = set(item.get("pi", []))
        for f in findings:
            if item["rule"] in _rules_of(f) and _subject_matches(item["subject"], f):
                n = len(bad & _pi_of(f))
                out.rule(f["rule"]).wrong_pi += n
    for i, f in enumerate(findings):
        if i not in judged:
            out.rule(f["rule"]).unjudged += 1
            out.unjudged.append(
                f"{f['rule']} {f['subject'].get('id')} ({f['severity']}, {f.get('confidence', '?')})"
            )
    sdks = expected.get("sdks", {})
    reported = {s["id"] for s in report.get("sdks", [])}
    present, absent = set(sdks.get("present", [])), set(sdks.get("absent", []))
    out.sdk_tp = len(present & reported)
    out.sdk_fn = len(present - reported)
    out.sdk_fp = len(absent & reported)
    out.sdk_errors = [f"missing SDK {s}" for s in sorted(present - reported)] + [
        f"wrong SDK {s}" for s in sorted(absent & reported)
    ]
    return out


def scan_report(apk: Path) -> dict[str, Any]:
    from apprights.engine.scan import ScanRequest, scan
    from apprights.knowledge import Knowledge

    return scan(ScanRequest(apk=apk), Knowledge.load()).report


def score_all(expected_dir: Path, shared: Path) -> list[FileScore]:
    out: list[FileScore] = []
    for path in sorted(expected_dir.glob("*.toml")):
        exp = load_expected(path)
        apk = shared / exp["apk"]
        if not apk.exists():
            raise FileNotFoundError(f"{path.name}: sample APK {apk} not found")
        out.append(score(exp, scan_report(apk), path.stem))
    return out


def totals(scores: Iterable[FileScore]) -> tuple[dict[str, RuleScore], RuleScore]:
    per_rule: dict[str, RuleScore] = {}
    total = RuleScore()
    for s in scores:
        for rule, rs in s.rules.items():
            per_rule.setdefault(rule, RuleScore()).add(rs)
            total.add(rs)
    return dict(sorted(per_rule.items())), total


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{v:.2f}"


def markdown(scores: list[FileScore], seconds: float) -> str:
    per_rule, total = totals(scores)
    sdk_tp = sum(s.sdk_tp for s in scores)
    sdk_fp = sum(s.sdk_fp for s in scores)
    sdk_fn = sum(s.sdk_fn for s in scores)
    lines = [
        "# Static findings: precision and recall against hand-checked expectations",
        "",
        f"`bench/score_findings.py` scanned {len(scores)} sample APKs of `../shared/data` ({seconds:.1f} s) and",
        "scored the findings against `bench/expected/<apk>.toml` (what an analyst expects there and what must not",
        "appear). Policy and runtime rules are out of scope (an APK alone cannot judge them). Unjudged = findings",
        "no expectation mentions; they count neither way.",
        "",
        "| rule | expected | found | missed | noise (medium+) | unjudged | wrong PI claims | precision | recall |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for rule, rs in per_rule.items():
        lines.append(
            f"| `{rule}` | {rs.expected} | {rs.tp} | {rs.fn} | {rs.fp} ({rs.fp_medium}) | {rs.unjudged} | "
            f"{rs.wrong_pi} | {_pct(rs.precision)} | {_pct(rs.recall)} |"
        )
    lines.append(
        f"| **all** | {total.expected} | {total.tp} | {total.fn} | {total.fp} ({total.fp_medium}) | "
        f"{total.unjudged} | {total.wrong_pi} | **{_pct(total.precision)}** | **{_pct(total.recall)}** |"
    )
    sdk_p = sdk_tp / (sdk_tp + sdk_fp) if sdk_tp + sdk_fp else None
    sdk_r = sdk_tp / (sdk_tp + sdk_fn) if sdk_tp + sdk_fn else None
    lines += [
        "",
        f"SDKs: {sdk_tp} expected SDKs reported, {sdk_fn} missed, {sdk_fp} reported that the files mark absent: "
        f"precision {_pct(sdk_p)}, recall {_pct(sdk_r)}.",
        "",
        "## Per APK: misses and noise",
        "",
    ]
    for s in scores:
        items = [f"missed: {m}" for m in s.misses] + [f"noise: {n}" for n in s.noise] + s.sdk_errors
        lines.append(f"- `{s.name}`: " + ("; ".join(items) if items else "all expectations met, no noise"))
        if s.unjudged:
            lines.append(f"  - unjudged: {'; '.join(s.unjudged)}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--expected", type=Path, default=REPO / "bench" / "expected")
    ap.add_argument("--markdown", type=Path, help="also write the table to this file")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    try:
        scores = score_all(args.expected, args.shared)
    except (OSError, ValueError, InputError) as e:  # TOMLDecodeError is a ValueError
        sys.stderr.write(f"score_findings: {e}\n")
        return 2
    text = markdown(scores, time.perf_counter() - started)
    sys.stdout.write(text)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
