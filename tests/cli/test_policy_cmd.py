import json

from typer.testing import CliRunner

from apprights.cli.policy_cmd import app

runner = CliRunner()
TEXT = "# 隐私政策\n一、收集\n为了导航，我们会收集您的位置信息和IMEI。\n投诉邮箱：kf@example.cn\n"


def test_analyze_text_and_json(tmp_path):
    p = tmp_path / "policy.md"
    p.write_text(TEXT, encoding="utf-8")
    out = runner.invoke(app, ["analyze", str(p)])
    assert out.exit_code == 0, out.output
    assert "location" in out.output and "device_id" in out.output
    out = runner.invoke(app, ["analyze", str(p), "--format", "json"])
    assert out.exit_code == 0
    data = json.loads(out.output)
    assert {d["pi_type"] for d in data["declared_pi"]} == {"location", "device_id"}
    assert data["sentences"][data["declared_pi"][0]["sentence"]]["text"].startswith("为了导航")


def test_bad_input_exit_2_one_line(tmp_path):
    bad = tmp_path / "x.bin"
    bad.write_bytes(b"\x00\x01\x02binary")
    for args in (
        ["analyze", str(bad)],
        ["analyze", str(tmp_path / "missing.md")],
        ["analyze", str(bad), "--format", "xml"],
    ):
        out = runner.invoke(app, args)
        assert out.exit_code == 2
        assert "Traceback" not in out.output
    out = runner.invoke(app, ["analyze", "http://127.0.0.1:9/p"])
    assert out.exit_code == 2 and "disabled" in out.output
