"""Download-and-install capability inside ad or distribution SDKs, or in the app."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity, Subject
from apprights.rules._static_common import (
    SubjectResolver,
    capped,
    component_evidence,
    entry_classes,
    is_entry_class,
    is_library_sdk,
    permission_evidence,
    sdk_for_component,
    site_evidence,
    string_evidence,
)
from apprights.rules.base import Rule, RuleContext, app_subject, sdk_subject

INSTALL_PERMISSION = "android.permission.REQUEST_INSTALL_PACKAGES"
APK_MIME = "application/vnd.android.package-archive"
SIGNAL_LABELS = {
    "download": ("下载文件(DownloadManager)", "downloads (DownloadManager)"),
    "install": ("安装APK(PackageInstaller/APK类型)", "installs APKs (PackageInstaller / APK MIME type)"),
    "install_permission": ("REQUEST_INSTALL_PACKAGES权限", "REQUEST_INSTALL_PACKAGES permission"),
    "download_component": ("应用下载服务组件", "an app-download service component"),
}


class DownloadInstallCapability(Rule):
    """Code that can download and install other apps, attributed to the ad/distribution SDK or the app.

    What it detects
        Per subject: calls of ``DownloadManager.enqueue`` (``download_apis``), ``PackageInstaller`` session
        APIs (``install_apis``), the ``application/vnd.android.package-archive`` MIME string and the
        ``INSTALL_PACKAGE`` action (an install intent), download UI classes (``download_classes``: HMS Ads
        ``AppDownloadButton``) and download services in the manifest (``download_components``: Umeng exchange
        ``DownloadingService``, XG ``XGDownloadService``, Huawei update SDK, Pangle, GDT). An SDK of a category
        in ``sdk_categories`` (ads, app distribution) is reported on any of these signals, any SDK owning a
        download service too; the app itself only when its own code installs (APK MIME string, install action,
        PackageInstaller), not for plain downloads. The REQUEST_INSTALL_PACKAGES permission is evidence of one
        finding only: the app's when its own code installs, else the first SDK whose code installs, else a
        low ``declared`` finding on the app when nothing else is reported. Ad SDKs that download and install
        the advertised app are how "偷梁换柱" downloads happen.

    Legal basis
        164号文 三(7) (欺骗误导用户下载APP); 26号文 (不得…静默下载); T/TAF 078.7.

    Evidence and confidence
        ``dex`` items (call sites, MIME strings with their caller) and a ``manifest`` item for the permission.
        Confidence ``present`` (``reachable`` when a caller is an entry point); ``declared`` when only the
        permission or a manifest component shows it. Severity medium for SDKs, low for the app (self-update is common and lawful).

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
        "install_actions": ["android.intent.action.INSTALL_PACKAGE"],
        # [I] download UI and services of ad/distribution/push SDKs (HMS Ads, Umeng exchange, XG, Huawei update)
        "download_classes": [
            "com.huawei.hms.ads.AppDownloadButton",
            "com.huawei.openalliance.ad.views.AppDownloadButton",
        ],
        "download_components": [
            "com.umeng.common.net.DownloadingService",
            "com.tencent.android.tpush.XGDownloadService",
            "com.huawei.updatesdk.service.deamon.download.DownloadService",
            "com.ss.android.socialbase.downloader.downloader.DownloadService",
            "com.qq.e.comm.DownloadService",
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
        install_actions = set(ctx.option(opt, "install_actions"))
        download_classes = set(ctx.option(opt, "download_classes"))
        download_components = set(ctx.option(opt, "download_components"))
        sdk_categories = set(ctx.option(opt, "sdk_categories"))
        entries = entry_classes(facts)
        resolve = SubjectResolver(facts, ctx)
        app = app_subject(facts)
        groups: dict[str, _Group] = {}

        def group(subject: Subject, category: str | None) -> _Group:
            return groups.setdefault(subject.id, _Group(subject, category))

        def add(class_name: str, ev: Evidence, signal: str) -> None:
            subject, sdk = resolve(class_name)
            g = group(subject, sdk.category if sdk else None)
            g.evidence.append(ev)
            g.signals.add(signal)
            g.confs.append(
                Confidence.REACHABLE if is_entry_class(class_name, entries) else Confidence.PRESENT
            )

        for site in code.call_sites:
            if site.api in download:
                add(site.caller_class, site_evidence(site), "download")
            elif site.api in install:
                add(site.caller_class, site_evidence(site), "install")
        for ref in code.strings:
            if not ref.caller_class:
                continue
            if ref.kind == "apk_mime" or ref.value == APK_MIME or ref.value in install_actions:
                add(ref.caller_class, string_evidence(ref), "install")
        for cls in download_classes.intersection(code.defined_classes):
            add(cls, Evidence("dex", {"class": cls, "role": "download_ui"}), "download")
        for comp in facts.manifest.components if facts.manifest else []:
            if comp.name in download_components and comp.enabled:
                sdk = sdk_for_component(facts, ctx, comp)
                if sdk is None or is_library_sdk(ctx, sdk):
                    continue
                g = group(sdk_subject(sdk), sdk.category)
                g.evidence.append(component_evidence(comp, role="download_service"))
                g.signals.add("download_component")
                g.confs.append(Confidence.DECLARED)

        reported = [
            g
            for sid, g in sorted(groups.items())
            if (sid != app.id and (g.category in sdk_categories or "download_component" in g.signals))
            or (sid == app.id and g.signals & {"install"})
        ]
        has_perm = facts.manifest is not None and INSTALL_PERMISSION in facts.manifest.permission_names()
        if has_perm:
            # one permission, one finding: the subject whose code installs (the app's own code first), else the
            # app itself at the declared stage
            owner = next((g for g in reported if g.subject.id == app.id), None) or next(
                (g for g in reported if "install" in g.signals), None
            )
            if owner is None and not reported:
                owner = group(app, None)
                reported.append(owner)
            if owner is not None:
                owner.evidence.append(permission_evidence(INSTALL_PERMISSION))
                owner.signals.add("install_permission")
        for g in reported:
            is_sdk = g.subject.id != app.id
            confidence = max(g.confs, key=lambda c: c.rank) if g.confs else Confidence.DECLARED
            yield self.finding(
                facts,
                key="download_install",
                subject=g.subject,
                confidence=confidence,
                severity=None if is_sdk else Severity.LOW,
                evidence=capped(g.evidence),
                detail_zh=f"{g.subject.name}具备下载/安装应用的能力："
                + "、".join(SIGNAL_LABELS[x][0] for x in sorted(g.signals)),
                detail_en=f"{g.subject.name} can download/install apps: "
                + ", ".join(SIGNAL_LABELS[x][1] for x in sorted(g.signals)),
            )


@dataclass
class _Group:
    subject: Subject
    category: str | None
    evidence: list[Evidence] = field(default_factory=list)
    signals: set[str] = field(default_factory=set)
    confs: list[Confidence] = field(default_factory=list)
