"""Who may look at which platform (pure scoping of apprights.service.stores.platform)."""

from apprights.service.deps import Principal, Role
from apprights.service.scans import selfcheck_views
from apprights.service.stores.platform import visible_store_ids


def test_store_sees_only_its_own_platform() -> None:
    store = Principal(Role.STORE, store_id=7)
    assert visible_store_ids(store, None) == [7]
    assert visible_store_ids(store, 7) == [7]
    assert visible_store_ids(store, 8) == []
    assert visible_store_ids(Principal(Role.STORE), None) == []


def test_ministry_sees_all_and_others_nothing() -> None:
    assert visible_store_ids(Principal(Role.MINISTRY), None) is None
    assert visible_store_ids(Principal(Role.MINISTRY), 3) == [3]
    for role in (Role.PROVINCE, Role.AGENCY, Role.ENTERPRISE, Role.PUBLIC):
        assert visible_store_ids(Principal(role, province_code="35"), None) == []


def test_self_check_routes_are_mounted_under_the_router() -> None:
    paths = {(r.path, m) for r in selfcheck_views.router.routes for m in getattr(r, "methods", set())}
    assert ("/self-checks", "POST") in paths and ("/self-checks", "GET") in paths
    assert ("/self-checks/{self_check_id}", "GET") in paths
