"""The enterprise's response form on the case page: text, the rebuilt version, evidence files with Chinese names;
the regulator's case page lists them for download; a body over the limit is a 413 page in the user's language
(the API keeps JSON); and in chromium: the enterprise uploads 截图.png, the ministry downloads the same bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.service.conftest import World
from tests.web.browser import browser_for, login, make_login
from tests.web.conftest import seed_findings

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


def _as(w: World, role: str) -> None:
    w.client.cookies.clear()
    w.client.cookies.set("apprights_session", w.tokens[role])


def _case_with_notice(w: World) -> int:
    fid = seed_findings(w, 1)[0]
    case_id: int = w.ok("ministry", "POST", f"/api/v1/findings/{fid}/review", json={"decision": "confirm"})[
        "case_id"
    ]
    w.ok("ministry", "POST", f"/api/v1/cases/{case_id}/notice", json={"issued_on": "2026-09-18"})
    return case_id


def test_response_form_keeps_version_and_files(web_world: World) -> None:
    w = web_world
    case_id = _case_with_notice(w)
    _as(w, "enterprise")
    page = w.client.get(f"/cases/{case_id}").text
    assert 'enctype="multipart/form-data"' in page and 'id="response-files"' in page
    r = w.client.post(
        f"/cases/{case_id}/response",
        data={"text": "已整改", "version_name": "1.0.1", "version_code": "101"},
        files=[
            ("files", ("截图.png", PNG, "image/png")),
            ("files", ("整改说明.pdf", b"%PDF-1.4 x", "application/pdf")),
            ("files", ("", b"", "application/octet-stream")),  # an empty file input
        ],
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    resp = w.ok("ministry", "GET", f"/api/v1/cases/{case_id}")["responses"][0]
    assert (resp["version_name"], resp["version_code"]) == ("1.0.1", 101)
    assert [f["filename"] for f in resp["files"]] == ["截图.png", "整改说明.pdf"]
    _as(w, "ministry")
    page = w.client.get(f"/cases/{case_id}").text
    assert "1.0.1 (101)" in page and ">截图.png</a>" in page and ">整改说明.pdf</a>" in page
    link = f"/api/v1/cases/{case_id}/responses/{resp['id']}/files/{resp['files'][0]['id']}"
    assert f'href="{link}"' in page
    got = w.client.get(link)  # the session cookie opens the download like the page
    assert got.status_code == 200 and got.content == PNG
    assert "filename*=UTF-8''%E6%88%AA%E5%9B%BE.png" in got.headers["content-disposition"]
    subs = w.ok("enterprise", "GET", "/api/v1/submissions?kind=response_file")["items"]
    assert sorted(s["outcome"] for s in subs) == ["accepted", "accepted"]
    w.client.cookies.clear()


def test_refused_response_records_its_files_and_shows_the_form_again(web_world: World) -> None:
    w = web_world
    case_id = _case_with_notice(w)
    _as(w, "enterprise")
    bad = w.client.post(
        f"/cases/{case_id}/response",
        data={"text": "已整改", "scan_run_id": "999999"},
        files=[("files", ("截图.png", PNG, "image/png"))],
    )
    assert bad.status_code == 409 and "不属于该应用" in bad.text and 'id="response-form"' in bad.text
    assert w.ok("ministry", "GET", f"/api/v1/cases/{case_id}")["responses"] == []
    subs = w.ok("enterprise", "GET", "/api/v1/submissions?kind=response_file")["items"]
    assert [(s["filename"], s["outcome"]) for s in subs] == [("截图.png", "rejected")]
    many = [("files", (f"{i}.png", PNG, "image/png")) for i in range(11)]
    r = w.client.post(f"/cases/{case_id}/response", data={"text": "已整改"}, files=many)
    assert r.status_code == 413 and "at most 10 files" in r.text and "<html" in r.text
    w.client.cookies.clear()


def test_body_over_the_limit_is_a_page_in_the_users_language(web_world: World) -> None:
    w = web_world
    case_id = _case_with_notice(w)
    _as(w, "enterprise")
    big = b"0" * (w.settings.max_upload_bytes + 70 * 1024)
    r = w.client.post(f"/cases/{case_id}/response", data={"text": "x"}, files=[("files", ("big.bin", big))])
    assert r.status_code == 413 and r.headers["content-type"].startswith("text/html")
    assert "上传内容过大" in r.text and 'id="back"' in r.text
    w.client.cookies.set("apprights_lang", "en")
    r = w.client.post(f"/cases/{case_id}/response", data={"text": "x"}, files=[("files", ("big.bin", big))])
    assert r.status_code == 413 and "Upload too large" in r.text and "上传内容过大" not in r.text
    api = w.call("enterprise", "POST", "/api/v1/leads", content=b"0" * (w.settings.max_json_bytes + 1))
    assert api.status_code == 413 and api.headers["content-type"] == "application/json"
    assert w.ok("ministry", "GET", f"/api/v1/cases/{case_id}")["responses"] == []
    w.client.cookies.clear()


@pytest.mark.browser
def test_enterprise_uploads_a_screenshot_and_the_ministry_downloads_it(
    web_world: World, tmp_path: Path
) -> None:
    w = web_world
    case_id = _case_with_notice(w)
    shot = tmp_path / "截图.png"
    shot.write_bytes(PNG)
    names = {r: make_login(w, r) for r in ("ministry", "enterprise")}
    with browser_for(w) as (browser, url):
        enterprise = login(browser, url, names["enterprise"])
        enterprise.goto(f"{url}/cases/{case_id}")
        enterprise.fill("#response-text", "已移除同意前的设备号读取")
        enterprise.fill("#response-version-name", "1.0.1")
        enterprise.fill("#response-version-code", "101")
        enterprise.set_input_files("#response-files", str(shot))
        enterprise.click("#submit-response")
        enterprise.wait_for_load_state()
        assert "企业已反馈" in enterprise.inner_text("#state")
        assert "截图.png" in enterprise.inner_text("#responses")

        ministry = login(browser, url, names["ministry"])
        ministry.goto(f"{url}/cases/{case_id}")
        row = ministry.inner_text("#responses")
        assert "已移除同意前的设备号读取" in row and "1.0.1 (101)" in row
        with ministry.expect_download() as info:
            ministry.click("#responses a.response-file")
        download = info.value
        assert download.suggested_filename == "截图.png"
        assert Path(download.path()).read_bytes() == PNG
