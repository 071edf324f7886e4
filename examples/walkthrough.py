"""Scripted walk-through of the management service with httpx.

    apprights serve &                       # SQLite under ./var, prints the first admin password
    APPRIGHTS_ADMIN_PASSWORD=... python examples/walkthrough.py --url http://127.0.0.1:8000 --password ...

Registers an enterprise and its app, ingests a scan report, confirms the findings, issues a rectification
notice (deadline in Chinese working days), responds as the enterprise, re-tests, escalates, and publishes a
通报 whose PDF is saved next to this script (or to --out).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import httpx

from apprights.service.scans.factory import make_finding, make_report

PKG = "cn.example.walkthrough"


def run(client: httpx.Client, password: str, out: Path, log: Any = print) -> dict[str, Any]:
    def call(method: str, url: str, token: str | None = None, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        r = client.request(method, url, headers=headers, **kw)
        if r.status_code >= 300:
            raise SystemExit(f"{method} {url}: {r.status_code} {r.text}")
        return r.json() if r.headers.get("content-type", "").startswith("application/json") else r

    admin = call("POST", "/api/v1/auth/login", json={"username": "admin", "password": password})["token"]
    me = call("GET", "/api/v1/me", admin)
    admin = call("POST", f"/api/v1/users/{me['id']}/tokens", admin, json={"name": "walkthrough"})["token"]
    log("1. register an enterprise (统一社会信用代码 checked) and its app")
    ent = call(
        "POST",
        "/api/v1/enterprises",
        admin,
        json={
            "name": "厦门示例网络科技有限公司",
            "uscc": "91350200MA2Y0000X4"[:17] + _check("91350200MA2Y0000X"),
            "province_code": "35",
            "contact_name": "王五",
            "contact_phone": "0592-0000000",
        },
    )
    app = call(
        "POST", "/api/v1/apps", admin, json={"package": PKG, "name": "示例生活", "enterprise_id": ent["id"]}
    )
    call("POST", "/api/v1/stores", admin, json={"code": "walk-store", "name": "华为应用市场"})
    agency = call("POST", "/api/v1/agencies", admin, json={"code": "walk-agency", "name": "示例检测机构"})
    agency_user = call(
        "POST",
        "/api/v1/users",
        admin,
        json={"username": "walk-agency", "role": "agency", "agency_id": agency["id"]},
    )
    agency_token = call("POST", f"/api/v1/users/{agency_user['id']}/tokens", admin, json={})["token"]
    ent_user = call(
        "POST",
        "/api/v1/users",
        admin,
        json={"username": "walk-ent", "role": "enterprise", "enterprise_id": ent["id"]},
    )
    ent_token = call("POST", f"/api/v1/users/{ent_user['id']}/tokens", admin, json={})["token"]

    log("2. the test agency ingests a scan report")
    finding = make_finding("t1.collect_before_consent", 1, ("app", PKG, "示例生活"), key="imei")
    report = make_report(PKG, version_name="3.2.0", version_code=320, label="示例生活", findings=[finding])
    run1 = call("POST", "/api/v1/scans?store=walk-store", agency_token, content=json.dumps(report).encode())
    log(f"   stored {run1['stored']} report(s), {run1['findings']} finding(s)")

    log("3. a reviewer confirms the findings → a case per (app, problem type)")
    pending = call("GET", f"/api/v1/findings?status=pending&app_id={app['id']}", admin)["items"]
    case_id = None
    for f in pending:
        case_id = call("POST", f"/api/v1/findings/{f['id']}/review", admin, json={"decision": "confirm"})[
            "case_id"
        ]
    assert case_id is not None

    log("4. issue the rectification notice: deadline = 5 working days (holidays and make-up days counted)")
    notice = call("POST", f"/api/v1/cases/{case_id}/notice", admin, json={"issued_on": "2026-09-18"})
    log(f"   notice {notice['notice_no']} issued 2026-09-18, due {notice['deadline']}")

    log(
        "5. the enterprise responds with a re-built version and its own self-check report (kept, not decisive)"
    )
    own = make_report(PKG, version_name="3.2.1", version_code=321, label="示例生活", findings=[])
    own_run = call("POST", "/api/v1/scans", ent_token, content=json.dumps(own).encode())
    call(
        "POST",
        f"/api/v1/cases/{case_id}/response",
        ent_token,
        json={"text": "已整改", "scan_run_id": own_run["scan_run_ids"][0]},
    )

    log("6. the agency re-tests the re-built version: the problem is still there → not rectified; 通报")
    report2 = make_report(PKG, version_name="3.2.1", version_code=321, label="示例生活", findings=[finding])
    run2 = call("POST", "/api/v1/scans", agency_token, content=json.dumps(report2).encode())
    case = call(
        "POST", f"/api/v1/cases/{case_id}/retest", admin, json={"scan_run_id": run2["scan_run_ids"][0]}
    )
    log(f"   re-test result: {case['state']}")
    case = call("POST", f"/api/v1/cases/{case_id}/escalate", admin, json={"reason": "复测仍存在问题"})
    log(f"   case state: {case['state']}")

    log("7. publish the 通报 batch and download its PDF")
    batch = call(
        "POST",
        "/api/v1/notices/public",
        admin,
        json={"case_ids": [case_id], "title": "关于侵害用户权益行为的APP通报（示例）"},
    )
    call("POST", f"/api/v1/notices/{batch['id']}/publish", admin)
    pdf = client.get(f"/api/v1/notices/{batch['id']}/document", params={"format": "pdf"})
    pdf.raise_for_status()
    out.write_bytes(pdf.content)
    log(f"   wrote {out} ({len(pdf.content)} bytes); public page: /public/notices")
    audit = call("GET", f"/api/v1/cases/{case_id}", admin)["audit"]
    for a in audit:
        log(
            f"   audit: {a['actor']:<22} {a['action']:<10} {a['from_state']:>18} → {a['to_state']:<18} {a['reason']}"
        )
    return {"case_id": case_id, "notice": notice, "batch": batch, "pdf": out, "state": case["state"]}


def _check(first17: str) -> str:
    from apprights.service.orgs.uscc import check_character

    return check_character(first17)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:8000")
    ap.add_argument(
        "--password", required=True, help="the admin password (APPRIGHTS_ADMIN_PASSWORD or the logged one)"
    )
    ap.add_argument("--out", type=Path, default=Path("tongbao.pdf"))
    args = ap.parse_args(argv)
    with httpx.Client(base_url=args.url, timeout=60) as client:
        run(client, args.password, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
