"""Runtime: personal information handed to another app through intent extras."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity
from apprights.rules._rt_common import capped, labels, sessions, trace_evidence
from apprights.rules.base import Rule, RuleContext

# extras key (lower-cased, letters and digits only) → PI type; long names match as substrings
_LONG = {
    "imei": "device_id",
    "meid": "device_id",
    "deviceid": "device_id",
    "androidid": "android_id",
    "imsi": "imsi",
    "iccid": "iccid",
    "macaddr": "mac",
    "wifimac": "mac",
    "oaid": "oaid",
    "phonenumber": "phone_number",
    "phonenum": "phone_number",
    "latitude": "location",
    "longitude": "location",
    "idcard": "id_number",
    "idnumber": "id_number",
    "serialno": "serial",
    "applist": "installed_apps",
    "installedapps": "installed_apps",
}
# short names must be a whole token of the key
_SHORT = {
    "mac": "mac",
    "lat": "location",
    "lng": "location",
    "lon": "location",
    "loc": "location",
    "location": "location",
    "contact": "contacts",
    "contacts": "contacts",
    "tel": "phone_number",
    "sms": "sms",
}
# whole keys (letters and digits only)
_EXACT = {
    "mobile": "phone_number",
    "mobileno": "phone_number",
    "mobilephone": "phone_number",
    "mobilenumber": "phone_number",
    "telephone": "phone_number",
    "msisdn": "phone_number",
}
_TOKENS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")


def extras_pi(key: str) -> str | None:
    norm = re.sub(r"[^a-z0-9]", "", key.lower())
    if norm in _EXACT:
        return _EXACT[norm]
    for word, pi in _LONG.items():
        if word in norm:
            return pi
    for tok in _TOKENS.findall(key):
        short = _SHORT.get(tok.lower())
        if short is not None:
            return short
    return None


class PiToOtherApp(Rule):
    """Intents to another package whose extras keys name personal information (IMEI, phone, location …).

    What it detects
        ``intent`` events with a foreign ``target_package`` and ``extras_keys`` that name PI (``imei``,
        ``android_id``, ``phone_number``, ``lat``/``lng``, ``oaid`` …). One finding per target package.

    Legal basis
        164号文 一(3) (私自向其他应用发送、共享用户个人信息); 认定方法 五(3).

    Evidence and confidence
        ``trace`` evidence per intent (op, target, component, the PI keys, the sending subject). Confidence
        ``observed``: the key names say what is passed, the values are not recorded.

    Known false positives
        Keys that merely resemble PI names (``mobile_layout``); sharing the user started on purpose (a tap on
        a share button immediately before is not excluded: the rule reports, the reviewer judges).

    Fixtures
        tests/fixtures/traces/t3_violate.jsonl and t3_clean.jsonl; tests/rules/t3_misuse/test_rt_pi_to_other_app.py.
    """

    id = "T3.pi_to_other_app"
    problem_type = 3
    title_zh = "通过Intent向其他应用传递个人信息"
    title_en = "Personal information passed to another app via intent extras"
    severity = Severity.MEDIUM
    legal_basis = ("164号文 一(3)", "认定方法 五(3)")
    requires = frozenset({"runtime"})
    default_options: ClassVar[dict[str, Any]] = {}

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        groups: dict[str, list[tuple[list[str], Evidence]]] = {}
        for s in sessions(facts):
            for it in s.intents:
                if not it.foreign or not it.extras_keys:
                    continue
                hits = {k: p for k in it.extras_keys if (p := extras_pi(k)) is not None}
                if not hits:
                    continue
                ev = trace_evidence(
                    s,
                    it.at,
                    kind="intent",
                    op=it.op,
                    target_package=it.target_package,
                    component=it.component,
                    pi_keys=sorted(hits),
                    sender=it.actor.id if it.actor else "",
                )
                groups.setdefault(it.target_package, []).append((sorted(set(hits.values())), ev))
        for target, items in groups.items():
            pis = [p for i in items for p in i[0]]
            yield self.finding(
                facts,
                key=f"intent:{target}",
                confidence=Confidence.OBSERVED,
                evidence=capped(i[1] for i in items),
                detail_zh=f"通过Intent附加数据向{target}传递{labels(pis, 'zh')}",
                detail_en=f"{labels(pis, 'en')} passed to {target} in intent extras",
            )
