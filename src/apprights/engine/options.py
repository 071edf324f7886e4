"""Rule selection and options given by a user: checked against the catalogue before anything runs."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from apprights.errors import InputError
from apprights.rules.base import discover_rules


def check_rule_ids(ids: Iterable[str], flag: str) -> set[str]:
    known = {r.id for r in discover_rules()}
    chosen = set(ids)
    unknown = sorted(chosen - known)
    if unknown:
        raise InputError(flag, f"unknown rule id {unknown[0]!r} (see `apprights rules list`)")
    return chosen


def _coerce(flag: str, rule_id: str, name: str, default: Any, raw: str) -> Any:
    where = f"{rule_id}.{name}"
    try:
        parsed: Any = json.loads(raw)
    except json.JSONDecodeError:
        parsed = raw
    if isinstance(default, bool):
        if isinstance(parsed, bool):
            return parsed
        raise InputError(flag, f"{where} expects true or false, got {raw!r}")
    if isinstance(default, int):
        if isinstance(parsed, int) and not isinstance(parsed, bool):
            return parsed
        raise InputError(flag, f"{where} expects a whole number, got {raw!r}")
    if isinstance(default, float):
        if isinstance(parsed, (int, float)) and not isinstance(parsed, bool):
            return float(parsed)
        raise InputError(flag, f"{where} expects a number, got {raw!r}")
    if isinstance(default, (list, tuple)):
        if isinstance(parsed, list):
            return parsed
        raise InputError(flag, f"{where} expects a JSON list, got {raw!r}")
    if isinstance(default, dict):
        if isinstance(parsed, dict):
            return parsed
        raise InputError(flag, f"{where} expects a JSON object, got {raw!r}")
    return raw if isinstance(default, str) else parsed


def parse_rule_options(values: Iterable[str], flag: str = "--option") -> dict[str, dict[str, Any]]:
    """``RULE_ID.option=value`` items → {rule id: {option: value}}, typed like the rule's default."""
    rules = {r.id: r for r in discover_rules()}
    out: dict[str, dict[str, Any]] = {}
    for item in values:
        lhs, sep, rhs = item.partition("=")
        if not sep or "." not in lhs:
            raise InputError(
                flag, f"{item!r}: expected RULE_ID.option=value, e.g. T2.collect_frequency.max_reads=5"
            )
        rule_id, name = lhs.rsplit(".", 1)
        rule = rules.get(rule_id)
        if rule is None:
            raise InputError(flag, f"unknown rule id {rule_id!r} (see `apprights rules list`)")
        if name not in rule.default_options:
            have = ", ".join(sorted(rule.default_options)) or "none"
            raise InputError(flag, f"rule {rule_id} has no option {name!r} (options: {have})")
        out.setdefault(rule_id, {})[name] = _coerce(flag, rule_id, name, rule.default_options[name], rhs)
    return out
