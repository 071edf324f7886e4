"""``apprights collect``: run an app on a device under the scenario driver and write runtime traces."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from apprights.collect.adb import Adb, AdbError, check_package
from apprights.collect.agent import default_catalogue_path, hook_specs_from_catalogue
from apprights.collect.capture import MitmCapture
from apprights.collect.frida_session import FridaInstrumentation
from apprights.collect.scenario import DEFAULT_PHASE_SECONDS, PATHS, ScenarioDriver, ScenarioOptions
from apprights.errors import EXIT_BAD_INPUT, AppRightsError
from apprights.extractors.traffic import TRAFFIC_PI

log = logging.getLogger(__name__)

HELP = """Run an app on a rooted Android device or emulator and record runtime traces (apprights-trace/1).

Two sessions are recorded on a fresh install: the REFUSE path (the driver refuses the privacy policy) and
the AGREE path (it agrees), each: install → launch (spawn-gated under Frida) → privacy dialog found by its
words (同意/不同意/拒绝/我知道了…) → permission dialogs answered (deny the first, then allow) → HOME → screen
off → force-stop → self-start stimuli (boot/network/package broadcasts as root; without root the real
events: Wi-Fi/data off and on, unlock, install and removal of a tiny APK, a reboot unless --no-reboot) → idle
window. Output: OUT/PACKAGE.refuse.jsonl and
OUT/PACKAGE.agree.jsonl, ready for `apprights scan APP.apk --trace …`. Lab paths (--path all or a
comma list): deny-all, dont-ask-again, relaunch (deny, kill, relaunch: the 48-hour re-ask). Screenshots of
every screen go to OUT/PACKAGE.PATH.shots/. The time of each path is printed on stderr.

SETUP (see docs/collect.md in the source tree):

1. Device: a rooted phone or an emulator (Google APIs image, not Play Store: `adb root` must work),
reachable over adb (`adb devices` lists it as "device"; use --serial when several are attached). Android
platform-tools on the host (`apt install adb`).

2. Frida: the optional extra "collect" on the host (`pip install 'frida>=16.2,<17' 'frida-tools>=12,<14'`;
Frida 17 no longer bundles the Java bridge the agent uses), and the matching frida-server
binary for the device ABI pushed and running as root: `adb push frida-server-16.x-android-<abi>
/data/local/tmp/frida-server && adb shell "su -c 'chmod 755 /data/local/tmp/frida-server &&
/data/local/tmp/frida-server &'"`. Without Frida (--no-frida) the trace has UI, consent, permission,
process and network events but no API calls.

3. Traffic capture (optional, --mitmdump PATH): mitmproxy lives in its OWN virtualenv (mitmproxy 11 needs
cryptography < 44.1, which conflicts with the core environment): `python3.11 -m venv ~/.venvs/apprights-mitm
&& ~/.venvs/apprights-mitm/bin/pip install 'mitmproxy>=11,<12'`, then pass --mitmdump
~/.venvs/apprights-mitm/bin/mitmdump. The device reaches the proxy via `adb reverse` and the global
http_proxy setting (set and cleared by the collector). For HTTPS install mitmproxy's CA
(~/.mitmproxy/mitmproxy-ca-cert.cer, created on first run) as a SYSTEM CA on the rooted device: name it
<subject_hash_old>.0 (`openssl x509 -inform PEM -subject_hash_old -in mitmproxy-ca-cert.cer`) and copy it to
/system/etc/security/cacerts (Android 14+: /apex/com.android.conscrypt/cacerts via a Magisk module or a
tmpfs overlay). Apps that pin certificates will show TLS errors, recorded as network events with `error`.

