from __future__ import annotations

from apprights.knowledge.categories import AppCategory
from apprights.model.finding import Confidence, SubjectKind
from apprights.rules.base import RuleContext
from apprights.rules.t2_overreach.pi_outside_category import PiOutsideCategory
from apprights.testing.factories import activity, make_code, make_facts, make_knowledge, make_manifest
from tests.rules.static_support import CONTACTS_API, DEVICE_ID_API, LOCATION_API, P, run, static_kb

NEWS = "新闻资讯类"  # no necessary PI at all (14号文)
MAP = "地图导航类"  # location is necessary


def facts(category, perms=(), sites=(), strings=(), components=()):  # type: ignore[no-untyped-def]
    return make_facts(
        manifest=make_manifest(
            "com.example.news", permissions=perms, knowledge=static_kb(), components=components
        ),
        code=make_code(sites, strings=strings),
        category=category,
    )


def test_triggers_per_subject_and_pi_type_outside_news_category() -> None:
    umeng_class = "com.umeng.commonsdk.statistics.common.DeviceConfig"
    umeng = static_kb().sdks.match_class(umeng_class)
    assert umeng is not None  # the catalogue knows Umeng
    found = run(
        PiOutsideCategory,
        facts(
            NEWS,
            perms=["ACCESS_FINE_LOCATION"],
            sites=[
                (LOCATION_API, "com.example.news.Nearby", "load"),
                (DEVICE_ID_API, umeng_class, "getImei"),
            ],
        ),
    )
    by = {(f.subject.id, f.key.split(":")[1]): f for f in found}
    assert set(by) == {("com.example.news", "location"), (umeng.id, "device_id")}
    loc = by[("com.example.news", "location")]
    assert loc.rule == "T2.pi_outside_category" and loc.subject.kind is SubjectKind.APP
    assert loc.confidence is Confidence.PRESENT
    assert {e.source for e in loc.evidence} == {"manifest", "dex"}
    dev = by[(umeng.id, "device_id")]
    assert dev.subject.kind is SubjectKind.SDK
    assert dev.evidence[0].data == {
        "api": DEVICE_ID_API,
        "caller_class": umeng_class,
        "caller_method": "getImei",
        "dex": "classes.dex",
        "pi_type": "device_id",
    }
    assert dev.merge_key == f"T2.pi:{umeng.id}:device_id"


def test_triggers_reachable_from_a_manifest_component() -> None:
    f = run(
        PiOutsideCategory,
        facts(
            NEWS,
            sites=[(LOCATION_API, "com.example.news.Main$1", "run")],
            components=[activity("com.example.news.Main")],
        ),
    )
    assert [x.confidence for x in f] == [Confidence.REACHABLE]


def test_triggers_device_ids_even_if_a_category_lists_them() -> None:
    odd = AppCategory(99, "测试类", "测试", "设备识别码、位置", frozenset({"device_id", "location"}))
    kb = make_knowledge(static_kb(), categories=[odd])
    fx = facts(
        "测试类",
        sites=[(DEVICE_ID_API, "com.example.news.A", "m"), (LOCATION_API, "com.example.news.A", "m")],
    )
    found = list(PiOutsideCategory().check(fx, RuleContext(kb)))
    assert [f.key for f in found] == ["99:device_id"]


def test_triggers_contacts_query_only_with_a_contacts_uri() -> None:
    uri = ("content://com.android.contacts/contacts", "content_uri", "com.example.news.C", "q")
    with_uri = run(
        PiOutsideCategory, facts(NEWS, sites=[(CONTACTS_API, "com.example.news.C", "q")], strings=[uri])
    )
    assert "contacts" in {f.key.split(":")[1] for f in with_uri}
    other = ("content://media/external/images", "content_uri", "com.example.news.C", "q")
    without = run(
        PiOutsideCategory, facts(NEWS, sites=[(CONTACTS_API, "com.example.news.C", "q")], strings=[other])
    )
    assert "contacts" not in {f.key.split(":")[1] for f in without}


def test_clean_necessary_location_for_a_map_app() -> None:
    fx = facts(MAP, perms=["ACCESS_FINE_LOCATION"], sites=[(LOCATION_API, "com.example.news.Map", "locate")])
    assert run(PiOutsideCategory, fx) == []


def test_clean_without_or_with_unknown_category() -> None:
    sites = [(DEVICE_ID_API, "com.example.news.A", "m")]
    assert run(PiOutsideCategory, facts(None, sites=sites)) == []
    assert run(PiOutsideCategory, facts("不存在的类别", sites=sites)) == []


def test_clean_permission_declared_but_normal() -> None:
    assert run(PiOutsideCategory, facts(NEWS, perms=["INTERNET", P + "ACCESS_NETWORK_STATE"])) == []


def test_clean_permission_the_category_lists_as_necessary() -> None:
    cat = AppCategory(
        98, "测试相机类", "拍照", "无", frozenset(), necessary_permissions=frozenset({P + "CAMERA"})
    )
    kb = make_knowledge(static_kb(), categories=[cat])
    fx = facts("测试相机类", perms=["CAMERA"])
    assert list(PiOutsideCategory().check(fx, RuleContext(kb))) == []
    assert len(list(PiOutsideCategory().check(facts("新闻资讯类", perms=["CAMERA"]), RuleContext(kb)))) == 1
