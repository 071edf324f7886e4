"""CLI details from issue 12: unknown list formats, a policy directory, a campaign where every app fails."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from apprights.cli import campaign_cmd, policy_cmd
from apprights.cli.main import app


@pytest.mark.parametrize("cmd", [["sdk", "list"], ["rules", "list"]])
def test_list_commands_reject_unknown_formats(cmd: list[str]) -> None:
    r = CliRunner().invoke(app, [*cmd, "--format", "xml"])
    assert r.exit_code == 2
    assert r.stderr.strip() == "apprights: error: --format must be text or json, not 'xml'"
    assert r.stdout == ""
    ok = CliRunner().invoke(app, [*cmd, "--format", "json"])
    assert ok.exit_code == 0 and json.loads(ok.stdout)


def test_policy_analyze_directory_says_so(tmp_path: Path) -> None:
    r = CliRunner().invoke(policy_cmd.app, ["analyze", str(tmp_path)])
    assert r.exit_code == 2
    assert r.stderr.strip() == f"apprights: error: {tmp_path}: is a directory, not a policy file"


def test_campaign_where_every_app_fails_exits_non_zero(tmp_path: Path) -> None:
    src = tmp_path / "apks"
    src.mkdir()
    for name in ("a", "b"):
        (src / f"{name}.apk").write_bytes(b"PK\x03\x04garbage")
    out = tmp_path / "out"
    r = CliRunner().invoke(campaign_cmd.app, [str(src), "--out", str(out), "--backend", "local"])
    assert r.exit_code == 2, r.output
    assert json.loads(r.stdout)["failed"] == 2  # the summary is still printed and written
    assert "every app failed (2 of 2)" in r.stderr and "Traceback" not in r.stderr
    assert (out / "summary.json").is_file()


def test_campaign_summary_does_not_count_the_no_policy_note(tmp_path: Path) -> None:
    from apprights.batch.campaign import CampaignSummary

    note = {"rule": "T1.pol_no_policy", "problem_type": 1, "severity": "low",
            "evidence": [{"source": "policy", "supplied": False, "needs_review": True}]}  # fmt: skip
    real = {"rule": "T5.x", "problem_type": 5, "severity": "high", "evidence": [{"source": "manifest"}]}
    s = CampaignSummary()
    s.add({"app": {"package": "p"}, "findings": [note, real]})  # a line written before notes left findings
    d = s.to_dict()
    assert d["findings"] == 1 and d["by_problem_type"] == {"5": 1}
