"""Runtime-trace benchmark: a 1,000,000-event ``apprights-trace/1`` file through the extractor and every runtime rule.

Run: ``.venv/bin/python bench/bench_trace.py`` (offline; generation about 20-30 s the first time, then cached in
bench/_work/, gitignored). Options: ``--events N`` (default 1,000,000), ``--regenerate``, ``--gzip`` (analyse
the .jsonl.gz form too).

The trace mixes what a long monkey-test session produces: hooked API calls with 8-16 frame stacks (IMEI, Android
ID, MAC, OAID, installed apps, location, device model) from the app and from SDKs, network requests with JSON,
form and gzip bodies (some carrying the identifiers, raw, hashed or base64), UI screens, taps, app-state
changes, intents, process starts, permission prompts, shake injections, downloads, notes and event types the
reader does not know. The analysis (``extract_traces`` + ``check`` of every rule that requires runtime facts)
runs in a child process so its peak RSS can be read with ``resource.RUSAGE_CHILDREN``. Targets: ≤ 15 s and
≤ 1 GB for 1,000,000 events. Results go to stdout and bench/RESULTS-trace.md.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import json
import os
import platform
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / "_work"
RESULTS = BENCH / "RESULTS-trace.md"
PACKAGE = "com.example.bench"
SEED = 20261128

IMEI, AID, MAC = "864512030098765", "9b2f4e6a8c1d3e5f", "AC:DE:48:00:11:22"
OAID = "f1e2d3c4-b5a6-4789-9abc-def012345678"
APPS = [f"com.vendor{i}.app{i}" for i in range(60)]

FRAMEWORK = [
    "java.lang.reflect.Method.invoke(Native Method)",
    "android.os.Handler.dispatchMessage(Handler.java:106)",
    "android.os.Looper.loop(Looper.java:223)",
    "android.app.ActivityThread.main(ActivityThread.java:7656)",
]
CALLERS = [
    ["com.umeng.commonsdk.statistics.common.DeviceConfig.getImeiNew", "com.umeng.commonsdk.UMConfigure.init"],
    ["com.tencent.bugly.crashreport.common.info.b.a(SourceFile:12)", "com.tencent.bugly.CrashModule.init"],
    ["com.bytedance.sdk.openadsdk.core.i.a", "com.bytedance.sdk.openadsdk.TTAdSdk.init"],
    ["com.amap.api.location.AMapLocationClient.a", "com.amap.api.location.AMapLocationClient.startLocation"],
    ["com.example.bench.util.DeviceUtil.id(DeviceUtil.java:40)", "com.example.bench.feed.FeedFragment.load"],
    ["com.example.bench.App.onCreate(App.java:22)"],
    ["cn.jpush.android.service.DaemonService.onStartCommand"],
]
APIS = [
    ("android.telephony.TelephonyManager.getDeviceId", IMEI, None),
    ("android.telephony.TelephonyManager.getImei", IMEI, None),
    ("android.provider.Settings$Secure.getString", AID, ["android.content.ContentResolver@a1", "android_id"]),
    ("android.net.wifi.WifiInfo.getMacAddress", MAC, None),
    ("com.android.id.impl.IdProviderImpl.getOAID", OAID, None),
    ("android.location.LocationManager.getLastKnownLocation", {"lat": 39.904211, "lng": 116.407395}, None),
    ("android.app.ApplicationPackageManager.getInstalledPackages", APPS, None),
    ("android.os.Build.getModel", "Pixel 6", None),
    ("android.content.ContentResolver.query", None, ["content://com.android.contacts/data", None]),
    ("android.telephony.TelephonyManager.getSubscriberId", "460011234567890", None),
]
HOSTS = [
    "ulogs.umeng.com",
    "rqd.bugly.qq.com",
    "api-access.pangolin-sdk-toutiao.com",
    "api.example.com",
    "img.example.com",
    "restapi.amap.com",
    "t.adtrack.example.org",
    "stat.example.net",
    "cdn.jsdelivr.net",
]
SCREENS = [
    "MainActivity",
    "FeedActivity",
    "DetailActivity",
    "SettingsActivity",
    "SplashAdActivity",
    "ProfileActivity",
]


# Measured by hand (not regenerated): the same 1,000,000-event file, the analysing child of this script, the
# code before and after the 2026-11-28 speed-up run back to back on the same (busy) 2-core machine.
HISTORY = """## Before / after the 2026-11-28 speed-up

