"""Face recognition, liveness and ID-card OCR SDKs in the app (a pointer for 诱导提供身份证/生物特征 checks)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity, Subject, SubjectKind
from apprights.rules.base import Rule, RuleContext, sdk_subject

NEEDS_ID = {"id_number", "biometric"}


class IdentitySdkPresent(Rule):
    """Face recognition, liveness detection or ID-card OCR SDKs embedded in the app.

    What it detects
        Detected SDKs of the catalogue category ``identity``, and classes under well-known identity-SDK
        packages (``class_prefixes``: Megvii FaceID, SenseTime, Baidu face/OCR, Aliyun real-person
        verification, Tencent/WeBank FaceID, ArcSoft, Youtu) when the catalogue has no entry yet. The app can
        collect ID numbers or biometric data; whether it induces users to provide them (rewards, points,
        coupons) is checked on screens at run time. When the app's category is known and its necessary set
        holds neither ID numbers nor biometrics, the detail says so.

    Legal basis
        164号文 三(8) (通过积分、奖励、优惠等方式欺骗误导用户提供身份证号码以及个人生物特征信息); 认定方法 三(7);
        T/TAF 078.3.

    Evidence and confidence
        A ``dex`` item with the SDK id, its matched prefixes or classes. Confidence ``present``. Severity info:
        presence alone is not a violation, it tells the tester which flows to examine.

    Known false positives
        Finance, banking, ride-hailing and ticketing apps must verify real-name identity by law; the SDK may be
        linked but unused.

    Fixtures
        tests/rules/t8_induce_pi/test_identity_sdk.py
    """

    id = "T8.identity_sdk_present"
    problem_type = 8
    title_zh = "集成人脸识别/活体检测/身份证识别SDK"
    title_en = "Embeds a face recognition, liveness or ID-card OCR SDK"
    severity = Severity.INFO
    legal_basis = ("164号文 三(8)", "认定方法 三(7)", "T/TAF 078.3")
    requires = frozenset({"code"})
    default_options: ClassVar[dict[str, Any]] = {
        "categories": ["identity"],
        # [I] package prefixes of common identity SDKs, used when the SDK catalogue has no entry for them
        "class_prefixes": {
            "com.megvii": "Megvii FaceID (旷视)",
            "com.sensetime": "SenseTime (商汤)",
            "com.baidu.idl.face": "Baidu Face (百度人脸)",
            "com.baidu.ocr": "Baidu OCR (百度文字识别)",
            "com.alibaba.security.rp": "Aliyun Real-person Verification (阿里云实人认证)",
            "com.alibaba.security.realidentity": "Aliyun Real-person Verification (阿里云实人认证)",
            "com.tencent.cloud.huiyansdkface": "Tencent Cloud FaceID (腾讯云慧眼)",
            "com.webank.facelight": "WeBank FaceID (微众人脸核身)",
            "com.tencent.youtu": "Tencent Youtu (腾讯优图)",
            "com.arcsoft.face": "ArcSoft Face (虹软人脸)",
        },
    }

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        opt = type(self)
        cats = set(ctx.option(opt, "categories"))
        prefixes: dict[str, str] = dict(ctx.option(opt, "class_prefixes"))
        note_zh = note_en = ""
        if facts.category:
            category = ctx.knowledge.categories.find(facts.category)
            if category is not None and not (set(category.necessary_pi) & NEEDS_ID):
                note_zh = f"；{category.name}的必要个人信息不含身份证号码或生物特征"
                note_en = f"; ID numbers and biometrics are not necessary for category {category.name}"
        seen: set[str] = set()
        covered: set[str] = set()
        for sdk in facts.sdks:
            if sdk.category not in cats:
                continue
            seen.add(sdk.id)
            covered.update(p.rstrip(".") for p in sdk.matched_prefixes)
            yield self._finding(
                facts,
                sdk_subject(sdk),
                {"sdk": sdk.id, "matched_prefixes": list(sdk.matched_prefixes)},
                note_zh,
                note_en,
            )
        classes = facts.code.defined_classes if facts.code else []
        wanted = tuple(p + "." for p in prefixes)
        candidates = [c for c in classes if c.startswith(wanted)]
        for prefix, label in sorted(prefixes.items()):
            if any(prefix == c or prefix.startswith(c + ".") for c in covered):
                continue
            hits = [c for c in candidates if c.startswith(prefix + ".")]
            if not hits:
                continue
            entry = ctx.knowledge.sdks.match_class(hits[0])
            sid = entry.id if entry is not None else prefix
            if sid in seen:
                continue
            seen.add(sid)
            subject = Subject(SubjectKind.SDK, sid, entry.name if entry is not None else label)
            yield self._finding(
                facts,
                subject,
                {"sdk": sid, "prefix": prefix, "classes": hits[:5], "class_count": len(hits)},
                note_zh,
                note_en,
            )

    def _finding(
        self, facts: AppFacts, subject: Subject, data: dict[str, object], nz: str, ne: str
    ) -> Finding:
        return self.finding(
            facts,
            key="identity_sdk",
            subject=subject,
            confidence=Confidence.PRESENT,
            evidence=[Evidence("dex", data)],
            detail_zh=f"集成了身份核验类SDK：{subject.name}，需检查是否以奖励等方式诱导用户提供身份证号码或人脸信息{nz}",
            detail_en=f"Embeds identity-verification SDK {subject.name}: check that users are not induced by rewards "
            f"to provide ID numbers or face data{ne}",
        )
