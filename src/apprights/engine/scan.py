"""One app, all the evidence given: run the extractors, then the rules, and build the report.

This is the job function the CLI, the process pool and the Ray backend all call.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import logging
import stat
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apprights import __version__
from apprights.engine.runner import RuleRun, run_rules
from apprights.errors import InputError
from apprights.knowledge import Knowledge
from apprights.model.facts import AppFacts, InputRef
from apprights.rules.base import RuleContext, discover_rules

log = logging.getLogger(__name__)

REPORT_FORMAT = "apprights-report/1"


@dataclass
class ScanRequest:
    apk: Path | None = None
    policy: Path | None = None
    traces: list[Path] = field(default_factory=list)
    listings: list[Path] = field(default_factory=list)
    category: str | None = None
    developer: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    only_rules: set[str] | None = None
    disabled_rules: set[str] | None = None
    # check the APK's v1/v2/v3 digests and signatures (extractors/apk/verify.py): about 40 % of the CPU time of
    # a scan of the sample APKs, so on by default in the CLI and service scans only, not for library callers
    verify_signature: bool = False


@dataclass
class ScanResult:
    facts: AppFacts
    run: RuleRun
    report: dict[str, Any]


def file_ref(kind: str, path: Path) -> InputRef:
    h = hashlib.sha256()
    size = 0
    try:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            raise InputError(str(path), "is a directory, not a file")
        if not stat.S_ISREG(st.st_mode):  # a FIFO or device would block or never end
            raise InputError(str(path), "not a regular file (pipe, socket or device)")
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
                size += len(chunk)
    except OSError as exc:
        raise InputError(str(path), f"cannot read file: {exc.strerror or exc}") from None
    except ValueError as exc:  # NUL byte or an unencodable character in the path
        raise InputError(repr(str(path)), f"not a usable file name: {exc}") from None
    return InputRef(kind=kind, path=str(path), sha256=h.hexdigest(), size=size)


def ruleset_version() -> str:
    """Tool version + a digest of every rule's id, source and default options: changes whenever a rule's logic
    or thresholds change, so two reports with the same ruleset were judged by the same rules."""
    return f"{__version__}+{_ruleset_digest()}"


@functools.cache
def _ruleset_digest() -> str:
    h = hashlib.sha256()
    for r in discover_rules():
        h.update(r.id.encode())
        try:
            h.update(inspect.getsource(sys.modules[r.__module__]).encode("utf-8"))
        except (OSError, TypeError):  # no source (frozen build): fall back to the docstring
            h.update(r.doc().encode("utf-8"))
        h.update(repr(sorted(r.default_options.items())).encode("utf-8"))
    return h.hexdigest()[:12]


def extract_apk_facts(
    facts: AppFacts, path: Path, knowledge: Knowledge, *, verify_signature: bool = False
) -> None:
    from apprights.extractors.apk import open_apk

    with open_apk(path, verify_signatures=verify_signature) as apk:
        facts.apk = apk.facts()
        facts.manifest = apk.manifest()
        annotate_permissions(facts, knowledge)
        # imported once the archive opened: a bad APK fails fast, without loading the dex scanner (numpy)
        from apprights.extractors.dex import DexTargets, entry_classes_of, extract_code, reach_roots_of
        from apprights.extractors.sdk import detect_sdks

        targets = DexTargets.from_catalogue(knowledge.sensitive_apis)
        facts.code = extract_code(apk.iter_dex(), targets, own_package=facts.manifest.package, entry_classes=entry_classes_of(facts.manifest), reach_roots=reach_roots_of(facts.manifest))  # fmt: skip
    facts.sdks = detect_sdks(
        facts.manifest,
        facts.code,
        knowledge.sdks,
        knowledge.sensitive_apis,
        code_complete=not facts.apk.hidden_code,
    )


def annotate_permissions(facts: AppFacts, knowledge: Knowledge) -> None:
    if facts.manifest is None:
        return
    for p in [*facts.manifest.permissions, *facts.manifest.implicit_permissions]:
        info = knowledge.permissions.get(p.name)
        if info is not None:
            p.protection_level = info.protection_level
            p.dangerous = info.dangerous
            p.group = info.group
        elif p.name in facts.manifest.defined_permissions:
            p.custom = True


def check_trace_packages(facts: AppFacts) -> None:
    """A trace must record the app under test: a trace of another package would attribute its behaviour to this
    app. (Traces of several sessions of one app are fine; two apps in one scan are not.)"""
    if facts.runtime is None:
        return
    expected = facts.manifest.package if facts.manifest is not None else None
    for session in getattr(facts.runtime, "sessions", []):
        pkg = session.header.package
        if expected is None:
            expected = pkg
        elif pkg != expected:
            what = "the APK is" if facts.manifest is not None else "the first trace is of"
            raise InputError(session.trace, f"trace records package {pkg!r} but {what} {expected!r}")


def collect_facts(req: ScanRequest, knowledge: Knowledge) -> AppFacts:
    """Run the extractors for the inputs given. Raises InputError for the first bad input."""
    facts = AppFacts(category=req.category, developer=req.developer)
    if req.apk is not None:
        facts.inputs.append(file_ref("apk", req.apk))
        extract_apk_facts(facts, req.apk, knowledge, verify_signature=req.verify_signature)
    if req.policy is not None:
        from apprights.extractors.policy import extract_policy

        facts.inputs.append(file_ref("policy", req.policy))
        facts.policy = extract_policy(req.policy, sdk_catalogue=knowledge.sdks)
    if req.traces:
        from apprights.extractors.trace import extract_traces

        for t in req.traces:
            facts.inputs.append(file_ref("trace", t))
        facts.runtime = extract_traces(list(req.traces), knowledge, category=req.category)
        check_trace_packages(facts)
    for lp in req.listings:
        from apprights.extractors.listing import extract_listings

        facts.inputs.append(file_ref("listing", lp))
        facts.listings.extend(extract_listings(lp))
    if req.category and knowledge.categories.find(req.category) is None:
        raise InputError(
            "--category",
            f"unknown app category {req.category!r}; see the 39 categories (e.g. 地图导航类, 新闻资讯类)",
        )
    if req.category:
        cat = knowledge.categories.find(req.category)
        facts.category = cat.name if cat is not None else req.category
    return facts


def scan(req: ScanRequest, knowledge: Knowledge) -> ScanResult:
    """Extract, run the rules, build the ``apprights-report/1`` dict. Raises InputError on bad input."""
    from apprights.reports.json_report import build_report

    started = time.perf_counter()
    facts = collect_facts(req, knowledge)
    ctx = RuleContext(knowledge=knowledge, options=req.options)
    run = run_rules(facts, ctx, only=req.only_rules, disabled=req.disabled_rules)
    report = build_report(facts, run, knowledge, total_s=time.perf_counter() - started)
    if req.options:
        report["options"] = req.options
    return ScanResult(facts=facts, run=run, report=report)
