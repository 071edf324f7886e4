"""Dangerous permissions declared with no code that uses them (申请无关权限 candidate)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity
from apprights.rules._static_common import READ_KINDS, is_dangerous
from apprights.rules.base import Rule, RuleContext


class UnusedDangerousPermission(Rule):
    """Dangerous permissions declared although no code in the APK uses them.

    What it detects
        Each dangerous permission in the manifest for which the sensitive-API catalogue knows at least one API
        needing it (or a permission with the same PI type), while the code references none of those APIs and no
        detected SDK is known to collect that PI type or calls such an API. Permissions the catalogue cannot
        check (no API maps to them) and those in ``skip_permissions`` (storage, used by plain file access) are
        left alone.

    Legal basis
        164号文 二(5) (提前申请超出其业务功能等权限); 认定方法 四(1) (收集类型或打开的权限与现有业务功能无关);
        T/TAF 078.4 (申请无关权限).

    Evidence and confidence
        A ``manifest`` evidence item with the permission and the catalogue APIs that were looked for, and a
        ``dex`` item stating that none was referenced. Confidence ``declared``. Severity low: a candidate for
        manual review, not a violation by itself.

        Not reported: when the APK carries code the scan cannot see (a packer, instant-run slices, encrypted
        dex in assets: ``ApkFacts.hidden_code``) or native libraries, which may use any permission, and for a
        permission whose APIs are named in a reflective call (``reflection`` strings). Permissions Android
        grants implicitly (``ManifestFacts.implicit_permissions``) were not asked for and are not checked.

    Known false positives
        Code the scanner does not see: reflection with computed names, WebView/JavaScript bridges; APIs
        missing from the catalogue (it is not exhaustive);
        permissions used through content providers (``content://contacts``) or intents; permissions kept for
        an SDK feature the app enables only by server configuration.

    Fixtures
        tests/rules/t5_permissions/test_unused_dangerous_permission.py (factories and an end-to-end APK with
        READ_CONTACTS and no contacts code).
    """

    id = "T5.unused_dangerous_permission"
    problem_type = 5
    title_zh = "声明了代码中未使用的危险权限（疑似申请无关权限）"
    title_en = "Dangerous permission declared but not used by any code (possibly unrelated)"
    severity = Severity.LOW
    legal_basis = ("164号文 二(5)", "认定方法 四(1)", "T/TAF 078.4")
    requires = frozenset({"manifest", "code"})
    default_options: ClassVar[dict[str, Any]] = {
        "skip_permissions": [
            "android.permission.READ_EXTERNAL_STORAGE",
            "android.permission.WRITE_EXTERNAL_STORAGE",
            "android.permission.READ_MEDIA_IMAGES",
            "android.permission.READ_MEDIA_VIDEO",
            "android.permission.READ_MEDIA_AUDIO",
        ]
    }

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        m, code = facts.manifest, facts.code
        if m is None or code is None:
            return
        skip = set(ctx.option(type(self), "skip_permissions"))
        if facts.apk is not None and (facts.apk.hidden_code or facts.apk.native_libs):
            return  # packed, dynamically loaded or native code may use any permission: the scan cannot tell
        kb = ctx.knowledge
        reflected = {r.value for r in code.strings if r.kind == "reflection"}
        used_apis = set(code.referenced_apis) | {c.api for c in code.call_sites}
        for sdk in facts.sdks:
            used_apis.update(sdk.pi_apis)
        # only collecting entries show a PI type in use: JobScheduler.schedule (device_info/schedule) or
        # Intent.setPackage (installed_apps/start) say nothing about BLUETOOTH_SCAN or the app list
        used_pi = {
            a.pi_type for api in used_apis for a in kb.sensitive_apis.lookup(api) if a.kind in READ_KINDS
        }
        used_perms = {
            a.permission for api in used_apis for a in kb.sensitive_apis.lookup(api) if a.permission
        }
        sdk_pi: set[str] = set()
        for sdk in facts.sdks:
            entry = kb.sdks.get(sdk.id)
            if entry is not None:
                sdk_pi.update(entry.pi)
        for decl in m.permissions:
            name = decl.name
            if name in skip or not is_dangerous(decl.dangerous, name, ctx):
                continue
            info = kb.permissions.get(name)
            pi_type = info.pi_type if info is not None else None
            # the APIs that would show the permission in use: those needing it or touching its PI type
            needing = sorted(
                a.api
                for a in kb.sensitive_apis.apis
                if a.permission == name or (pi_type and a.pi_type == pi_type and a.kind in READ_KINDS)
            )
            if not needing:
                continue  # the catalogue cannot tell
            if name in used_perms or (pi_type is not None and (pi_type in used_pi or pi_type in sdk_pi)):
                continue
            if reflected & {a.rsplit(".", 1)[-1] for a in needing}:
                continue  # named in a reflective call (Class.forName/getMethod): may be used
            yield self.finding(
                facts,
                key=name,
                confidence=Confidence.DECLARED,
                evidence=[
                    Evidence(
                        "manifest",
                        {"permission": name, "pi_type": pi_type, "looked_for_apis": needing[:20]},
                    ),
                    Evidence("dex", {"referenced": [], "note": "none of the APIs needing this permission"}),
                ],
                detail_zh=f"声明了危险权限{name}，但代码及已识别的SDK均未使用需要该权限的接口",
                detail_en=f"{name} is declared but neither the code nor any detected SDK uses an API needing it",
            )
