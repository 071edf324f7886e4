"""What a distribution platform shows for one app (``apprights-listing/1``)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ListedPermission:
    name: str
    purpose: str = ""


@dataclass
class ListingFacts:
    path: str
    index: int  # position in the file (object, array item or line)
    store: str
    captured_at: str
    listed: bool
    app_name: str
    url: str = ""
    package: str | None = None
    version_name: str | None = None
    updated_at: str | None = None
    developer_name: str | None = None
    developer_uscc: str | None = None
    developer_country: str | None = None
    icp_filing: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    contact_address: str | None = None
    description: str | None = None
    category: str | None = None
    permissions: list[ListedPermission] | None = None
    privacy_policy_url: str | None = None
    privacy_policy_depth: int | None = None
    pi_disclosure: str | None = None
    sdk_disclosure: bool | None = None
    field_depth: dict[str, int] = field(default_factory=dict)
