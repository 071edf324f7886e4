import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_sarif_output_for_ci() -> None:
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "apprights.cli.main",
            "scan",
            str(REPO / "samples/demo/news-5.2.0.apk"),
            "--format",
            "sarif",
            "--fail-on",
            "high",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode in (0, 1), r.stderr
    doc = json.loads(r.stdout)
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    rule_ids = {x["id"] for x in run["tool"]["driver"]["rules"]}
    assert run["results"], "the demo app has findings"
    for res in run["results"]:
        assert res["ruleId"] in rule_ids
        assert res["level"] in ("error", "warning", "note")
        assert res["message"]["text"] and res["locations"]
        assert len(res["partialFingerprints"]["apprights/v1"]) == 32
    # a dex call site becomes a logical location naming the calling method
    names = [
        loc["logicalLocations"][0]["fullyQualifiedName"]
        for res in run["results"]
        for loc in res["locations"]
        if "logicalLocations" in loc
    ]
    assert any(n.startswith("com.umeng.") for n in names)
