from apprights.model.facts import AppFacts, ManifestFacts
from apprights.rules.base import RuleContext
from apprights.rules.t9_store_disclosure.listing_app_mismatch import ListingAppMismatch
from apprights.testing.listings import make_listing


def test_triggers_on_version_difference(knowledge) -> None:  # type: ignore[no-untyped-def]
    m = ManifestFacts(package="com.example.news", version_name="5.3.0", label="示例新闻")
    found = list(
        ListingAppMismatch().check(AppFacts(manifest=m, listings=[make_listing()]), RuleContext(knowledge))
    )
    assert len(found) == 1
    assert found[0].evidence[0].data["differences"] == {"version_name": {"listing": "5.2.0", "apk": "5.3.0"}}


def test_clean_same_app(knowledge) -> None:  # type: ignore[no-untyped-def]
    m = ManifestFacts(package="com.example.news", version_name="5.2.0", label="示例 新闻")
    assert (
        list(
            ListingAppMismatch().check(
                AppFacts(manifest=m, listings=[make_listing()]), RuleContext(knowledge)
            )
        )
        == []
    )


def test_clean_other_package_ignored(knowledge) -> None:  # type: ignore[no-untyped-def]
    m = ManifestFacts(package="com.other", version_name="1.0", label="Other")
    assert (
        list(
            ListingAppMismatch().check(
                AppFacts(manifest=m, listings=[make_listing()]), RuleContext(knowledge)
            )
        )
        == []
    )
