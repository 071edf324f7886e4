"""Hostile strings reach the database layer without 500s on either database."""

from __future__ import annotations

import json

from apprights.service.scans.factory import make_finding, make_report
from tests.service.conftest import World


def test_nul_and_odd_characters(world: World) -> None:
    w = world
    r = w.call(
        "public",
        "POST",
        "/api/v1/complaints",
        json={
            "contact": {"name": "a\x00b", "phone": "1\x002"},
            "app_name": "x\x00y",
            "problem_type": 1,
            "description": "desc\x00ription \ud7ff 🙂",
        },
    )
    assert r.status_code in (201, 422), r.text
    r = w.call(
        "ministry",
        "POST",
        "/api/v1/enterprises",
        json={"name": "bad\x00name", "uscc": "91440300708461136T", "province_code": "44"},
    )
    assert r.status_code in (201, 422), r.text
    f = make_finding("t1.x\x00y", 1, ("app", "com.example.shop", "n\x00ame"), key="k")
    f["title"] = {"zh": "标题\x00", "en": "title\x00"}
    f["evidence"] = [{"source": "trace", "text": "with \x00 nul"}]
    report = make_report("com.example.shop", findings=[f])
    r = w.call("agency", "POST", "/api/v1/scans", content=json.dumps(report).encode())
    assert r.status_code in (200, 422), r.text
    if r.status_code == 200:
        got = w.ok("ministry", "GET", "/api/v1/findings")["items"][0]
        assert "\x00" not in got["rule"] + got["title_zh"] + got["subject_name"]
