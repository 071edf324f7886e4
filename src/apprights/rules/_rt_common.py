"""Shared helpers of the runtime (trace) rules: subjects from stack attribution, evidence pointers, word lists."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from typing import Any

from apprights.knowledge import Knowledge
from apprights.knowledge.consent_words import REFUSE_WORDS as REFUSE_WORDS  # re-exported: one shared list
from apprights.knowledge.consent_words import is_refusal
from apprights.model.facts import AppFacts
from apprights.model.finding import Evidence, Subject, SubjectKind
from apprights.model.pi import pi_label
from apprights.model.runtime import Actor, Moment, PiEncrypted, PiTransfer, Tap, TraceSession
from apprights.rules._static_common import READ_KINDS, SELF_QUERY_APIS, sdk_for_class, sdk_for_component
from apprights.rules.base import RuleContext, app_subject, sdk_subject

MAX_EVIDENCE = 12

REWARD_WORDS = (
    "红包",
    "积分",
    "奖励",
    "优惠",
    "领取",
    "现金",
    "提现",
    "抽奖",
    "福利",
    "返现",
    "金币",
    "免单",
)
DOWNLOAD_WORDS = ("下载", "安装", "download", "install", "获取应用")
CLOSE_WORDS = ("关闭", "跳过", "×", "✕", "✖", "close", "skip")
PERSONALISATION_SWITCH = re.compile(
    r"个性化(推荐|广告|内容|推送|展示)|推荐管理|广告管理|程序化广告|personali[sz]ed|personali[sz]ation", re.I
)
APP_STORE_PACKAGES = frozenset(
    {
        "com.android.vending",
        "com.xiaomi.market",
        "com.huawei.appmarket",
        "com.oppo.market",
        "com.heytap.market",
        "com.bbk.appstore",
        "com.tencent.android.qqdownloader",
        "com.qihoo.appstore",
        "com.wandoujia.phoenix2",
        "com.baidu.appsearch",
        "com.meizu.mstore",
        "com.sec.android.app.samsungapps",
    }
)


def is_collection(ctx: RuleContext, api: str) -> bool:
    """Whether a runtime call of ``api`` counts as collecting personal information, decided as the static rules
    decide it: an API the catalogue types as a read (``read``/``listen``, not ``start``/``write``/``request``),
    not flagged ``weak`` (called by almost every app for benign reasons), and not a query the app makes about
    itself (``getPackageInfo`` of its own package for its version name). ``startActivity`` at launch,
    ``File.mkdirs`` of the cache folder or the own package's info are everyday start-up, not "collection
    before consent". An API the catalogue does not list is kept (the trace extractor classified it)."""
    if api in SELF_QUERY_APIS:
        return False
    entries = ctx.knowledge.sensitive_apis.lookup(api)
    if not entries:
        return True
    return any(e.kind in READ_KINDS and not e.weak for e in entries)


def sessions(facts: AppFacts) -> list[TraceSession]:
    return facts.runtime.sessions if facts.runtime is not None else []


def actor_subject(facts: AppFacts, actor: Actor | None) -> Subject:
    if actor is not None and actor.kind == "sdk":
        return Subject(SubjectKind.SDK, actor.id, actor.name or actor.id)
    return app_subject(facts)


def component_class(component: str, package: str) -> str:
    """``com.example/.Boot`` → ``com.example.Boot``; ``com.example/com.umeng.X`` → ``com.umeng.X``; a bare
    class name stays as it is."""
    pkg, sep, cls = component.partition("/")
    if not sep:
        cls, pkg = component, package
    if cls.startswith("."):
        cls = (pkg or package) + cls
    return cls.strip()


def component_subject(facts: AppFacts, ctx: RuleContext, component: str, package: str) -> Subject:
    """The subject owning a started component, decided as the static rules decide it (the SDK that lists the
    component in its manifest entries or owns its class, else the app), so runtime and static findings about
    the same component get the same subject and merge key."""
    cls = component_class(component, package) if component else ""
    if not cls:
        return app_subject(facts)
    m = facts.manifest
    comp = next((c for c in m.components if c.name == cls), None) if m is not None else None
    sdk = sdk_for_component(facts, ctx, comp) if comp is not None else sdk_for_class(facts, ctx, cls)
    return sdk_subject(sdk) if sdk is not None else app_subject(facts)


def sdk_subject_by_id(facts: AppFacts, sdk_id: str, name: str = "") -> Subject:
    return Subject(SubjectKind.SDK, sdk_id, name or sdk_id)


def trace_evidence(s: TraceSession, m: Moment, **extra: Any) -> Evidence:
    """``Evidence("trace", {trace, session, event, t, phase, state, …})``."""
    return Evidence("trace", s.evidence(m.index, m.t, phase=m.phase, state=m.state, **extra))


