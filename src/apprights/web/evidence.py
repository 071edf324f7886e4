"""Evidence rendered for people: call sites as a table, trace events as a timeline, traffic with the personal
information highlighted, policy sentences quoted. Pure functions over the stored evidence items."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

# Field names that carry personal information in captured traffic (highlighted, never hidden).
PI_KEYS = (
    "imei", "imsi", "meid", "android_id", "androidid", "oaid", "idfa", "mac", "wifi_mac", "bssid", "serial",
    "iccid", "phone", "mobile", "tel", "lat", "lng", "lon", "latitude", "longitude", "location", "gps",
    "applist", "app_list", "contacts", "sms", "device_id", "deviceid",
)  # fmt: skip
_PI_RE = re.compile(
    r"(?P<key>\b(?:" + "|".join(PI_KEYS) + r")\b\"?\s*[:=]\s*\"?)(?P<val>[^&\"',}\s]{1,200})", re.IGNORECASE
)
CODE_SOURCES = ("dex", "apk")


@dataclass
class EvidenceView:
    code: list[dict[str, str]] = field(default_factory=list)
    timeline: list[dict[str, str]] = field(default_factory=list)
    traffic: list[dict[str, Any]] = field(default_factory=list)
    policy: list[dict[str, str]] = field(default_factory=list)
    other: list[tuple[str, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.code or self.timeline or self.traffic or self.policy or self.other)


def _s(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, list | tuple):
        return ", ".join(_s(x) for x in v[:20])
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False)[:500]
    return str(v)[:1000]


def highlight_pi(payload: str, values: list[str] | None = None) -> Markup:
    """``payload`` escaped, with PI fields (and any given PI values) wrapped in ``<mark class="pi">``."""
    text = payload[:4000]
    spans = [(m.start("val"), m.end("val")) for m in _PI_RE.finditer(text)]
    for v in values or []:
        if len(v) >= 4:
            spans += [(m.start(), m.end()) for m in re.finditer(re.escape(v), text)]
    out, pos = Markup(""), 0
    for start, end in sorted(spans):
        if start < pos:
            continue
        out += (
            escape(text[pos:start])
            + Markup('<mark class="pi">')
            + escape(text[start:end])
            + Markup("</mark>")
        )
        pos = end
    return out + escape(text[pos:])


def view(raw: str) -> EvidenceView:
    """Group a finding's stored evidence (JSON list) by what a reader needs to see."""
    try:
        items = json.loads(raw or "[]")
    except ValueError:
        return EvidenceView(other=[("evidence", raw[:500])])
    out = EvidenceView()
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            out.other.append(("", _s(item)))
            continue
        src = str(item.get("source", ""))
        if src in CODE_SOURCES:
            out.code.append(
                {
                    "class": _s(item.get("class") or item.get("caller_class")),
                    "method": _s(item.get("method")),
                    "api": _s(item.get("api") or item.get("pi_apis") or item.get("matched_prefixes")),
                    "pi_type": _s(item.get("pi_type")),
                    "sdk": _s(item.get("sdk")),
                }
            )
        elif src in ("trace", "network") and (item.get("host") or item.get("url") or item.get("payload")):
            values = [str(x) for x in item.get("pi_values", []) if isinstance(x, str | int)]
            out.traffic.append(
                {
                    "t": _s(item.get("t")),
                    "host": _s(item.get("host")),
                    "url": _s(item.get("url")),
                    "pi_type": _s(item.get("pi_type")),
                    "payload": highlight_pi(_s(item.get("payload")), values),
                }
            )
        elif src == "trace":
            what = item.get("api") or item.get("what") or item.get("kind") or ""
            out.timeline.append(
                {
                    "t": _s(item.get("t")),
                    "event": _s(item.get("event", item.get("index"))),
                    "what": _s(what),
                    "phase": _s(item.get("phase") or item.get("state")),
                    "pi_type": _s(item.get("pi_type")),
                }
            )
        elif src == "policy":
            out.policy.append(
                {
                    "excerpt": _s(item.get("excerpt")),
                    "sentence": _s(item.get("sentence")),
                    "path": _s(item.get("path")),
                }
            )
        else:
            rest = {k: v for k, v in item.items() if k != "source"}
            out.other.append((src, _s(rest)))
    out.timeline.sort(key=lambda e: float(e["t"]) if _is_num(e["t"]) else 0.0)
    return out


def _is_num(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True
