"""The ``apprights`` command line. Thin: every command calls the layers below."""

from __future__ import annotations

import importlib
import json
import logging
import re
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from apprights import __version__
from apprights.cli.common import fail, setup_logging
from apprights.errors import EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK, InputError

log = logging.getLogger("apprights.cli")

app = typer.Typer(
    name="apprights",
    help="apprights — App technical detection for 工信部信管函〔2020〕164号 (scan apps, SDKs, policies, traces, "
    "store listings; run the management service).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
rules_app = typer.Typer(help="The rule catalogue / 规则目录.", no_args_is_help=True)
sdk_app = typer.Typer(help="The SDK catalogue / SDK目录.", no_args_is_help=True)
categories_app = typer.Typer(
    help="The 39 app categories of 《常见类型移动互联网应用程序必要个人信息范围规定》 / 39类常见类型App.",
    no_args_is_help=True,
)
app.add_typer(rules_app, name="rules")
app.add_typer(sdk_app, name="sdk")
app.add_typer(categories_app, name="categories")

SEVERITIES = ("info", "low", "medium", "high", "none")


def _version_cb(value: bool) -> None:
    if value:
        typer.echo(f"apprights {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging on stderr.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version_cb, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    setup_logging(verbose)


def _load_knowledge(exodus: Path | None) -> Any:
    from apprights.knowledge import Knowledge

    if exodus is not None and not exodus.is_file():
        fail(f"{exodus}: Exodus tracker file not found")
    try:
        return Knowledge.load(exodus_file=exodus)
    except InputError as exc:
        fail(str(exc))
    except (ValueError, KeyError, OSError, TypeError, AttributeError, RecursionError) as exc:
        fail(f"{exodus}: cannot read Exodus tracker file: {type(exc).__name__}: {str(exc)[:200]}")


@app.command()
def scan(
    apks: Annotated[
        list[Path] | None, typer.Argument(help="APK file(s). Several APKs are scanned one after another.")
    ] = None,
    policy: Annotated[Path | None, typer.Option(help="Privacy policy (HTML, Markdown or text).")] = None,
    trace: Annotated[
        list[Path] | None, typer.Option(help="Runtime trace (apprights-trace/1 JSONL[.gz]); repeatable.")
    ] = None,
    listing: Annotated[
        list[Path] | None, typer.Option(help="Store listing (apprights-listing/1); repeatable.")
    ] = None,
    category: Annotated[
        str | None, typer.Option(help="App category (one of the 39, e.g. 地图导航类 or news).")
    ] = None,
    developer: Annotated[str | None, typer.Option(help="Developer / operator name, for the report.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="text | json | html | sarif")] = "text",
    output: Annotated[Path | None, typer.Option(help="Write the report here instead of stdout.")] = None,
    fail_on: Annotated[
        str, typer.Option(help="Exit 1 when a finding is at or above: info|low|medium|high|none.")
    ] = "high",
    exodus: Annotated[
        Path | None, typer.Option(help="Also detect the trackers of this Exodus JSON file.")
    ] = None,
    rule: Annotated[
        list[str] | None, typer.Option("--rule", help="Run only these rule ids; repeatable.")
    ] = None,
    disable: Annotated[list[str] | None, typer.Option(help="Do not run these rule ids; repeatable.")] = None,
    option: Annotated[
        list[str] | None, typer.Option("--option", help="Rule option RULE_ID.name=value; repeatable.")
    ] = None,
    verify_signature: Annotated[
        bool,
        typer.Option(
            "--verify-signature/--no-verify-signature",
            help="Check the APK's v1/v2/v3 digests and signatures as Android does (校验签名).",
        ),
    ] = True,
) -> None:
    """Scan one app with all the evidence given / 检测一个应用 (APK, 隐私政策, 运行轨迹, 商店页面)."""
    from apprights.engine.scan import ScanRequest
    from apprights.engine.scan import scan as run_scan
    from apprights.model.finding import Severity

    if fmt not in ("text", "json", "html", "sarif"):
        fail(f"--format {fmt!r}: expected text, json, html or sarif")
    if fail_on not in SEVERITIES:
        fail(f"--fail-on {fail_on!r}: expected one of {', '.join(SEVERITIES)}")
    apk_list = list(apks or [])
    if not apk_list and not trace and not policy and not listing:
        fail("nothing to scan: give an APK, or --trace/--policy/--listing")
    if len(apk_list) > 1 and fmt == "html" and output is None:
        fail("several APKs with --format html need --output DIR")
    knowledge = _load_knowledge(exodus)
    from apprights.engine.options import check_rule_ids, parse_rule_options

    try:
        options = parse_rule_options(list(option or []))
        only = check_rule_ids(rule, "--rule") if rule else None
        disabled = check_rule_ids(disable, "--disable") if disable else None
    except InputError as exc:
        fail(str(exc))
    threshold = None if fail_on == "none" else Severity(fail_on).rank
    worst = EXIT_OK
    outputs: list[str] = []
    targets: list[Path | None] = list(apk_list) if apk_list else [None]
    show_progress = len(targets) > 1
    for n, apk in enumerate(targets, 1):
        if show_progress:
            typer.echo(f"[{n}/{len(targets)}] {apk}", err=True)
        req = ScanRequest(
            apk=apk,
            policy=policy,
            traces=list(trace or []),
            listings=list(listing or []),
            category=category,
            developer=developer,
            options=options,
            only_rules=only,
            disabled_rules=disabled,
            verify_signature=verify_signature,
        )
        try:
            result = run_scan(req, knowledge)
        except InputError as exc:
            typer.echo(f"apprights: error: {exc}", err=True)
            worst = EXIT_BAD_INPUT
            continue
        except Exception as exc:  # safety net: hostile input must never show a traceback
            log.debug("unexpected error", exc_info=True)
            named = apk if apk is not None else (policy or next(iter(trace or listing or []), None))
            typer.echo(
                f"apprights: error: {named}: cannot be analysed ({type(exc).__name__}: {exc})", err=True
            )
            worst = EXIT_BAD_INPUT
            continue
        report = result.report
        try:
            outputs.append(_render(report, fmt, multi=len(targets) > 1))
        except Exception as exc:  # a report the renderer chokes on: one line, the batch goes on
            log.debug("rendering failed", exc_info=True)
            typer.echo(
                f"apprights: error: {apk}: report cannot be rendered ({type(exc).__name__}: {exc})", err=True
            )
            worst = EXIT_BAD_INPUT
            continue
        if fmt == "html" and output is not None and len(targets) > 1:
            try:
                output.mkdir(parents=True, exist_ok=True)
                stem = apk.stem if apk is not None else "report"
                (output / f"{stem}.html").write_text(_encodable(outputs.pop()), encoding="utf-8")
            except OSError as exc:
                fail(f"{output}: cannot write report: {exc.strerror or exc}")
        if (
            threshold is not None
            and worst == EXIT_OK
            and any(Severity(f["severity"]).rank >= threshold for f in report["findings"])
        ):
            worst = EXIT_FINDINGS
    text = _encodable("".join(outputs))
    if output is not None and not (fmt == "html" and len(targets) > 1):
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            fail(f"{output}: cannot write report: {exc.strerror or exc}")
    elif text:
        _write_stdout(text)
    raise typer.Exit(worst)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _encodable(text: str) -> str:
    """Lone surrogates (from ``\\ud800`` escapes in an input, or undecodable bytes in a file name) written as
    ``\\udXXX`` escapes: the report stays valid UTF-8, and valid JSON for ``--format json``."""
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _write_stdout(text: str) -> None:
    """Reports are UTF-8 whatever the locale (a latin-1 terminal must not turn a report into a traceback)."""
    buf = getattr(sys.stdout, "buffer", None)
    if buf is None:
        sys.stdout.write(text)
        return
    sys.stdout.flush()
    buf.write(text.encode("utf-8"))
    buf.flush()


def _render(report: dict[str, Any], fmt: str, *, multi: bool) -> str:
    if fmt == "json":
        from apprights.reports.json_report import dumps

        if multi:
            return json.dumps(report, ensure_ascii=False) + "\n"
        return dumps(report) + "\n"
    if fmt == "html":
        from apprights.reports.html_report import render_html

        return render_html(report)
    if fmt == "sarif":
        from apprights.reports.sarif import render_sarif

        return json.dumps(render_sarif(report), ensure_ascii=False, indent=None if multi else 2) + "\n"
    from apprights.reports.text_report import render_text

    return render_text(report)


def _check_list_format(fmt: str) -> None:
    if fmt not in ("text", "json"):
        fail(f"--format must be text or json, not {fmt!r}")


@rules_app.command("list")
def rules_list(
    problem_type: Annotated[int | None, typer.Option("--type", help="Only this problem type (1-10).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="text | json")] = "text",
) -> None:
    """List the rules: id, problem type, severity, facts needed, title."""
    from apprights.rules.base import discover_rules

    _check_list_format(fmt)

    rows = [r for r in discover_rules() if problem_type is None or r.problem_type == problem_type]
    if fmt == "json":
        typer.echo(
            json.dumps(
                [
                    {
                        "id": r.id,
                        "problem_type": r.problem_type,
                        "severity": str(r.severity),
                        "requires": sorted(r.requires),
                        "title": {"zh": r.title_zh, "en": r.title_en},
                        "legal_basis": list(r.legal_basis),
                    }
                    for r in rows
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    for r in rows:
        typer.echo(
            f"{r.id:<42} {r.problem_type:>2} {r.severity!s:<6} {','.join(sorted(r.requires)):<22} {r.title_zh} / {r.title_en}"
        )
    typer.echo(f"{len(rows)} rules")


@rules_app.command("show")
def rules_show(rule_id: Annotated[str, typer.Argument(help="Rule id, e.g. T5.target_sdk_below_23")]) -> None:
    """One rule's documentation."""
    from apprights.knowledge.legal import resolve
    from apprights.rules.base import discover_rules

    for r in discover_rules():
        if r.id == rule_id:
            typer.echo(f"{r.id} — {r.title_zh} / {r.title_en}")
            typer.echo(
                f"problem type {r.problem_type}; severity {r.severity}; needs {', '.join(sorted(r.requires)) or '-'}"
            )
            for ref in r.legal_basis:
                lr = resolve(ref)
                typer.echo(f"legal basis: {ref}" + (f" — {lr.document_zh} {lr.clause}" if lr else ""))
            if r.default_options:
                typer.echo("options: " + ", ".join(f"{k}={v!r}" for k, v in r.default_options.items()))
            typer.echo("")
            typer.echo(r.doc())
            return
    fail(f"no rule with id {rule_id!r} (see `apprights rules list`)")


@sdk_app.command("list")
def sdk_list(
    category: Annotated[
        str | None, typer.Option(help="Only this category (push, analytics, ads, …).")
    ] = None,
    country: Annotated[str | None, typer.Option(help="Only this country code, e.g. CN.")] = None,
    exodus: Annotated[
        Path | None, typer.Option(help="Include the trackers of this Exodus JSON file.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="text | json")] = "text",
) -> None:
    """List the SDK catalogue."""
    _check_list_format(fmt)
    k = _load_knowledge(exodus)
    rows = [
        e
        for e in k.sdks.entries
        if (category is None or e.category == category) and (country is None or e.country == country)
    ]
    if fmt == "json":
        typer.echo(
            json.dumps(
                [
                    {
                        "id": e.id,
                        "name_zh": e.name_zh,
                        "name_en": e.name_en,
                        "vendor": e.vendor,
                        "category": e.category,
                        "country": e.country,
                        "prefixes": list(e.prefixes),
                    }
                    for e in rows
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    for e in rows:
        typer.echo(f"{e.id:<36} {e.category:<10} {e.country:<3} {e.name}")
    typer.echo(f"{len(rows)} SDKs (catalogue {k.sdks.version})")


@sdk_app.command("show")
def sdk_show(
    sdk_id: Annotated[str, typer.Argument(help="SDK id, e.g. umeng-analytics")],
    exodus: Annotated[
        Path | None, typer.Option(help="Include the trackers of this Exodus JSON file.")
    ] = None,
) -> None:
    """One SDK: names, vendor, category, prefixes, hosts, components, PI it collects."""
    k = _load_knowledge(exodus)
    e = k.sdks.get(sdk_id)
    if e is None:
        fail(f"no SDK with id {sdk_id!r} (see `apprights sdk list`)")
    typer.echo(f"{e.id}: {e.name_zh} / {e.name_en}")
    typer.echo(f"vendor: {e.vendor}\ncategory: {e.category}\ncountry: {e.country}\nsource: {e.source}")
    typer.echo("prefixes: " + ", ".join(e.prefixes))
    if e.hosts:
        typer.echo("hosts: " + ", ".join(e.hosts))
    if e.components:
        typer.echo("components: " + ", ".join(e.components))
    if e.pi:
        typer.echo("collects: " + ", ".join(e.pi))


@categories_app.command("list")
def categories_list(
    fmt: Annotated[str, typer.Option("--format", help="text | json")] = "text",
) -> None:
    """The 39 categories (the values --category accepts): number, name, basic function, necessary PI."""
    _check_list_format(fmt)
    k = _load_knowledge(None)
    cats = k.categories.categories
    if fmt == "json":
        rows = [
            {
                "no": c.no,
                "name": c.name,
                "name_en": c.name_en,
                "aliases": list(c.aliases),
                "basic_function": {"zh": c.basic_function, "en": c.basic_function_en},
                "necessary_text": c.necessary_text,
                "necessary_pi": sorted(c.necessary_pi),
                "necessary_permissions": sorted(c.necessary_permissions),
            }
            for c in cats
        ]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for c in cats:
        typer.echo(f"{c.no:>2} {c.name} / {c.name_en}")
        typer.echo(f"     基本功能 basic function: {c.basic_function} / {c.basic_function_en}")
        typer.echo(
            f"     必要个人信息 necessary PI: {c.necessary_text} [{', '.join(sorted(c.necessary_pi)) or '-'}]"
        )
    typer.echo(
        f"{len(cats)} categories (table {k.categories.version}); --category takes the number, name or an alias"
    )


@app.command("diff")
def diff_cmd(
    before: Annotated[Path, typer.Argument(help="Earlier report (apprights-report/1 JSON).")],
    after: Annotated[Path, typer.Argument(help="Later report, e.g. of the rectified version.")],
    fmt: Annotated[str, typer.Option("--format", help="text | json")] = "text",
) -> None:
    """What a re-test fixed, what remains, what is new, what was not re-tested / 复检对比.

    An earlier finding counts as fixed only when the later report shows its rule ran on the same kinds of
    evidence (static / policy / trace / listing) and did not find it again. Exit 0 when rectified (every earlier
    finding fixed, nothing new of the same problem types), 1 otherwise, 2 when the reports are not of the same
    app (package or signing certificate) or unreadable."""
    from apprights.reports.diff import NotComparable, diff_reports, render_diff_text, report_problem

    if fmt not in ("text", "json"):
        fail(f"--format must be text or json, not {fmt!r}")

    reports = []
    for p in (before, after):
        try:
            doc = json.loads(p.read_text(encoding="utf-8"))
        except OSError as exc:
            fail(f"{p}: cannot read file: {exc.strerror or exc}")
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            fail(f"{p}: not a JSON report: {exc}")
        problem = report_problem(doc)
        if problem:
            fail(f"{p}: {problem}")
        reports.append(doc)
    try:
        d = diff_reports(reports[0], reports[1])
    except NotComparable as exc:
        fail(f"{before} vs {after}: {exc}")
    if fmt == "json":
        typer.echo(json.dumps(d.to_dict(), ensure_ascii=False, indent=2))
    else:
        typer.echo(render_diff_text(d), nl=False)
    raise typer.Exit(EXIT_OK if d.rectified else EXIT_FINDINGS)


def _mount_optional() -> None:
    """Sub-commands that live in their own modules (policy, calendar, collect, campaign, service)."""
    mounts = [
        ("apprights.cli.policy_cmd", "app", "policy", "typer"),
        ("apprights.cli.calendar_cmd", "app", "calendar", "typer"),
        ("apprights.cli.campaign_cmd", "app", "campaign", "typer"),
        ("apprights.cli.collect_cmd", "app", "collect", "typer"),
        ("apprights.cli.collect_cmd", "collect_cmd", "collect", "command"),
        ("apprights.cli.service_cmds", "serve_cmd", "serve", "command"),
        ("apprights.cli.service_cmds", "db_app", "db", "typer"),
        ("apprights.cli.service_cmds", "ingest_cmd", "ingest", "command"),
        ("apprights.cli.service_cmds", "ingest_listings_cmd", "ingest-listings", "command"),
        ("apprights.cli.service_cmds", "cases_app", "cases", "typer"),
        ("apprights.cli.service_cmds", "notices_app", "notices", "typer"),
    ]
    mounted: set[str] = set()
    for module, attr, name, kind in mounts:
        if name in mounted:
            continue
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("apprights"):
                continue
            raise
        obj = getattr(mod, attr, None)
        if obj is None:
            continue
        if kind == "typer":
            app.add_typer(obj, name=name)
        else:
            app.command(name)(obj)
        mounted.add(name)


_mount_optional()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
