"""Traffic capture: ``mitmdump`` with the apprights addon, run from its own environment, per session.

The device reaches the proxy through ``adb reverse`` (works for emulators and USB devices alike) and the
global ``http_proxy`` setting; HTTPS needs mitmproxy's CA installed as a *system* CA on the (rooted) device,
see docs/collect.md.
"""

from __future__ import annotations

import logging
import socket
import subprocess
import time
from importlib import resources
from pathlib import Path

from apprights.collect.adb import Adb, AdbError

log = logging.getLogger(__name__)


def addon_path() -> Path:
    return Path(str(resources.files("apprights.collect").joinpath("mitm_addon.py")))


class MitmCapture:
    """Starts ``mitmdump`` on 127.0.0.1:``port`` for a session and routes the device's traffic to it."""

    def __init__(
        self,
        mitmdump: Path,
        adb: Adb,
        *,
        port: int = 8080,
        confdir: Path | None = None,
        body_cap: int = 64 * 1024,
        startup_timeout: float = 30.0,
    ) -> None:
        self.mitmdump = mitmdump
        self.adb = adb
        self.port = port
        self.confdir = confdir
        self.body_cap = body_cap
        self.startup_timeout = startup_timeout
        self._proc: subprocess.Popen[bytes] | None = None

    def command(self, fragment: Path, host_epoch_t0: float, process: str) -> list[str]:
        cmd = [
            str(self.mitmdump),
            "--listen-host",
            "127.0.0.1",
            "--listen-port",
            str(self.port),
            "-q",
            "-s",
            str(addon_path()),
            "--set",
            f"apprights_trace={fragment}",
            "--set",
            f"apprights_t0={host_epoch_t0:.6f}",
            "--set",
            f"apprights_body_cap={self.body_cap}",
            "--set",
            f"apprights_process={process}",
        ]
        if self.confdir is not None:
            cmd += ["--set", f"confdir={self.confdir}"]
        return cmd

    def start(self, fragment: Path, host_epoch_t0: float, process: str) -> None:
        try:
            self._proc = subprocess.Popen(
                self.command(fragment, host_epoch_t0, process),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        except OSError as exc:
            raise AdbError(f"mitmdump: cannot start {self.mitmdump}: {exc}") from exc
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self._proc.poll() is not None:
                err = self._proc.stderr.read().decode(errors="replace") if self._proc.stderr else ""
                raise AdbError(f"mitmdump: exited at start ({self._proc.returncode}): {err.strip()[-300:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise AdbError(
                        f"mitmdump: not listening on port {self.port} after {self.startup_timeout:.0f} s"
                    ) from None
                time.sleep(0.2)
        self.adb.reverse(self.port)
        self.adb.set_http_proxy(f"127.0.0.1:{self.port}")

    def reconnect(self) -> None:
        """Route the device to the proxy again after a reboot (``adb reverse`` does not survive one; the
        ``http_proxy`` setting does, and without the reverse it would cut the device off)."""
        self.adb.reverse(self.port)
        self.adb.set_http_proxy(f"127.0.0.1:{self.port}")

    def stop(self) -> None:
        try:
            self.adb.set_http_proxy(None)
        except AdbError:
            log.warning("could not clear the device's http_proxy setting", exc_info=True)
        proc, self._proc = self._proc, None
        if proc is None:
            return
        died = proc.poll()
        if died is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        err = proc.stderr.read().decode(errors="replace").strip() if proc.stderr else ""
        if proc.stderr:
            proc.stderr.close()
        if died is not None:
            # the events it wrote before dying are still in the fragment; the caller merges them
            raise AdbError(f"mitmdump: exited during the session ({died}): {err[-300:] or 'no message'}")
