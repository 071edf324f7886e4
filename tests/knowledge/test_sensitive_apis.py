"""The sensitive-API catalogue: loading, lookup, argument filters, DEX targets."""

from __future__ import annotations

import json
from pathlib import Path

from apprights.knowledge import Knowledge
from apprights.knowledge.sensitive_apis import SensitiveApi, SensitiveApiCatalogue

IMEI = "android.telephony.TelephonyManager.getDeviceId"


def test_bundled_catalogue_knows_the_imei_read(knowledge: Knowledge) -> None:
    cat = knowledge.sensitive_apis
    (entry, *_rest) = cat.lookup(IMEI)
    assert entry.class_name == "android.telephony.TelephonyManager" and entry.method_name == "getDeviceId"
    assert entry.class_descriptor == "Landroid/telephony/TelephonyManager;"
    assert ("Landroid/telephony/TelephonyManager;", "getDeviceId") in cat.targets()
    assert entry.label_zh and entry.label_en and entry.pi_type
    assert cat.lookup("no.such.Api.call") == [] and cat.match("no.such.Api.call", []) == []
    # every entry names a method of a class
    assert all("." in a.api and a.method_name for a in cat.apis)


def test_argument_filters() -> None:
    aid = SensitiveApi(
        "android.provider.Settings$Secure.getString",
        "android_id",
        "安卓ID",
        "Android ID",
        arg_filter={"index": 1, "equals": ["android_id"]},
    )
    contacts = SensitiveApi(
        "android.content.ContentResolver.query",
        "contacts",
        "通讯录",
        "contacts",
        arg_filter={"index": 0, "contains": ["ContactsContract", "com.android.contacts"]},
    )
    cat = SensitiveApiCatalogue(version="t", apis=[aid, contacts])
    assert cat.match(aid.api, ["<cr>", "android_id"]) == [aid]
    assert cat.match(aid.api, ["<cr>", "bluetooth_name"]) == []
    assert cat.match(aid.api, ["<cr>"]) == []  # index out of range: no match
    assert cat.match(aid.api) == [aid]  # no arguments given: every entry
    assert contacts.matches_value("content://COM.ANDROID.CONTACTS/data")
    assert not contacts.matches_value("content://sms/inbox")
    assert SensitiveApi("a.B.c", "x", "", "").matches_args([]) is True


def test_load_from_a_data_directory(tmp_path: Path) -> None:
    (tmp_path / "sensitive_apis.json").write_text(
        json.dumps(
            {
                "version": "9",
                "apis": [
                    {"api": "a.b.C.d", "pi_type": "imei", "kind": "read", "weak": True},
                    {"api": "a.b.C.d", "pi_type": "imsi", "permission": "p"},
                ],
            }
        ),
        encoding="utf-8",
    )
    cat = SensitiveApiCatalogue.load(tmp_path)
    assert cat.version == "9" and [a.pi_type for a in cat.lookup("a.b.C.d")] == ["imei", "imsi"]
    assert cat.lookup("a.b.C.d")[0].weak and cat.lookup("a.b.C.d")[1].permission == "p"
    assert cat.targets() == {("La/b/C;", "d")}
