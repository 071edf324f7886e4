"""Hostile and bulk report input."""

from __future__ import annotations

import json

import pytest

from apprights.errors import InputError
from apprights.service.scans.factory import make_report
from apprights.service.scans.ingest import parse_payload, parse_report
from tests.service.conftest import World


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda r: r.update(format="other/1"), "format"),
        (lambda r: r["app"].update(package="../../etc"), "package"),
        (lambda r: r["app"].update(version_code=-1), "version_code"),
        (lambda r: r["findings"][0].update(problem_type=11), "problem_type"),
        (lambda r: r["findings"][0].update(problem_type=True), "problem_type"),
        (lambda r: r["findings"][0].update(severity="urgent"), "severity"),
        (lambda r: r["findings"][0]["subject"].update(kind="person"), "subject.kind"),
        (lambda r: r["findings"][0].update(fingerprint="x" * 200), "fingerprint"),
        (lambda r: r.update(findings="nope"), "findings"),
        (lambda r: r.pop("app"), "app"),
    ],
)
def test_bad_reports_name_the_problem(mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    r = make_report("com.example.a", n_findings=2)
    mutate(r)
    with pytest.raises(InputError) as e:
        parse_report(r, "r.json")
    assert e.value.path.startswith("r.json") and message in e.value.problem


def test_jsonl_bad_lines_do_not_stop_the_batch() -> None:
    good = json.dumps(make_report("com.example.a", n_findings=1))
    data = "\n".join([good, "{not json", "[1,2]", "", json.dumps(make_report("com.example.b"))]).encode()
    items = list(parse_payload(data, "batch.jsonl"))
    errors = [i for i in items if isinstance(i, InputError)]
    assert [e.path for e in errors] == ["batch.jsonl:2", "batch.jsonl:3"]
    assert len(items) - len(errors) == 2


def test_same_report_reformatted_is_the_same_report() -> None:
    r = make_report("com.example.a", n_findings=3)
    a = parse_report(json.loads(json.dumps(r)), "a")
    b = parse_report(json.loads(json.dumps(r, indent=2, sort_keys=True)), "b")
    assert a.sha256 == b.sha256


def test_bulk_jsonl_via_api(world: World) -> None:
    w = world
    lines = [
        json.dumps(make_report(f"com.bulk.app{i}", n_findings=20, seed=i), ensure_ascii=False)
        for i in range(60)
    ]
    lines.insert(10, "garbage")
    body = "\n".join(lines).encode()
    r = w.ok(
        "agency",
        "POST",
        "/api/v1/scans?store=huawei",
        content=body,
        headers={"Content-Type": "application/x-ndjson"},
    )
    assert r["stored"] == 60 and r["findings"] == 1200 and len(r["errors"]) == 1
    assert r["errors"][0]["where"] == "request:11"
    r2 = w.ok("agency", "POST", "/api/v1/scans", content=body)
    assert r2["stored"] == 0 and r2["duplicates"] == 60
    scans = w.ok("agency", "GET", "/api/v1/scans?limit=1000")
    assert scans["total"] == 60 and scans["limit"] == 200 and len(scans["items"]) == 60
    assert w.ok("ministry", "GET", "/api/v1/findings?limit=5&offset=1195")["items"][-1]["id"] == 1200
    bad = w.call("agency", "POST", "/api/v1/scans", content=b'{"format": 1}')
    assert bad.status_code == 422
    assert w.call("agency", "POST", "/api/v1/scans?store=nope", content=body).status_code == 422
