"""Runtime: an identifier the app read was sent to a third-party host (an SDK vendor or another party)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity, Subject
from apprights.model.runtime import PiEncrypted, PiTransfer, TraceSession
from apprights.rules._rt_common import (
    actor_subject,
    capped,
    labels,
    packaging_evidence,
    sessions,
    trace_evidence,
    transfer_subject,
)
from apprights.rules.base import Rule, RuleContext


def transfer_evidence(s: TraceSession, x: PiTransfer) -> Evidence:
    return trace_evidence(
        s,
        x.at,
        kind="network",
        host=x.host,
        url=x.url,
        method=x.method,
        party=x.party,
        pi_type=x.pi_type,
        value_sha256=x.value_sha256,
        encoding=x.encoding,
        where=x.where,
        read_event=x.read_index,
        read_t=round(x.read_t, 3),
        read_by=x.reader.id,
        read_frame=x.reader.frame,
        **encryption_evidence(x),
    )


def encryption_evidence(x: PiTransfer) -> dict[str, Any]:
    """Where an encrypted transfer's identifier was seen: the ``crypto`` event whose ciphertext the request
    carried (empty for an identifier seen in the request itself)."""
    if x.encrypted_by is None:
        return {}
    return {
        "encrypted_by": x.encrypted_by.id,
        "encrypted_frame": x.encrypted_by.frame,
        "crypto_event": x.crypto_index,
        "crypto_t": round(x.crypto_t, 3),
        "algorithm": x.algorithm,
        "note": f"PI found in data encrypted by {x.encrypted_by.name} before sending; this request carried "
        "the ciphertext",
    }


class PiToThirdParty(Rule):
    """Personal information the app read was found in a request to a third-party host.

    What it detects
        PI-in-traffic matches (an identifier returned by a hooked API — IMEI, IMSI, ICCID, Android ID, MAC, OAID, phone
        number, serial, installed packages, coordinates — found raw, encoded or hashed in a request's URL,
        headers or body) whose host is not first-party: a known SDK vendor's host (SDK catalogue) or any other
        third party. One finding per receiving subject (the SDK, or the sender/reader for unknown hosts).
        Identifiers an SDK encrypted before sending (``crypto`` events, ``Cipher.doFinal``/``update`` input)
        count as sent to the host of the request that later carried the ciphertext; when no request carried
        it, the SDK's encryption of the identifier is reported as packaging for sending (lower confidence).

    Legal basis
        164号文 一(3) (私自向其他应用或服务器发送、共享用户个人信息); 认定方法 五(1) (未经同意向他人提供).

    Evidence and confidence
        ``trace`` evidence per (host, PI type): request time and host, where and how the value was encoded, its
        SHA-256, and the read it came from (event, time, subject); for an encrypted transfer also the
        ``crypto`` event, the encrypting subject and the algorithm ("PI found in data encrypted by <SDK> before
        sending"). Confidence ``observed_in_violation``; lowered to ``observed`` when the supplied privacy
        policy lists the SDK, or when the only evidence is an SDK encrypting the identifier (``kind: crypto``,
        no request seen carrying the ciphertext).
        ``merge_key`` ``T3.third_party:<subject id>``.

    Known false positives
        First-party hosts on a domain that is not the reversed package name (pass them as first-party hosts);
        a CDN or proxy of the operator itself.

    Fixtures
        tests/fixtures/traces/spec_example.jsonl (IMEI to ulogs.umeng.com), t3_violate.jsonl, t3_clean.jsonl;
        tests/rules/t3_misuse/test_rt_pi_to_third_party.py; encrypted payloads:
        tests/rules/t3_misuse/test_rt_pi_encrypted.py.
    """

    id = "T3.pi_to_third_party"
    problem_type = 3
    title_zh = "向第三方发送个人信息"
    title_en = "Personal information sent to a third party"
    severity = Severity.HIGH
    legal_basis = ("164号文 一(3)", "认定方法 五(1)")
    requires = frozenset({"runtime"})

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        listed = {e.sdk_id for e in facts.policy.sdk_list if e.sdk_id} if facts.policy is not None else set()
        groups: dict[str, tuple[Subject, list[tuple[PiTransfer, Evidence]]]] = {}
        packed: dict[str, tuple[Subject, list[tuple[PiEncrypted, Evidence]]]] = {}
        for s in sessions(facts):
            seen: set[tuple[str, str]] = set()
            for x in s.pi_transfers:
                if x.party == "first" or (x.host, x.pi_type) in seen:
                    continue
                seen.add((x.host, x.pi_type))
                sub = transfer_subject(facts, x, ctx)
                groups.setdefault(sub.id, (sub, []))[1].append((x, transfer_evidence(s, x)))
            for e in s.pi_encrypted:
                if e.hosts or e.packer.kind != "sdk" or (f"crypto:{e.packer.id}", e.pi_type) in seen:
                    continue  # a linked ciphertext is a transfer above; the app encrypting its own data is not
                seen.add((f"crypto:{e.packer.id}", e.pi_type))
                sub = actor_subject(facts, e.packer)
                packed.setdefault(sub.id, (sub, []))[1].append((e, packaging_evidence(s, e)))
        extra: dict[str, list[Evidence]] = {}  # packaging evidence of subjects that also sent PI
        for sub_id, (subject, pitems) in packed.items():
            if sub_id in groups:
                extra[sub_id] = [ev for _, ev in pitems]
                continue
            first_e = pitems[0][0]
            epis = [i[0].pi_type for i in pitems]
            yield self.finding(
                facts,
                key="third_party",
                subject=subject,
                confidence=Confidence.OBSERVED,
                evidence=capped(i[1] for i in pitems),
                merge_key=f"T3.third_party:{subject.id}",
                detail_zh=f"在{subject.name}发送前加密的数据中发现{labels(epis, 'zh')}（{first_e.at.t:.1f}秒，"
                f"{first_e.algorithm or '加密'}）；未在网络流量中见到该密文，证明其收集并打包待发送，尚未证明已发送",
                detail_en=f"PI found in data encrypted by {subject.name} before sending ({labels(epis, 'en')} at "
                f"t={first_e.at.t:.1f} s, {first_e.algorithm or 'cipher'}); the ciphertext was not seen in "
                "traffic: evidence of collection and packaging, not yet of the transfer",
            )
        for subject, items in groups.values():
            pis = [i[0].pi_type for i in items]
            hosts = sorted({i[0].host for i in items})
            first = items[0][0]
            disclosed = subject.id in listed
            packer = first.encrypted_by
            yield self.finding(
                facts,
                key="third_party",
                subject=subject,
                confidence=Confidence.OBSERVED if disclosed else Confidence.OBSERVED_IN_VIOLATION,
                evidence=capped([*(i[1] for i in items), *extra.get(subject.id, [])]),
                merge_key=f"T3.third_party:{subject.id}",
                detail_zh=f"{pi_labels_zh(first)}（{first.read_t:.1f}秒由{first.reader.name}读取）于{first.at.t:.1f}秒"
                f"发送至{first.host}"
                + (f"（在{packer.name}发送前加密的数据中发现，请求携带其密文）" if packer is not None else "")
                + f"；共涉及{labels(pis, 'zh')}，目的主机：{'、'.join(hosts)}"
                + ("（隐私政策已列明该SDK）" if disclosed else ""),
                detail_en=f"The {labels([first.pi_type], 'en')} read at t={first.read_t:.1f} s by {first.reader.name} "
                f"was sent at t={first.at.t:.1f} s to {first.host}"
                + (
                    f" (PI found in data encrypted by {packer.name} before sending; the request carried the "
                    "ciphertext)"
                    if packer is not None
                    else ""
                )
                + f"; in all {labels(pis, 'en')} to {', '.join(hosts)}"
                + (" (the policy lists this SDK)" if disclosed else ""),
            )


def pi_labels_zh(x: PiTransfer) -> str:
    return labels([x.pi_type], "zh")
