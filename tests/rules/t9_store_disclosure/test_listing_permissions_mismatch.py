from apprights.model.facts import AppFacts, ManifestFacts, PermissionDecl
from apprights.rules.base import RuleContext
from apprights.rules.t9_store_disclosure.listing_permissions_mismatch import ListingPermissionsMismatch
from apprights.testing.listings import make_listing


def manifest(*perms: str) -> ManifestFacts:
    return ManifestFacts(
        package="com.example.news",
        permissions=[PermissionDecl(p, "dangerous", dangerous=True) for p in perms],
    )


def test_triggers_on_unlisted_dangerous_permission(knowledge) -> None:  # type: ignore[no-untyped-def]
    facts = AppFacts(
        manifest=manifest("android.permission.ACCESS_FINE_LOCATION", "android.permission.READ_CONTACTS"),
        listings=[make_listing()],
    )
    found = list(ListingPermissionsMismatch().check(facts, RuleContext(knowledge)))
    assert len(found) == 1
    assert found[0].evidence[0].data["unlisted_permissions"] == ["android.permission.READ_CONTACTS"]


def test_triggers_on_missing_purpose(knowledge) -> None:  # type: ignore[no-untyped-def]
    facts = AppFacts(
        listings=[make_listing(permissions=[{"name": "android.permission.CAMERA", "purpose": ""}])]
    )
    found = list(ListingPermissionsMismatch().check(facts, RuleContext(knowledge)))
    assert found and found[0].evidence[0].data["permissions_without_purpose"] == ["android.permission.CAMERA"]


def test_clean_matching_list(knowledge) -> None:  # type: ignore[no-untyped-def]
    facts = AppFacts(manifest=manifest("android.permission.ACCESS_FINE_LOCATION"), listings=[make_listing()])
    assert list(ListingPermissionsMismatch().check(facts, RuleContext(knowledge))) == []


def test_clean_chinese_label_maps_to_permission(knowledge) -> None:  # type: ignore[no-untyped-def]
    label = knowledge.permissions.get("android.permission.ACCESS_FINE_LOCATION").label_zh
    assert label
    facts = AppFacts(
        manifest=manifest("android.permission.ACCESS_FINE_LOCATION"),
        listings=[make_listing(permissions=[{"name": label, "purpose": "导航"}])],
    )
    assert list(ListingPermissionsMismatch().check(facts, RuleContext(knowledge))) == []
