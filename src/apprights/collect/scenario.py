"""The scenario driver: one test session of one app, every step written to the trace.

A session is: (fresh install) → launch (spawn-gated under Frida when instrumentation is given) → find the
privacy dialog by its words → refuse *or* agree (the two paths are separate sessions, so "collected after the
user refused" and "collected before the user agreed" are each observed on a clean install) → answer runtime
permission dialogs (deny the first, allow later ones) → HOME → screen off → screen on → force-stop → boot and
network broadcasts → idle window. Process starts come from the event log, API calls from the Frida agent,
requests from the traffic proxy; all are merged into one ``apprights-trace/1`` file sorted by ``t``.

Time is injected (``Clock``): the CLI passes the real clock, tests a recorded one.
"""

from __future__ import annotations

import hashlib
import logging
import re
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, cast

from apprights.collect import logcat
from apprights.collect.adb import Adb, AdbError, PermissionState, parse_receiver_actions, permission_results
from apprights.collect.dialogs import find_consent_dialog, find_permission_dialog
from apprights.collect.logcat import Stimulus, attribute_causes
from apprights.collect.masking import Redactor
from apprights.collect.stimulus_apk import STIMULUS_PACKAGE, build_stimulus_apk
from apprights.collect.trace import TraceWriter, read_event_fragment
from apprights.collect.uiautomator import UiScreen, parse_dump, screen_from_view_tree
from apprights.errors import InputError
from apprights.extractors.traffic import masked_variants

log = logging.getLogger(__name__)

COLLECTOR_NAME = "apprights-collect"
COLLECTOR_VERSION = "0.1.0"
# Consent paths (each a separate session on a fresh install):
#   refuse          refuse the privacy policy (collection after refusal)
#   agree           agree; deny the first permission dialog, allow the later ones
#   deny-all        agree; deny every permission dialog (exit or nagging after denial)
#   dont-ask-again  agree; deny every dialog with "don't ask again" where offered
#   relaunch        agree; deny the first dialog, then kill and relaunch the app (re-ask within 48 h)
PATHS = ("refuse", "agree", "deny-all", "dont-ask-again", "relaunch")
# Background and screen-off phases: SDK timers (location, heartbeat, upload) run for minutes.
DEFAULT_PHASE_SECONDS = 300.0
DEFAULT_BROADCASTS = (
    "android.intent.action.BOOT_COMPLETED",
    "android.intent.action.LOCKED_BOOT_COMPLETED",
    "android.net.conn.CONNECTIVITY_CHANGE",
    "android.net.wifi.STATE_CHANGE",
    "android.intent.action.USER_PRESENT",
    # another app installed: SDKs of the "wake each other up" kind listen for it (data: the new package)
    "android.intent.action.PACKAGE_ADDED package:com.apprights.stimulus",
)
# Real events that cause a protected broadcast when the driver may not send it (no root), in the order the
# driver causes them (the reboot last: it ends everything the app had running).
_REAL_EVENTS = {
    "android.net.conn.CONNECTIVITY_CHANGE": "connectivity",
    "android.net.wifi.STATE_CHANGE": "connectivity",
    "android.intent.action.USER_PRESENT": "unlock",
    "android.intent.action.PACKAGE_ADDED": "package",
    "android.intent.action.BOOT_COMPLETED": "reboot",
    "android.intent.action.LOCKED_BOOT_COMPLETED": "reboot",
}
_REAL_EVENT_ORDER = ("connectivity", "unlock", "package", "reboot")
# The broadcasts each real event makes the system send.
_REAL_EVENT_ACTIONS = {
    "connectivity": (
        "android.net.conn.CONNECTIVITY_CHANGE",
        "android.net.wifi.STATE_CHANGE",
        "android.net.wifi.WIFI_STATE_CHANGED",
    ),
    "unlock": ("android.intent.action.USER_PRESENT", "android.intent.action.SCREEN_ON"),
    "package": (
        "android.intent.action.PACKAGE_ADDED",
        "android.intent.action.PACKAGE_REMOVED",
        "android.intent.action.PACKAGE_FULLY_REMOVED",
    ),
    # BOOT_COMPLETED first: LOCKED_BOOT_COMPLETED reaches only direct-boot-aware receivers
    "reboot": ("android.intent.action.BOOT_COMPLETED", "android.intent.action.LOCKED_BOOT_COMPLETED"),
}


