from __future__ import annotations

from apprights.rules.t7_download.rt_download_outside_button import DownloadOutsideButton
from tests.extractors.trace.support import run_file


def test_triggers_misleading_tap_and_silent_store_jump() -> None:
    found = {f.key: f for f in run_file(DownloadOutsideButton, "t7_violate.jsonl")}
    assert set(found) == {"download:com.game.example", "download:com.xiaomi.market"}
    tap, dl = found["download:com.game.example"].evidence
    assert tap.data["text"] == "立即开始游戏" and tap.data["x"] == 540
    assert dl.data["kind"] == "download" and dl.data["url"] == "https://dl.game.example.cn/pkg/game.apk"


def test_clean_download_after_download_button() -> None:
    assert run_file(DownloadOutsideButton, "t7_clean.jsonl") == []
