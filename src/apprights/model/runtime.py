"""Facts derived from runtime traces (filled by ``extractors.trace``).

A trace of a million events is reduced to what the runtime rules need: the consent timeline, app-state changes,
privacy-relevant events (each with its index in the file, its time, the consent phase and app state at that
moment, the subject the stack attributes it to and the last user tap before it), per-API read series for
frequency checks, per-host traffic statistics and the personal information found in requests. Raw PI values are
never kept here: only their SHA-256.

Consent phases: ``before`` (no consent action yet), ``shown`` (dialog up, not answered), ``agreed``,
``refused``, ``withdrawn``, and ``unknown`` for every event of a session that has no consent event at all (a
session that starts after consent was given elsewhere: rules must not treat it as pre-consent).
Effective app states: ``unknown`` (before the first ``app_state``), ``foreground``, ``background``,
``screen_off`` (screen off while the app is alive), ``killed``, ``not_running``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PRE_CONSENT_PHASES = frozenset({"before", "shown"})
BACKGROUND_STATES = frozenset({"background", "screen_off", "killed", "not_running"})


@dataclass(slots=True)
class Actor:
    """Who a call is attributed to: ``kind`` app|sdk, ``id`` the package or the SDK id, and the stack frame."""

    kind: str
    id: str
    name: str
    frame: str = ""


@dataclass(slots=True)
class Moment:
    """Where an event sits in its session: index (0-based line number), time, consent phase, app state and the
    last user tap before it (``tap_t`` None = no tap yet). Consent taps are not user actions."""

    index: int
    t: float
    phase: str
    state: str
    tap_t: float | None = None
    tap_text: str = ""

    def tapped_within(self, seconds: float) -> bool:
        return self.tap_t is not None and 0 <= self.t - self.tap_t <= seconds

    @property
    def pre_consent(self) -> bool:
        return self.phase in PRE_CONSENT_PHASES


@dataclass
class SessionHeader:
    format: str
    package: str
    version_name: str = ""
    version_code: int | str | None = None
    apk_sha256: str = ""
    device: dict[str, Any] = field(default_factory=dict)
    collector: dict[str, Any] = field(default_factory=dict)
    scenario: str = ""
    started_at: str = ""
    fresh_install: bool = False  # the app was (re)installed right before: permission answers start afresh


@dataclass(slots=True)
class ConsentChange:
    index: int
    t: float
    action: str  # shown|agreed|refused|withdrawn
    document: str = "privacy_policy"
    screen: str = ""


@dataclass(slots=True)
class StateChange:
    index: int
    t: float
    state: str  # the raw app_state value
    effective: str  # the effective state after the change
    reason: str = ""


@dataclass(slots=True)
class StateInterval:
    state: str
    start: float
    end: float | None  # None = until the end of the session


@dataclass(slots=True)
class ApiCall:
    """A privacy-sensitive API call kept because it matters: the first calls per (API, subject, phase, state)."""

    at: Moment
    api: str
    pi_type: str
    label_zh: str
    label_en: str
    actor: Actor
    process: str = ""
    value_sha256: str | None = None
    error: str = ""  # the call threw (an attempted read: no permission, Android 10+ restrictions)


@dataclass
class ApiSeries:
    """Every read of one API by one subject: counts, and the times of reads with no user tap shortly before."""

    api: str
    pi_type: str
    actor: Actor
    count: int = 0
    first_index: int = -1
    first_t: float = 0.0
    last_t: float = 0.0
    unprompted_t: list[float] = field(default_factory=list)  # capped; unprompted_count is exact
    unprompted_index: list[int] = field(default_factory=list)  # capped like unprompted_t
    unprompted_count: int = 0


@dataclass(slots=True)
class PermissionRequest:
    at: Moment
    permissions: list[str]
    actor: Actor | None = None


@dataclass(slots=True)
class PermissionResult:
    at: Moment
    permission: str
    result: str  # granted|denied|denied_forever


@dataclass(slots=True)
class ProcStart:
    at: Moment
    package: str
    process: str
    hosting_type: str
    component: str = ""
    action: str = ""
    caller_package: str = ""
    own: bool = False  # the app under test (or one of its processes)


@dataclass(slots=True)
class IntentSent:
    at: Moment
    op: str
    target_package: str
    component: str = ""
    action: str = ""
    data: str = ""
    extras_keys: list[str] = field(default_factory=list)
    actor: Actor | None = None
    foreign: bool = False


@dataclass
class HostStats:
    """All requests to one host: party ``first`` | ``sdk`` | ``third``."""

    host: str
    party: str
    sdk_id: str | None = None
    count: int = 0
    first_index: int = -1
    first_t: float = 0.0
    pre_consent_count: int = 0
    plaintext_count: int = 0
    pi_request_count: int = 0  # requests that carried an identifier the app read


@dataclass(slots=True)
class PiTransfer:
    """An identifier the app read that was found in a request."""

    at: Moment
    host: str
    url: str  # scheme://host/path, query removed
    method: str
    plaintext: bool
    party: str  # first|sdk|third
    sdk_id: str | None
    pi_type: str
    value_sha256: str
    encoding: str  # raw|lower|upper|url|base64|base64url|hex|nosep|md5|sha1|sha256|...
    where: str  # url|header:<name>|body
    read_index: int
    read_t: float
    reader: Actor
    sender: Actor
    # set when the identifier was found in data an SDK encrypted (``crypto`` event) whose ciphertext this
    # request carried: the request itself shows only ciphertext
    encrypted_by: Actor | None = None
    crypto_index: int = -1
    crypto_t: float = 0.0
    algorithm: str = ""


@dataclass(slots=True)
class PiEncrypted:
    """An identifier the app read that was found in data handed to ``Cipher.doFinal``/``update`` for
    encryption (a ``crypto`` event): evidence that it was collected and packaged for sending. ``hosts`` are the
    hosts of later requests that carried the ciphertext (empty: the transfer itself was not seen)."""

    at: Moment
    pi_type: str
    value_sha256: str
    encoding: str
    algorithm: str
    packer: Actor  # who called Cipher (stack attribution)
    read_index: int
    read_t: float
    reader: Actor
    hosts: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Download:
    at: Moment
    url: str
    package: str = ""
    user_initiated: bool | None = None
    tap_id: str = ""


@dataclass(slots=True)
class UiScreen:
    at: Moment
    screen: str
    texts: list[str] = field(default_factory=list)
    buttons: list[dict[str, str]] = field(default_factory=list)
    checkboxes: list[dict[str, Any]] = field(default_factory=list)
    inputs: list[dict[str, str]] = field(default_factory=list)
    consent_dialog: bool = False  # shown together with a consent ``shown`` event (same time ± 1 s)

    def all_text(self) -> str:
        parts = list(self.texts)
        parts += [b.get("text", "") for b in self.buttons]
        parts += [str(c.get("text", "")) for c in self.checkboxes]
        parts += [i.get("hint", "") for i in self.inputs]
        return "\n".join(p for p in parts if p)


@dataclass(slots=True)
class Tap:
    index: int
    t: float
    text: str = ""
    id: str = ""
    x: float | None = None
    y: float | None = None
    consent: bool = False  # the tap answered the consent dialog


@dataclass(slots=True)
class SensorInjection:
    at: Moment
    sensor: str
    accel_ms2: float | None = None
    rotation_deg: float | None = None
    duration_s: float | None = None


@dataclass(slots=True)
class ProcessExit:
    at: Moment
    reason: str
    process: str = ""


@dataclass
class TraceSession:
    trace: str  # the file path
    number: int  # position among the traces given (0-based)
    header: SessionHeader
    event_count: int = 0
    duration: float = 0.0
    consents: list[ConsentChange] = field(default_factory=list)
    states: list[StateChange] = field(default_factory=list)
    api_calls: list[ApiCall] = field(default_factory=list)
    api_series: list[ApiSeries] = field(default_factory=list)
    permission_requests: list[PermissionRequest] = field(default_factory=list)
    permission_results: list[PermissionResult] = field(default_factory=list)
    proc_starts: list[ProcStart] = field(default_factory=list)
    intents: list[IntentSent] = field(default_factory=list)
    hosts: list[HostStats] = field(default_factory=list)
    pi_transfers: list[PiTransfer] = field(
        default_factory=list
    )  # the first few per (host, value, sender, phase)
    pi_encrypted: list[PiEncrypted] = field(default_factory=list)  # the first few per (value, packer, phase)
    downloads: list[Download] = field(default_factory=list)
    screens: list[UiScreen] = field(default_factory=list)
    taps: list[Tap] = field(default_factory=list)
    sensor_injections: list[SensorInjection] = field(default_factory=list)
    exits: list[ProcessExit] = field(default_factory=list)
    unknown_types: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)  # kept-list caps that were hit
    warnings: list[str] = field(default_factory=list)

    @property
    def package(self) -> str:
        return self.header.package

    @property
    def has_consent(self) -> bool:
        return bool(self.consents)

    def first_consent(self, action: str) -> ConsentChange | None:
        for c in self.consents:
            if c.action == action:
                return c
        return None

    def state_intervals(self) -> list[StateInterval]:
        out: list[StateInterval] = []
        current, start = "unknown", 0.0
        for s in self.states:
            if s.effective != current:
                if s.t > start or out or current != "unknown":
                    out.append(StateInterval(current, start, s.t))
                current, start = s.effective, s.t
        out.append(StateInterval(current, start, None))
        return [i for i in out if i.end is None or i.end > i.start or i.state != "unknown"]

    def phase_intervals(self) -> list[StateInterval]:
        if not self.consents:
            return [StateInterval("unknown", 0.0, None)]
        out: list[StateInterval] = []
        current, start = "before", 0.0
        for c in self.consents:
            out.append(StateInterval(current, start, c.t))
            current, start = c.action, c.t
        out.append(StateInterval(current, start, None))
        return out

    def evidence(self, index: int, t: float, **extra: Any) -> dict[str, Any]:
        """The pointer a finding's ``Evidence("trace", …)`` carries."""
        return {"trace": self.trace, "session": self.number, "event": index, "t": round(t, 3), **extra}


@dataclass
class RuntimeFacts:
    package: str
    traces: list[str] = field(default_factory=list)  # paths
    sessions: list[TraceSession] = field(default_factory=list)
    category: str | None = None  # the app category given with the traces (facts.category is authoritative)
