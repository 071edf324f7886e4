"""SDKs (or the app) reading PI from code that runs at process start: possible collection before consent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from apprights.model.facts import AppFacts
from apprights.model.finding import Confidence, Evidence, Finding, Severity
from apprights.model.pi import pi_label
from apprights.rules._static_common import WEAK_ONLY, capped, pi_reads_by_subject, sdk_starts_early
from apprights.rules.base import Rule, RuleContext


class PiReadAtStartup(Rule):
    """Code that reads personal information and runs at process start, before any consent dialog can.

    What it detects
        A subject whose code reads PI (sensitive-API call sites attributed to it, or the detected SDK's
        ``pi_apis``) and that starts with the process: an SDK initialised at start-up (``init_at_startup``:
        invoked from ``Application.onCreate``/``attachBaseContext`` or a provider — e.g. ``UMConfigure.init``,
        ``JPushInterface.init``, ``CrashReport.initCrashReport`` in ``App.onCreate`` — or an auto-init
        provider of its own), an SDK owning a content provider, or PI
        calls made directly from the Application class or a provider. Code that runs before the first
        activity can collect PI before the privacy-policy dialog is answered; SDK initialisation belongs after
        consent ("SDK的初始化放在用户同意隐私政策之后").

    Legal basis
        164号文 一(1) (未经用户同意私自收集); 认定方法 三(1) (征得同意前就开始收集); T/TAF 078.6.

    Evidence and confidence
        A ``dex`` item saying why the code runs at start-up (with ``startup_calls`` when start-up code invokes
        the SDK, and ``call_path`` when the dex scanner's bounded call graph found a chain of the app's or SDKs'
        own methods from ``Application.onCreate``/``attachBaseContext`` or a provider's ``onCreate`` down to a
        read), then the PI call sites or SDK APIs. Confidence ``reachable`` only with such a path (or, for facts
        without the call graph, on the start-up reason alone); an SDK initialised at start-up with no path to
        any of its reads is ``present`` (``no_startup_path``), as is a reflective read. At
        most ``reachable``: static analysis cannot see the consent flag. The merge key
        ``T1.pre_consent:<subject id>`` joins a runtime trace showing the read before the consent tap
        (``observed_in_violation``), which then replaces this suspicion.

    Severity
        Medium when the finding is ``reachable`` and a read is evidence on its own. Low when the call graph
        found no path from start-up code to any read (``present``, ``no_startup_path``): the finding's claim is
        about *when* the SDK reads, and without a path that is a lead for a runtime test, not a finding an
        analyst signs. Low too when every read is through an API the catalogue flags ``weak`` (most apps call
        it for benign reasons: the operator name, a socket's address, the external-storage path), with
        ``weak_only`` in the first evidence item.

    Known false positives
        SDKs that defer collection until the app calls a consent API (``UMConfigure.submitPolicyGrantResult``,
        ``preInit``) or that initialise early but read PI only later; the PI call may sit on a path that never
        runs at start-up. A start-up call guarded by a stored consent flag (``if (agreed) X.init()``) looks the
        same as an unconditional one. Development libraries (catalogue ``library`` SDKs) are never reported as
        the subject, even when ``App.onCreate`` initialises them: their calls count as the app's. Platform
        libraries (support library, AndroidX, Kotlin, Google Play services client: ``TwilightManager``,
        ``NotificationManagerCompat``) are nobody's start-up read; a read through one of their wrappers counts
        for the wrapper's caller.

    Fixtures
        tests/rules/t1_collect/test_pi_read_at_startup.py (factories and an end-to-end APK with a com.umeng class
        calling TelephonyManager.getDeviceId); tests/rules/test_static_code_precision.py (a read two calls below
        ``Application.onCreate`` through the app's own helpers, with its ``call_path``).
    """

    id = "T1.pi_read_at_startup"
    problem_type = 1
    title_zh = "启动即初始化并读取个人信息，可能在用户同意前收集"
    title_en = "Reads personal information from start-up code: may collect before consent"
    severity = Severity.MEDIUM
    legal_basis = ("164号文 一(1)", "认定方法 三(1)", "T/TAF 078.6")
    requires = frozenset({"manifest", "code"})
    default_options: ClassVar[dict[str, Any]] = {"ignore_pi": ["device_info"]}

    def check(self, facts: AppFacts, ctx: RuleContext) -> Iterator[Finding]:
        reads = pi_reads_by_subject(facts, ctx, set(ctx.option(type(self), "ignore_pi")))
        depth = facts.code.reach_depth if facts.code is not None else 0
        graph = depth > 0
        for sid, r in sorted(reads.items()):
            on_path = [s for s in r.sites if s.startup and not s.reflective]
            why = sdk_starts_early(facts, r.sdk, r.sites)
            if on_path and (why is None or why.startswith("startup_class:")):
                why = f"startup_path:{on_path[0].entry}"
            if why is None:
                continue
            # with the call graph, "reachable" needs a path from start-up code to one of the reads
            confidence = Confidence.REACHABLE if on_path or not graph else Confidence.PRESENT
            why_data: dict[str, Any] = {"startup": why, "pi_types": sorted(r.pi_types)}
            if not r.strong:
                why_data.update(WEAK_ONLY)
            if on_path:
                why_data["call_path"] = list(on_path[0].path)
            elif graph:
                why_data["no_startup_path"] = (
                    f"no call path from start-up code to a read within {depth} calls"
                )
            calls = [
                e.removeprefix("startup: ")
                for e in (r.sdk.evidence if r.sdk else [])
                if e.startswith("startup: ") and " calls " in e
            ]
            if why == "init_at_startup" and calls:
                why_data["startup_calls"] = calls[
                    :5
                ]  # "Application com.x.App.onCreate calls …UMConfigure.init"
            labels_zh = "、".join(pi_label(p) for p in sorted(r.pi_types))
            labels_en = ", ".join(pi_label(p, "en") for p in sorted(r.pi_types))
            yield self.finding(
                facts,
                key="pi_read_at_startup",
                subject=r.subject,
                confidence=confidence,
                # medium needs a read that is evidence on its own and a path from start-up code to a read
                severity=None if r.strong and confidence is Confidence.REACHABLE else Severity.LOW,
                evidence=capped([Evidence("dex", why_data), *r.evidence]),
                merge_key=f"T1.pre_consent:{sid}",
                detail_zh=f"{r.subject.name}在应用启动时即运行（{why_zh(why)}），其代码读取{labels_zh}，可能早于隐私政策同意",
                detail_en=f"{r.subject.name} runs at start-up ({why_en(why)}) and its code reads {labels_en}, "
                "possibly before the privacy policy is accepted",
            )


def why_zh(why: str) -> str:
    kind, _, name = why.partition(":")
    return {
        "init_at_startup": "随应用启动初始化",
        "provider": f"自动初始化的ContentProvider {name}",
        "startup_path": f"由启动代码 {name} 经调用链到达",
    }.get(kind, f"Application或ContentProvider类 {name}")


def why_en(why: str) -> str:
    kind, _, name = why.partition(":")
    return {
        "init_at_startup": "initialised at start-up",
        "provider": f"auto-init content provider {name}",
        "startup_path": f"reached from start-up code {name} through a call chain",
    }.get(kind, f"Application or content provider class {name}")