class Clock(Protocol):
    def now(self) -> float:
        """Host monotonic seconds."""

    def sleep(self, seconds: float) -> None: ...

    def wall_iso(self) -> str:
        """Current UTC time, ISO 8601 (for the session header)."""


class Instrumentation(Protocol):
    """The in-process side (Frida): starts the app spawn-gated and yields trace events at the end."""

    def spawn(self, package: str, device_t0: float) -> int:
        """Start ``package`` with hooks installed before its first instruction; returns the pid."""

    def drain(self) -> list[dict[str, Any]]:
        """Trace events gathered so far (``t`` relative to ``device_t0``)."""

    def stop(self) -> None: ...


class ViewTreeReader(Protocol):
    """Instrumentation that can also read the screen from inside the app (the agent's ``viewTree`` RPC): the
    fallback when ``uiautomator dump`` cannot read it."""

    def view_tree(self) -> Any:
        """The windows' view nodes (``uiautomator.screen_from_view_tree`` reads them)."""


class TrafficCapture(Protocol):
    """The traffic proxy for one session: writes ``network`` events to ``fragment`` relative to ``t0``."""

    def start(self, fragment: Path, host_epoch_t0: float, process: str) -> None: ...

    def stop(self) -> None: ...


@dataclass
class ScenarioOptions:
    package: str
    path: str  # refuse | agree
    apk: Path | None = None
    launch_wait: float = 8.0
    settle: float = 2.0
    max_dialog_rounds: int = 8
    quiet_rounds: int = 2  # consecutive dumps without a dialog that end the dialog phase
    deny_first: int = 1  # permission dialogs denied before the driver starts allowing
    background_seconds: float = DEFAULT_PHASE_SECONDS
    screen_off_seconds: float = DEFAULT_PHASE_SECONDS
    screenshots: bool = True  # ``screencap`` of every screen the driver reads, linked from ui and tap events
    # The phone's own identifiers (pi_type -> value, e.g. from the lab's --device-ids file: IMEI, phone number,
    # OAID), written as a ``device_ids`` event so traffic is searched for them even without the agent.
    device_ids: Mapping[str, str] = field(default_factory=dict)
    mask: bool = False  # store identifiers as SHA-256 (of the value and of its encodings), never raw
    after_kill_seconds: float = 5.0
    idle_seconds: float = 60.0
    broadcasts: Sequence[str] = DEFAULT_BROADCASTS
    # Without root the boot broadcast comes from a real reboot (adb reboot, wait for sys.boot_completed).
    reboot: bool = True
    boot_timeout: float = 300.0

    def __post_init__(self) -> None:
        if self.path not in PATHS:
            raise ValueError(f"scenario path must be one of {PATHS}, got {self.path!r}")

    @property
    def consent(self) -> str:
        """The answer the driver gives the privacy-policy dialog: ``refuse`` or ``agree``."""
        return "refuse" if self.path == "refuse" else "agree"

    def denies(self, dialogs_answered: int) -> bool:
        """Whether the driver denies the next permission dialog."""
        if self.path in ("deny-all", "dont-ask-again"):
            return True
        return dialogs_answered < self.deny_first


