"""A demonstration service for screenshots and page benchmarks: a migrated SQLite database, a fixed clock, and
data entered through the service's own API (one account with a password per role).

Used by ``tools/screenshots.py`` and ``bench/bench_pages.py``; not part of the package.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from apprights.service.scans.factory import make_finding, make_report

PASSWORD = "demo-password-2026"
ADMIN_PASSWORD = "Demo-Regulator-2026!"
ENTERPRISES = (
    ("福州示例科技有限公司", "91350100M000100Y43", "35"),
    ("北京另一家科技有限公司", "91110000802100433B", "11"),
)
APPS = (
    ("com.example.shop", "示例商城", 0),
    ("com.example.news", "每日资讯", 0),
    ("com.example.video", "快看视频", 1),
    ("com.example.map", "随行地图", 1),
)
STORES = (("huawei", "华为应用市场"), ("xiaomi", "小米应用商店"), ("oppo", "OPPO软件商店"))


def _png(width: int, height: int) -> bytes:
    """A small real PNG (a grey gradient): the evidence screenshot of the demo's enterprise response."""
    row = b"\x00" + b"".join(bytes((x * 255 // width,) * 3) for x in range(width))
    raw = row * height

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


DEMO_PNG = _png(64, 40)


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


class Server:
    """uvicorn serving an app in a background thread on a free local port."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def make_app(workdir: Path, now: datetime | None = None, db_url: str | None = None) -> tuple[Any, Clock]:
    from apprights.service.app import create_app
    from apprights.service.db import upgrade
    from apprights.service.settings import Settings

    settings = Settings(
        db_url=db_url or f"sqlite:///{workdir / 'demo.sqlite3'}",
        data_dir=workdir / "data",
        admin_password=ADMIN_PASSWORD,
        secret_key="demo-secret-key",
        complaint_threshold=2,
    )
    upgrade(settings.db_url)
    clock = Clock(now or datetime(2026, 9, 18, 2, 0, tzinfo=UTC))
    return create_app(settings, clock=clock), clock


class Api:
    def __init__(self, client: Any, token: str) -> None:
        self.client = client
        self.token = token

    def __call__(self, method: str, url: str, **kw: Any) -> Any:
        r = self.client.request(
            method, "/api/v1" + url, headers={"Authorization": f"Bearer {self.token}"}, **kw
        )
        if r.status_code >= 300:
            raise RuntimeError(f"{method} {url}: {r.status_code} {r.text[:300]}")
        return r.json() if r.headers.get("content-type", "").startswith("application/json") else r


def seed(client: Any, clock: Clock) -> dict[str, str]:
    """Organisations, one password account per role, scans with findings, cases in several states, a published
    通报, a removal order, leads and complaints. Returns role → username (and "showcase_case": the case whose
    finding carries every kind of evidence)."""
    r = client.post("/api/v1/auth/login", json={"username": "admin", "password": ADMIN_PASSWORD})
    ministry = Api(client, r.json()["token"])
    client.cookies.clear()
    ents = [
        ministry("POST", "/enterprises", json={"name": n, "uscc": u, "province_code": p})["id"]
        for n, u, p in ENTERPRISES
    ]
    agency = ministry("POST", "/agencies", json={"code": "caict", "name": "中国信息通信研究院"})["id"]
    stores = [ministry("POST", "/stores", json={"code": c, "name": n})["id"] for c, n in STORES]
    users = {
        "ministry": {"role": "ministry"},
        "province": {"role": "province", "province_code": "35"},
        "agency": {"role": "agency", "agency_id": agency},
        "enterprise": {"role": "enterprise", "enterprise_id": ents[0]},
        "store": {"role": "store", "store_id": stores[0]},
    }
    tokens: dict[str, Api] = {}
    names: dict[str, str] = {}
    for role, body in users.items():
        name = f"demo-{role}"
        u = ministry("POST", "/users", json={"username": name, "password": PASSWORD, **body})
        tokens[role] = Api(
            client, ministry("POST", f"/users/{u['id']}/tokens", json={"name": "demo"})["token"]
        )
        names[role] = name
    ministry = tokens["ministry"]  # an API token: the login session would expire when the clock moves on
    # an account whose password the ministry resets on the users page (screenshots)
    extra = {"username": "demo-inspector", "password": PASSWORD, "role": "province", "province_code": "11"}
    names["reset_user"] = str(ministry("POST", "/users", json=extra)["id"])
    campaigns = [
        ministry("POST", "/campaigns", json=body)["id"]
        for body in (
            {"name": "2026年APP侵害用户权益专项整治（第一批）", "year": 2026, "starts_on": "2026-03-01",
             "ends_on": "2026-06-30", "description": "重点检测违规收集、超范围收集个人信息"},
            {"name": "2026年SDK专项检测", "year": 2026, "starts_on": "2026-07-01",
             "description": "第三方SDK违规收集和使用个人信息"},
        )
    ]  # fmt: skip
    for package, label, e in APPS:
        ministry("POST", "/apps", json={"package": package, "name": label, "enterprise_id": ents[e]})
    for i, (package, label, _e) in enumerate(APPS):
        report = make_report(package, label=label, n_findings=8 + 3 * i, seed=i, store=STORES[i % 3][0])
        campaign = f"?campaign_id={campaigns[i % 2]}" if i < len(APPS) - 1 else ""  # one upload in none
        tokens["agency"]("POST", f"/scans{campaign}", content=json.dumps(report, ensure_ascii=False).encode())
    pending = ministry("GET", "/findings?limit=1000&status=pending")["items"]
    cases: list[int] = []
    for f in pending[::4]:
        out = ministry("POST", f"/findings/{f['id']}/review", json={"decision": "confirm"})
        if out.get("case_id") and out["case_id"] not in cases:
            cases.append(out["case_id"])
    for f in [f for i, f in enumerate(pending) if i % 9 == 1 and i % 4]:
        ministry(
            "POST", f"/findings/{f['id']}/review", json={"decision": "dismiss", "reason": "误报：SDK未启用"}
        )
    for cid, day in zip(cases[:4], ("2026-09-04", "2026-09-11", "2026-09-14", "2026-09-18"), strict=False):
        ministry("POST", f"/cases/{cid}/notice", json={"issued_on": day})
    clock.now = datetime(2026, 9, 21, 2, 0, tzinfo=UTC)
    ministry("POST", "/cases/escalate-overdue")
    for cid, day in zip(
        cases[4:9], ("2026-09-01", "2026-09-14", "2026-09-15", "2026-09-16", "2026-09-17"), strict=False
    ):
        ministry(
            "POST", f"/cases/{cid}/notice", json={"issued_on": day}
        )  # the deadline board: overdue … this week
    waiting = [c["id"] for c in ministry("GET", "/cases?limit=100")["items"] if c["state"] == "notice_issued"]
    if waiting:
        answer = {
            "text": "已整改：同意隐私政策前不再读取设备标识，新版本已上架",
            "version_name": "2.1.0",
            "version_code": 210,
        }
        resp = tokens["enterprise"]("POST", f"/cases/{waiting[0]}/response", json=answer)["responses"][-1]
        for name, data, ctype in (
            ("整改后首次启动截图.png", DEMO_PNG, "image/png"),
            ("整改说明.pdf", b"%PDF-1.4\n% demo\n", "application/pdf"),
        ):
            tokens["enterprise"](
                "POST",
                f"/cases/{waiting[0]}/responses/{resp['id']}/files",
                files={"file": (name, data, ctype)},
            )
        names["response_case"] = str(waiting[0])  # fmt: skip
    due = [c["id"] for c in ministry("GET", "/cases?limit=100")["items"] if c["state"] == "escalated_public"]
    if due:
        batch = ministry(
            "POST",
            "/notices/public",
            json={"case_ids": due[:1], "title": "关于侵害用户权益行为的APP通报（2026年第5批）"},
        )
        ministry("POST", f"/notices/{batch['id']}/publish")
        ministry("POST", "/notices/removal", json={"case_ids": due[:1]})
    for i, (package, label, _e) in enumerate(APPS[:3]):
        tokens["province"]("POST", "/leads", json={"period": "2026-09", "app_name": label, "package": package,
                                                   "problem_type": 1 + i, "description": "群众反映开屏即索取权限"})  # fmt: skip
    public = Api(client, "")
    for i in range(3):
        public(
            "POST",
            "/complaints",
            json={"contact": {"name": "王五", "phone": "1390000000" + str(i)}, "package": APPS[0][0], "app_name": APPS[0][1],
                  "problem_type": 1, "description": f"首次打开即读取设备标识（第{i + 1}次）"},
        )  # fmt: skip
    f = make_finding("t1.collect_before_consent", 1, ("sdk", "umeng-analytics", "友盟统计"), key="imei")
    f["evidence"] = [
        {"source": "dex", "api": "android.telephony.TelephonyManager.getDeviceId", "class": "com.umeng.commonsdk.statistics.idtracking.ImeiTracker"},
        {"source": "trace", "event": 12, "t": 0.84, "api": "TelephonyManager.getDeviceId", "phase": "before_consent"},
        {"source": "trace", "event": 19, "t": 1.32, "api": "WifiInfo.getMacAddress", "phase": "before_consent"},
        {"source": "trace", "host": "alog.umeng.com", "pi_type": "imei", "t": 1.9,
         "payload": "appkey=5f1a&imei=861234567890123&mac=02:00:00:00:00:00&os=android"},
        {"source": "policy", "excerpt": "在您同意本隐私政策前，我们不会收集您的任何个人信息。", "sentence": 7},
    ]  # fmt: skip
    report = make_report(
        "com.example.shop", label="示例商城", version_name="1.1.0", version_code=2, findings=[f]
    )
    tokens["agency"]("POST", "/scans", content=json.dumps(report, ensure_ascii=False).encode())
    pending = ministry("GET", "/findings?limit=1000&status=pending")["items"]
    for f in [f for f in pending if f["rule"] == "t1.collect_before_consent"][:1]:
        out = ministry("POST", f"/findings/{f['id']}/review", json={"decision": "confirm"})
        names["showcase_case"] = str(out["case_id"])
    client.cookies.clear()
    return names
