"""Validation of one ``apprights-trace/1`` event: strict on required fields and types, tolerant of unknown
fields and unknown event types. ``null`` in an optional field counts as absent."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from apprights.errors import InputError

Check = Callable[[Any], str | None]  # returns a problem description, or None when the value is fine


def _str(v: Any) -> str | None:
    return None if type(v) is str else f"must be a string, not {_jtype(v)}"


def _nonempty_str(v: Any) -> str | None:
    if not isinstance(v, str):
        return f"must be a string, not {_jtype(v)}"
    return None if v.strip() else "must not be empty"


def _num(v: Any) -> str | None:
    if type(v) not in (int, float):
        return f"must be a number, not {_jtype(v)}"
    return None if math.isfinite(v) else "must be a finite number"


def _int(v: Any) -> str | None:
    return None if type(v) is int else f"must be an integer, not {_jtype(v)}"


def _bool(v: Any) -> str | None:
    return None if type(v) is bool else f"must be true or false, not {_jtype(v)}"


def _dict(v: Any) -> str | None:
    return None if isinstance(v, dict) else f"must be an object, not {_jtype(v)}"


def _list(v: Any) -> str | None:
    return None if isinstance(v, list) else f"must be a list, not {_jtype(v)}"


def _str_list(v: Any) -> str | None:
    if type(v) is not list:
        return f"must be a list of strings, not {_jtype(v)}"
    if set(map(type, v)) <= _STR_TYPE:
        return None
    for i, x in enumerate(v):
        if not isinstance(x, str):
            return f"item {i} must be a string, not {_jtype(x)}"
    return None


_STR_TYPE = frozenset({str})


def _nonempty_str_list(v: Any) -> str | None:
    p = _str_list(v)
    if p:
        return p
    return None if v else "must not be empty"


def _enum(*allowed: str) -> Check:
    choices = frozenset(allowed)

    def check(v: Any) -> str | None:
        if not isinstance(v, str):
            return f"must be a string, not {_jtype(v)}"
        return None if v in choices else f"must be one of {', '.join(sorted(choices))}, not {v!r}"

    check._choices = choices  # type: ignore[attr-defined]  # read by the fast-path compiler below
    return check


def _objects(**fields: Check) -> Check:
    strings = tuple(name for name, c in fields.items() if c is _str)
    others = tuple((name, c) for name, c in fields.items() if c is not _str)

    def fine(v: list[Any]) -> bool:  # the usual case, without building messages
        for x in v:
            if x.__class__ is not dict:
                return False
            get = x.get
            for name in strings:
                y = get(name)
                if y is not None and y.__class__ is not str:
                    return False
            for name, c in others:
                y = get(name)
                if y is not None and c(y):
                    return False
        return True

    def check(v: Any) -> str | None:
        if not isinstance(v, list):
            return f"must be a list of objects, not {_jtype(v)}"
        if fine(v):
            return None
        for i, x in enumerate(v):
            if not isinstance(x, dict):
                return f"item {i} must be an object, not {_jtype(x)}"
            for name, c in fields.items():
                y = x.get(name)
                if y is not None:
                    p = c(y)
                    if p:
                        return f"item {i} field '{name}' {p}"
        return None

    return check


def _headers(v: Any) -> str | None:
    if not isinstance(v, dict):
        return f"must be an object, not {_jtype(v)}"
    if _all_str(v.values()):  # type: ignore[arg-type]  # the usual case, checked in C
        return None
    for k, x in v.items():
        if not isinstance(x, (str, int, float)) or isinstance(x, bool):
            if isinstance(x, list) and all(isinstance(y, str) for y in x):
                continue
            return f"header {k!r} must be a string"
    return None


def _sha256(v: Any) -> str | None:
    if not isinstance(v, str):
        return f"must be a string, not {_jtype(v)}"
    if len(v) != 64 or any(c not in "0123456789abcdefABCDEF" for c in v):
        return "must be 64 hexadecimal digits"
    return None


def _jtype(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, (int, float)):
        return "a number"
    if isinstance(v, str):
        return "a string"
    if isinstance(v, list):
        return "a list"
    if isinstance(v, dict):
        return "an object"
    return type(v).__name__


COMMON_OPTIONAL: dict[str, Check] = {"wall": _str, "process": _str, "pid": _int}

# type -> (required, optional)
SCHEMA: dict[str, tuple[dict[str, Check], dict[str, Check]]] = {
    "session": (
        {"format": _str, "package": _nonempty_str},
        {
            "version_name": _str,
            "version_code": lambda v: None if type(v) is int or isinstance(v, str) else "must be an integer",
            "apk_sha256": _str,
            "device": _dict,
            "collector": _dict,
            "scenario": _str,
            "started_at": _str,
            "fresh_install": _bool,
            "clock": _dict,
        },
    ),
    "app_state": (
        {"state": _enum("foreground", "background", "screen_off", "screen_on", "killed", "not_running")},
        {"reason": _str},
    ),
    "consent": (
        {"action": _enum("shown", "agreed", "refused", "withdrawn")},
        {"document": _str, "screen": _str},
    ),
    "ui": (
        {"screen": _str},
        {
            "texts": _str_list,
            "buttons": _objects(text=_str, id=_str),
            "checkboxes": _objects(text=_str, id=_str, checked=_bool),
            "inputs": _objects(hint=_str, id=_str),
            "screenshot": _str,
        },
    ),
    "tap": ({}, {"text": _str, "id": _str, "x": _num, "y": _num, "dialog": _str, "screenshot": _str}),
    "api_call": (
        {"api": _nonempty_str},
        {
            "args": _list,
            "ret_sha256": _sha256,
            "ret_variants_sha256": _str_list,
            "stack": _str_list,
            "thread": _str,
            "error": _str,
        },
    ),
    "permission_request": ({"permissions": _nonempty_str_list}, {"stack": _str_list}),
    "permission_result": (
        {"permission": _nonempty_str, "result": _enum("granted", "denied", "denied_forever")},
        {},
    ),
    "proc_start": (
        {
            "package": _nonempty_str,
            "process": _str,
            "hosting_type": _enum("activity", "service", "broadcast", "provider", "other"),
        },
        {"component": _str, "action": _str, "caller_package": _str},
    ),
    "intent": (
        {
            "op": _enum("startActivity", "startService", "bindService", "sendBroadcast", "startActivities"),
            "target_package": _str,
        },
        {"component": _str, "action": _str, "data": _str, "extras_keys": _str_list, "stack": _str_list},
    ),
    "network": (
        {"host": _nonempty_str, "method": _str},
        {
            "url": _str,
            "ip": _str,
            "port": _int,
            "scheme": _str,
            "request_headers": _headers,
            "request_body_b64": _str,
            "response_status": _int,
            "stack": _str_list,
            "tls": _bool,
            "source": _str,
            "error": _str,
        },
    ),
    "process_exit": ({"reason": _enum("exit", "crash", "killed")}, {}),
    "sensor_injection": (
        {"sensor": _enum("accelerometer", "gyroscope")},
        {"accel_ms2": _num, "rotation_deg": _num, "duration_s": _num},
    ),
    "download": ({"url": _str}, {"package": _str, "user_initiated": _bool}),
    "note": ({"text": _str}, {}),
    "device_ids": ({"ids": _list}, {"source": _str}),
    "crypto": (
        {"op": _str},
        {
            "algorithm": _str,
            "data_b64": _str,
            "stack": _str_list,
            "method": _str,
            "mode": _str,
            "out_b64": _str,
            "out_size": _int,
        },
    ),
}


_PLAIN: dict[Check, type] = {_str: str, _int: int, _bool: bool, _dict: dict, _list: list}

# type -> (required names, {name: check} for required, optional and common fields). Checks that are a plain
# type test are stored as the type itself so the hot loop can test it without a function call.
_COMPILED: dict[str, tuple[frozenset[str], frozenset[str], dict[str, Any]]] = {}
for _typ, (_req, _opt) in SCHEMA.items():
    _checks = {k: _PLAIN.get(c, c) for k, c in {**COMMON_OPTIONAL, **_opt, **_req}.items()}
    _COMPILED[_typ] = (frozenset(_req), frozenset(_checks), _checks)
_COMMON_COMPILED: dict[str, Any] = {k: _PLAIN.get(c, c) for k, c in COMMON_OPTIONAL.items()}
_UNKNOWN_TYPE_SPEC = (frozenset[str](), frozenset(_COMMON_COMPILED), _COMMON_COMPILED)
_NUMBER_TYPES = (int, float)
_PLAIN_CHECK: dict[type, Check] = {v: k for k, v in _PLAIN.items()}


def validate_event(obj: Any, path: str, line: int) -> dict[str, Any]:
    """The event itself when it is well formed; ``InputError`` naming the line and field otherwise."""
    if type(obj) is not dict:
        raise InputError(path, f"line {line}: an event must be a JSON object, not {_jtype(obj)}")
    typ = obj.get("type")
    if type(typ) is not str:
        if typ is None:
            raise InputError(path, f"line {line}: field 'type' is missing")
        raise InputError(path, f"line {line}: field 'type' must be a string, not {_jtype(typ)}")
    t: Any = obj.get("t")
    if type(t) not in _NUMBER_TYPES or not (0 <= t < math.inf):
        if "t" not in obj:
            raise InputError(path, f"line {line}: field 't' is missing")
        p = _num(t)
        if p:
            raise InputError(path, f"line {line}: field 't' {p}")
        raise InputError(path, f"line {line}: field 't' must not be negative")
    # unknown event types are tolerated (and counted by the caller): only the common fields are checked
    required, names, checks = _COMPILED.get(typ, _UNKNOWN_TYPE_SPEC)
    for name in obj.keys() & names:  # fast path (C-level filtering); errors are re-found in file order below
        v = obj[name]
        if v is None:
            continue
        check = checks[name]
        if check.__class__ is type:
            if type(v) is not check:
                _raise_first_problem(obj, checks, path, line)
            continue
        if check(v):
            _raise_first_problem(obj, checks, path, line)
    for name in required:
        if obj.get(name) is None:
            raise InputError(path, f"line {line}: field '{name}' is missing ({typ} event)")
    if typ == "session" and obj["format"] != "apprights-trace/1":
        raise InputError(
            path, f"line {line}: field 'format' must be 'apprights-trace/1', not {obj['format']!r}"
        )
    return obj


def _raise_first_problem(obj: dict[str, Any], checks: dict[str, Any], path: str, line: int) -> None:
    """Raise for the first bad field in the order the line lists them (deterministic messages)."""
    for name, v in obj.items():
        check = checks.get(name)
        if check is None or v is None:
            continue
        p = _PLAIN_CHECK[check](v) if check.__class__ is type else check(v)
        if p:
            raise InputError(path, f"line {line}: field '{name}' {p}")


# -- fast path --------------------------------------------------------------------------------------------------
# ``validate_event`` above is the reference: it names the first bad field. Reading a million-event trace calls a
# check per event, so each event type also gets a straight-line predicate generated from ``SCHEMA`` (one
# ``dict.get`` and one or two type tests per field, no loop, no set building). It answers only "well formed or
# not"; on "not" the reader calls ``validate_event`` for the message. The predicate never accepts what
# ``validate_event`` rejects (tests/extractors/trace/test_schema_fast.py checks both against each other).

FastCheck = Callable[[dict[str, Any]], bool]


def _all_str(v: list[Any]) -> bool:
    try:  # joining is several times faster than testing each item's type; it fails on anything but strings
        "".join(v)
    except TypeError:
        return False
    return True


def _expr(check: Check, var: str, env: dict[str, Any]) -> str:
    """A Python expression, true when ``var`` (known not to be None) passes ``check``."""
    if check is _str:
        return f"{var}.__class__ is str"
    if check is _nonempty_str:
        return f"({var}.__class__ is str and not ({var} == '' or {var}.isspace()))"
    if check is _num:
        return f"({var}.__class__ is int or ({var}.__class__ is float and {var} - {var} == 0.0))"
    if check is _int:
        return f"{var}.__class__ is int"
    if check is _bool:
        return f"{var}.__class__ is bool"
    if check is _dict:
        return f"{var}.__class__ is dict"
    if check is _list:
        return f"{var}.__class__ is list"
    if check is _str_list:
        return f"({var}.__class__ is list and _all_str({var}))"
    if check is _nonempty_str_list:
        return f"({var}.__class__ is list and {var} and _all_str({var}))"
    name = f"_c{len(env)}"
    choices = getattr(check, "_choices", None)
    if choices is not None:
        env[name] = choices
        return f"({var}.__class__ is str and {var} in {name})"
    env[name] = check
    return f"{name}({var}) is None"


def _compile_fast(required: dict[str, Check], optional: dict[str, Check]) -> FastCheck:
    env: dict[str, Any] = {"_all_str": _all_str}
    lines = ["def check(o):", "    g = o.get"]
    for name, c in required.items():
        lines += [
            f"    v = g({name!r})",
            f"    if v is None or not {_expr(c, 'v', env)}:",
            "        return False",
        ]
    for name, c in {**COMMON_OPTIONAL, **optional}.items():
        if name in required:
            continue
        lines += [
            f"    v = g({name!r})",
            f"    if v is not None and not {_expr(c, 'v', env)}:",
            "        return False",
        ]
    lines.append("    return True")
    exec(
        compile("\n".join(lines), "<apprights-trace-schema>", "exec"), env
    )  # code built from SCHEMA above, no input in it
    fn: FastCheck = env["check"]
    return fn


def fast_checks() -> tuple[dict[str, FastCheck], FastCheck]:
    """(event type → predicate, predicate for event types the schema does not know). ``session`` is left out:
    it occurs once and goes through ``validate_event``."""
    by_type = {typ: _compile_fast(req, opt) for typ, (req, opt) in SCHEMA.items() if typ != "session"}
    return by_type, _compile_fast({}, {})