Same trace, `--analyse` child run back to back (old code from the previous commit, then the new code), load
average 4.8-5.6 on 2 CPUs (other helpers' test suites), so absolute numbers are inflated; compare the pairs.

| code | CPU s (user+sys) | child wall s | peak RSS MB | findings |
|---|---|---|---|---|
| before | 13.5 / 13.6 / 13.5 | 26.2 / 33.4 / 20.6 | 144 | 52 |
| after | 11.1 / 10.9 / 10.9 | 26.3 / 18.2 / 19.8 | 190 | 52 |

Extraction alone (`extract_traces`, no rules, same conditions): 12.5 s → 8.9 s CPU. What changed:
- the cyclic garbage collector is paused while a trace is folded (it ran thousands of times over a million
  short-lived event dicts and found nothing: 20-25 % of the extraction CPU);
- the reader reads 4 MiB blocks, splits lines itself, inflates gzip with zlib directly, and hands out lists
  of events per block (no generator switch per event); the builder dispatches by type from a dict;
- validation is straight-line code generated from `schema.SCHEMA` per event type (one `dict.get` and a type
  test per field; lists of strings checked with one C-level join); `validate_event` is still the reference
  and only runs to name the bad field;
- identifier variants in traffic are searched with Aho-Corasick (`ahocorasick-rs`, leftmost-longest, the same
  matches as the old trie regex, which stays as the fallback), once over all parts of a request; header sets
  are decoded once per distinct set;
- API → PI classification caches the catalogue entries per API; repeated UI screens are compared as objects
  instead of through `repr`.

Where the time goes now (200,000 events, after): reading + JSON parsing + validation 0.70 s, PI-in-traffic
search 0.65 s (16 us per request: base64/gzip decoding and the search), all other event handlers 0.42 s; the
rules about 1.3 s per 1,000,000 events. Peak RSS grew (144 → 190 MB) because a block's events are alive
together. Not done: a second (parse/validate) process; on this busy machine it would add pickling CPU and the
stateful consent/app-state fold still needs every event in order, so it was not tried.
"""


def _stack(rng: random.Random, api: str) -> list[str]:
    own = rng.choice(CALLERS)
    depth = rng.randint(8, 16)
    filler = [f"com.example.bench.ui.Screen{rng.randint(0, 40)}.on{rng.randint(0, 9)}" for _ in range(depth)]
    return [api, *own, *filler, *FRAMEWORK][:depth]


def _body(rng: random.Random) -> tuple[str, dict[str, str]]:
    kind = rng.random()
    payload = {
        "ts": rng.randint(1, 10**9),
        "ev": [
            {"k": f"e{rng.randint(0, 99)}", "v": "x" * rng.randint(10, 60)} for _ in range(rng.randint(2, 8))
        ],
        "sdk": "1.2.3",
    }
    if kind < 0.08:
        payload["imei"] = IMEI
    elif kind < 0.12:
        payload["did"] = hashlib.md5(IMEI.encode()).hexdigest()
    elif kind < 0.15:
        payload["oaid"] = base64.b64encode(OAID.encode()).decode()
    elif kind < 0.17:
        payload["apps"] = ",".join(APPS[:12])
    raw = json.dumps(payload).encode()
    if rng.random() < 0.25:
        return base64.b64encode(gzip.compress(raw, 1)).decode(), {"Content-Encoding": "gzip"}
    if rng.random() < 0.2:
        form = "&".join(f"{k}={v}" for k, v in payload.items() if isinstance(v, (str, int)))
        return base64.b64encode(form.encode()).decode(), {"Content-Type": "application/x-www-form-urlencoded"}
    return base64.b64encode(raw).decode(), {"Content-Type": "application/json"}


def generate(path: Path, events: int) -> None:
    rng = random.Random(SEED)
    t = 0.6
    state = "foreground"
    with open(path, "w", encoding="utf-8") as f:
        w = f.write
        w(
            json.dumps(
                {
                    "type": "session",
                    "t": 0,
                    "format": "apprights-trace/1",
                    "package": PACKAGE,
                    "version_name": "9.9.9",
                    "device": {"model": "Pixel 6", "android": "13", "rooted": True},
                    "scenario": "monkey-1M",
                }
            )
            + "\n"
        )
        w(json.dumps({"type": "app_state", "t": 0.1, "state": "foreground"}) + "\n")
        w(json.dumps({"type": "consent", "t": 0.5, "action": "shown"}) + "\n")
        w(
            json.dumps(
                {
                    "type": "ui",
                    "t": 0.5,
                    "screen": f"{PACKAGE}/.SplashActivity",
                    "texts": ["隐私政策"],
                    "buttons": [{"text": "同意"}, {"text": "不同意"}],
                },
                ensure_ascii=False,
            )
            + "\n"
        )
        consent_at = events // 200
        for i in range(4, events):
            t += rng.expovariate(1 / 0.01)
            r = rng.random()
            if i == consent_at:
                ev: dict[str, object] = {"type": "consent", "t": t, "action": "agreed"}
            elif r < 0.40:
                api, ret, args = rng.choice(APIS)
                ev = {"type": "api_call", "t": t, "api": api, "stack": _stack(rng, api), "thread": "main"}
                if ret is not None:
                    ev["ret"] = ret
                if args is not None:
                    ev["args"] = args
            elif r < 0.60:
                host = rng.choice(HOSTS)
                body, headers = _body(rng)
                plain = host == "stat.example.net"
                ev = {
                    "type": "network",
                    "t": t,
                    "host": host,
                    "method": "POST",
                    "url": f"{'http' if plain else 'https'}://{host}/v{rng.randint(1, 3)}/c?sid={rng.randint(0, 10**6)}"
                    + (f"&aid={AID}" if rng.random() < 0.05 else ""),
                    "request_headers": {"User-Agent": "okhttp/4.9.3", **headers},
                    "request_body_b64": body,
                    "response_status": 200,
                    "tls": not plain,
                }
            elif r < 0.68:
                ev = {
                    "type": "ui",
                    "t": t,
                    "screen": f"{PACKAGE}/.{rng.choice(SCREENS)}",
                    "texts": [f"标题{rng.randint(0, 999)}", "推荐", "热点"],
                    "buttons": [{"text": "关注", "id": "btn_follow"}, {"text": "分享"}],
                }
            elif r < 0.73:
                ev = {
                    "type": "tap",
                    "t": t,
                    "text": rng.choice(["关注", "分享", "刷新", "返回"]),
                    "x": 100,
                    "y": 200,
                }
            elif r < 0.75:
                state = rng.choice(["foreground", "background", "screen_off", "screen_on"])
                ev = {"type": "app_state", "t": t, "state": state}
            elif r < 0.77:
                ev = {
                    "type": "intent",
                    "t": t,
                    "op": rng.choice(["startService", "startActivity", "sendBroadcast"]),
                    "target_package": rng.choice(["com.example.family", PACKAGE, "com.tencent.mm"]),
                    "extras_keys": rng.choice([["from"], ["imei", "channel"], []]),
                }
            elif r < 0.78:
                own = rng.random() < 0.5
                ev = {
                    "type": "proc_start",
                    "t": t,
                    "package": PACKAGE if own else "com.example.family",
                    "process": PACKAGE + ":push" if own else "com.example.family",
                    "hosting_type": rng.choice(["service", "broadcast", "activity"]),
                    "component": "x/.Svc",
                    "caller_package": "" if own else PACKAGE,
                }
            elif r < 0.785:
                ev = {
                    "type": "permission_request",
                    "t": t,
                    "permissions": rng.choice(
                        [
                            ["android.permission.CAMERA"],
                            [
                                "android.permission.READ_PHONE_STATE",
                                "android.permission.ACCESS_FINE_LOCATION",
                            ],
                        ]
                    ),
                }
            elif r < 0.79:
                ev = {
                    "type": "permission_result",
                    "t": t,
                    "permission": "android.permission.CAMERA",
                    "result": rng.choice(["granted", "denied"]),
                }
            elif r < 0.7905:
                ev = {
                    "type": "sensor_injection",
                    "t": t,
                    "sensor": "accelerometer",
                    "accel_ms2": 8.0,
                    "duration_s": 1,
                }
            elif r < 0.791:
                ev = {
                    "type": "download",
                    "t": t,
                    "url": "https://dl.example.cn/a.apk",
                    "package": "com.game.x",
                }
            elif r < 0.84:
                ev = {"type": "note", "t": t, "text": f"step {i}"}
            else:
                ev = {
                    "type": rng.choice(["logcat", "thermal", "frame_stats"]),
                    "t": t,
                    "line": "I/Bench: " + "y" * 40,
                }
            w(json.dumps(ev, ensure_ascii=False, separators=(",", ":")) + "\n")


def analyse(path: Path) -> None:
    """Child process: extract + run every runtime rule; print one JSON line of timings and counts."""
    sys.path.insert(0, str(REPO / "src"))
    from apprights.extractors.trace import extract_traces
    from apprights.knowledge import Knowledge
    from apprights.model.facts import AppFacts
    from apprights.rules.base import RuleContext, discover_rules

    knowledge = Knowledge.load()
    c0 = time.process_time()
    t0 = time.perf_counter()
    runtime = extract_traces([path], knowledge, category="新闻资讯类")
    t1 = time.perf_counter()
    facts = AppFacts(runtime=runtime, category="新闻资讯类")
    ctx = RuleContext(knowledge)
    rules = [r for r in discover_rules() if "runtime" in r.requires]
    findings = []
    for rule in rules:
        findings.extend(rule().check(facts, ctx))
    t2 = time.perf_counter()
    cpu = time.process_time() - c0
    s = runtime.sessions[0]
    print(
        json.dumps(
            {
                "events": s.event_count,
                "extract_s": t1 - t0,
                "rules_s": t2 - t1,
                "cpu_s": cpu,
                "rules": len(rules),
                "findings": len(findings),
                "by_rule": sorted({f.rule for f in findings}),
                "kept": {
                    "api_calls": len(s.api_calls),
                    "api_series": len(s.api_series),
                    "pi_transfers": len(s.pi_transfers),
                    "screens": len(s.screens),
                    "taps": len(s.taps),
                    "hosts": len(s.hosts),
                },
            }
        )
    )


def run_child(path: Path) -> tuple[dict[str, object], float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, __file__, "--analyse", str(path)], check=True, capture_output=True, text=True
    ).stdout
    wall = time.perf_counter() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return json.loads(out.strip().splitlines()[-1]), wall, max(peak_kb, before)


def _orjson_version() -> str:
    try:
        import orjson

        return str(orjson.__version__)
    except ImportError:
        return "absent (stdlib json)"


def parse_comparison(path: Path, n: int = 200_000) -> str:
    """CPU seconds to parse the first ``n`` lines with stdlib json and with orjson (best of 3)."""
    with open(path, "rb") as f:
        lines = [line for line, _ in zip(f, range(n), strict=False)]
    out = []
    parsers: list[tuple[str, object]] = [("json", json.loads)]
    try:
        import orjson

        parsers.append(("orjson", orjson.loads))
    except ImportError:
        pass
    for name, loads in parsers:
        best = float("inf")
        for _ in range(3):
            t0 = time.process_time()
            for line in lines:
                loads(line)  # type: ignore[operator]
            best = min(best, time.process_time() - t0)
        out.append(f"{name} {best:.2f} s")
    return f"Parsing the first {len(lines):,} lines (CPU, best of 3): " + ", ".join(out) + "."


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--regenerate", action="store_true")
    ap.add_argument("--gzip", action="store_true")
    ap.add_argument("--analyse", type=Path)
    a = ap.parse_args()
    if a.analyse:
        analyse(a.analyse)
        return
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"trace-{a.events}.jsonl"
    if a.regenerate or not path.exists():
        t0 = time.perf_counter()
        generate(path, a.events)
        print(f"generated {path} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    inputs = [path]
    if a.gzip:
        gz = path.with_suffix(".jsonl.gz")
        if a.regenerate or not gz.exists():
            with open(path, "rb") as src, gzip.open(gz, "wb", compresslevel=6) as dst:
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
        inputs.append(gz)
    rows = []
    for p in inputs:
        stats, wall, peak_kb = run_child(p)
        total = float(stats["extract_s"]) + float(stats["rules_s"])  # type: ignore[arg-type]
        rows.append((p, stats, wall, peak_kb, total))
    lines = [
        "# Runtime-trace benchmark",
        "",
        f"`python bench/bench_trace.py{' --gzip' if a.gzip else ''}` — {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.machine()}, orjson {_orjson_version()}; targets ≤ 15 s and ≤ 1 GB per 1,000,000 events.",
        "",
        "| input | size MB | events | extract s | rules s | total s | events/s | CPU s | child wall s | peak RSS MB | findings |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for p, stats, wall, peak_kb, total in rows:
        ev = int(stats["events"])  # type: ignore[call-overload]
        lines.append(
            f"| {p.name} | {p.stat().st_size / 1e6:.0f} | {ev:,} | {float(stats['extract_s']):.2f} | "  # type: ignore[arg-type]
            f"{float(stats['rules_s']):.3f} | {total:.2f} | {ev / total:,.0f} | {float(stats['cpu_s']):.2f} | "  # type: ignore[arg-type]
            f"{wall:.2f} | {peak_kb / 1024:.0f} | "  # type: ignore[arg-type]
            f"{stats['findings']} |"
        )
    stats0 = rows[0][1]
    lines += [
        "",
        f"Rules run: {stats0['rules']} (every rule whose `requires` includes `runtime`); rules with findings: "
        + ", ".join(f"`{r}`" for r in stats0["by_rule"])  # type: ignore[attr-defined]
        + ".",
        "",
        f"Kept in the facts (not 1,000,000 objects): {json.dumps(stats0['kept'])}.",
        "",
        parse_comparison(path),
        "",
        f"Load average while measuring: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs "
        "(other work shares the machine; *CPU s* is the analysis' own user+system time, the fairest number "
        "when the machine is busy).",
        "",
        "Peak RSS is the analysing child's maximum resident set (`resource.RUSAGE_CHILDREN`, includes the "
        "interpreter and the imported packages). Child wall time includes interpreter start and imports.",
        "",
        HISTORY,
    ]
    text = "\n".join(lines) + "\n"
    RESULTS.write_text(text, encoding="utf-8")
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
