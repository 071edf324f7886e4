"""Frida instrumentation of the app under test (optional extra ``apprights[collect]``; needs frida 16.x on the
host and a matching ``frida-server`` running as root on the device).

- The app is *spawned* suspended, the agent is loaded and configured, and only then resumed: calls made in
  ``Application.onCreate`` (where most SDKs initialise) are caught.
- Other processes of the app (``com.example:push``, ``:remote`` …) are started by the system through zygote,
  not forked by the app, so they are caught with *spawn gating* (``device.enable_spawn_gating()`` and the
  ``spawn-added`` signal); processes the app forks itself are caught with *child gating*
  (``session.enable_child_gating()`` and the device's ``child-added`` signal). Both are instrumented the same way
  and resumed; every other gated process is resumed at once.

``frida`` is imported lazily: the core package does not depend on it.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Sequence
from typing import Any

from apprights.collect.adb import AdbError
from apprights.collect.agent import HookSpec, MessageConverter, agent_config, agent_source
from apprights.collect.dialogs import PERMISSION_PACKAGES, VENDOR_PERMISSION_PACKAGES
from apprights.collect.uiautomator import merge_view_trees

log = logging.getLogger(__name__)


def import_frida() -> Any:
    try:
        import frida  # type: ignore[import-not-found,unused-ignore]
    except ImportError as exc:
        raise AdbError(
            "frida: the Python package is not installed; install the optional extra 'collect' "
            "(frida 16.x, matching the frida-server on the device), or run with --no-frida"
        ) from exc
    return frida


def should_instrument(identifier: str, package: str) -> bool:
    """Whether a newly started process belongs to the app under test (main or ``:name`` process)."""
    return identifier == package or identifier.startswith(package + ":")


class FridaInstrumentation:
    """Spawn-gated instrumentation of one app on one device (``device_id`` = adb serial)."""

    def __init__(
        self,
        specs: Sequence[HookSpec],
        *,
        device_id: str | None = None,
        mask: bool = False,
        plaintext: bool = True,
        unpin: bool = False,
        frida_module: Any = None,
    ) -> None:
        # With --mask the host masks (MessageConverter): it can then keep the hashes of the value's encodings,
        # so masked traces still match encoded identifiers in traffic. Raw values stay in memory only.
        self._config = agent_config(specs, mask=False, plaintext=plaintext, unpin=unpin)
        self._mask = mask
        # with mask: the distinct scalar values hashed, for the trace's redaction (memory only; a long session
        # returns the same few identifiers again and again)
        self._raw: set[str | int] = set()
        self._device_id = device_id
        self._frida = frida_module
        self._device: Any = None
        self._package = ""
        self._device_t0 = 0.0
        self._sessions: list[Any] = []
        self._events: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._jobs: queue.Queue[tuple[str, int, str] | None] = queue.Queue()
        self._worker: threading.Thread | None = None
        self._last_t = 0.0  # notes from the gating thread are placed after the latest agent event
        self._scripts: dict[str, Any] = {}  # process name -> the agent script loaded into it
        self._readers: dict[
            int, Any
        ] = {}  # pid -> agent loaded (not initialised) into a permission dialog process

    # -- Instrumentation protocol ---------------------------------------------------------------------

    def spawn(self, package: str, device_t0: float) -> int:
        frida = self._frida or import_frida()
        try:
            self._device = (
                frida.get_device(self._device_id, timeout=10)
                if self._device_id
                else frida.get_usb_device(timeout=10)
            )
        except Exception as exc:  # frida raises its own error classes
            raise AdbError(f"frida: cannot reach frida-server on the device: {exc}") from exc
        self._package = package
        self._device_t0 = device_t0
        self._worker = threading.Thread(target=self._work, name="apprights-frida-gating", daemon=True)
        self._worker.start()
        self._device.on("spawn-added", self._on_spawn_added)
        self._device.on("child-added", self._on_child_added)
        self._device.enable_spawn_gating()
        pid = int(self._device.spawn([package]))
        self._instrument(pid, package)
        self._device.resume(pid)
        return pid

    def drain(self) -> list[dict[str, Any]]:
        with self._lock:
            events, self._events = self._events, []
        return events

    def stop(self) -> None:
        self._jobs.put(None)
        if self._device is not None:
            try:
                self._device.disable_spawn_gating()
                self._device.off("spawn-added", self._on_spawn_added)
                self._device.off("child-added", self._on_child_added)
            except Exception:  # device may be gone
                log.debug("cannot disable gating", exc_info=True)
        for s in self._sessions:
            try:
                s.detach()
            except Exception:
                log.debug("detach failed", exc_info=True)
        self._sessions.clear()
        self._scripts.clear()
        self._readers.clear()

    # -- gating ---------------------------------------------------------------------------------------

    def _on_spawn_added(self, spawn: Any) -> None:
        # Called on frida's thread: hand over, never block it.
        self._jobs.put(("spawn", int(spawn.pid), str(spawn.identifier)))

    def _on_child_added(self, child: Any) -> None:
        self._jobs.put(("child", int(child.pid), str(child.identifier or child.path or "")))

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            kind, pid, identifier = job
            try:
                if should_instrument(identifier, self._package):
                    self._instrument(pid, identifier)
                    self._note(f"instrumented {kind} process {identifier} (pid {pid})")
            except Exception as exc:
                self._note(f"cannot instrument {identifier} (pid {pid}): {exc}")
            finally:
                try:
                    self._device.resume(pid)
                except Exception:
                    log.debug("resume %d failed", pid, exc_info=True)

    def _keep_raw(self, value: Any) -> None:
        if isinstance(value, str | int) and not isinstance(value, bool):  # structured values are not redacted
            self._raw.add(value)

    def raw_values(self) -> list[Any]:
        """With ``mask``: every raw value the agent returned and the host hashed (``collect.masking``)."""
        return sorted(self._raw, key=str)

    def _instrument(self, pid: int, process: str) -> None:
        session = self._device.attach(pid)
        try:
            session.enable_child_gating()
        except Exception:
            log.debug("child gating unavailable for %d", pid, exc_info=True)
        converter = MessageConverter(
            self._device_t0,
            process=process,
            pid=pid,
            mask=self._mask,
            on_raw=self._keep_raw if self._mask else None,
        )
        script = session.create_script(agent_source())

        def on_message(message: Any, data: Any) -> None:
            events = converter.convert(message) if isinstance(message, dict) else []
            with self._lock:
                self._events.extend(events)
                for e in events:
                    self._last_t = max(self._last_t, float(e["t"]))

        script.on("message", on_message)
        script.load()
        _exports(script).init(self._config)
        self._sessions.append(session)
        with self._lock:
            self._scripts.setdefault(process, script)

    # -- reading the screen (fallback for uiautomator) -------------------------------------------------

    def view_tree(self) -> dict[str, Any]:
        """The app's windows, and those of a running permission-dialog process (the system's or a vendor's),
        as view nodes read by the agent (``viewTree`` RPC). Raises ``AdbError`` when the app's process has no
        agent."""
        with self._lock:
            main = self._scripts.get(self._package)
        if main is None or self._device is None:
            raise AdbError("frida: the app's main process is not instrumented")
        trees: list[Any] = [_exports(main).view_tree()]
        errors: list[str] = []
        for identifier, pid in self._dialog_processes(errors):
            try:
                script = self._readers.get(pid)
                if script is None:
                    session = self._device.attach(pid)
                    self._sessions.append(session)
                    script = session.create_script(agent_source())
                    script.load()  # not initialised: no hooks in a system process, only the view walk
                    self._readers[pid] = script
                trees.append(_exports(script).view_tree())
            except Exception as exc:  # the dialog process may be gone or refuse the attach
                errors.append(f"{identifier} (pid {pid}): {exc}")
        merged = merge_view_trees(trees)
        merged["errors"].extend(errors)
        return merged

    def _dialog_processes(self, errors: list[str]) -> list[tuple[str, int]]:
        wanted = set(PERMISSION_PACKAGES) | set(VENDOR_PERMISSION_PACKAGES)
        try:
            apps = self._device.enumerate_applications()
        except Exception as exc:
            errors.append(f"cannot list running applications: {exc}")
            return []
        return [
            (str(a.identifier), int(a.pid))
            for a in apps
            if str(getattr(a, "identifier", "")) in wanted and int(getattr(a, "pid", 0) or 0) > 0
        ]

    def _note(self, text: str) -> None:
        with self._lock:
            self._events.append({"type": "note", "t": self._last_t, "text": text})


def _exports(script: Any) -> Any:
    return getattr(script, "exports_sync", None) or script.exports  # frida >= 16.2 / older
