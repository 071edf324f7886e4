"""Frida instrumentation: which processes are instrumented, and the gating/resume sequence, against a stand-in
for the frida Python API (frida itself is an optional extra and needs a device)."""

from __future__ import annotations

import hashlib
import json
import time
from types import SimpleNamespace
from typing import Any

import pytest

from apprights.collect.adb import AdbError
from apprights.collect.agent import HookSpec
from apprights.collect.frida_session import FridaInstrumentation, import_frida, should_instrument
from apprights.collect.trace import event_problems


@pytest.mark.parametrize(
    ("identifier", "expected"),
    [
        ("com.example.news", True),
        ("com.example.news:push", True),
        ("com.example.newsreader", False),
        ("com.example", False),
        ("com.android.vending", False),
    ],
)
def test_should_instrument(identifier: str, expected: bool) -> None:
    assert should_instrument(identifier, "com.example.news") is expected


def test_import_frida_message_when_missing() -> None:
    try:
        import frida  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        with pytest.raises(AdbError, match="frida: the Python package is not installed"):
            import_frida()
    else:
        pytest.skip("frida is installed")


class _Script:
    def __init__(self, log: list[str], pid: int) -> None:
        self.log, self.pid, self.handler = log, pid, None
        self.exports_sync = SimpleNamespace(init=self._init, view_tree=self._view_tree)

    def _view_tree(self) -> dict[str, Any]:
        self.log.append(f"view_tree {self.pid}")
        pkg = "com.google.android.permissioncontroller" if self.pid == 500 else "com.example.news"
        return {
            "nodes": [
                {
                    "parent": -1,
                    "class": "DecorView",
                    "package": pkg,
                    "visible": True,
                    "bounds": [0, 0, 10, 10],
                },
                {"parent": 0, "class": "Button", "package": pkg, "visible": True, "bounds": [0, 0, 5, 5]},
            ],
            "errors": [],
        }

    def on(self, signal: str, handler: Any) -> None:
        self.handler = handler

    def load(self) -> None:
        self.log.append(f"load {self.pid}")

    def _init(self, config: dict[str, Any]) -> bool:
        self.log.append(f"init {self.pid} {len(config['apis'])}")
        # what the agent sends once hooks are in place, then one call
        self.handler(
            {
                "type": "send",
                "payload": {"type": "agent_ready", "hooked": 2, "apis": 1, "missing": [], "t": 1764300000100},
            },
            None,
        )
        self.handler(
            {
                "type": "send",
                "payload": {
                    "type": "api_call",
                    "api": "a.B.c",
                    "args": [],
                    "ret": "x",
                    "stack": [],
                    "t": 1764300001000,
                },
            },
            None,
        )
        return True


class _Device:
    def __init__(self) -> None:
        self.log: list[str] = []
        self.handlers: dict[str, Any] = {}

    def on(self, signal: str, handler: Any) -> None:
        self.handlers[signal] = handler

    def off(self, signal: str, handler: Any) -> None:
        self.handlers.pop(signal, None)

    def enable_spawn_gating(self) -> None:
        self.log.append("spawn gating on")

    def disable_spawn_gating(self) -> None:
        self.log.append("spawn gating off")

    def spawn(self, argv: list[str]) -> int:
        self.log.append(f"spawn {argv[0]}")
        return 100

    def enumerate_applications(self) -> list[Any]:
        return [
            SimpleNamespace(identifier="com.google.android.permissioncontroller", pid=500),
            SimpleNamespace(identifier="com.lbe.security.miui", pid=0),  # installed, not running
            SimpleNamespace(identifier="com.android.vending", pid=600),
        ]

    def resume(self, pid: int) -> None:
        self.log.append(f"resume {pid}")

    def attach(self, pid: int) -> Any:
        self.log.append(f"attach {pid}")
        log = self.log
        return SimpleNamespace(
            enable_child_gating=lambda: log.append(f"child gating {pid}"),
            create_script=lambda source: _Script(log, pid),
            detach=lambda: log.append(f"detach {pid}"),
        )


