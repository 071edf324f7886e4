"""Runtime: a download or app-store jump after a tap that was not on a download button, or with no tap."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar
from urllib.parse import urlsplit

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity
from apprights.model.runtime import Moment, TraceSession
from apprights.rules._rt_common import (
    APP_STORE_PACKAGES,
    DOWNLOAD_WORDS,
    has_word,
    last_tap_before,
    sessions,
    trace_evidence,
)
from apprights.rules.base import Rule, RuleContext


def download_jumps(s: TraceSession) -> list[tuple[Moment, str, dict[str, Any]]]:
    """Downloads and jumps to an app store or an APK: (moment, target, evidence extras)."""
    out: list[tuple[Moment, str, dict[str, Any]]] = []
    for d in s.downloads:
        target = d.package or urlsplit(d.url).hostname or d.url
        out.append((d.at, target, {"kind": "download", "url": d.url, "package": d.package}))
    for it in s.intents:
        data = it.data.lower()
        if (
            it.target_package in APP_STORE_PACKAGES
            or data.startswith("market://")
            or data.endswith(".apk")
            or "package-archive" in data
            or it.action == "android.intent.action.INSTALL_PACKAGE"
        ):
            target = it.target_package or data
            out.append((it.at, target, {"kind": "intent", "op": it.op, "target_package": it.target_package}))
    for p in s.proc_starts:
        if not p.own and p.package in APP_STORE_PACKAGES and p.caller_package == s.package:
            out.append((p.at, p.package, {"kind": "proc_start", "package": p.package}))
    out.sort(key=lambda x: x[0].index)
    return out


class DownloadOutsideButton(Rule):
    """A download (or a jump to an app store / APK) started by a tap outside the download button, by
    misleading wording, or by no tap at all.

    What it detects
        ``download`` events, intents to app-store packages or ``market://``/APK data, and app-store process
        starts by the app. Each is judged by the last non-consent tap within ``window_s`` (default 3 s) before
        it: no tap (and the download not ``user_initiated``) = silent download; a tap whose text or id has no
        download wording (下载/安装/download/install) = a tap outside the download button or misleading wording
        (立即开始游戏, 领取红包, 打开看看 …). One finding per downloaded package or target.

    Legal basis
        164号文 三(7) (欺骗误导用户下载APP); T/TAF 078.7; 26号文 (不得"偷梁换柱""静默下载").

    Evidence and confidence
        ``trace`` evidence of the tap (text, id, coordinates) and of the download. Confidence
        ``observed_in_violation``.

    Known false positives
        A download button with an icon only and no text or id (the collector should record the id); store
        jumps from an "update" dialog the user accepted more than ``window_s`` earlier.

    Fixtures
        tests/fixtures/traces/t7_violate.jsonl and t7_clean.jsonl;
        tests/rules/t7_download/test_rt_download_outside_button.py.
    """

    id = "T7.download_outside_button"
    problem_type = 7
    title_zh = "非下载按钮区域点击或误导性文字触发下载"
    title_en = "Download triggered outside the download button or by misleading wording"
    severity = Severity.HIGH
    legal_basis = ("164号文 三(7)", "T/TAF 078.7", "26号文")
    requires = frozenset({"runtime"})
    default_options: ClassVar[dict[str, Any]] = {"window_s": 3.0}

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        window = float(ctx.option(type(self), "window_s"))
        found: dict[str, tuple[str, list[Evidence]]] = {}
        for s in sessions(facts):
            user_initiated = {d.at.index: d.user_initiated for d in s.downloads}
            for at, target, extra in download_jumps(s):
                tap = last_tap_before(s, at.t, window)
                if tap is None:
                    if user_initiated.get(at.index) is True:
                        continue
                    why = "no_tap"
                    evs = [trace_evidence(s, at, **extra)]
                elif has_word(f"{tap.text} {tap.id}", DOWNLOAD_WORDS):
                    continue
                else:
                    why = "tap_outside"
                    tap_ev = Evidence(
                        "trace",
                        s.evidence(tap.index, tap.t, kind="tap", text=tap.text, id=tap.id, x=tap.x, y=tap.y),
                    )
                    evs = [tap_ev, trace_evidence(s, at, **extra)]
                if target not in found:
                    found[target] = (why, evs)
        for target, (why, evs) in found.items():
            tap_text = evs[0].data.get("text", "") if why == "tap_outside" else ""
            yield self.finding(
                facts,
                key=f"download:{target}",
                confidence=Confidence.OBSERVED_IN_VIOLATION,
                evidence=evs,
                detail_zh=(
                    f"点击“{tap_text}”（非下载按钮）后开始下载或跳转：{target}"
                    if why == "tap_outside"
                    else f"未经用户点击即开始下载或跳转应用商店：{target}"
                ),
                detail_en=(
                    f"Tapping “{tap_text}” (not a download button) started a download or jump to {target}"
                    if why == "tap_outside"
                    else f"A download or app-store jump to {target} started without a user tap"
                ),
            )
