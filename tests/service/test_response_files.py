"""Evidence files of an enterprise's response (``apprights.service.cases.attachments``), through the API, on
SQLite and PostgreSQL: the rebuilt version named, 截图.png kept under its name and downloaded byte for byte by
whoever may see the case, refused to everyone else, the per-response limit and the body limit."""

from __future__ import annotations

from urllib.parse import quote

from tests.service.conftest import World
from tests.web.conftest import seed_findings

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def _case_with_notice(w: World) -> int:
    fid = seed_findings(w, 1)[0]
    case_id: int = w.ok("ministry", "POST", f"/api/v1/findings/{fid}/review", json={"decision": "confirm"})[
        "case_id"
    ]
    w.ok("ministry", "POST", f"/api/v1/cases/{case_id}/notice", json={"issued_on": "2026-09-18"})
    return case_id


def test_response_names_the_rebuilt_version_and_keeps_its_files(world: World) -> None:
    w = world
    case_id = _case_with_notice(w)
    detail = w.ok(
        "enterprise",
        "POST",
        f"/api/v1/cases/{case_id}/response",
        json={"text": "已整改", "version_name": "1.0.1", "version_code": 101},
    )
    resp = detail["responses"][0]
    assert (resp["version_name"], resp["version_code"], resp["files"]) == ("1.0.1", 101, [])
    url = f"/api/v1/cases/{case_id}/responses/{resp['id']}/files"
    meta = w.ok("enterprise", "POST", url, files={"file": ("../截图.png", PNG, "image/png")})
    assert meta["filename"] == "截图.png" and meta["size"] == len(PNG)

    got = w.ok("ministry", "GET", f"/api/v1/cases/{case_id}")["responses"][0]["files"]
    assert [f["filename"] for f in got] == ["截图.png"]
    for role in ("ministry", "province", "enterprise"):
        r = w.call(role, "GET", f"{url}/{meta['id']}")
        assert r.status_code == 200 and r.content == PNG
        assert f"filename*=UTF-8''{quote('截图.png')}" in r.headers["content-disposition"]
        assert r.headers["content-type"] == "application/octet-stream"
    for role in ("province_other", "enterprise_other", "store", "agency", "public"):
        assert w.call(role, "GET", f"{url}/{meta['id']}").status_code in (401, 403, 404), role
    # another enterprise may not attach to it; the ministry may not either (only the answering enterprise)
    assert w.call("enterprise_other", "POST", url, files={"file": ("a.txt", b"x")}).status_code == 404
    assert w.call("ministry", "POST", url, files={"file": ("a.txt", b"x")}).status_code == 403
    # the file id must belong to that response of that case
    assert (
        w.call(
            "ministry", "GET", f"/api/v1/cases/{case_id}/responses/{resp['id'] + 1}/files/{meta['id']}"
        ).status_code
        == 404
    )
    trail = w.ok("ministry", "GET", f"/api/v1/cases/{case_id}")["audit"]
    assert any(a["action"] == "response_file" and a["reason"] == "截图.png" for a in trail)
    subs = w.ok("enterprise", "GET", "/api/v1/submissions?kind=response_file")["items"]
    assert [(s["filename"], s["outcome"]) for s in subs] == [("截图.png", "accepted")]


def test_response_file_limits(world: World) -> None:
    w = world
    case_id = _case_with_notice(w)
    rid = w.ok("enterprise", "POST", f"/api/v1/cases/{case_id}/response", json={"text": "已整改"})[
        "responses"
    ][0]["id"]
    url = f"/api/v1/cases/{case_id}/responses/{rid}/files"
    for i in range(10):
        w.ok("enterprise", "POST", url, files={"file": (f"{i}.txt", b"x")})
    r = w.call("enterprise", "POST", url, files={"file": ("11.txt", b"x")})
    assert r.status_code == 409 and "at most 10 files" in r.json()["detail"]
    big = b"0" * (w.settings.max_upload_bytes + 1)
    r = w.call("enterprise", "POST", url, files={"file": ("big.bin", big)})
    assert r.status_code == 413 and r.headers["content-type"] == "application/json"
    assert len(w.ok("ministry", "GET", f"/api/v1/cases/{case_id}")["responses"][0]["files"]) == 10
