"""Host side of the Frida agent: its source, its configuration, and its messages turned into trace events.

The agent (``agent/agent.js``) reports ``api_call`` messages with the device's epoch time in milliseconds; the
host converts them to trace events with ``t`` relative to the session start as measured on the device clock
(``device_t0``), so agent events and ``logcat`` events share one time base.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from apprights.errors import InputError
from apprights.extractors.traffic import VALUE_SHAPES, masked_variants

log = logging.getLogger(__name__)

AGENT_RESOURCE = "agent/agent.js"
# Frames that say nothing about the caller: the hooked method's own frame is kept as the innermost frame.
_FRAME_SUFFIX = re.compile(r"\((?:Native Method|Unknown Source(?::\d+)?)\)$")
# Android intent-starting methods -> trace-format ``intent.op``.
INTENT_OPS = {
    "startActivity": "startActivity",
    "startActivityForResult": "startActivity",
    "startActivityAsUser": "startActivity",
    "startActivities": "startActivities",
    "startService": "startService",
    "startForegroundService": "startService",
    "bindService": "bindService",
    "sendBroadcast": "sendBroadcast",
    "sendOrderedBroadcast": "sendBroadcast",
    "sendBroadcastAsUser": "sendBroadcast",
}
REQUEST_PERMISSION_METHODS = {"requestPermissions"}
MAX_CATALOGUE_BYTES = 16 * 1024 * 1024


def agent_source() -> str:
    """The JavaScript of the Frida agent shipped in this package."""
    return resources.files("apprights.collect").joinpath(AGENT_RESOURCE).read_text(encoding="utf-8")


def agent_path() -> Path:
    """Filesystem path of the agent (for ``node --check`` and for operators who load it with ``frida -l``)."""
    return Path(str(resources.files("apprights.collect").joinpath(AGENT_RESOURCE)))


@dataclass(frozen=True)
class HookSpec:
    """One API to hook and its argument filters (one per catalogue row; ``None`` = every call counts)."""

    api: str
    filters: tuple[dict[str, Any] | None, ...]
    kind: str = "read"
    pi_type: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"api": self.api, "filters": list(self.filters)}
        shape = VALUE_SHAPES.get(self.pi_type)
        if shape:
            out["shape"] = shape  # the agent sends the value in the shape the traffic matcher reads
        return out


def hook_specs_from_catalogue(path: Path) -> list[HookSpec]:
    """Read ``sensitive_apis.json`` (``{"version", "apis": [{"api", "kind", "arg_filter", ...}]}``) into hooks.

    Read at collect time (not import time) so a catalogue update reaches the agent without a rebuild.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(
            str(path), f"cannot read the sensitive-API catalogue: {exc.strerror or exc}"
        ) from exc
    if len(raw) > MAX_CATALOGUE_BYTES:
        raise InputError(str(path), "catalogue too large")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(str(path), f"catalogue is not valid UTF-8 JSON: {exc}") from exc
    rows = data.get("apis") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise InputError(str(path), "catalogue must be an object with a list 'apis'")
    by_api: dict[str, tuple[list[dict[str, Any] | None], str, str]] = {}
    for i, row in enumerate(rows):
        if not isinstance(row, dict) or not isinstance(row.get("api"), str) or "." not in row["api"]:
            raise InputError(str(path), f"apis[{i}]: missing dotted 'api' name")
        flt = row.get("arg_filter")
        if flt is not None and not isinstance(flt, dict):
            raise InputError(str(path), f"apis[{i}]: 'arg_filter' must be an object")
        filters, _, _ = by_api.setdefault(
            row["api"], ([], str(row.get("kind", "read")), str(row.get("pi_type") or ""))
        )
        filters.append(flt)
    return [HookSpec(api, tuple(f), kind, pi) for api, (f, kind, pi) in by_api.items()]


def default_catalogue_path() -> Path:
    return Path(str(resources.files("apprights.knowledge").joinpath("data/sensitive_apis.json")))


def agent_config(
    specs: Sequence[HookSpec],
    *,
    mask: bool = False,
    max_stack: int = 48,
    max_value_length: int = 2048,
    plaintext: bool = False,
    unpin: bool = False,
    max_body: int = 64 * 1024,
) -> dict[str, Any]:
    """The object passed to the agent's ``rpc.exports.init``. ``plaintext``: report request bytes before TLS
    and encryption (okhttp, Conscrypt, Cipher); ``unpin``: bypass certificate pinning."""
    return {
        "apis": [s.to_json() for s in specs],
        "mask": mask,
        "maxStack": max_stack,
        "maxValueLength": max_value_length,
        "plaintext": plaintext,
        "unpin": unpin,
        "maxBody": max_body,
    }


