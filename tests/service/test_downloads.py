"""Downloads under Chinese names: ``Content-Disposition`` carries an ASCII ``filename`` and the real name as
RFC 5987 ``filename*`` (a raw UTF-8 header used to crash the response). SQLite and PostgreSQL."""

from __future__ import annotations

from urllib.parse import unquote

import pytest

from apprights.service.files import content_disposition
from tests.service.conftest import World


def _real_name(header: str) -> str:
    star = [p.strip() for p in header.split(";") if p.strip().startswith("filename*=")]
    assert star, header
    charset, _, encoded = star[0][len("filename*=") :].partition("''")
    assert charset == "UTF-8"
    return unquote(encoded)


@pytest.mark.parametrize(
    ("name", "ascii_part", "real"),
    [
        ("截图.png", 'filename="file.png"', "截图.png"),
        ("report.json", 'filename="report.json"', None),
        ('a"b;c\r\n.txt', 'filename="a_b_c.txt"', 'a"b;c.txt'),
        ("../../etc/截图.png", 'filename="file.png"', "截图.png"),
    ],
)
def test_content_disposition(name: str, ascii_part: str, real: str | None) -> None:
    value = content_disposition(name)
    assert value.startswith("attachment; ") and ascii_part in value
    value.encode("latin-1")  # a header value: never anything but ASCII
    if real is None:
        assert "filename*" not in value
    else:
        assert _real_name(value) == real


def test_a_lead_screenshot_downloads_under_its_chinese_name(world: World) -> None:
    w = world
    lead = w.ok(
        "province",
        "POST",
        "/api/v1/leads",
        json={"app_name": "示例商城", "package": "com.example.shop", "problem_type": 1, "description": "x"},
    )
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 500
    meta = w.ok(
        "province",
        "POST",
        f"/api/v1/leads/{lead['id']}/files",
        files={"file": ("截图.png", png, "image/png")},
    )
    r = w.call("province", "GET", f"/api/v1/leads/{lead['id']}/files/{meta['id']}")
    assert r.status_code == 200 and r.content == png
    assert r.headers["content-type"] == "application/octet-stream"
    assert _real_name(r.headers["content-disposition"]) == "截图.png"
    assert w.call("ministry", "GET", f"/api/v1/leads/{lead['id']}/files/{meta['id']}").status_code == 200
    assert (
        w.call("province_other", "GET", f"/api/v1/leads/{lead['id']}/files/{meta['id']}").status_code == 404
    )
    assert w.call("province", "GET", f"/api/v1/leads/{lead['id']}/files/999").status_code == 404
    # the raw submission of the same upload: same name, no 500 on the non-ASCII header
    subs = w.ok("ministry", "GET", "/api/v1/submissions", params={"kind": "lead_file"})["items"]
    raw = w.call("ministry", "GET", f"/api/v1/submissions/{subs[0]['id']}/raw")
    assert raw.status_code == 200, raw.text
    assert _real_name(raw.headers["content-disposition"]).endswith("截图.png")
