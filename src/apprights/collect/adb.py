"""A small layer over the ``adb`` command line.

Every device interaction goes through one injectable ``runner`` (argv, timeout -> ``CommandResult``), so the
scenario driver can be exercised with recorded ``adb`` outputs. Parsers of command output are module-level
functions, tested against real-format outputs.
"""

from __future__ import annotations

import logging
import re
import shlex
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from apprights.errors import AppRightsError

log = logging.getLogger(__name__)

PACKAGE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$")
ACTION_RE = re.compile(r"^[A-Za-z0-9_.]+$")
DATA_RE = re.compile(r"^[a-z][a-z0-9+.-]*:[A-Za-z0-9_.:/-]+$")
# Device tools that report failure on stdout with exit code 0 (``am``, ``input``, ``settings`` … on many builds).
_CHECKED_TOOLS = frozenset({"am", "input", "settings", "pm", "monkey", "svc", "cmd", "wm", "uiautomator"})
_OUTPUT_ERROR = re.compile(
    r"^(?:Error(?: type \d+)?:|Exception occurred|Security exception:|java\.lang\.\w*Exception|"
    r".*Permission Denial|/system/bin/sh: .*(?:not found|Permission denied)|\S+: inaccessible or not found|"
    r"Unknown command|Bad component name|\*\* No activities found)",
    re.M,
)


class AdbError(AppRightsError):
    """adb failed or is unusable; the message starts with ``adb:`` and says what to do."""


class NoDeviceError(AdbError):
    """No (or no unique) device is reachable."""


@dataclass(frozen=True)
class CommandResult:
    returncode: int
    stdout: str
    stderr: str = ""


Runner = Callable[[Sequence[str], float], CommandResult]


def subprocess_runner(argv: Sequence[str], timeout: float) -> CommandResult:
    """Run a command for real (the default runner)."""
    try:
        p = subprocess.run(
            list(argv), capture_output=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL
        )
    except FileNotFoundError as exc:
        raise AdbError(
            f"adb: command not found ({argv[0]}); install Android platform-tools "
            "(Debian: apt install adb) or pass --adb PATH"
        ) from exc
    except subprocess.TimeoutExpired as exc:
        raise AdbError(f"adb: '{' '.join(argv[1:4])}…' did not finish within {timeout:.0f} s") from exc
    return CommandResult(
        p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    )


def parse_devices(output: str) -> list[tuple[str, str]]:
    """``adb devices`` -> [(serial, state)]; state is ``device``, ``unauthorized``, ``offline`` …"""
    out: list[tuple[str, str]] = []
    for line in output.splitlines():
        line = line.strip()
        if not line or line.startswith(("List of devices", "*")):
            continue
        parts = line.split()
        if len(parts) >= 2:
            out.append((parts[0], parts[1]))
    return out


def parse_packages(output: str) -> set[str]:
    """``pm list packages`` -> package names."""
    return {line.strip()[8:] for line in output.splitlines() if line.strip().startswith("package:")}


