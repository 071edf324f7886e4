"""Download-and-install capability inside ad or distribution SDKs, or in the app."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity, Subject
from apprights.rules._static_common import (
    SubjectResolver,
    capped,
    entry_classes,
    is_entry_class,
    permission_evidence,
    site_evidence,
    string_evidence,
)
from apprights.rules.base import Rule, RuleContext, app_subject

INSTALL_PERMISSION = "android.permission.REQUEST_INSTALL_PACKAGES"
APK_MIME = "application/vnd.android.package-archive"
SIGNAL_LABELS = {
    "download": ("下载文件(DownloadManager)", "downloads (DownloadManager)"),
    "install": ("安装APK(PackageInstaller/APK类型)", "installs APKs (PackageInstaller / APK MIME type)"),
    "install_permission": ("REQUEST_INSTALL_PACKAGES权限", "REQUEST_INSTALL_PACKAGES permission"),
}


class DownloadInstallCapability(Rule):
    """Code that can download and install other apps, attributed to the ad/distribution SDK or the app.

    What it detects
        Per subject: calls of ``DownloadManager.enqueue`` (``download_apis``), ``PackageInstaller`` session
        APIs (``install_apis``) and the ``application/vnd.android.package-archive`` MIME string (an install
        intent), plus the REQUEST_INSTALL_PACKAGES permission. An SDK of a category in ``sdk_categories`` (ads,
        app distribution) is reported on any of these signals; the app itself only when it can install (the
        permission, the APK MIME string or PackageInstaller), not for plain downloads. Ad SDKs that download
        and install the advertised app are how "偷梁换柱" downloads happen.

    Legal basis
        164号文 三(7) (欺骗误导用户下载APP); 26号文 (不得…静默下载); T/TAF 078.7.

    Evidence and confidence
        ``dex`` items (call sites, MIME strings with their caller) and a ``manifest`` item for the permission.
        Confidence ``present`` (``reachable`` when a caller is an entry point); ``declared`` when only the
        permission shows it. Severity medium for SDKs, low for the app (self-update is common and lawful).

    Known false positives
        Self-update of the app, app stores and browsers downloading at the user's request; an ad SDK may show
        the store page instead of downloading. Deception itself (misleading wording, taps outside the button)
        is only visible at run time.

    Fixtures
        tests/rules/t7_download/test_download_install.py (factories and an end-to-end APK with an ad SDK calling
        DownloadManager.enqueue).
    """

    id = "T7.download_install_capability"
    problem_type = 7
    title_zh = "具备下载安装其他应用的能力"
    title_en = "Can download and install other apps"
    severity = Severity.MEDIUM
    legal_basis = ("164号文 三(7)", "26号文", "T/TAF 078.7")
    requires = frozenset({"code"})
    default_options: ClassVar[dict[str, Any]] = {
        "download_apis": ["android.app.DownloadManager.enqueue"],
        "install_apis": [
            "android.content.pm.PackageInstaller.createSession",
            "android.content.pm.PackageInstaller$Session.commit",
            "android.content.pm.PackageManager.installPackage",
        ],
        "sdk_categories": ["ads", "distribution", "appstore"],
    }

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        code = facts.code
        if code is None:
            return
        opt = type(self)
        download = set(ctx.option(opt, "download_apis"))
        install = set(ctx.option(opt, "install_apis"))
        sdk_categories = set(ctx.option(opt, "sdk_categories"))
        entries = entry_classes(facts)
        resolve = SubjectResolver(facts, ctx)
        app = app_subject(facts)
        groups: dict[str, tuple[Subject, str | None, list[Evidence], set[str], list[Confidence]]] = {}

        def add(class_name: str, ev: Evidence, signal: str) -> None:
            subject, sdk = resolve(class_name)
            g = groups.setdefault(subject.id, (subject, sdk.category if sdk else None, [], set(), []))
            g[2].append(ev)
            g[3].add(signal)
            g[4].append(Confidence.REACHABLE if is_entry_class(class_name, entries) else Confidence.PRESENT)

        for site in code.call_sites:
            if site.api in download:
                add(site.caller_class, site_evidence(site), "download")
            elif site.api in install:
                add(site.caller_class, site_evidence(site), "install")
        for ref in code.strings:
            if (ref.kind == "apk_mime" or ref.value == APK_MIME) and ref.caller_class:
                add(ref.caller_class, string_evidence(ref), "install")
        has_perm = facts.manifest is not None and INSTALL_PERMISSION in facts.manifest.permission_names()
        if has_perm and app.id not in groups:
            groups[app.id] = (app, None, [], set(), [])
        for sid, (subject, category, evidence, signals, confs) in sorted(groups.items()):
            is_sdk = sid != app.id
            if is_sdk and category not in sdk_categories:
                continue
            if has_perm:
                evidence.append(permission_evidence(INSTALL_PERMISSION))
                signals.add("install_permission")
            if not is_sdk and not signals & {"install", "install_permission"}:
                continue
            confidence = max(confs, key=lambda c: c.rank) if confs else Confidence.DECLARED
            yield self.finding(
                facts,
                key="download_install",
                subject=subject,
                confidence=confidence,
                severity=None if is_sdk else Severity.LOW,
                evidence=capped(evidence),
                detail_zh=f"{subject.name}具备下载/安装应用的能力："
                + "、".join(SIGNAL_LABELS[x][0] for x in sorted(signals)),
                detail_en=f"{subject.name} can download/install apps: "
                + ", ".join(SIGNAL_LABELS[x][1] for x in sorted(signals)),
            )