def packaging_evidence(s: TraceSession, e: PiEncrypted) -> Evidence:
    """Evidence of an identifier found in data encrypted before sending (a ``crypto`` event)."""
    return trace_evidence(
        s,
        e.at,
        kind="crypto",
        pi_type=e.pi_type,
        value_sha256=e.value_sha256,
        encoding=e.encoding,
        algorithm=e.algorithm,
        encrypted_by=e.packer.id,
        encrypted_frame=e.packer.frame,
        read_event=e.read_index,
        read_t=round(e.read_t, 3),
        read_by=e.reader.id,
        hosts=list(e.hosts),
        note=f"PI found in data encrypted by {e.packer.name} before sending"
        + (
            ""
            if e.hosts
            else "; the ciphertext was not seen in traffic (collection and packaging, not transfer)"
        ),
    )


def capped(items: Iterable[Evidence], limit: int = MAX_EVIDENCE) -> list[Evidence]:
    out: list[Evidence] = []
    for e in items:
        if len(out) >= limit:
            break
        out.append(e)
    return out


def labels(pi_types: Iterable[str], lang: str) -> str:
    sep = "、" if lang == "zh" else ", "
    return sep.join(pi_label(p, lang) for p in sorted(set(pi_types)))


def has_word(text: str, words: Iterable[str]) -> bool:
    low = text.lower()
    return any(w in low for w in words)


def is_refuse(text: str) -> bool:
    """A consent-dialog button that refuses, read as the collector's driver reads it (one shared word list)."""
    return is_refusal(text)


def transfer_subject(facts: AppFacts, x: PiTransfer, ctx: RuleContext) -> Subject:
    """Who a network request carrying PI is attributed to: the SDK whose vendor host received the data;
    otherwise whoever the send (or the read) is attributed to. Every rule citing a request uses this, so one
    request is never the SDK's in one finding and the app's in another."""
    if x.party == "sdk" and x.sdk_id:
        sdk = ctx.knowledge.sdks.get(x.sdk_id)
        return sdk_subject_by_id(facts, x.sdk_id, sdk.name if sdk is not None else x.sdk_id)
    if x.sender.kind == "sdk":
        return actor_subject(facts, x.sender)
    return actor_subject(facts, x.reader)


def group_by_subject(
    facts: AppFacts, pairs: Iterable[tuple[Actor | Subject | None, Any]]
) -> Iterator[tuple[Subject, list[Any]]]:
    """Group items by the subject of their actor (or the subject given), keeping first-seen order."""
    groups: dict[str, tuple[Subject, list[Any]]] = {}
    for actor, item in pairs:
        sub = actor if isinstance(actor, Subject) else actor_subject(facts, actor)
        groups.setdefault(sub.id, (sub, []))[1].append(item)
    yield from groups.values()


def tap_within(s: TraceSession, t: float, seconds: float, *, include_consent: bool = False) -> bool:
    """A user tap in ``[t - seconds, t]`` (consent taps excluded unless asked)."""
    i = bisect.bisect_right(s.taps, t, key=lambda tap: tap.t)
    while i > 0:
        i -= 1
        tap = s.taps[i]
        if t - tap.t > seconds:
            return False
        if include_consent or not tap.consent:
            return True
    return False


def last_tap_before(s: TraceSession, t: float, seconds: float) -> Tap | None:
    """The last non-consent tap in ``[t - seconds, t]``."""
    i = bisect.bisect_right(s.taps, t, key=lambda tap: tap.t)
    while i > 0:
        i -= 1
        tap = s.taps[i]
        if t - tap.t > seconds:
            return None
        if not tap.consent:
            return tap
    return None


def is_system_package(pkg: str, prefixes: Iterable[str]) -> bool:
    return any(pkg == p.rstrip(".") or pkg.startswith(p) for p in prefixes)


_GROUP_HINTS = (
    ("BACKGROUND_LOCATION", "LOCATION"),
    ("LOCATION", "LOCATION"),
    ("CONTACTS", "CONTACTS"),
    ("GET_ACCOUNTS", "CONTACTS"),
    ("CALL_LOG", "CALL_LOG"),
    ("PHONE", "PHONE"),
    ("CALL", "PHONE"),
    ("VOICEMAIL", "PHONE"),
    ("USE_SIP", "PHONE"),
    ("SMS", "SMS"),
    ("MMS", "SMS"),
    ("WAP_PUSH", "SMS"),
    ("CALENDAR", "CALENDAR"),
    ("CAMERA", "CAMERA"),
    ("RECORD_AUDIO", "MICROPHONE"),
    ("BODY_SENSORS", "SENSORS"),
    ("ACTIVITY_RECOGNITION", "SENSORS"),
    ("EXTERNAL_STORAGE", "STORAGE"),
    ("READ_MEDIA", "STORAGE"),
)


def permission_group(name: str, knowledge: Knowledge) -> str:
    """The permission's group (knowledge table, else a name heuristic, else the permission itself)."""
    info = knowledge.permissions.get(name)
    if info is not None and info.group:
        return info.group.rsplit(".", 1)[-1].upper()
    short = name.rsplit(".", 1)[-1].upper()
    for hint, group in _GROUP_HINTS:
        if hint in short:
            return group
    return short