Exit status 2 with one line on stderr when the device, adb, frida or an input is unusable.
"""


class _RealClock:
    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)

    def wall_iso(self) -> str:
        return datetime.now(UTC).isoformat(timespec="seconds")


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(EXIT_BAD_INPUT)


def collect_cmd(
    apk: Annotated[
        Path | None, typer.Argument(help="APK to install fresh for each session (omit with --no-install).")
    ] = None,
    package: Annotated[
        str | None,
        typer.Option("--package", "-p", help="Package name (found from the install when omitted)."),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Directory for the traces.")] = Path("traces"),
    path: Annotated[
        str,
        typer.Option(
            "--path",
            help="Paths to run: refuse, agree, both (refuse+agree), all, or a comma list of "
            + ", ".join(PATHS)
            + ".",
        ),
    ] = "both",
    serial: Annotated[str | None, typer.Option("--serial", "-s", help="adb device serial.")] = None,
    adb_path: Annotated[str, typer.Option("--adb", help="adb executable.")] = "adb",
    no_install: Annotated[
        bool, typer.Option("--no-install", help="Use the installed app (no fresh install).")
    ] = False,
    no_frida: Annotated[bool, typer.Option("--no-frida", help="Run without the Frida agent.")] = False,
    mask: Annotated[
        bool, typer.Option("--mask", help="Store SHA-256 of returned values instead of raw values.")
    ] = False,
    catalogue: Annotated[
        Path | None, typer.Option("--catalogue", help="Sensitive-API catalogue JSON (default: packaged).")
    ] = None,
    mitmdump: Annotated[
        Path | None, typer.Option("--mitmdump", help="mitmdump executable from the capture environment.")
    ] = None,
    proxy_port: Annotated[int, typer.Option("--proxy-port", help="Loopback port of the proxy.")] = 8080,
    idle: Annotated[float, typer.Option("--idle", help="Idle window at the end, seconds.")] = 60.0,
    launch_wait: Annotated[float, typer.Option("--launch-wait", help="Wait after launch, seconds.")] = 8.0,
    background: Annotated[
        float, typer.Option("--background", help="Time in background, seconds (SDK timers run for minutes).")
    ] = DEFAULT_PHASE_SECONDS,
    screen_off: Annotated[
        float, typer.Option("--screen-off", help="Time with the screen off, seconds.")
    ] = DEFAULT_PHASE_SECONDS,
    settle: Annotated[
        float,
        typer.Option(
            "--settle", help="Wait after each tap, key and broadcast for the app to react, seconds."
        ),
    ] = 2.0,
    after_kill: Annotated[
        float, typer.Option("--after-kill", help="Wait after the force-stop for the last requests, seconds.")
    ] = 5.0,
    no_screenshots: Annotated[
        bool, typer.Option("--no-screenshots", help="Do not save a screenshot of each screen.")
    ] = False,
    unpin: Annotated[
        bool,
        typer.Option("--unpin", help="Bypass certificate pinning (TrustManager, OkHttp CertificatePinner)."),
    ] = False,
    no_plaintext: Annotated[
        bool,
        typer.Option(
            "--no-plaintext", help="Do not hook okhttp/TLS/Cipher plaintext (requests before encryption)."
        ),
    ] = False,
    no_reboot: Annotated[
        bool,
        typer.Option(
            "--no-reboot",
            help="Without root, do not reboot the device to exercise boot receivers (the other real events "
            "still run).",
        ),
    ] = False,
    device_ids: Annotated[
        Path | None,
        typer.Option(
            "--device-ids",
            help='JSON {"device_id": IMEI, "phone_number": …, "oaid": …, "imsi": …} of the test phone: searched '
            "for in traffic even with --no-frida (serial and Wi-Fi MAC are read over adb).",
        ),
    ] = None,
) -> None:
    if path == "both":
        paths: tuple[str, ...] = ("refuse", "agree")
    elif path == "all":
        paths = PATHS
    else:
        paths = tuple(p.strip() for p in path.split(",") if p.strip())
    if not paths or any(p not in PATHS for p in paths):
        raise _fail(f"--path must be both, all or a comma list of {', '.join(PATHS)}; got {path!r}")
    if apk is None and not no_install:
        raise _fail("give an APK to install, or --no-install with --package")
    if apk is not None and not apk.is_file():
        raise _fail(f"{apk}: no such APK file")
    if no_install and not package:
        raise _fail("--no-install needs --package")
    ids = _read_device_ids(device_ids) if device_ids is not None else {}
    if mitmdump is not None and not mitmdump.is_file():
        raise _fail(f"{mitmdump}: mitmdump not found (see --help: traffic capture environment)")
    try:
        if package:
            check_package(package)
        adb = Adb(adb=adb_path, serial=serial)
        adb.select_device()
        results = _run(
            adb,
            apk if not no_install else None,
            package,
            out,
            paths,
            no_frida,
            mask,
            catalogue,
            mitmdump,
            proxy_port,
            idle,
            launch_wait,
            background,
            screen_off,
            not no_screenshots,
            ids,
            not no_plaintext,
            unpin,
            reboot=not no_reboot,
            settle=settle,
            after_kill=after_kill,
        )
    except AppRightsError as exc:
        raise _fail(str(exc)) from None
    for p in results:
        typer.echo(str(p))


def _read_device_ids(path: Path) -> dict[str, str]:
    """The lab's record of the test phone's identifiers; a clear error naming the file otherwise."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise _fail(f"{path}: cannot read device ids: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _fail(f"{path}: device ids are not UTF-8 JSON: {exc}") from None
    if not isinstance(data, dict) or not all(isinstance(v, str | int) for v in data.values()):
        raise _fail(f"{path}: device ids must be a JSON object of identifier type to value")
    unknown = sorted(set(data) - TRAFFIC_PI)
    if unknown:
        raise _fail(f"{path}: unknown identifier types {unknown}; use {sorted(TRAFFIC_PI)}")
    return {str(k): str(v) for k, v in data.items()}