def test_spawn_gating_sequence() -> None:
    device = _Device()
    fake_frida = SimpleNamespace(
        get_device=lambda _id, timeout: device, get_usb_device=lambda timeout: device
    )
    inst = FridaInstrumentation(
        [HookSpec("a.B.c", (None,))], device_id="emulator-5554", frida_module=fake_frida
    )
    assert inst.spawn("com.example.news", 1764300000.0) == 100
    # the main process: attached and initialised before it is resumed
    assert device.log[:7] == [
        "spawn gating on",
        "spawn com.example.news",
        "attach 100",
        "child gating 100",
        "load 100",
        "init 100 1",
        "resume 100",
    ]
    # the system starts the app's :push process (spawn-added) and an unrelated app
    device.handlers["spawn-added"](SimpleNamespace(pid=200, identifier="com.example.news:push"))
    device.handlers["spawn-added"](SimpleNamespace(pid=300, identifier="com.android.vending"))
    device.handlers["child-added"](SimpleNamespace(pid=400, identifier=None, path="/system/bin/sh"))
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not {"resume 200", "resume 300", "resume 400"} <= set(device.log):
        time.sleep(0.01)
    assert "attach 200" in device.log and device.log.index("init 200 1") < device.log.index("resume 200")
    assert "attach 300" not in device.log and "resume 300" in device.log
    assert "attach 400" not in device.log and "resume 400" in device.log
    inst.stop()
    assert "spawn gating off" in device.log and "detach 100" in device.log
    events = inst.drain()
    for e in events:
        assert event_problems(e) == [], e
    calls = [e for e in events if e["type"] == "api_call"]
    assert {(e["process"], e["pid"]) for e in calls} == {
        ("com.example.news", 100),
        ("com.example.news:push", 200),
    }
    assert all(e["t"] == pytest.approx(1.0) for e in calls)
    assert any("instrumented spawn process com.example.news:push" in e.get("text", "") for e in events)
    json.dumps(events)  # JSON-serialisable as written to the trace


def test_agent_loads_in_the_real_frida_runtime() -> None:
    """The agent (with every optional hook on) loads and initialises in Frida's own JavaScript runtime, attached
    to a local process; without a JVM it says the Java bridge is unavailable instead of failing."""
    frida = pytest.importorskip("frida")
    import subprocess
    import sys
    import time

    from apprights.collect.agent import (
        agent_config,
        agent_source,
        default_catalogue_path,
        hook_specs_from_catalogue,
    )

    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    messages: list[Any] = []
    try:
        time.sleep(0.3)
        try:
            session = frida.get_local_device().attach(proc.pid)
        except Exception as exc:  # no ptrace here
            pytest.skip(f"frida cannot attach to a local process: {exc}")
        script = session.create_script(agent_source())
        script.on("message", lambda m, d: messages.append(m))
        script.load()
        config = agent_config(hook_specs_from_catalogue(default_catalogue_path()), plaintext=True, unpin=True)
        assert script.exports_sync.init(config) is True
        # the uiautomator fallback answers through RPC (snake_case in Python) and says why it has no views
        assert script.exports_sync.view_tree() == {
            "nodes": [],
            "roots": 0,
            "errors": ["Java bridge not available in this Frida runtime"],
        }
        deadline = time.monotonic() + 5
        while not messages and time.monotonic() < deadline:
            time.sleep(0.05)
        session.detach()
    finally:
        proc.kill()
        proc.wait(timeout=10)
    assert [m["type"] for m in messages] == ["send"], messages  # no script error
    assert messages[0]["payload"]["error"] == "Java bridge not available in this Frida runtime"


def test_view_tree_reads_the_app_and_the_running_permission_dialog_process() -> None:
    """The uiautomator fallback: the app's agent walks its windows; the agent is also loaded (without hooks)
    into the running permission controller, whose dialog windows come last (on top); other apps are left
    alone. A second read reuses the loaded scripts."""
    device = _Device()
    fake_frida = SimpleNamespace(
        get_device=lambda _id, timeout: device, get_usb_device=lambda timeout: device
    )
    inst = FridaInstrumentation([HookSpec("a.B.c", (None,))], frida_module=fake_frida)
    with pytest.raises(AdbError, match="not instrumented"):
        inst.view_tree()
    inst.spawn("com.example.news", 1764300000.0)
    tree = inst.view_tree()
    assert [n["package"] for n in tree["nodes"]] == ["com.example.news"] * 2 + [
        "com.google.android.permissioncontroller"
    ] * 2
    assert [n["parent"] for n in tree["nodes"]] == [-1, 0, -1, 2]
    assert "attach 500" in device.log and "init 500" not in " ".join(device.log)  # no hooks in a system app
    assert "attach 600" not in device.log and "attach 0" not in device.log
    inst.view_tree()
    assert device.log.count("attach 500") == 1 and device.log.count("view_tree 500") == 2
    inst.stop()
    assert "detach 500" in device.log


def test_masked_instrumentation_keeps_raw_values_for_the_redactor_only() -> None:
    """With --mask the events hold the hash; the raw value is handed to the scenario's redactor (in memory), which
    removes it from the rest of the trace (collect.masking)."""
    device = _Device()
    fake_frida = SimpleNamespace(
        get_device=lambda _id, timeout: device, get_usb_device=lambda timeout: device
    )
    inst = FridaInstrumentation(
        [HookSpec("a.B.c", (None,))], device_id="e", frida_module=fake_frida, mask=True
    )
    inst.spawn("com.example.news", 1764300000.0)
    inst.stop()
    (call,) = [e for e in inst.drain() if e["type"] == "api_call"]
    assert "ret" not in call and call["ret_sha256"] == hashlib.sha256(b"x").hexdigest()
    assert inst.raw_values() == ["x"]
