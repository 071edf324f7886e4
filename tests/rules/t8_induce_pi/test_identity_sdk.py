from __future__ import annotations

from apprights.model.finding import Confidence, Severity, SubjectKind
from apprights.rules.t8_induce_pi.identity_sdk import IdentitySdkPresent
from apprights.testing.factories import make_code, make_facts, make_manifest, make_sdk_hit
from tests.rules.static_support import FACE_SDK, LOCAL_SDK, only, run, static_kb


def facts(sdks=(), classes=(), category=None):  # type: ignore[no-untyped-def]
    return make_facts(
        manifest=make_manifest("com.example.app"),
        code=make_code(defined_classes=classes),
        sdks=sdks,
        category=category,
    )


def test_triggers_detected_identity_sdk() -> None:
    sdk = make_sdk_hit(FACE_SDK.id, knowledge=static_kb())
    f = only(run(IdentitySdkPresent, facts([sdk], category="新闻资讯类")))
    assert f.rule == "T8.identity_sdk_present" and f.severity is Severity.INFO
    assert f.subject.kind is SubjectKind.SDK and f.subject.id == FACE_SDK.id
    assert f.confidence is Confidence.PRESENT
    assert "新闻资讯类" in f.detail_zh


def test_triggers_on_known_class_prefix_without_detection() -> None:
    cls = "com.megvii.meglive_sdk.manager.MegLiveManager"
    f = only(run(IdentitySdkPresent, facts(classes=[cls, "com.example.app.Main"])))
    entry = static_kb().sdks.match_class(cls)
    assert f.subject.id == (entry.id if entry is not None else "com.megvii")
    assert f.evidence[0].data["classes"] == [cls]


def test_clean_without_identity_sdks() -> None:
    other = make_sdk_hit(LOCAL_SDK.id, knowledge=static_kb())
    assert run(IdentitySdkPresent, facts([other], classes=["com.example.app.Main"])) == []
