"""Evidence rendered for people: call sites, a timeline, traffic with PI highlighted, policy quoted."""

from __future__ import annotations

import json

from apprights.service.scans.factory import make_finding, make_report
from apprights.web.evidence import highlight_pi, view
from tests.service.conftest import World
from tests.web.conftest import PKG


def test_groups_evidence_by_what_a_reader_needs() -> None:
    raw = json.dumps(
        [
            {
                "source": "dex",
                "api": "android.telephony.TelephonyManager.getDeviceId",
                "class": "com.a.B",
                "pi_type": "imei",
            },
            {"source": "trace", "event": 9, "t": 2.5, "api": "getMacAddress", "phase": "before_consent"},
            {"source": "trace", "event": 3, "t": 0.75, "api": "getDeviceId", "phase": "before_consent"},
            {
                "source": "trace",
                "host": "log.umeng.com",
                "pi_type": "imei",
                "payload": "imei=860000000000001&v=2",
            },
            {"source": "policy", "excerpt": "我们不会收集您的设备标识符", "sentence": 4},
            {"source": "manifest", "permission": "android.permission.READ_PHONE_STATE"},
        ]
    )
    v = view(raw)
    assert v.code[0]["class"] == "com.a.B" and v.code[0]["pi_type"] == "imei"
    assert [e["event"] for e in v.timeline] == ["3", "9"]  # in time order
    assert '<mark class="pi">860000000000001</mark>' in str(v.traffic[0]["payload"])
    assert v.policy[0]["excerpt"] == "我们不会收集您的设备标识符"
    assert v.other == [("manifest", '{"permission": "android.permission.READ_PHONE_STATE"}')]
    assert not view("[]") and view("not json").other


def test_highlight_escapes_markup_first() -> None:
    out = str(highlight_pi('{"android_id": "<script>x</script>", "note": "ok"}'))
    assert "<script>" not in out and '<mark class="pi">&lt;script&gt;x&lt;/script&gt;</mark>' in out
    assert '"note": "ok"' in out.replace("&#34;", '"')
    assert '<mark class="pi">abc123def</mark>' in str(highlight_pi("x=abc123def", ["abc123def"]))


def test_case_page_shows_call_sites_timeline_and_quote(web_world: World) -> None:
    w = web_world
    f = make_finding("t1.collect_before_consent", 1, ("sdk", "umeng-analytics", "友盟统计"), key="imei")
    f["evidence"] = [
        {"source": "dex", "api": "android.telephony.TelephonyManager.getDeviceId", "class": "com.umeng.X"},
        {"source": "trace", "event": 17, "t": 1.25, "api": "getDeviceId", "phase": "before_consent"},
        {"source": "trace", "host": "alog.umeng.com", "pi_type": "imei", "payload": "imei=861234567890123"},
        {"source": "policy", "excerpt": "我们不会收集您的设备标识符"},
    ]
    w.ok("agency", "POST", "/api/v1/scans", content=json.dumps(make_report(PKG, findings=[f])).encode())
    fid = w.ok("ministry", "GET", "/api/v1/findings")["items"][0]["id"]
    case_id = w.ok("ministry", "POST", f"/api/v1/findings/{fid}/review", json={"decision": "confirm"})[
        "case_id"
    ]
    w.client.cookies.set("apprights_session", w.tokens["ministry"])
    page = w.client.get(f"/cases/{case_id}").text
    assert "<code>com.umeng.X</code>" in page and 'class="timeline"' in page and "t=1.25s" in page
    assert '<mark class="pi">861234567890123</mark>' in page
    assert '<blockquote class="policy">我们不会收集您的设备标识符' in page
    assert 'id="transition-form"' in page
    w.client.cookies.set("apprights_session", w.tokens["enterprise"])
    own = w.client.get(f"/cases/{case_id}").text
    assert 'id="transition-form"' not in own and "com.umeng.X" in own
    w.client.cookies.clear()