def normalise_stack(frames: Iterable[Any], api: str) -> list[str]:
    """Frames innermost first in ``pkg.Class.method`` form, the hooked API itself as the first frame."""
    out: list[str] = []
    for f in frames:
        if not isinstance(f, str) or not f:
            continue
        out.append(_FRAME_SUFFIX.sub("", f.strip()))
    # The stack is built inside our hook: frames above the hooked method belong to Frida's bridge only when
    # the runtime inlines them; drop anything before the API's own frame when it is present.
    for i, frame in enumerate(out):
        if frame.split("(", 1)[0] == api:
            return out[i:]
    return [api, *out]


_HTTP1 = re.compile(r"^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (\S+) HTTP/1\.[01]\r?\n")


def _header_lines(text: str) -> dict[str, str]:
    """okhttp's ``Headers.toString()`` ("Name: value" per line) -> {name: value}."""
    out: dict[str, str] = {}
    for line in text.splitlines()[:100]:
        name, sep, value = line.partition(":")
        if sep and name.strip():
            key = name.strip()
            out[key] = f"{out[key]}, {value.strip()}" if key in out else value.strip()
    return out


def sha256_text(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


@dataclass
class MessageConverter:
    """Turns agent messages into trace events for one session.

    ``device_t0`` is the session start on the device clock (epoch seconds); ``process``/``pid`` name the
    instrumented process (the main process or a ``:push``-style one). ``mask`` hashes raw values the agent
    still sent (an agent without masking) before they are stored.
    """

    device_t0: float
    process: str | None = None
    pid: int | None = None
    mask: bool = False
    # with ``mask``: told every raw value it hashed, so the trace writer can remove the value from the rest of
    # the trace (``collect.masking``); the value stays in memory only
    on_raw: Callable[[Any], None] | None = None

    def convert(self, message: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Trace events for one Frida message (``{"type": "send", "payload": {...}}`` or the bare payload)."""
        if message.get("type") == "error":
            return [self._note(f"agent script error: {message.get('description', '?')}", None)]
        payload = message.get("payload", message) if message.get("type") == "send" else message
        if not isinstance(payload, Mapping):
            return []
        ptype = payload.get("type")
        t = self._t(payload.get("t"))
        if ptype == "api_call":
            return self._api_call(payload, t)
        if ptype == "agent_ready":
            missing = payload.get("missing") or []
            text = (
                f"agent hooked {payload.get('hooked', 0)} methods for {payload.get('apis', 0)} APIs; "
                f"{len(missing)} not present on this device"
            )
            return [self._note(text, t)]
        if ptype == "agent_error":
            return [self._note(f"agent error: {payload.get('error', '?')}", t)]
        if ptype == "permission_result":
            return self._permission_results(payload, t)
        if ptype == "plaintext":
            return self._plaintext(payload, t)
        log.debug("ignoring agent message of type %r", ptype)
        return []

    def _t(self, t_ms: Any) -> float | None:
        if isinstance(t_ms, bool) or not isinstance(t_ms, int | float):
            return None
        return max(0.0, t_ms / 1000.0 - self.device_t0)

    def _common(self, event: dict[str, Any]) -> dict[str, Any]:
        if self.process:
            event["process"] = self.process
        if self.pid is not None:
            event["pid"] = self.pid
        return event

    def _note(self, text: str, t: float | None) -> dict[str, Any]:
        return self._common({"type": "note", "t": t if t is not None else 0.0, "text": text})

    def _api_call(self, p: Mapping[str, Any], t: float | None) -> list[dict[str, Any]]:
        api = p.get("api")
        if not isinstance(api, str) or t is None:
            return [self._note(f"malformed api_call message from agent: {str(dict(p))[:200]}", t)]
        raw_args = p.get("args")
        args: list[Any] = raw_args if isinstance(raw_args, list) else []
        stack = normalise_stack(p.get("stack") or [], api)
        event: dict[str, Any] = {"type": "api_call", "t": t, "api": api, "args": args, "stack": stack}
        ret = p.get("ret")
        if isinstance(p.get("ret_sha256"), str):
            event["ret_sha256"] = p["ret_sha256"]
        elif ret is not None and self.mask:
            if self.on_raw is not None:
                self.on_raw(ret)
            event["ret_sha256"] = sha256_text(
                ret if isinstance(ret, str) else json.dumps(ret, ensure_ascii=False)
            )
            variants = masked_variants(ret)
            if variants:  # encoded forms (base64, MD5 …) still match traffic without the raw value
                event["ret_variants_sha256"] = variants
        elif ret is not None:
            event["ret"] = ret
        if isinstance(p.get("thread"), str):
            event["thread"] = p["thread"]
        if isinstance(p.get("error"), str) and p["error"]:
            event["error"] = p["error"][
                :500
            ]  # an attempted read: the call threw (no permission, Android 10+)
        events = [self._common(event)]
        events.extend(self._derived(api, args, stack, t))
        return events

    def _plaintext(self, p: Mapping[str, Any], t: float | None) -> list[dict[str, Any]]:
        """okhttp requests and TLS writes become ``network`` events (searched for PI like the proxy's, and
        attributed by their stack); Cipher input becomes a ``crypto`` event (with the start of the ciphertext,
        ``out_b64``, which links it to the request that carries it)."""
        source, data = p.get("source"), p.get("data_b64")
        if t is None or not isinstance(data, str) or source not in ("okhttp", "ssl", "cipher"):
            return [self._note(f"malformed plaintext message from agent: {str(dict(p))[:200]}", t)]
        stack = [f for f in (p.get("stack") or []) if isinstance(f, str)]
        stack = [_FRAME_SUFFIX.sub("", f.strip()) for f in stack]
        if source == "cipher":
            event: dict[str, Any] = {
                "type": "crypto",
                "t": t,
                "op": "cipher",
                "data_b64": data,
                "stack": stack,
            }
            for name in ("algorithm", "mode", "out_b64"):
                if isinstance(p.get(name), str) and p[name]:
                    event[name] = p[name]
            if p.get("op") in ("doFinal", "update"):
                event["method"] = p["op"]
            if isinstance(p.get("out_size"), int) and not isinstance(p.get("out_size"), bool):
                event["out_size"] = p["out_size"]
            return [self._common(event)]
        if source == "okhttp":
            url = str(p.get("url") or "")
            parts = urlsplit(url)
            if not parts.hostname:
                return [self._note(f"okhttp request without a host: {url[:200]}", t)]
            event = {
                "type": "network",
                "t": t,
                "host": parts.hostname,
                "method": str(p.get("method") or "GET"),
                "url": url,
                "scheme": parts.scheme,
                "tls": parts.scheme == "https",
                "source": "okhttp",
                "request_headers": _header_lines(str(p.get("headers") or "")),
                "stack": stack,
            }
            if data:
                event["request_body_b64"] = data
            return [self._common(event)]
        host = p.get("host")
        if not isinstance(host, str) or not host:
            return [self._note("TLS write to an unknown host (not searched for personal information)", t)]
        head = base64.b64decode(data[:400] + "=" * (-len(data[:400]) % 4), validate=False)[:300]
        m = _HTTP1.match(head.decode("latin-1"))
        event = {
            "type": "network",
            "t": t,
            "host": host,
            "method": m.group(1) if m else "TLS",
            "scheme": "https",
            "tls": True,
            "source": "ssl",
            "request_body_b64": data,  # the whole request as written (headers and body): searched as text
            "stack": stack,
        }
        if m:
            event["url"] = f"https://{host}{m.group(2)}"
        if isinstance(p.get("port"), int) and not isinstance(p.get("port"), bool):
            event["port"] = p["port"]
        return [self._common(event)]

    def _permission_results(self, p: Mapping[str, Any], t: float | None) -> list[dict[str, Any]]:
        results = p.get("results")
        if t is None or not isinstance(results, list):
            return [self._note(f"malformed permission_result message from agent: {str(dict(p))[:200]}", t)]
        out: list[dict[str, Any]] = []
        for r in results:
            if not isinstance(r, Mapping):
                continue
            perm, result = r.get("permission"), r.get("result")
            if isinstance(perm, str) and result in ("granted", "denied", "denied_forever"):
                out.append(
                    self._common({"type": "permission_result", "t": t, "permission": perm, "result": result})
                )
        return out

    def _derived(self, api: str, args: list[Any], stack: list[str], t: float) -> list[dict[str, Any]]:
        """``permission_request`` and ``intent`` events implied by a hooked call."""
        method = api.rsplit(".", 1)[-1]
        out: list[dict[str, Any]] = []
        if method in REQUEST_PERMISSION_METHODS:
            perms = next(
                (a for a in args if isinstance(a, list) and all(isinstance(x, str) for x in a)), None
            )
            if perms:
                out.append(
                    self._common({"type": "permission_request", "t": t, "permissions": perms, "stack": stack})
                )
        if method in INTENT_OPS:
            for a in args:
                intents = a if isinstance(a, list) else [a]
                for it in intents:
                    if isinstance(it, Mapping) and it.get("$intent"):
                        out.append(self._intent_event(INTENT_OPS[method], it, stack, t))
        return out

    def _intent_event(self, op: str, it: Mapping[str, Any], stack: list[str], t: float) -> dict[str, Any]:
        component = it.get("component") if isinstance(it.get("component"), str) else None
        target = it.get("package") if isinstance(it.get("package"), str) else None
        if target is None and component:
            target = component.split("/", 1)[0]
        event: dict[str, Any] = {"type": "intent", "t": t, "op": op, "target_package": target or ""}
        for name in ("component", "action", "data"):
            if isinstance(it.get(name), str):
                event[name] = it[name]
        keys = it.get("extras_keys")
        if isinstance(keys, list):
            event["extras_keys"] = [str(k) for k in keys]
        event["stack"] = stack
        return self._common(event)
