from __future__ import annotations

from apprights.rules.t1_collect.rt_consent_prechecked import ConsentPrechecked
from tests.extractors.trace.support import run_file


def test_triggers_prechecked_box_and_implied_login_consent() -> None:
    findings = {f.key: f for f in run_file(ConsentPrechecked, "t1_dialog_violate.jsonl")}
    assert set(findings) == {"prechecked", "implied_by_login"}
    assert findings["prechecked"].evidence[0].data["checked"] == ["我已阅读并同意《隐私政策》"]
    assert findings["implied_by_login"].evidence[0].data["screen"].endswith("LoginActivity")


def test_clean_unticked_checkbox_on_login() -> None:
    assert run_file(ConsentPrechecked, "t1_clean.jsonl") == []
