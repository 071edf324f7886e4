from __future__ import annotations

from apprights.rules.t1_collect.rt_consent_dialog_no_refuse import ConsentDialogNoRefuse
from tests.extractors.trace.support import run_file


def test_triggers_dialog_with_only_ok_buttons() -> None:
    (f,) = run_file(ConsentDialogNoRefuse, "t1_dialog_violate.jsonl")
    assert f.evidence[0].data["buttons"] == ["我知道了", "好的"]
    assert f.evidence[0].data["screen"] == "com.example.app/.PrivacyDialog"
    assert "好的" in f.detail_zh


def test_clean_dialog_with_agree_and_refuse() -> None:
    assert run_file(ConsentDialogNoRefuse, "spec_example.jsonl") == []
    assert run_file(ConsentDialogNoRefuse, "t1_clean.jsonl") == []