def _run(
    adb: Adb,
    apk: Path | None,
    package: str | None,
    out: Path,
    paths: tuple[str, ...],
    no_frida: bool,
    mask: bool,
    catalogue: Path | None,
    mitmdump: Path | None,
    proxy_port: int,
    idle: float,
    launch_wait: float,
    background: float,
    screen_off: float,
    screenshots: bool = True,
    device_ids: dict[str, str] | None = None,
    plaintext: bool = True,
    unpin: bool = False,
    *,
    reboot: bool = True,
    settle: float = 2.0,
    after_kill: float = 5.0,
) -> list[Path]:
    specs = hook_specs_from_catalogue(catalogue or default_catalogue_path())
    if package is None:
        assert apk is not None
        before = adb.packages()
        adb.install(apk)
        new = sorted(adb.packages() - before)
        if len(new) != 1:
            raise AdbError(f"adb: cannot tell the package of {apk.name} from the install; pass --package")
        package = new[0]
    clock = _RealClock()
    traces: list[Path] = []
    run_started = time.monotonic()
    for p in paths:
        options = ScenarioOptions(
            package=package,
            path=p,
            apk=apk,
            idle_seconds=idle,
            launch_wait=launch_wait,
            background_seconds=background,
            screen_off_seconds=screen_off,
            screenshots=screenshots,
            device_ids=device_ids or {},
            mask=mask,
            reboot=reboot,
            settle=settle,
            after_kill_seconds=after_kill,
        )
        driver = ScenarioDriver(
            adb=adb,
            clock=clock,
            options=options,
            out=out / f"{package}.{p}.jsonl",
            instrumentation=None
            if no_frida
            else FridaInstrumentation(
                specs, device_id=adb.serial, mask=mask, plaintext=plaintext, unpin=unpin
            ),
            capture=MitmCapture(mitmdump, adb, port=proxy_port) if mitmdump else None,
            host_epoch=time.time,
        )
        log.info("session %s of %s", p, package)
        started = time.monotonic()
        traces.append(driver.run())
        typer.echo(f"{package} {p} path: {time.monotonic() - started:.0f} s", err=True)
    typer.echo(f"{package}: {len(traces)} paths in {time.monotonic() - run_started:.0f} s", err=True)
    return traces


# The lead mounts this function as the ``collect`` command (``app.command("collect")(collect_cmd)``); its
# docstring is the command's help.
collect_cmd.__doc__ = HELP