_VERSION_NAME = re.compile(r"versionName=(\S+)")
_VERSION_CODE = re.compile(r"versionCode=(\d+)")


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class ScenarioDriver:
    """Runs one session on one device and writes its trace."""

    adb: Adb
    clock: Clock
    options: ScenarioOptions
    out: Path
    instrumentation: Instrumentation | None = None
    capture: TrafficCapture | None = None
    host_epoch: Callable[[], float] | None = None  # host wall clock, epoch seconds (for the proxy's t0)
    _t0: float = 0.0
    _writer: TraceWriter | None = field(default=None, repr=False)
    _permission_dialogs: int = 0
    _consent_done: bool = False
    _device_t0: float = 0.0
    _root: str | None = None
    _dialog_results: list[dict[str, Any]] = field(default_factory=list, repr=False)
    _clock_info: dict[str, float] = field(default_factory=dict, repr=False)
    _shots: int = 0
    _last_shot: str = ""
    _unreadable: int = 0  # dialog-phase rounds whose screen could not be read at all
    _stimuli: list[Stimulus] = field(default_factory=list, repr=False)
    _receivers: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _saved_log: str = ""  # the device logs read before a reboot cleared them
    _capture: TrafficCapture | None = None
    _redactor: Redactor = field(default_factory=Redactor, repr=False)

    # -- helpers ----------------------------------------------------------------------------------------

    def t(self) -> float:
        return max(0.0, self.clock.now() - self._t0)

    def emit(self, event: dict[str, Any]) -> None:
        assert self._writer is not None
        self._writer.add(event)

    def note(self, text: str) -> None:
        self.emit({"type": "note", "t": self.t(), "text": text})

    def _app_state(self, state: str, reason: str) -> None:
        self.emit({"type": "app_state", "t": self.t(), "state": state, "reason": reason})

    def _tap(self, x: int, y: int, text: str = "", rid: str = "", *, dialog: str = "") -> float:
        """Tap and return the time the tap was *sent*: the device clock read on the device right before the
        tap was injected, else the host clock before the command (never after it returns or after the settle
        delay: the app reacts to the tap at once, and what it does then is after the tap)."""
        host_t = self.t()
        device_epoch = self.adb.tap(x, y)
        t = host_t
        if device_epoch is not None and self._device_t0:
            t = max(0.0, device_epoch - self._device_t0)
        event: dict[str, Any] = {"type": "tap", "t": t, "x": x, "y": y}
        if text:
            event["text"] = text
        if rid:
            event["id"] = rid
        if dialog:
            event["dialog"] = dialog  # answered a dialog: not a user action in the app
        if self._last_shot:
            event["screenshot"] = self._last_shot  # the screen the tap was made on
        self.emit(event)
        self.clock.sleep(self.options.settle)
        return t

    def _header(self) -> dict[str, Any]:
        pkg = self.options.package
        header: dict[str, Any] = {
            "package": pkg,
            "scenario": f"{self.options.path}-path",
            "collector": {"name": COLLECTOR_NAME, "version": COLLECTOR_VERSION},
            "started_at": self.clock.wall_iso(),
        }
        try:
            dump = self.adb.shell("dumpsys", "package", pkg, check=False)
            if m := _VERSION_NAME.search(dump):
                header["version_name"] = m.group(1)
            if m := _VERSION_CODE.search(dump):
                header["version_code"] = int(m.group(1))
            self._receivers = parse_receiver_actions(dump, pkg)
            header["device"] = self.device_info()
        except AdbError as exc:
            log.warning("device information unavailable: %s", exc)
        if self.options.apk is not None:
            header["apk_sha256"] = file_sha256(self.options.apk)
        return header

    def device_info(self) -> dict[str, Any]:
        qemu = self.adb.getprop("ro.kernel.qemu") == "1" or self.adb.getprop("ro.hardware") in {
            "ranchu",
            "goldfish",
        }
        self._root = self.adb.root_mode()
        return {
            "model": self.adb.getprop("ro.product.model"),
            "android": self.adb.getprop("ro.build.version.release"),
            "rooted": self._root is not None,
            "emulator": qemu,
        }

    def _screen(self) -> tuple[UiScreen | None, str]:
        source = ""
        try:
            xml = self.adb.dump_ui()
            screen: UiScreen | None = parse_dump(xml, source="uiautomator dump")
        except (AdbError, InputError) as exc:
            screen = self._view_tree_screen(exc)
            source = "view_tree"
        if screen is None:
            self._unreadable += 1
            return None, ""
        name = self.adb.current_focus() or (screen.packages[0] if screen.packages else "unknown")
        event = screen.to_event(self.t(), name)
        if source:
            event["source"] = source  # read through the agent, not uiautomator
        shot = self._screenshot()
        if shot:
            event["screenshot"] = shot
        self._last_shot = shot
        self.emit(event)
        return screen, name

    def _view_tree_screen(self, dump_error: Exception) -> UiScreen | None:
        """The screen read from the app's (and the permission controller's) views through the agent, when the
        window dump failed ("could not get idle state" even compressed: animated or looping screens)."""
        reader = self.instrumentation
        if reader is None or not callable(getattr(reader, "view_tree", None)):
            self.note(
                f"screen could not be read: window dump failed ({dump_error}) and no agent can read the "
                "app's views (--no-frida); this step is unknown"
            )
            return None
        try:
            data = cast(ViewTreeReader, reader).view_tree()
            screen = screen_from_view_tree(data)
        except Exception as exc:  # frida's own errors too: the driver goes on, the step is unknown
            self.note(
                f"screen could not be read: window dump failed ({dump_error}); agent view tree failed ({exc}); "
                "this step is unknown"
            )
            return None
        if not any(n.visible for n in screen.nodes):
            errors = data.get("errors") if isinstance(data, dict) else None
            self.note(
                f"screen could not be read: window dump failed ({dump_error}); the agent's view tree has no "
                f"visible view ({'; '.join(str(e) for e in (errors or []))[:200]}); this step is unknown"
            )
            return None
        self.note(f"window dump failed ({dump_error}); screen read from the app's views through the agent")
        return screen

    def _screenshot(self) -> str:
        """A screenshot of the current screen next to the trace; its path relative to the trace's folder."""
        if not self.options.screenshots:
            return ""
        self._shots += 1
        folder = self.out.with_name(self.out.name.split(".jsonl")[0] + ".shots")
        rel = f"{folder.name}/{self._shots:04d}.png"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.adb.screenshot(folder.parent / rel)
        except (AdbError, OSError) as exc:
            self.note(f"screenshot failed: {exc}")
            return ""
        return rel

    # -- steps ------------------------------------------------------------------------------------------

    def _handle_consent(self, screen: UiScreen, name: str) -> bool:
        dialog = find_consent_dialog(screen)
        if dialog is None:
            return False
        first = not self._consent_done
        if first and self.options.consent == "agree" and dialog.agree is None and dialog.acknowledge is None:
            # The driver cannot give consent here; recording "shown" would make everything after it look
            # collected before consent although a person would have agreed. Say so instead.
            self.note(
                "privacy-policy dialog found but no agree button recognised (buttons: "
                + ", ".join(b.text for b in screen.buttons())[:300]
                + "); no consent event recorded, this session is not judged for collection before consent"
            )
            self._consent_done = True
            return False
        if first:
            self.emit({"type": "consent", "t": self.t(), "action": "shown", "screen": name})
            if dialog.pre_ticked:
                self.note("consent dialog has a pre-ticked checkbox")
        if self.options.consent == "refuse":
            if dialog.refuse is None:
                if first:
                    self.note("consent dialog offers no refuse choice; not agreeing on the refuse path")
                self._consent_done = True
                return False
            tapped = self._tap(
                dialog.refuse.x, dialog.refuse.y, dialog.refuse.text, dialog.refuse.id, dialog="consent"
            )
            if self._consent_done:
                self.note("refused again (follow-up dialog after the first refusal)")
            else:
                self.emit({"type": "consent", "t": tapped, "action": "refused", "screen": name})
        else:
            for box in dialog.checkboxes:
                if not box.checked:
                    self._tap(box.x, box.y, box.text, box.id, dialog="consent")
            button = dialog.agree or dialog.acknowledge
            if button is None:
                if first:
                    self.note("consent dialog has no agree button")
                self._consent_done = True
                return False
            tapped = self._tap(button.x, button.y, button.text, button.id, dialog="consent")
            if not self._consent_done:
                self.emit({"type": "consent", "t": tapped, "action": "agreed", "screen": name})
        self._consent_done = True
        return True

    def _handle_permission(self, screen: UiScreen) -> bool:
        dialog = find_permission_dialog(screen)
        if dialog is None:
            return False
        seen_at = self.t()
        if dialog.notification:
            # Android 13+ asks for notifications on first launch: not a personal-information permission, so
            # the "deny first" answer is kept for the next dialog (whose re-ask the 48 h rule checks).
            deny = False
            self.note(f"notification permission prompt allowed (not counted as a denial): {dialog.message}")
        else:
            deny = self.options.denies(self._permission_dialogs)
            self._permission_dialogs += 1
        forever = deny and self.options.path == "dont-ask-again" and dialog.deny_forever is not None
        target = (
            (dialog.deny_forever if forever else dialog.deny if deny else dialog.allow)
            or dialog.deny
            or dialog.allow
        )
        if target is None:
            return False
        before: dict[str, PermissionState] = {}
        try:
            before = self.adb.runtime_permissions(self.options.package)
        except AdbError as exc:
            self.note(f"permission state unavailable: {exc}")
        answer = "deny forever" if forever else "deny" if deny else "allow"
        tapped = self._tap(target[0], target[1], answer, dialog="permission")
        try:
            after = self.adb.runtime_permissions(self.options.package)
        except AdbError:
            after = before
        results = permission_results(before, after)
        if results and self.instrumentation is None:
            # Without the agent's requestPermissions hook the dialog itself is the request record.
            self.emit({"type": "permission_request", "t": seen_at, "permissions": [p for p, _ in results]})
        for perm, result in results:
            # The answer is given when the button is tapped; the state read afterwards only tells which.
            # With the agent, its onRequestPermissionsResult hook is the record and these are the fallback.
            self._dialog_results.append(
                {"type": "permission_result", "t": tapped, "permission": perm, "result": result}
            )
        if not results:
            self.note(f"permission dialog answered ({answer}): {dialog.message}")
        return True

    def _dialog_phase(self) -> None:
        quiet = 0
        unreadable_before = self._unreadable
        for _ in range(self.options.max_dialog_rounds):
            screen, name = self._screen()
            acted = screen is not None and (
                self._handle_permission(screen) or self._handle_consent(screen, name)
            )
            if acted:
                quiet = 0
                continue
            if screen is not None:
                quiet += 1  # a screen that could not be read is not a quiet one: look again
                if quiet >= self.options.quiet_rounds:
                    break
            self.clock.sleep(self.options.settle)
        if not self._consent_done:
            if self._unreadable > unreadable_before:
                # Nobody could see whether a privacy dialog was up: recording none as "not shown" would make the
                # rest of the session look like collection before consent. No consent event: phase unknown.
                self.note(
                    f"consent state unknown: the screen could not be read ({self._unreadable - unreadable_before}"
                    " times); no consent event recorded, this session is not judged for collection before consent"
                )
            else:
                self.note("no privacy-policy dialog found")

    def _sync_clocks(self) -> tuple[float, float]:
        """(device epoch, host epoch) at the session start. The host clock runs the driver and the proxy, the
        device clock stamps agent, tap and event-log events; the header records both and their offset."""
        before = self.clock.now()
        device_t0 = self.adb.device_epoch()
        after = self.clock.now()
        self._t0 = (before + after) / 2  # the device read its clock about halfway through the round trip
        self._device_t0 = device_t0
        host_t0 = self.host_epoch() - (after - self._t0) if self.host_epoch else device_t0
        self._clock_info = {
            "device_t0": round(device_t0, 6),
            "host_t0": round(host_t0, 6),
            "offset_s": round(device_t0 - host_t0, 6),
            "rtt_s": round(after - before, 6),
        }
        return device_t0, host_t0

    def run(self) -> Path:
        """Run the session; returns the trace path. The trace is written whatever happens: a failing helper
        (proxy, agent, a device command) ends the session early with a note, never loses what was collected."""
        o, adb = self.options, self.adb
        self.out.parent.mkdir(parents=True, exist_ok=True)
        if o.apk is not None:
            adb.uninstall(o.package)
            adb.install(o.apk)
        adb.clear_event_log()
        device_t0, host_t0 = self._sync_clocks()
        header = self._header()
        header["clock"] = self._clock_info
        if o.apk is not None:
            header["fresh_install"] = True
        self._writer = TraceWriter(self.out, header)
        if o.mask:  # no raw identifier anywhere in the trace: removed when it is written (collect.masking)
            self._writer.redact = self._redactor.redact
        self._app_state("not_running", "fresh install" if o.apk is not None else "session start")
        self._device_ids()
        fragment = self.out.with_name(self.out.name + ".network.jsonl")
        capture = self.capture
        failure: BaseException | None = None
        try:
            if capture is not None:
                fragment.unlink(missing_ok=True)
                try:
                    capture.start(fragment, host_t0, o.package)
                except AdbError as exc:
                    self.note(f"traffic capture not started, session continues without it: {exc}")
                    capture = None
            self._capture = capture
            if self.instrumentation is not None:
                pid = self.instrumentation.spawn(o.package, device_t0)
                self.note(f"spawned {o.package} (pid {pid}) with the agent loaded")
            else:
                component = adb.launch(o.package)
                self.note(f"launched {component}")
            self._app_state("foreground", "launch")
            self.clock.sleep(o.launch_wait)
            self._dialog_phase()
            if o.path == "relaunch":
                self._relaunch()
            adb.keyevent("KEYCODE_HOME")
            self._app_state("background", "home")
            self.clock.sleep(o.background_seconds)
            adb.keyevent("KEYCODE_SLEEP")
            self._app_state("screen_off", "power key")
            self.clock.sleep(o.screen_off_seconds)
            adb.keyevent("KEYCODE_WAKEUP")
            self._app_state("screen_on", "power key")
            adb.force_stop(o.package)
            self._app_state("killed", "force-stop")
            self.clock.sleep(o.after_kill_seconds)
            self._self_start_stimuli()
            self.note(f"idle window {o.idle_seconds:.0f} s")
            self.clock.sleep(o.idle_seconds)
            self.note("session end")
        except (AdbError, InputError, OSError) as exc:
            failure = exc
            self.note(f"session aborted: {exc}")
        finally:
            self._finish(device_t0, fragment, capture)
            self._writer.close()
        if failure is not None:
            raise failure
        return self._writer.path

    def _device_ids(self) -> None:
        """Seed the traffic matcher with the phone's identifiers: those the lab gave, plus the serial number and
        the Wi-Fi MAC read over adb (the Android ID only before Android 8, where it was not per app)."""
        ids: dict[str, str] = {k: str(v) for k, v in self.options.device_ids.items() if v}
        try:
            serial = self.adb.getprop("ro.serialno")
            if serial and serial.lower() not in ("unknown", "0123456789abcdef"):
                ids.setdefault("serial", serial)
            mac_cmd = ["cat", "/sys/class/net/wlan0/address"]
            mac = (
                self.adb.root_shell(mac_cmd, mode=self._root, check=False)
                if self._root
                else self.adb.shell(*mac_cmd, check=False)
            ).strip()
            if re.fullmatch(r"[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}", mac):
                ids.setdefault("mac", mac)
            sdk = self.adb.getprop("ro.build.version.sdk")
            if sdk.isdigit() and int(sdk) < 26:
                android_id = self.adb.shell("settings", "get", "secure", "android_id", check=False).strip()
                if re.fullmatch(r"[0-9a-f]{8,16}", android_id):
                    ids.setdefault("android_id", android_id)
        except AdbError as exc:
            self.note(f"device identifiers unavailable: {exc}")
        if not ids:
            return
        items: list[dict[str, Any]] = []
        for pi_type, value in sorted(ids.items()):
            if self.options.mask:
                self._redactor.add(value)
                items.append(
                    {
                        "pi_type": pi_type,
                        "value_sha256": hashlib.sha256(value.encode("utf-8")).hexdigest(),
                        "variants_sha256": masked_variants(value),
                    }
                )
            else:
                items.append({"pi_type": pi_type, "value": value})
        self.emit({"type": "device_ids", "t": self.t(), "ids": items, "source": "collector"})

    def _relaunch(self) -> None:
        """Kill the app after the denial and start it again as a user would: a permission asked again now
        (without a user action) is the re-ask the 48-hour rule is about. Under Frida the relaunched process
        is caught by spawn gating like any other process of the app."""
        o = self.options
        self.adb.force_stop(o.package)
        self._app_state("killed", "force-stop before relaunch")
        self.clock.sleep(o.settle)
        component = self.adb.launch(o.package)
        self.note(f"relaunched {component}")
        self._app_state("foreground", "relaunch")
        self.clock.sleep(o.launch_wait)
        self._dialog_phase()

    def _self_start_stimuli(self) -> None:
        """Give a stopped app the events its receivers wait for. A force-stopped app receives no broadcast
        unless it is sent with ``--include-stopped-packages``; the system actions are protected broadcasts the
        shell user may not send, so they go as root. Without root the driver causes the real events instead:
        Wi-Fi and mobile data off/on (connectivity), wake and unlock (user present), installing and removing a
        tiny real APK (package added/removed) and, last, a reboot (boot completed). Each is a time window; the
        app's process starts in it are marked with their cause when the logs are merged."""
        o = self.options
        real_events: set[str] = set()
        for entry in o.broadcasts:
            action, _, data = entry.partition(" ")  # "ACTION" or "ACTION DATA-URI"
            # Addressed to the app only: a device-wide BOOT_COMPLETED would wake every app and bury the signal.
            start = self.t()
            try:
                result = self.adb.broadcast(action, o.package, root=self._root, data=data or None)
                how = "as root" if self._root else "as shell"
                self.note(f"broadcast {action} {how}: {result.splitlines()[-1]}")
                self.clock.sleep(o.settle)
                self._stimuli.append(Stimulus(f"broadcast {action}", (action,), start, self.t()))
            except AdbError as exc:
                self.note(f"broadcast {action} not delivered: {exc}")
                if action in _REAL_EVENTS:
                    real_events.add(_REAL_EVENTS[action])
                self.clock.sleep(o.settle)
        for event in _REAL_EVENT_ORDER:
            if event in real_events and (event != "reboot" or o.reboot):
                self._real_event(event)
        if "reboot" in real_events and not o.reboot:
            self.note("no reboot (--no-reboot): boot receivers were not exercised without root")

    def _real_event(self, event: str) -> None:
        start = self.t()
        try:
            if event == "connectivity":
                self._toggle("wifi")
                self._toggle("data")
            elif event == "unlock":
                self.adb.keyevent("KEYCODE_SLEEP")
                self.clock.sleep(self.options.settle)
                self.adb.keyevent("KEYCODE_WAKEUP")
                self.adb.shell("wm", "dismiss-keyguard")
                self.note("real event: screen off, on and unlocked (user present)")
            elif event == "package":
                self._install_stimulus()
            elif event == "reboot":
                self._reboot()
        except AdbError as exc:
            self.note(f"real event {event} failed: {exc}")
        self.clock.sleep(self.options.settle)
        self._stimuli.append(Stimulus(event, _REAL_EVENT_ACTIONS[event], start, self.t()))

    def _toggle(self, what: str) -> None:
        """``svc wifi|data disable`` then ``enable`` (allowed to the shell user); a failure is noted, the other
        radio is still toggled."""
        name = "Wi-Fi" if what == "wifi" else "mobile data"
        try:
            self.adb.svc(what, "disable")
            self.clock.sleep(self.options.settle)
            self.adb.svc(what, "enable")
            self.note(f"real event: {name} turned off and on (connectivity change)")
        except AdbError as exc:
            self.note(f"real event: {name} toggle failed: {exc}")
        self.clock.sleep(self.options.settle)

    def _install_stimulus(self) -> None:
        """Install and remove a tiny real APK: the system sends PACKAGE_ADDED / PACKAGE_REMOVED (data
        ``package:com.apprights.stimulus``) to every receiver registered for them, stopped apps excepted."""
        self.adb.uninstall(STIMULUS_PACKAGE)  # a leftover of an interrupted session
        with tempfile.TemporaryDirectory(prefix="apprights-stimulus-") as tmp:
            apk = build_stimulus_apk(Path(tmp) / "stimulus.apk")
            self.adb.install(apk)
        self.note(f"real event: installed {STIMULUS_PACKAGE} (package added)")
        self.clock.sleep(self.options.settle)
        if not self.adb.uninstall(STIMULUS_PACKAGE):
            raise AdbError(f"adb: uninstall of {STIMULUS_PACKAGE} failed")
        self.note(f"real event: removed {STIMULUS_PACKAGE} (package removed)")

    def _reboot(self) -> None:
        """Reboot and wait for ``sys.boot_completed``: the system sends LOCKED_BOOT_COMPLETED and BOOT_COMPLETED
        to every receiver, as on a user's phone. The logs live in RAM, so they are read first; the traffic
        capture's ``adb reverse`` is restored afterwards."""
        o = self.options
        self._saved_log += self._read_logs("before the reboot")
        start = self.t()
        self.adb.reboot()
        self.adb.wait_for_device(timeout=o.boot_timeout)
        while not self.adb.boot_completed():
            if self.t() - start > o.boot_timeout:
                raise AdbError(f"adb: the device did not finish booting within {o.boot_timeout:.0f} s")
            self.clock.sleep(2.0)
        self._app_state("not_running", "reboot")
        self.note(f"real event: device rebooted, boot completed after {self.t() - start:.0f} s")
        reconnect = getattr(self._capture, "reconnect", None)
        if callable(reconnect):
            try:
                reconnect()
            except AdbError as exc:
                self.note(f"traffic capture not reconnected after the reboot: {exc}")

    def _finish(self, device_t0: float, fragment: Path, capture: TrafficCapture | None) -> None:
        """Gather every helper's events; one failing helper never keeps the others' events out."""
        agent_results = False
        if self.instrumentation is not None:
            try:
                events = self.instrumentation.drain()
                raw_values = getattr(self.instrumentation, "raw_values", None)
                if self.options.mask and callable(raw_values):
                    for value in raw_values():
                        self._redactor.add(value)
                agent_results = any(e.get("type") == "permission_result" for e in events)
                self.emit_all(events)
            except Exception as exc:  # the agent channel may die with the device: keep the rest
                self.note(f"agent events unavailable: {exc}")
            finally:
                try:
                    self.instrumentation.stop()
                except Exception as exc:
                    self.note(f"agent stop failed: {exc}")
        if not agent_results:
            self.emit_all(self._dialog_results)
        elif self._dialog_results:
            self.note(f"{len(self._dialog_results)} permission answers taken from the agent's hook")
        if capture is not None:
            try:
                capture.stop()
            except Exception as exc:
                self.note(f"traffic capture stop failed: {exc}")
            try:
                self.emit_all(read_event_fragment(fragment))
                fragment.unlink(missing_ok=True)  # merged into the trace
            except InputError as exc:
                if self.options.mask:  # kept for a human to look at: without the identifiers either
                    self._redactor.redact_file(fragment)
                self.note(f"network capture unreadable (kept at {fragment.name}): {exc}")
        dump = self._saved_log + self._read_logs("at the end")
        events = logcat.events_from_logcat(dump.splitlines(), device_t0, self.options.package)
        marked = attribute_causes(events, self._stimuli, self._receivers, self.options.package)
        if marked:
            self.note(f"{marked} process start(s) of the app followed a self-start stimulus (cause recorded)")
        self.emit_all(events)

    def _read_logs(self, when: str) -> str:
        """The event log and ActivityManager's system-log lines as text; each one that cannot be read is noted."""
        text = ""
        for name, read in (("event log", self.adb.dump_event_log), ("system log", self.adb.dump_system_log)):
            try:
                text += read() + "\n"
            except AdbError as exc:
                self.note(f"{name} {when} unavailable: {exc}")
        return text

    def emit_all(self, events: Sequence[dict[str, Any]]) -> None:
        for e in events:
            self.emit(e)
