"""Fold a stream of validated events into one compact ``TraceSession``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apprights.extractors.ciphertext import CiphertextLinker, decode_b64
from apprights.extractors.trace.attribution import ApiClassifier, Attributor
from apprights.extractors.traffic import PiMatcher, TrafficHit
from apprights.knowledge import Knowledge
from apprights.model.runtime import (
    Actor,
    ApiCall,
    ApiSeries,
    ConsentChange,
    Download,
    HostStats,
    IntentSent,
    Moment,
    PermissionRequest,
    PermissionResult,
    PiEncrypted,
    PiTransfer,
    ProcessExit,
    ProcStart,
    SensorInjection,
    SessionHeader,
    StateChange,
    Tap,
    TraceSession,
    UiScreen,
)

# ``tap.dialog`` values (trace-format.md): taps that answered a dialog rather than used the app.
_DIALOG_TAPS = frozenset({"consent", "permission"})
# ``crypto.mode`` values whose input is data about to be protected (decrypt/unwrap input is ciphertext)
_PACKING_MODES = frozenset({"", "encrypt", "wrap"})


@dataclass
class _Encrypted:
    """One ``crypto`` event whose plaintext held PI, waiting for its ciphertext to show up in a request."""

    index: int
    t: float
    algorithm: str
    packer: Actor
    items: list[tuple[TrafficHit, PiEncrypted | None]]


@dataclass(frozen=True)
class BuildOptions:
    first_party_hosts: tuple[str, ...] = ()  # domain suffixes that belong to the app's operator
    user_action_window_s: float = 2.0  # a tap this close before a read makes the read "prompted"
    consent_tap_window_s: float = 1.0  # a tap this close before consent agreed/refused answered the dialog
    calls_per_key: int = 5  # ApiCall objects kept per (API, subject, phase, state)
    series_times: int = 5000  # unprompted read times kept per series
    max_kept: int = 20000  # per kind of kept event (intents, process starts, permission events …)
    max_taps: int = 200_000  # taps decide "user action": keep (nearly) all of them
    max_screens: int = 50_000  # consecutive identical screens are stored once
    transfers_per_key: int = 3  # PiTransfer objects per (host, PI value, sender, phase, plaintext)
    max_text_items: int = 200  # texts/buttons/… kept per screen
    max_text_len: int = 500
    scan_traffic: bool = True


def _s(ev: dict[str, Any], name: str) -> str:
    v = ev.get(name)
    return v if isinstance(v, str) else ""


def _strip_url(url: str) -> str:
    for sep in ("?", "#"):
        url = url.split(sep, 1)[0]
    return url[:300]


def first_party_suffixes(package: str, extra: tuple[str, ...]) -> tuple[str, ...]:
    """``com.example.news`` → ``example.com`` (the reversed first two labels), plus configured hosts."""
    labels = [x for x in package.lower().split(".") if x]
    out = list(h.lower().lstrip(".") for h in extra if h)
    if len(labels) >= 2:
        out.append(f"{labels[1]}.{labels[0]}")
    return tuple(out)


class SessionBuilder:
    def __init__(
        self,
        trace: str,
        number: int,
        header_event: dict[str, Any],
        knowledge: Knowledge,
        options: BuildOptions,
    ) -> None:
        h = header_event
        self.opt = options
        self.knowledge = knowledge
        dev = h.get("device")
        col = h.get("collector")
        self.header = SessionHeader(
            format=_s(h, "format"),
            package=_s(h, "package"),
            version_name=_s(h, "version_name"),
            version_code=h.get("version_code"),
            apk_sha256=_s(h, "apk_sha256"),
            device=dev if isinstance(dev, dict) else {},
            collector=col if isinstance(col, dict) else {},
            scenario=_s(h, "scenario"),
            started_at=_s(h, "started_at"),
            fresh_install=h.get("fresh_install") is True,
        )
        self.package = self.header.package
        self.session = TraceSession(trace=trace, number=number, header=self.header)
        self.attr = Attributor(knowledge, self.package)
        self.classifier = ApiClassifier(knowledge)
        self.matcher = PiMatcher(self.package)
        self.linker: CiphertextLinker[_Encrypted] = CiphertextLinker()
        self.fp_suffixes = first_party_suffixes(self.package, options.first_party_hosts)
        self.phase = "before"
        self.app_state = "unknown"
        self.screen_off = False
        self.tap: Tap | None = None
        self.prev_tap: Tap | None = None
        self.last_shown_t: float | None = None
        self.dialog_pending = False
        self.last_screen_sig: tuple[Any, ...] | None = None
        self.transfer_keys: dict[tuple[Any, ...], int] = {}
        self.moments: list[Moment] = []
        self.series: dict[tuple[str, str, str], ApiSeries] = {}
        self.call_keys: dict[tuple[str, str, str, str], int] = {}
        self.hosts: dict[str, HostStats] = {}
        self.host_party: dict[str, tuple[str, str | None, str]] = {}
        self.last_t = 0.0
        self.count = 0

    # -- helpers -------------------------------------------------------------------------------------------
    @property
    def effective_state(self) -> str:
        if self.app_state in ("killed", "not_running"):
            return self.app_state
        if self.screen_off:
            return "screen_off"
        return self.app_state

    def moment(self, index: int, t: float) -> Moment:
        tap = self.tap
        m = Moment(
            index, t, self.phase, self.effective_state, tap.t if tap else None, tap.text if tap else ""
        )
        self.moments.append(m)
        return m

    def _room(self, kind: str, lst: list[Any], cap: int | None = None) -> bool:
        if len(lst) < (self.opt.max_kept if cap is None else cap):
            return True
        self.session.dropped[kind] = self.session.dropped.get(kind, 0) + 1
        return False

    def _party(self, host: str) -> tuple[str, str | None, str]:
        hit = self.host_party.get(host)
        if hit is not None:
            return hit
        h = host.lower().rstrip(".")
        if any(h == s or h.endswith("." + s) for s in self.fp_suffixes):
            res: tuple[str, str | None, str] = ("first", None, "")
        else:
            sdk = self.knowledge.sdks.match_host(h)
            res = ("sdk", sdk.id, sdk.name) if sdk is not None else ("third", None, "")
        if len(self.host_party) < 100_000:
            self.host_party[host] = res
        return res

    # -- events --------------------------------------------------------------------------------------------
    def feed(self, index: int, ev: dict[str, Any]) -> None:
        self.count += 1
        t = float(ev["t"])
        self.last_t = t
        typ = ev["type"]
        handler = _HANDLERS.get(typ)
        if handler is not None:
            handler(self, index, t, ev)
        else:
            self.on_unknown(typ)

    def handlers(self) -> dict[str, Any]:
        """Event type → bound handler ``(index, t, event)``, for a reader loop that dispatches itself (the
        caller then sets ``count`` and ``last_t``; ``feed`` does all of it per event)."""
        out: dict[str, Any] = {typ: getattr(self, fn.__name__) for typ, fn in _HANDLERS.items()}
        out["session"] = self.on_session
        return out

    def on_session(self, index: int, t: float, ev: dict[str, Any]) -> None:
        return

    def on_unknown(self, typ: str) -> None:
        if typ == "session":
            return
        u = self.session.unknown_types
        if typ in u or len(u) < 100:
            u[typ] = u.get(typ, 0) + 1

    def on_app_state(self, index: int, t: float, ev: dict[str, Any]) -> None:
        st = ev["state"]
        if st == "screen_off":
            self.screen_off = True
        elif st == "screen_on":
            self.screen_off = False
        else:
            self.app_state = st
            if st in ("killed", "not_running"):
                self.screen_off = False
        if self._room("states", self.session.states):
            self.session.states.append(StateChange(index, t, st, self.effective_state, _s(ev, "reason")))

    def on_consent(self, index: int, t: float, ev: dict[str, Any]) -> None:
        action = ev["action"]
        tap = self.tap
        answered = action in ("agreed", "refused", "withdrawn")
        if (
            answered
            and tap is not None
            and not tap.consent
            and 0 <= t - tap.t <= self.opt.consent_tap_window_s
        ):
            tap.consent = True
            self.tap = self.prev_tap
        if action == "shown":
            self.last_shown_t = t
            self.dialog_pending = True
            screens = self.session.screens
            if screens and t - screens[-1].at.t <= self.opt.consent_tap_window_s:
                screens[-1].consent_dialog = True  # the dialog was recorded just before the event
                self.dialog_pending = False
        self.phase = action
        if self._room("consents", self.session.consents):
            self.session.consents.append(
                ConsentChange(index, t, action, _s(ev, "document") or "privacy_policy", _s(ev, "screen"))
            )

    def on_ui(self, index: int, t: float, ev: dict[str, Any]) -> None:
        get = ev.get
        sig = (ev["screen"], get("texts"), get("buttons"), get("checkboxes"), get("inputs"))
        pending = self.dialog_pending and self.phase == "shown"
        if sig == self.last_screen_sig and not pending:
            return  # the same screen recorded again: nothing new (compared in C, no text built)
        self.last_screen_sig = sig
        if not self._room("screens", self.session.screens, self.opt.max_screens):
            return
        n, ln = self.opt.max_text_items, self.opt.max_text_len
        screen, texts, buttons, checkboxes, inputs = sig

        def objs(items: Any, keys: tuple[str, ...]) -> list[dict[str, Any]]:
            out = []
            for o in items[:n]:
                d: dict[str, Any] = {}
                for k in keys:
                    v = o.get(k)
                    if v is not None:
                        d[k] = v[:ln] if v.__class__ is str and len(v) > ln else v
                out.append(d)
            return out

        scr = UiScreen(
            self.moment(index, t),
            screen[:ln],
            [x[:ln] for x in texts[:n]] if texts else [],
            objs(buttons, ("text", "id")) if buttons else [],
            objs(checkboxes, ("text", "id", "checked")) if checkboxes else [],
            objs(inputs, ("hint", "id")) if inputs else [],
        )
        if pending:
            scr.consent_dialog = True  # the first screen after consent "shown" is the dialog
            self.dialog_pending = False
        self.session.screens.append(scr)

    def on_tap(self, index: int, t: float, ev: dict[str, Any]) -> None:
        x, y = ev.get("x"), ev.get("y")
        tap = Tap(index, t, _s(ev, "text")[:200], _s(ev, "id")[:200], x, y)
        if ev.get("dialog") in _DIALOG_TAPS:
            tap.consent = True  # the driver answered a consent or permission dialog: not a user action
        else:
            self.prev_tap, self.tap = self.tap, tap
        if self._room("taps", self.session.taps, self.opt.max_taps):
            self.session.taps.append(tap)

    def on_api_call(self, index: int, t: float, ev: dict[str, Any]) -> None:
        get = ev.get
        args = get("args")
        match = self.classifier.classify(ev["api"], args if args.__class__ is list else None)
        if match is None:
            return
        actor = self.attr.actor(get("stack"))
        opt = self.opt
        tap = self.tap
        api = match.api
        key = (api, actor.kind, actor.id)
        series = self.series.get(key)
        if series is None:
            series = ApiSeries(api, match.pi_type, actor, first_index=index, first_t=t)
            self.series[key] = series
        series.count += 1
        series.last_t = t
        if tap is None or t - tap.t > opt.user_action_window_s:  # not prompted by a user tap
            series.unprompted_count += 1
            if len(series.unprompted_t) < opt.series_times:
                series.unprompted_t.append(t)
                series.unprompted_index.append(index)
        ret_sha = get("ret_sha256")
        sha = None
        if opt.scan_traffic:
            variants = get("ret_variants_sha256")
            sha = self.matcher.add_read(
                match.pi_type,
                get("ret"),
                ret_sha,
                index,
                t,
                actor,
                variants if variants.__class__ is list else (),
            )
        ck = (api, actor.id, self.phase, self.effective_state)
        k = self.call_keys.get(ck, 0)
        if k < opt.calls_per_key:
            self.call_keys[ck] = k + 1
            if sha is None and isinstance(ret_sha, str):
                sha = ret_sha.lower()
            if self._room("api_calls", self.session.api_calls):
                self.session.api_calls.append(
                    ApiCall(
                        self.moment(index, t),
                        api,
                        match.pi_type,
                        match.label_zh,
                        match.label_en,
                        actor,
                        _s(ev, "process"),
                        sha,
                        _s(ev, "error")[:200],
                    )
                )

    def on_permission_request(self, index: int, t: float, ev: dict[str, Any]) -> None:
        if self._room("permission_requests", self.session.permission_requests):
            stack = ev.get("stack")
            actor = self.attr.actor(stack) if stack else None
            self.session.permission_requests.append(
                PermissionRequest(self.moment(index, t), list(ev["permissions"][:50]), actor)
            )

    def on_permission_result(self, index: int, t: float, ev: dict[str, Any]) -> None:
        if self._room("permission_results", self.session.permission_results):
            self.session.permission_results.append(
                PermissionResult(self.moment(index, t), ev["permission"], ev["result"])
            )

    def on_proc_start(self, index: int, t: float, ev: dict[str, Any]) -> None:
        if self._room("proc_starts", self.session.proc_starts):
            pkg = ev["package"]
            self.session.proc_starts.append(
                ProcStart(
                    self.moment(index, t),
                    pkg,
                    ev["process"],
                    ev["hosting_type"],
                    _s(ev, "component"),
                    _s(ev, "action"),
                    _s(ev, "caller_package"),
                    own=pkg == self.package,
                )
            )

    def on_intent(self, index: int, t: float, ev: dict[str, Any]) -> None:
        target = ev["target_package"]
        if self._room("intents", self.session.intents):
            stack = ev.get("stack")
            self.session.intents.append(
                IntentSent(
                    self.moment(index, t),
                    ev["op"],
                    target,
                    _s(ev, "component"),
                    _s(ev, "action"),
                    _s(ev, "data")[:300],
                    list((ev.get("extras_keys") or [])[:100]),
                    self.attr.actor(stack) if stack else None,
                    foreign=bool(target) and target != self.package,
                )
            )

    def on_network(self, index: int, t: float, ev: dict[str, Any]) -> None:
        host = ev["host"].lower()
        party, sdk_id, sdk_name = self._party(host)
        url = _s(ev, "url")
        scheme = (
            _s(ev, "scheme") or url.split("://", 1)[0] if "://" in url or ev.get("scheme") else ""
        ).lower()
        plaintext = scheme == "http" or ev.get("tls") is False
        hs = self.hosts.get(host)
        if hs is None:
            hs = HostStats(host, party, sdk_id, first_index=index, first_t=t)
            self.hosts[host] = hs
        hs.count += 1
        if self.phase in ("before", "shown"):
            hs.pre_consent_count += 1
        if plaintext:
            hs.plaintext_count += 1
        if not self.opt.scan_traffic:
            return
        hits = self.matcher.scan(ev)
        linked = self.linker.find(self.matcher.text(ev)) if self.linker.active else []
        if linked:
            self._link_ciphertext(index, t, ev, host, party, sdk_id, hs, linked, url, scheme)
        if not hits:
            return
        if not linked:
            hs.pi_request_count += 1
        stack = ev.get("stack")
        pre = self.phase in ("before", "shown")
        for hit in hits:
            if hit.value.seeded and not stack and party == "third":
                # the phone's own identifier, never seen read by the app, in a request the proxy saw going to
                # an unknown host: it may be another app's or the system's traffic (the proxy is device-wide)
                continue
            if stack:
                sender = self.attr.actor(stack)
            elif party == "sdk" and sdk_id is not None:
                sender = Actor("sdk", sdk_id, sdk_name)
            else:
                sender = hit.value.reader
            key = (host, hit.value.pi_type, hit.value.value_sha256, sender.id, pre, plaintext)
            n = self.transfer_keys.get(key, 0)
            self.transfer_keys[key] = n + 1
            if n >= self.opt.transfers_per_key or not self._room("pi_transfers", self.session.pi_transfers):
                continue
            self.session.pi_transfers.append(
                PiTransfer(
                    self.moment(index, t),
                    host,
                    _strip_url(url) or f"{scheme or 'https'}://{host}",
                    ev["method"],
                    plaintext,
                    party,
                    sdk_id,
                    hit.value.pi_type,
                    hit.value.value_sha256,
                    hit.encoding,
                    hit.where,
                    hit.value.read_index,
                    hit.value.read_t,
                    hit.value.reader,
                    sender,
                )
            )

    def _link_ciphertext(
        self,
        index: int,
        t: float,
        ev: dict[str, Any],
        host: str,
        party: str,
        sdk_id: str | None,
        hs: HostStats,
        linked: list[tuple[_Encrypted, str, str]],
        url: str,
        scheme: str,
    ) -> None:
        """A request carried the ciphertext of data that held PI: the PI went to this host, encrypted."""
        hs.pi_request_count += 1
        stack = ev.get("stack")
        pre = self.phase in ("before", "shown")
        at: Moment | None = None
        for enc, cipher_encoding, where in linked:
            if stack:
                sender = self.attr.actor(stack)
            elif party == "sdk" and sdk_id is not None:
                sender = Actor("sdk", sdk_id, self._party(host)[2])
            else:
                sender = enc.packer
            for hit, record in enc.items:
                if record is not None and host not in record.hosts and len(record.hosts) < 20:
                    record.hosts.append(host)
                v = hit.value
                key = (host, v.pi_type, v.value_sha256, sender.id, pre, "encrypted")
                n = self.transfer_keys.get(key, 0)
                self.transfer_keys[key] = n + 1
                if n >= self.opt.transfers_per_key or not self._room(
                    "pi_transfers", self.session.pi_transfers
                ):
                    continue
                if at is None:
                    at = self.moment(index, t)
                self.session.pi_transfers.append(
                    PiTransfer(
                        at,
                        host,
                        _strip_url(url) or f"{scheme or 'https'}://{host}",
                        ev["method"],
                        False,  # the identifier travelled encrypted, whatever the scheme
                        party,
                        sdk_id,
                        v.pi_type,
                        v.value_sha256,
                        hit.encoding,
                        f"{where} (ciphertext, {cipher_encoding})",
                        v.read_index,
                        v.read_t,
                        v.reader,
                        sender,
                        encrypted_by=enc.packer,
                        crypto_index=enc.index,
                        crypto_t=enc.t,
                        algorithm=enc.algorithm,
                    )
                )

    def on_crypto(self, index: int, t: float, ev: dict[str, Any]) -> None:
        """Data handed to ``Cipher`` for encryption: searched for the identifiers read so far, as a request body
        is; its ciphertext is remembered so that a later request carrying it becomes a transfer."""
        if not self.opt.scan_traffic or _s(ev, "mode") not in _PACKING_MODES:
            return
        data = ev.get("data_b64")
        if not isinstance(data, str) or not data:
            return
        hits = self.matcher.scan({"request_body_b64": data})
        if not hits:
            return
        packer = self.attr.actor(ev.get("stack"))
        algorithm = _s(ev, "algorithm")[:100]
        at = self.moment(index, t)
        items: list[tuple[TrafficHit, PiEncrypted | None]] = []
        for hit in hits:
            v = hit.value
            key = ("crypto", v.pi_type, v.value_sha256, packer.id, self.phase)
            n = self.transfer_keys.get(key, 0)
            self.transfer_keys[key] = n + 1
            record = None
            if n < self.opt.transfers_per_key and self._room("pi_encrypted", self.session.pi_encrypted):
                record = PiEncrypted(
                    at,
                    v.pi_type,
                    v.value_sha256,
                    hit.encoding,
                    algorithm,
                    packer,
                    v.read_index,
                    v.read_t,
                    v.reader,
                )
                self.session.pi_encrypted.append(record)
            items.append((hit, record))
        out = decode_b64(ev.get("out_b64"))
        if out:
            self.linker.add(out, _Encrypted(index, t, algorithm, packer, items))

    def on_device_ids(self, index: int, t: float, ev: dict[str, Any]) -> None:
        """The device's own identifiers, given by the collector: searched for in traffic like values read."""
        if not self.opt.scan_traffic:
            return
        app = self.attr.actor(None)
        for item in ev["ids"][:50]:
            if not isinstance(item, dict) or not isinstance(item.get("pi_type"), str):
                continue
            sha = item.get("value_sha256")
            variants = item.get("variants_sha256")
            self.matcher.add_seed(
                item["pi_type"],
                item.get("value"),
                sha if isinstance(sha, str) else None,
                variants if isinstance(variants, list) else (),
                index,
                app,
            )

    def on_process_exit(self, index: int, t: float, ev: dict[str, Any]) -> None:
        proc = _s(ev, "process")
        if self._room("exits", self.session.exits):
            self.session.exits.append(ProcessExit(self.moment(index, t), ev["reason"], proc))
        if proc in ("", self.package):
            self.app_state = "not_running"
            self.screen_off = False

    def on_sensor(self, index: int, t: float, ev: dict[str, Any]) -> None:
        if self._room("sensor_injections", self.session.sensor_injections):
            self.session.sensor_injections.append(
                SensorInjection(
                    self.moment(index, t),
                    ev["sensor"],
                    ev.get("accel_ms2"),
                    ev.get("rotation_deg"),
                    ev.get("duration_s"),
                )
            )

    def on_download(self, index: int, t: float, ev: dict[str, Any]) -> None:
        if self._room("downloads", self.session.downloads):
            ui = ev.get("user_initiated")
            self.session.downloads.append(
                Download(
                    self.moment(index, t),
                    _strip_url(ev["url"]),
                    _s(ev, "package"),
                    ui if isinstance(ui, bool) else None,
                    self.tap.id if self.tap else "",
                )
            )

    def on_note(self, index: int, t: float, ev: dict[str, Any]) -> None:
        return

    # -- end -----------------------------------------------------------------------------------------------
    def finish(self) -> TraceSession:
        s = self.session
        s.event_count = self.count
        s.duration = self.last_t
        s.api_series = sorted(self.series.values(), key=lambda x: (x.first_index, x.api))
        s.hosts = sorted(self.hosts.values(), key=lambda h: h.first_index)
        if not s.consents:
            for m in self.moments:
                m.phase = "unknown"
            for h in s.hosts:
                h.pre_consent_count = 0
            s.warnings.append("no consent event: consent phase unknown for the whole session")
        if self.linker.dropped:
            s.warnings.append(f"{self.linker.dropped} ciphertexts beyond the cap were not linked to requests")
        for kind, n in s.dropped.items():
            s.warnings.append(f"{n} {kind} beyond the cap of {self.opt.max_kept} were not kept")
        return s


_HANDLERS = {
    "app_state": SessionBuilder.on_app_state,
    "consent": SessionBuilder.on_consent,
    "ui": SessionBuilder.on_ui,
    "tap": SessionBuilder.on_tap,
    "api_call": SessionBuilder.on_api_call,
    "permission_request": SessionBuilder.on_permission_request,
    "permission_result": SessionBuilder.on_permission_result,
    "proc_start": SessionBuilder.on_proc_start,
    "intent": SessionBuilder.on_intent,
    "network": SessionBuilder.on_network,
    "device_ids": SessionBuilder.on_device_ids,
    "crypto": SessionBuilder.on_crypto,
    "process_exit": SessionBuilder.on_process_exit,
    "sensor_injection": SessionBuilder.on_sensor,
    "download": SessionBuilder.on_download,
    "note": SessionBuilder.on_note,
}