def parse_resolved_activity(output: str) -> str | None:
    """``cmd package resolve-activity --brief PKG`` -> ``pkg/.Activity`` (last line), or None."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    if lines and "/" in lines[-1] and " " not in lines[-1]:
        return lines[-1]
    return None


_FOCUS_RE = re.compile(r"mCurrentFocus=Window\{[0-9a-f]+ u\d+ ([^\s}]+)\}")
_RESUMED_RE = re.compile(
    r"(?:mResumedActivity|topResumedActivity|ResumedActivity):? ActivityRecord\{[0-9a-f]+ u\d+ (\S+)"
)


def parse_current_focus(dumpsys_window: str) -> str | None:
    """The focused window (``com.x/com.x.MainActivity``, or a window name like ``StatusBar``)."""
    m = _FOCUS_RE.search(dumpsys_window)
    if m:
        return m.group(1)
    m = _RESUMED_RE.search(dumpsys_window)
    return m.group(1) if m else None


@dataclass(frozen=True)
class PermissionState:
    granted: bool
    flags: frozenset[str]


_PERM_LINE = re.compile(r"^\s+([\w.]+): granted=(true|false)(?:, flags=\[\s*([^\]]*)\])?")


def parse_runtime_permissions(dumpsys_package: str) -> dict[str, PermissionState]:
    """Runtime permission states from ``dumpsys package PKG`` (first user's ``runtime permissions:`` block)."""
    states: dict[str, PermissionState] = {}
    in_block = False
    block_indent = 0
    for line in dumpsys_package.splitlines():
        stripped = line.strip()
        indent = len(line) - len(line.lstrip())
        if stripped == "runtime permissions:":
            if states:
                break  # only the first user
            in_block, block_indent = True, indent
            continue
        if in_block:
            if not stripped or indent <= block_indent:
                in_block = False
                continue
            m = _PERM_LINE.match(line)
            if m:
                flags = frozenset(f for f in (m.group(3) or "").replace(" ", "").split("|") if f)
                states[m.group(1)] = PermissionState(m.group(2) == "true", flags)
    return states


def permission_results(
    before: dict[str, PermissionState], after: dict[str, PermissionState]
) -> list[tuple[str, str]]:
    """(permission, granted|denied|denied_forever) for permissions the user just answered."""
    out: list[tuple[str, str]] = []
    for perm, now in sorted(after.items()):
        was = before.get(perm)
        if now.granted and (was is None or not was.granted):
            out.append((perm, "granted"))
        elif not now.granted:
            answered = {"USER_SET", "USER_FIXED"} & now.flags
            was_answered = {"USER_SET", "USER_FIXED"} & (was.flags if was else frozenset())
            if answered and answered != was_answered:
                out.append((perm, "denied_forever" if "USER_FIXED" in now.flags else "denied"))
    return out


_RECEIVER_LINE = re.compile(r"^\s+[0-9a-f]+\s+(?P<component>[\w.$]+/[\w.$]+)\s+filter\s+[0-9a-f]+")
_ACTION_LINE = re.compile(r'^\s+Action:\s+"(?P<action>[^"]+)"')


def parse_receiver_actions(dumpsys_package: str, package: str) -> dict[str, set[str]]:
    """The app's manifest receivers and the intent actions each is registered for, from the ``Receiver Resolver
    Table`` of ``dumpsys package PKG`` (``hash pkg/.Cls filter hash`` lines, each followed by its filter's
    ``Action: "…"`` lines, under ``Non-Data Actions``, ``Schemes`` …). Components in ``pkg/full.Class`` form."""
    out: dict[str, set[str]] = {}
    in_table = False
    current: str | None = None
    for line in dumpsys_package.splitlines():
        stripped = line.strip()
        if stripped == "Receiver Resolver Table:":
            in_table, current = True, None
            continue
        if not in_table:
            continue
        if stripped.endswith("Resolver Table:") or (line and not line[0].isspace()):
            in_table = False  # the next table (Service Resolver Table …) or section
            continue
        m = _RECEIVER_LINE.match(line)
        if m:
            pkg, _, cls = m.group("component").partition("/")
            current = f"{pkg}/{pkg + cls if cls.startswith('.') else cls}" if pkg == package else None
            if current is not None:
                out.setdefault(current, set())
            continue
        a = _ACTION_LINE.match(line)
        if a and current is not None:
            out[current].add(a.group("action"))
        elif stripped.endswith(":"):
            current = None  # the next action or section header ("android.net.conn.CONNECTIVITY_CHANGE:")
    return out


def output_error(output: str) -> str | None:
    """The first error line a device tool printed (``Error: …``, ``Security exception: …``), or None."""
    m = _OUTPUT_ERROR.search(output)
    if m is None:
        return None
    start = m.start()
    end = output.find("\n", start)
    return output[start : end if end >= 0 else None].strip()[:300]


def parse_epoch(text: str) -> float | None:
    """``date +%s.%N`` output → epoch seconds (``%N`` printed literally by old toolboxes → whole seconds)."""
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        head = text.split(".", 1)[0]
        return float(head) if head.isdigit() else None


def check_package(package: str) -> str:
    if not PACKAGE_RE.match(package):
        raise AdbError(f"adb: {package!r} is not a valid Android package name")
    return package


class Adb:
    """One device over adb. ``serial`` picks the device; ``runner`` runs the commands."""

    def __init__(
        self,
        runner: Runner = subprocess_runner,
        *,
        adb: str = "adb",
        serial: str | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.runner = runner
        self.adb = adb
        self.serial = serial
        self.timeout = timeout

    # -- plumbing -------------------------------------------------------------------------------------

    def run(self, *args: str, timeout: float | None = None, check: bool = True) -> CommandResult:
        argv = [self.adb, *(["-s", self.serial] if self.serial else []), *args]
        result = self.runner(argv, timeout or self.timeout)
        if check and result.returncode != 0:
            detail = (result.stderr or result.stdout).strip().splitlines()
            msg = detail[-1] if detail else f"exit code {result.returncode}"
            if "no devices" in msg or "device offline" in msg or ("not found" in msg and "device" in msg):
                raise NoDeviceError(f"adb: no device ({msg}); connect a device or start an emulator")
            raise AdbError(f"adb: {' '.join(args[:3])} failed: {msg}")
        return result

    def shell(self, *args: str, timeout: float | None = None, check: bool = True) -> str:
        """Run a device shell command; each argument is quoted for the device shell.

        With ``check``, a non-zero exit code fails, and so does an error line in the output of the device
        tools that print failures with exit code 0 (``am``, ``input``, ``settings`` …, see ``output_error``).
        """
        result = self.run("shell", " ".join(shlex.quote(a) for a in args), timeout=timeout, check=check)
        if check and args:
            tool = args[1] if args[0] in ("su", "-c") and len(args) > 1 else args[0]
            problem = output_error(result.stdout + "\n" + result.stderr) if tool in _CHECKED_TOOLS else None
            if problem:
                raise AdbError(f"adb: {' '.join(args[:3])} failed: {problem}")
        return result.stdout

    def root_shell(self, command: Sequence[str], *, mode: str, check: bool = True) -> str:
        """Run ``command`` as root: directly when adbd runs as root (``mode='adbd'``), else through ``su``."""
        if mode == "adbd":
            return self.shell(*command, check=check)
        joined = " ".join(shlex.quote(a) for a in command)
        out = self.run("shell", f"su -c {shlex.quote(joined)}", check=check)
        problem = output_error(out.stdout + "\n" + out.stderr) if check else None
        if problem:
            raise AdbError(f"adb: su -c {' '.join(command[:2])} failed: {problem}")
        return out.stdout

    def root_mode(self) -> str | None:
        """How this device gives root: ``adbd`` (``adb root``/emulator), ``su``, or None (not rooted)."""
        if "uid=0(" in self.shell("id", check=False):
            return "adbd"
        if "uid=0(" in self.run("shell", "su -c id", check=False).stdout:
            return "su"
        return None

    # -- device ---------------------------------------------------------------------------------------

    def devices(self) -> list[tuple[str, str]]:
        return parse_devices(self.runner([self.adb, "devices"], self.timeout).stdout)

    def select_device(self) -> str:
        """The serial of the one usable device (or the requested one); ``NoDeviceError`` otherwise."""
        devices = self.devices()
        ready = [s for s, state in devices if state == "device"]
        if self.serial:
            states = dict(devices)
            if self.serial not in states:
                raise NoDeviceError(
                    f"adb: no device {self.serial!r} (adb devices lists {sorted(states) or 'none'})"
                )
            if states[self.serial] != "device":
                raise NoDeviceError(f"adb: device {self.serial!r} is {states[self.serial]}")
            return self.serial
        if not ready:
            others = ", ".join(f"{s} ({st})" for s, st in devices)
            raise NoDeviceError(
                "adb: no device connected (adb devices lists "
                + (others or "none")
                + "); connect a rooted device or start an emulator"
            )
        if len(ready) > 1:
            raise NoDeviceError(f"adb: several devices ({', '.join(ready)}); pass --serial")
        self.serial = ready[0]
        return ready[0]

    def getprop(self, name: str) -> str:
        return self.shell("getprop", name).strip()

    def device_epoch(self) -> float:
        """Device clock, epoch seconds (toybox ``date +%s.%N``; whole seconds where %N is unsupported)."""
        out = self.shell("date", "+%s.%N").strip()
        value = parse_epoch(out)
        if value is None:
            raise AdbError(f"adb: cannot read the device clock (date printed {out[:80]!r})")
        return value

    # -- packages -------------------------------------------------------------------------------------

    def packages(self, third_party: bool = True) -> set[str]:
        return parse_packages(self.shell("pm", "list", "packages", *(["-3"] if third_party else [])))

    def install(self, apk: Path) -> None:
        r = self.run("install", "-r", str(apk), timeout=max(self.timeout, 300), check=False)
        text = (r.stdout + r.stderr).strip()
        if r.returncode != 0 or "Success" not in text:
            raise AdbError(
                f"adb: install of {apk.name} failed: {text.splitlines()[-1] if text else r.returncode}"
            )

    def uninstall(self, package: str) -> bool:
        r = self.run("uninstall", check_package(package), check=False)
        return "Success" in r.stdout

    def launch(self, package: str) -> str:
        """Start the launcher activity; returns the component started."""
        component = parse_resolved_activity(
            self.shell("cmd", "package", "resolve-activity", "--brief", check_package(package), check=False)
        )
        if component is None:
            self.shell("monkey", "-p", package, "-c", "android.intent.category.LAUNCHER", "1")
            return package
        self.shell("am", "start", "-W", "-n", component)
        return component

    def force_stop(self, package: str) -> None:
        self.shell("am", "force-stop", check_package(package))

    def pidof(self, package: str) -> list[int]:
        out = self.shell("pidof", check_package(package), check=False).split()
        return [int(p) for p in out if p.isdigit()]

    def runtime_permissions(self, package: str) -> dict[str, PermissionState]:
        return parse_runtime_permissions(self.shell("dumpsys", "package", check_package(package)))

    # -- input and screen -----------------------------------------------------------------------------

    def keyevent(self, key: str) -> None:
        self.shell("input", "keyevent", key)

    def tap(self, x: int, y: int) -> float | None:
        """Tap at (x, y); returns the device clock (epoch seconds) read on the device right before the tap
        was injected (None when the device did not print it), so the tap is stamped when it was sent."""
        out = self.run("shell", f"date +%s.%N; input tap {int(x)} {int(y)}").stdout
        problem = output_error(out)
        if problem:
            raise AdbError(f"adb: input tap {int(x)} {int(y)} failed: {problem}")
        return parse_epoch(out.split("\n", 1)[0])

    def dump_ui(self) -> str:
        """The current window hierarchy as uiautomator XML."""
        path = "/sdcard/apprights_window_dump.xml"
        out = self.shell("uiautomator", "dump", path, timeout=30, check=False)
        if "dumped to" not in out and "idle state" in out:
            # "could not get idle state": an animation or a looping view never lets the UI settle; the
            # compressed dump skips the idle wait on most builds
            out = self.shell("uiautomator", "dump", "--compressed", path, timeout=30, check=False)
        if "dumped to" not in out:
            raise AdbError(f"adb: uiautomator dump failed: {out.strip()[:200]}")
        return self.run("exec-out", "cat", path, timeout=30).stdout

    def screenshot(self, dest: Path) -> None:
        """Save a PNG of the screen to ``dest`` on the host (``screencap`` on the device, then ``adb pull``)."""
        remote = "/sdcard/apprights_screen.png"
        self.shell("screencap", "-p", remote, timeout=30)
        self.run("pull", remote, str(dest), timeout=60)

    def current_focus(self) -> str | None:
        return parse_current_focus(self.shell("dumpsys", "window", "windows", check=False))

    def broadcast(
        self, action: str, package: str | None = None, *, root: str | None = None, data: str | None = None
    ) -> str:
        """Send ``action`` (to ``package`` only when given), also to stopped apps: a force-stopped app gets no
        broadcast without ``--include-stopped-packages``. System actions (BOOT_COMPLETED …) are protected:
        the shell user may not send them, so pass ``root`` (``adbd``/``su``, see ``root_mode``). Raises
        ``AdbError`` when the system refused the broadcast."""
        if not ACTION_RE.match(action):
            raise AdbError(f"adb: {action!r} is not an intent action")
        if data is not None and not DATA_RE.match(data):
            raise AdbError(f"adb: {data!r} is not an intent data URI")
        args = [
            "am",
            "broadcast",
            "--include-stopped-packages",
            "-a",
            action,
            *(["-d", data] if data else []),
            *(["-p", check_package(package)] if package else []),
        ]
        out = self.root_shell(args, mode=root) if root else self.shell(*args)
        if "Broadcast completed" not in out:
            raise AdbError(f"adb: am broadcast {action} failed: {out.strip()[-200:] or 'no output'}")
        return out.strip()

    def reboot(self) -> None:
        """Restart the device (``adb reboot``); returns once the command was accepted, not when it is back."""
        self.run("reboot", timeout=60)

    def wait_for_device(self, timeout: float) -> None:
        """Block until adb sees the device again (after a reboot)."""
        self.run("wait-for-device", timeout=timeout)

    def boot_completed(self) -> bool:
        """Whether the system finished booting (``sys.boot_completed``; BOOT_COMPLETED has been sent)."""
        return self.shell("getprop", "sys.boot_completed", check=False).strip() == "1"

    def svc(self, *args: str) -> str:
        """``svc wifi|data enable|disable`` (allowed to the shell user); failures printed on stdout raise."""
        return self.shell("svc", *args)

    # -- logs and network -----------------------------------------------------------------------------

    def clear_event_log(self) -> None:
        self.run("logcat", "-b", "events", "-c", check=False)
        self.run("logcat", "-b", "system", "-c", check=False)

    def dump_event_log(self) -> str:
        """The event log (``am_proc_start``, ``am_kill`` …) with epoch times."""
        return self.run("logcat", "-b", "events", "-d", "-v", "epoch", timeout=60).stdout

    def dump_system_log(self) -> str:
        """ActivityManager's lines of the system log ("Start proc 5203:com.x/u0a150 for broadcast {…}") with
        epoch times: they name the component that started a process, also where the event log is cut short."""
        return self.run(
            "logcat", "-b", "system", "-d", "-v", "epoch", "ActivityManager:I", "*:S", timeout=60
        ).stdout

    def set_http_proxy(self, host_port: str | None) -> None:
        self.shell("settings", "put", "global", "http_proxy", host_port or ":0")

    def reverse(self, port: int) -> None:
        self.run("reverse", f"tcp:{port}", f"tcp:{port}")
