"""Properties every static rule must keep on arbitrary facts: it never raises, never claims runtime confidence,
and gives stable, well-formed findings. Static = needs only manifest, code, SDK or category facts, excluding the
policy (``pol_``) and runtime (``rt_``) modules, whose rules may judge the absence of such evidence."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apprights.model.facts import AppFacts, CallSite, StringRef
from apprights.model.finding import Confidence
from apprights.rules.base import Rule, discover_rules
from apprights.testing.factories import make_code, make_component, make_facts, make_manifest, make_sdk_hit
from tests.rules.static_support import ctx, static_kb

STATIC_KINDS = {"manifest", "code", "sdks", "category"}
STATIC_RULES = [
    r
    for r in discover_rules()
    if r.requires
    and set(r.requires) <= STATIC_KINDS
    and not r.__module__.rsplit(".", 1)[-1].startswith(("pol_", "rt_"))
]
RUNTIME_CONFIDENCE = {Confidence.OBSERVED, Confidence.OBSERVED_IN_VIOLATION}


def _apis() -> list[str]:
    kb = static_kb()
    apis = sorted({a.api for a in kb.sensitive_apis.apis})[:120]
    for rule in STATIC_RULES:
        for v in rule.default_options.values():
            if isinstance(v, list):
                apis += [x for x in v if isinstance(x, str) and x.startswith("android.") and x.count(".") > 2]
    return sorted(set(apis))


APIS = _apis()
CLASSES = [
    "com.example.app.Main",
    "com.example.app.App",
    "com.example.app.Main$1",
    "com.umeng.commonsdk.DeviceConfig",
    "com.apprightstest.ads.dl.Loader",
    "com.apprightstest.push.Heart",
    "com.megvii.meglive_sdk.X",
    "a",
]
ACTIONS = [
    "android.intent.action.BOOT_COMPLETED",
    "android.net.conn.CONNECTIVITY_CHANGE",
    "android.content.SyncAdapter",
    "cn.jpush.android.intent.DaemonService",
    "com.example.CUSTOM",
]
PERMS = [
    "READ_CONTACTS",
    "READ_PHONE_STATE",
    "RECEIVE_BOOT_COMPLETED",
    "QUERY_ALL_PACKAGES",
    "REQUEST_INSTALL_PACKAGES",
]

sites = st.builds(
    CallSite, st.sampled_from(APIS), st.sampled_from(CLASSES), st.sampled_from(["m", "onCreate", "run"])
)
strings = st.builds(
    StringRef,
    st.sampled_from(
        [
            "com.other.app",
            "com.example.app",
            "content://com.android.contacts",
            "application/vnd.android.package-archive",
        ]
    ),
    st.sampled_from(["package", "content_uri", "apk_mime", "action"]),
    st.sampled_from(CLASSES),
    st.sampled_from(["m", "run"]),
)
components = st.builds(
    make_component,
    st.sampled_from(["receiver", "service", "activity", "provider"]),
    st.sampled_from(CLASSES),
    actions=st.lists(st.sampled_from(ACTIONS), max_size=2),
    enabled=st.booleans(),
)


@st.composite
def app_facts(draw: st.DrawFn) -> AppFacts:
    kb = static_kb()
    manifest = make_manifest(
        "com.example.app",
        permissions=draw(st.lists(st.sampled_from(PERMS), max_size=4, unique=True)),
        target_sdk=draw(st.sampled_from([0, 19, 22, 23, 26, 34])),
        min_sdk=draw(st.sampled_from([1, 16, 21])),
        components=draw(st.lists(components, max_size=4)),
        application_class=draw(st.sampled_from([None, "com.example.app.App"])),
        knowledge=kb,
    )
    sdk_ids = draw(
        st.lists(
            st.sampled_from(["test-ads", "test-push", "test-face", "test-local"]), max_size=3, unique=True
        )
    )
    sdks = [
        make_sdk_hit(
            i,
            knowledge=kb,
            init_at_startup=draw(st.booleans()),
            pi_apis=draw(st.lists(st.sampled_from(APIS), max_size=2)),
        )
        for i in sdk_ids
    ]
    code = make_code(
        draw(st.lists(sites, max_size=8)),
        strings=draw(st.lists(strings, max_size=4)),
        hosts=draw(st.lists(st.sampled_from(["push.apprightstest.example", "example.com"]), max_size=2)),
    )
    category = draw(st.sampled_from([None, "新闻资讯类", "地图导航类", "nonsense"]))
    return make_facts(manifest=manifest, code=code, sdks=sdks, category=category)


def test_there_are_static_rules() -> None:
    assert len(STATIC_RULES) >= 10


@pytest.mark.parametrize("rule", STATIC_RULES, ids=[r.id for r in STATIC_RULES])
def test_clean_on_empty_facts(rule: type[Rule]) -> None:
    empty = make_facts(manifest=make_manifest("com.example.empty"), code=make_code(), category="新闻资讯类")
    assert list(rule().check(empty, ctx())) == []
    assert list(rule().check(AppFacts(), ctx())) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(facts=app_facts())
def test_findings_are_well_formed_on_arbitrary_facts(facts: AppFacts) -> None:
    c = ctx()
    for rule in STATIC_RULES:
        found = list(rule().check(facts, c))
        prints = [f.fingerprint for f in found]
        assert len(prints) == len(set(prints)), f"{rule.id} gave duplicate findings"
        for f in found:
            assert f.rule == rule.id and f.problem_type == rule.problem_type
            assert f.confidence not in RUNTIME_CONFIDENCE, f"{rule.id} claims {f.confidence} statically"
            assert f.key and f.evidence and f.subject.id
            assert all(e.source in {"manifest", "dex", "apk"} for e in f.evidence)
            assert f.to_dict()["title"]["zh"]
        again = [f.fingerprint for f in rule().check(facts, c)]
        assert again == prints, f"{rule.id} is not deterministic"
