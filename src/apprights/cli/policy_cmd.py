"""``apprights policy analyze FILE``: what a privacy policy declares (PI types, SDK list, rights …)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from apprights.errors import EXIT_BAD_INPUT, InputError
from apprights.model.facts import to_jsonable
from apprights.model.pi import pi_label
from apprights.model.policy import PolicyFacts

app = typer.Typer(help="Privacy-policy analysis.", no_args_is_help=True)


@app.callback()
def _policy() -> None:
    """Privacy-policy analysis (HTML, Markdown or text; Chinese or English)."""


def _text_report(f: PolicyFacts) -> str:
    lines = [
        f"policy: {f.path}",
        f"title: {f.title}",
        f"format: {f.format}  encoding: {f.encoding}  language: {f.language}  "
        f"characters: {f.char_count}  sentences: {len(f.sentences)}  tables: {len(f.tables)}",
        f"operator: {f.operator or '-'}  effective: {f.effective_date or '-'}  updated: {f.updated_date or '-'}",
        f"address: {f.operator_address or '-'}  contact: {', '.join(f.contact_phones + f.contact_emails) or '-'}",
        f"collection rules: {'yes' if f.has_collection_rules else 'no'}  itemised: {'yes' if f.itemised else 'no'}"
        f"  PI with a stated purpose: {sum(1 for d in f.declared_pi if d.purposes)}/{len(f.declared_pi)}",
        "declared PI: " + (", ".join(f"{pi_label(t)}({t})" for t in sorted(f.declared_types())) or "-"),
    ]
    if f.covered_pi:
        lines.append("covered by generic terms: " + ", ".join(f.covered_pi))
    negated = sorted({d.pi_type for d in f.negated_pi} - f.declared_types())
    if negated:
        lines.append("negated only: " + ", ".join(negated))
    lines.append(f"SDK list: {len(f.sdk_list)} entries")
    for e in f.sdk_list:
        lines.append(
            f"  - {e.name} | {e.company or '-'} | {e.purpose[:40] or '-'} | {','.join(e.pi) or '-'}"
            f" | {e.link or '-'}" + (f" -> {e.sdk_id}" if e.sdk_id else "")
        )
    lines.append(
        "permissions explained: "
        + (", ".join(sorted(p.rsplit(".", 1)[-1] for p in f.permissions_explained)) or "-")
    )

    def at(i: int | None) -> str:
        return f"#{i}: {f.excerpt(i, 80)}" if i is not None else "not found"

    lines += [
        f"targeted push disclosed: {at(f.targeted_push_disclosed)}",
        f"targeted push opt-out: {at(f.targeted_push_opt_out)}",
        f"self-start disclosed: {at(f.self_start_disclosed)}",
        "rights: " + (", ".join(f"{k}#{v}" for k, v in sorted(f.rights.items())) or "-"),
        "rights with a path or channel: "
        + (
            ", ".join(
                f"{k}#{v} ({f.rights_means_text.get(k, '')})" for k, v in sorted(f.rights_means.items())
            )
            or "-"
        ),
        "response limit: "
        + (
            f"{f.response_days} {f.response_unit} (#{f.response_days_sentence})"
            if f.response_days
            else "none"
        ),
        f"complaint channel: {at(f.complaint_channel)}",
    ]
    lines += [f"warning: {w}" for w in f.warnings]
    return "\n".join(lines)


@app.command()
def analyze(
    file: Annotated[
        str, typer.Argument(metavar="FILE", help="Policy file (HTML, Markdown or text), or a URL.")
    ],
    format: Annotated[str, typer.Option("--format", help="Output format: text or json.")] = "text",
    allow_fetch: Annotated[
        bool, typer.Option("--allow-fetch", help="Allow FILE to be an http(s) URL (network access).")
    ] = False,
) -> None:
    """Analyse a privacy policy and print what it declares."""
    from apprights.extractors.policy import extract_policy, extract_policy_bytes
    from apprights.extractors.policy.fetch import FetchConfig, fetch_policy
    from apprights.knowledge import Knowledge

    if format not in ("text", "json"):
        typer.echo(f"apprights: error: --format must be text or json, not {format!r}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    catalogue = Knowledge.load().sdks
    try:
        if file.startswith(("http://", "https://")):
            fetched = fetch_policy(file, FetchConfig(enabled=allow_fetch))
            facts = extract_policy_bytes(fetched.data, source=fetched.url, sdk_catalogue=catalogue)
        else:
            if Path(file).is_dir():
                raise InputError(file, "is a directory, not a policy file")
            facts = extract_policy(Path(file), sdk_catalogue=catalogue)
    except InputError as exc:
        typer.echo(f"apprights: error: {exc}", err=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    if format == "json":
        typer.echo(json.dumps(to_jsonable(facts), ensure_ascii=False, indent=1))
    else:
        typer.echo(_text_report(facts))
