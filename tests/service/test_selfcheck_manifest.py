"""A stored report's permission list gives back the requested permissions; the ones Android grants implicitly
(``implied_by``) stay apart, so a store listing is not held to permissions the developer never asked for."""

from __future__ import annotations

from apprights.service.scans.selfcheck import manifest_from_report


def test_implicit_permissions_are_not_requested_ones() -> None:
    report = {
        "app": {"package": "com.example.app", "version_code": 3, "version_name": "1.2", "label": "App"},
        "permissions": [
            {"name": "android.permission.WRITE_EXTERNAL_STORAGE", "dangerous": True},
            {
                "name": "android.permission.READ_EXTERNAL_STORAGE",
                "dangerous": True,
                "implied_by": "android.permission.WRITE_EXTERNAL_STORAGE",
            },
        ],
    }
    m = manifest_from_report(report)
    assert m is not None
    assert m.permission_names() == ["android.permission.WRITE_EXTERNAL_STORAGE"]
    assert [p.name for p in m.implicit_permissions] == ["android.permission.READ_EXTERNAL_STORAGE"]
