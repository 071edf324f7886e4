from __future__ import annotations

from apprights.model.finding import Confidence
from apprights.rules.t6_autostart.sync_adapter import SyncAdapterKeepAlive
from apprights.testing.factories import make_facts, make_manifest, service
from tests.rules.static_support import only, run


def facts(*components):  # type: ignore[no-untyped-def]
    return make_facts(manifest=make_manifest("com.example.app", components=components))


def test_triggers_sync_adapter_service_with_authenticator() -> None:
    f = only(
        run(
            SyncAdapterKeepAlive,
            facts(
                service("com.example.app.sync.SyncService", "android.content.SyncAdapter"),
                service("com.example.app.sync.AuthService", "android.accounts.AccountAuthenticator"),
            ),
        )
    )
    assert f.rule == "T6.sync_adapter_keepalive" and f.confidence is Confidence.DECLARED
    assert [e.data["role"] for e in f.evidence] == ["sync_adapter", "account_authenticator"]


def test_triggers_on_meta_data_only() -> None:
    svc = service("com.example.app.S", meta_data={"android.content.SyncAdapter": "@xml/sync"})
    assert only(run(SyncAdapterKeepAlive, facts(svc))).evidence[0].data["component"] == "com.example.app.S"


def test_clean_plain_services() -> None:
    assert run(SyncAdapterKeepAlive, facts(service("com.example.app.Player", "com.example.PLAY"))) == []
    assert (
        run(
            SyncAdapterKeepAlive,
            facts(service("com.example.app.Auth", "android.accounts.AccountAuthenticator")),
        )
        == []
    )
