"""Identifiers in data an SDK encrypts before sending (``crypto`` events from the agent's Cipher hook): found in
the plaintext as in traffic, attributed to the SDK on the stack, and tied to a host only when a later request
carries the ciphertext."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from apprights.model.finding import Confidence, SubjectKind
from apprights.rules.t1_collect.rt_collect_before_consent import CollectBeforeConsent
from apprights.rules.t3_misuse.rt_pi_plaintext import PiPlaintext
from apprights.rules.t3_misuse.rt_pi_to_third_party import PiToThirdParty
from tests.extractors.trace.support import load, run, small_knowledge

PKG = "com.example.news"
IMEI = "861234567890123"
UMENG_STACK = [
    "javax.crypto.Cipher.doFinal",
    "com.umeng.commonsdk.statistics.a.a",
    "com.umeng.commonsdk.UMConfigure.init",
    "com.example.news.App.onCreate",
]
APP_STACK = [
    "javax.crypto.Cipher.doFinal",
    "com.example.news.store.Prefs.save",
    "com.example.news.App.onCreate",
]


def _aes(plain: bytes) -> bytes:
    """Real AES-CBC output, as Cipher.doFinal returns it."""
    key, iv = hashlib.sha256(b"k").digest()[:16], b"\x01" * 16
    padder = padding.PKCS7(128).padder()
    data = padder.update(plain) + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return enc.update(data) + enc.finalize()


PLAIN = json.dumps({"imei": IMEI, "os": "android", "ts": 1764300000}).encode()
CIPHERTEXT = _aes(PLAIN)


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode()


def _crypto(t: float, plain: bytes, out: bytes, stack: list[str], mode: str = "encrypt") -> dict[str, Any]:
    # the shape MessageConverter writes from the agent's "plaintext" message with source "cipher"
    return {
        "type": "crypto",
        "t": t,
        "op": "cipher",
        "method": "doFinal",
        "algorithm": "AES/CBC/PKCS5Padding",
        "mode": mode,
        "data_b64": _b64(plain),
        "out_b64": _b64(out[:96]),
        "out_size": len(out),
        "stack": stack,
    }


def _trace(tmp: Path, *events: dict[str, Any], agreed_at: float = 10.0) -> Path:
    lines: list[dict[str, Any]] = [
        {"type": "session", "t": 0, "format": "apprights-trace/1", "package": PKG},
        {"type": "consent", "t": 0.5, "action": "shown"},
        {
            "type": "api_call",
            "t": 1.0,
            "api": "android.telephony.TelephonyManager.getImei",
            "ret": IMEI,
            "stack": ["android.telephony.TelephonyManager.getImei", "com.umeng.commonsdk.a.b"],
        },
    ]
    lines.extend(events)
    lines.append({"type": "consent", "t": agreed_at, "action": "agreed"})
    lines.sort(key=lambda e: e["t"])
    p = tmp / f"trace-{len(list(tmp.iterdir()))}.jsonl"
    p.write_text("".join(json.dumps(e) + "\n" for e in lines), encoding="utf-8")
    return p


def _net(t: float, host: str, body: bytes, url: str = "", **extra: Any) -> dict[str, Any]:
    return {
        "type": "network",
        "t": t,
        "host": host,
        "method": "POST",
        "url": url or f"https://{host}/upload",
        "request_body_b64": _b64(body),
        **extra,
    }


def test_encrypted_then_sent_is_a_transfer_to_the_host(tmp_path: Path) -> None:
    # the SDK sends base64(ciphertext) inside JSON: the request itself shows no identifier
    body = json.dumps({"v": 2, "payload": _b64(CIPHERTEXT)}).encode()
    k = small_knowledge()
    facts = load(
        _trace(tmp_path, _crypto(2.0, PLAIN, CIPHERTEXT, UMENG_STACK), _net(2.5, "ulogs.umeng.com", body)),
        knowledge=k,
    )
    (session,) = facts.runtime.sessions  # type: ignore[union-attr]
    (enc,) = session.pi_encrypted
    assert (enc.pi_type, enc.packer.id, enc.hosts) == ("device_id", "umeng-analytics", ["ulogs.umeng.com"])
    (x,) = session.pi_transfers
    assert x.encrypted_by is not None and x.encrypted_by.id == "umeng-analytics"
    assert x.where == "body (ciphertext, base64)" and x.crypto_index == 3 and not x.plaintext
    (f,) = run(PiToThirdParty, facts, k)
    assert f.subject.id == "umeng-analytics" and f.confidence == Confidence.OBSERVED_IN_VIOLATION
    ev = f.evidence[0].data
    assert (
        ev["host"] == "ulogs.umeng.com" and ev["encrypted_by"] == "umeng-analytics" and ev["crypto_t"] == 2.0
    )
    assert ev["algorithm"] == "AES/CBC/PKCS5Padding"
    assert "PI found in data encrypted by 友盟统计 before sending" in f.detail_en
    assert "发送前加密的数据中发现" in f.detail_zh
    # before consent: collected (packaged) and sent
    (c,) = run(CollectBeforeConsent, facts, k)
    assert c.subject.id == "umeng-analytics"
    kinds = [e.data["kind"] for e in c.evidence]
    assert "crypto" in kinds and "network" in kinds
    crypto_ev = next(e.data for e in c.evidence if e.data["kind"] == "crypto")
    assert crypto_ev["hosts"] == ["ulogs.umeng.com"] and crypto_ev["note"].startswith(
        "PI found in data encrypted by 友盟统计 before sending"
    )
    assert "ulogs.umeng.com" in c.detail_en and "encrypted by 友盟统计" in c.detail_en
    # encrypted: not "PI sent in plaintext" even over http
    http = _net(2.5, "ulogs.umeng.com", body, url="http://ulogs.umeng.com/upload", tls=False)
    facts_http = load(_trace(tmp_path, _crypto(2.0, PLAIN, CIPHERTEXT, UMENG_STACK), http), knowledge=k)
    assert run(PiPlaintext, facts_http, k) == []
    assert len(run(PiToThirdParty, facts_http, k)) == 1


def test_ciphertext_behind_an_iv_in_hex_or_gzip_is_still_linked(tmp_path: Path) -> None:
    k = small_knowledge()
    iv = bytes(range(16))  # 16 bytes before the ciphertext: base64 alignment shifts by one byte
    for body, extra in (
        (_b64(iv + CIPHERTEXT).encode(), {}),
        (("data=" + (iv + CIPHERTEXT).hex().upper()).encode(), {}),
        (gzip.compress(iv + CIPHERTEXT), {"request_headers": {"Content-Encoding": "gzip"}}),
    ):
        facts = load(
            _trace(
                tmp_path,
                _crypto(2.0, PLAIN, CIPHERTEXT, UMENG_STACK),
                _net(3.0, "t.example-ads.net", body, **extra),
            ),
            knowledge=k,
        )
        (session,) = facts.runtime.sessions  # type: ignore[union-attr]
        assert [x.host for x in session.pi_transfers] == ["t.example-ads.net"], body[:40]
        (f,) = run(PiToThirdParty, facts, k)
        assert f.subject.id == "umeng-analytics"  # the encrypting SDK sent it to an unknown host


def test_encrypted_but_never_seen_sent_is_packaging_not_transfer(tmp_path: Path) -> None:
    k = small_knowledge()
    other = _aes(b"unrelated payload of the app, no identifiers at all")
    facts = load(
        _trace(
            tmp_path,
            _crypto(2.0, PLAIN, CIPHERTEXT, UMENG_STACK),
            _net(3.0, "ulogs.umeng.com", _b64(other).encode()),  # another ciphertext: not a link
        ),
        knowledge=k,
    )
    (session,) = facts.runtime.sessions  # type: ignore[union-attr]
    assert session.pi_transfers == [] and session.pi_encrypted[0].hosts == []
    (f,) = run(PiToThirdParty, facts, k)
    assert f.subject.kind == SubjectKind.SDK and f.subject.id == "umeng-analytics"
    assert f.confidence == Confidence.OBSERVED  # collection and packaging, not proven transfer
    assert f.evidence[0].data["kind"] == "crypto" and "not seen in traffic" in f.detail_en
    assert "尚未证明已发送" in f.detail_zh
    (c,) = run(CollectBeforeConsent, facts, k)
    assert [e.data["kind"] for e in c.evidence] == ["api_call", "crypto"]
    # after consent: T1 has nothing to say about the packaging
    late = load(_trace(tmp_path, _crypto(12.0, PLAIN, CIPHERTEXT, UMENG_STACK), agreed_at=0.8), knowledge=k)
    assert run(CollectBeforeConsent, late, k) == []


def test_clean_decrypt_mode_app_own_encryption_and_pi_free_data(tmp_path: Path) -> None:
    k = small_knowledge()
    # decrypt: the input is ciphertext from a server; an app encrypting its own storage (not a third party);
    # an SDK encrypting data without identifiers, then sending it
    clean = _aes(b'{"event":"launch","n":3}')
    facts = load(
        _trace(
            tmp_path,
            _crypto(2.0, PLAIN, CIPHERTEXT, UMENG_STACK, mode="decrypt"),
            _crypto(2.1, PLAIN, CIPHERTEXT, APP_STACK),
            _crypto(2.2, b'{"event":"launch","n":3}', clean, UMENG_STACK),
            _net(3.0, "ulogs.umeng.com", _b64(clean).encode()),
        ),
        knowledge=k,
    )
    (session,) = facts.runtime.sessions  # type: ignore[union-attr]
    assert [e.packer.kind for e in session.pi_encrypted] == ["app"]
    assert session.pi_transfers == []
    assert run(PiToThirdParty, facts, k) == []


def test_plaintext_encodings_are_searched_as_in_traffic(tmp_path: Path) -> None:
    """Before encrypting, SDKs hash, encode, compress or form-encode: the plaintext is decoded as a request
    body is (gzip, URL-encoding, a base64 body) and the identifier found hashed or encoded."""
    import urllib.parse

    md5 = hashlib.md5(IMEI.encode()).hexdigest()
    cases = {
        "md5": gzip.compress(json.dumps({"did": md5}).encode()),
        "raw": urllib.parse.urlencode({"imei": IMEI, "ch": "中文"}).encode(),
        "base64": json.dumps({"d": base64.b64encode(IMEI.encode()).decode()}).encode(),
        "hex": f"id={IMEI.encode().hex()}".encode(),
    }
    k = small_knowledge()
    for encoding, plain in cases.items():
        facts = load(_trace(tmp_path, _crypto(2.0, plain, _aes(plain), UMENG_STACK)), knowledge=k)
        (session,) = facts.runtime.sessions  # type: ignore[union-attr]
        assert [(e.pi_type, e.encoding) for e in session.pi_encrypted] == [("device_id", encoding)], encoding
