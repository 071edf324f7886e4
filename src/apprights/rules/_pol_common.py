"""Helpers shared by the privacy-policy rules (modules ``pol_*``): evidence items and defensive readers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from apprights.model.facts import AppFacts, CallSite, SdkHit
from apprights.model.finding import Evidence
from apprights.model.policy import PolicyFacts
from apprights.rules._static_common import SubjectResolver, content_uris_by_method, site_pi_types
from apprights.rules.base import RuleContext

MAX_EVIDENCE = 8


def policy_evidence(policy: PolicyFacts, index: int | None, **extra: Any) -> Evidence:
    """A pointer to one policy sentence with its excerpt."""
    data: dict[str, Any] = {"path": policy.path, "sentence": index if index is not None else -1}
    data["excerpt"] = policy.excerpt(index)
    if index is not None and 0 <= index < len(policy.sentences):
        data["section"] = policy.sentences[index].section
    data.update(extra)
    return Evidence("policy", data)


def policy_absence(policy: PolicyFacts, searched_for: str, **extra: Any) -> Evidence:
    """Evidence that something was looked for in the whole policy and not found."""
    data: dict[str, Any] = {
        "path": policy.path,
        "sentence": -1,
        "excerpt": "",
        "searched_for": searched_for,
        "sentences_searched": len(policy.sentences),
        "policy_sha256": policy.sha256,
    }
    data.update(extra)
    return Evidence("policy", data)


def sdk_names(sdk: SdkHit) -> list[str]:
    return [n for n in (sdk.name, sdk.name_en, sdk.id.replace("-", " ")) if n]


def sdk_named_in_policy(policy: PolicyFacts, sdk: SdkHit) -> int | None:
    """The sentence that names the SDK (SDK list first, then anywhere in the text), or None."""
    entry = policy.find_sdk(sdk_names(sdk), sdk.vendor, sdk.id)
    if entry is not None:
        return entry.sentence
    return policy.mention(sdk_names(sdk))


@dataclass
class StaticReads:
    pi_type: str
    sites: list[CallSite] = field(default_factory=list)


# Platform-library code (support library, AndroidX, Kotlin, Play services client: FingerprintManagerCompat,
# ContentResolverCompat …) is in nearly every app and reads nothing unless the app calls it; the app's or SDK's
# own call sites (and the callers of its wrappers, ``CallSite.via``) are what count
# (``_static_common.SubjectResolver.platform``).


def static_pi_reads(facts: AppFacts, ctx: RuleContext, ignore: set[str]) -> dict[str, StaticReads]:
    """PI type -> call sites that read it (``code.call_sites`` through the sensitive-API catalogue).

    Argument-filtered entries (``ContentResolver.query`` on contacts vs SMS) count only when the calling
    method loads a matching ``content://`` string (``rules._static_common.site_pi_types``)."""
    out: dict[str, StaticReads] = {}
    if facts.code is None:
        return out
    uris = content_uris_by_method(facts)
    resolve = SubjectResolver(facts, ctx)
    for site in facts.code.call_sites:
        if resolve.platform(site.caller_class):
            continue
        for pi in sorted(site_pi_types(ctx, site, uris)):
            if pi in ignore:
                continue
            out.setdefault(pi, StaticReads(pi)).sites.append(site)
    return out


def site_evidence(site: CallSite, **extra: Any) -> Evidence:
    data: dict[str, Any] = {"api": site.api, "class": site.caller_class, "method": site.caller_method}
    if site.dex:
        data["dex"] = site.dex
    data.update(extra)
    return Evidence("dex", data)


@dataclass
class RuntimeRead:
    pi_type: str
    api: str
    index: int
    t: float
    actor: str
    trace: str


def runtime_reads(facts: AppFacts) -> Iterator[RuntimeRead]:
    """PI reads seen in runtime traces.

    Reads ``facts.runtime.sessions[*].api_calls[*]`` with ``api``, ``pi_type``, ``at.index``, ``at.t`` and
    ``actor.id`` (model.runtime); anything missing is skipped, so a different runtime model degrades to
    "no runtime evidence" instead of an error.
    """
    runtime = facts.runtime
    if runtime is None:
        return
    traces = list(getattr(runtime, "traces", []) or [])
    for sn, session in enumerate(getattr(runtime, "sessions", []) or []):
        for call in getattr(session, "api_calls", []) or []:
            pi = getattr(call, "pi_type", "")
            at = getattr(call, "at", None)
            if not pi or at is None:
                continue
            actor = getattr(call, "actor", None)
            yield RuntimeRead(
                pi_type=str(pi),
                api=str(getattr(call, "api", "")),
                index=int(getattr(at, "index", -1)),
                t=float(getattr(at, "t", 0.0)),
                actor=str(getattr(actor, "id", "")),
                trace=traces[sn] if sn < len(traces) else "",
            )


@dataclass
class RuntimeTransfer:
    host: str
    sdk_id: str | None
    party: str
    pi_type: str
    index: int
    t: float
    trace: str
    transfer: Any = None  # the model.runtime.PiTransfer itself (for _rt_common.transfer_subject)


def runtime_transfers(facts: AppFacts) -> Iterator[RuntimeTransfer]:
    """PI found in requests to other parties: ``sessions[*].pi_transfers[*]`` (model.runtime), read defensively."""
    runtime = facts.runtime
    if runtime is None:
        return
    traces = list(getattr(runtime, "traces", []) or [])
    for sn, session in enumerate(getattr(runtime, "sessions", []) or []):
        for tr in getattr(session, "pi_transfers", []) or []:
            at = getattr(tr, "at", None)
            party = str(getattr(tr, "party", ""))
            if at is None or party == "first":
                continue
            yield RuntimeTransfer(
                host=str(getattr(tr, "host", "")),
                sdk_id=getattr(tr, "sdk_id", None),
                party=party,
                pi_type=str(getattr(tr, "pi_type", "")),
                index=int(getattr(at, "index", -1)),
                t=float(getattr(at, "t", 0.0)),
                trace=traces[sn] if sn < len(traces) else "",
                transfer=tr,
            )
