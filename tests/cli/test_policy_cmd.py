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


def test_text_shows_address_contact_and_the_way_to_each_right(tmp_path):
    p = tmp_path / "policy.md"
    p.write_text(
        "# 隐私政策\n更新日期：2023年2月16日 生效日期：2023年2月23日\n公司名称：上海如书文化传播有限公司\n"
        "注册地址：上海市嘉定区众仁路399号1幢B区5462室\n联系方式：021-54011831\n"
        "您可以在【我的】-【设置】-【账号与安全】-【注销账号】中提交账号注销申请。\n",
        encoding="utf-8",
    )
    out = runner.invoke(app, ["analyze", str(p)])
    assert out.exit_code == 0, out.output
    assert "effective: 2023-02-23  updated: 2023-02-16" in out.output
    assert "address: 上海市嘉定区众仁路399号1幢B区5462室  contact: 021-54011831" in out.output
    assert "cancellation#5 (我的 > 设置 > 账号与安全 > 注销账号)" in out.output
