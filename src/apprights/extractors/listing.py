"""Store listings (``apprights-listing/1``): one object, an array, or JSON Lines. Strict on required fields."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

from apprights.errors import InputError
from apprights.model.listing import ListedPermission, ListingFacts

LISTING_FORMAT = "apprights-listing/1"
MAX_BYTES = 32 * 1024 * 1024
MAX_LISTINGS = 100_000
_REQUIRED: dict[str, type | tuple[type, ...]] = {
    "format": str,
    "store": str,
    "captured_at": str,
    "listed": bool,
    "app_name": str,
}


def extract_listings(path: Path) -> list[ListingFacts]:
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            raise InputError(str(path), "not a regular file")
        size = st.st_size
        if size > MAX_BYTES:
            raise InputError(str(path), f"listing file is {size} bytes; the limit is {MAX_BYTES}")
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(str(path), f"cannot read file: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"not UTF-8 (byte {exc.start})") from None
    items = _parse_items(str(path), text)
    if not items:
        raise InputError(str(path), "no listing in file")
    for where, obj in items:
        _check_text(str(path), where, obj)
    return [parse_listing(str(path), i, where, obj) for i, (where, obj) in enumerate(items)]


def _check_text(path: str, where: str, obj: Any, depth: int = 0) -> None:
    """Reject strings that are not Unicode text (lone surrogates from ``\\ud800`` escapes): they cannot be
    written to a report, hashed into a fingerprint or stored."""
    if depth > 64:
        raise InputError(path, f"{where}: JSON nested too deeply")
    if isinstance(obj, str):
        try:
            obj.encode("utf-8")
        except UnicodeEncodeError:
            raise InputError(
                path, f"{where}: a string holds an unpaired surrogate escape (not valid text)"
            ) from None
    elif isinstance(obj, dict):
        for k, v in obj.items():
            _check_text(path, where, k, depth + 1)
            _check_text(path, where, v, depth + 1)
    elif isinstance(obj, list):
        for v in obj:
            _check_text(path, where, v, depth + 1)


def _parse_items(path: str, text: str) -> list[tuple[str, Any]]:
    stripped = text.strip()
    if not stripped:
        return []
    try:
        doc = json.loads(stripped)
    except json.JSONDecodeError as exc:
        if stripped.startswith("{") and "\n" in stripped:
            return _parse_jsonl(path, text)
        raise InputError(path, f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise InputError(path, "JSON nested too deeply") from None
    if isinstance(doc, list):
        if len(doc) > MAX_LISTINGS:
            raise InputError(path, f"more than {MAX_LISTINGS} listings")
        return [(f"item {i}", o) for i, o in enumerate(doc)]
    return [("object", doc)]


def _parse_jsonl(path: str, text: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append((f"line {n}", json.loads(line)))
        except json.JSONDecodeError as exc:
            raise InputError(path, f"line {n}: invalid JSON: {exc.msg}") from None
        except RecursionError:
            raise InputError(path, f"line {n}: JSON nested too deeply") from None
        if len(out) > MAX_LISTINGS:
            raise InputError(path, f"more than {MAX_LISTINGS} listings")
    return out


def _opt_str(path: str, where: str, obj: dict[str, Any], key: str) -> str | None:
    v = obj.get(key)
    if v is None:
        return None
    if not isinstance(v, str):
        raise InputError(path, f"{where}: field '{key}' must be a string")
    return v


def parse_listing(path: str, index: int, where: str, obj: Any) -> ListingFacts:
    if not isinstance(obj, dict):
        raise InputError(path, f"{where}: a listing must be a JSON object")
    for key, typ in _REQUIRED.items():
        if key not in obj:
            raise InputError(path, f"{where}: missing required field '{key}'")
        if not isinstance(obj[key], typ):
            raise InputError(path, f"{where}: field '{key}' has the wrong type")
    if obj["format"] != LISTING_FORMAT:
        raise InputError(path, f"{where}: field 'format' is {obj['format']!r}, expected {LISTING_FORMAT!r}")
    dev = obj.get("developer")
    if dev is not None and not isinstance(dev, dict):
        raise InputError(path, f"{where}: field 'developer' must be an object")
    contact = obj.get("contact")
    if contact is not None and not isinstance(contact, dict):
        raise InputError(path, f"{where}: field 'contact' must be an object")
    perms_raw = obj.get("permissions")
    perms: list[ListedPermission] | None = None
    if perms_raw is not None:
        if not isinstance(perms_raw, list):
            raise InputError(path, f"{where}: field 'permissions' must be a list")
        perms = []
        for j, p in enumerate(perms_raw):
            if isinstance(p, str):
                perms.append(ListedPermission(p))
            elif isinstance(p, dict) and isinstance(p.get("name"), str):
                purpose = p.get("purpose") or ""
                perms.append(ListedPermission(p["name"], purpose if isinstance(purpose, str) else ""))
            else:
                raise InputError(path, f"{where}: permissions[{j}] must be an object with a string 'name'")
    depth_raw = obj.get("field_depth") or {}
    if not isinstance(depth_raw, dict):
        raise InputError(path, f"{where}: field 'field_depth' must be an object")
    depth: dict[str, int] = {}
    for k, v in depth_raw.items():
        if not isinstance(v, int) or isinstance(v, bool):
            raise InputError(path, f"{where}: field_depth.{k} must be an integer")
        depth[str(k)] = v
    ppd = obj.get("privacy_policy_depth")
    if ppd is not None and (not isinstance(ppd, int) or isinstance(ppd, bool)):
        raise InputError(path, f"{where}: field 'privacy_policy_depth' must be an integer")
    sdk_disc = obj.get("sdk_disclosure")
    if sdk_disc is not None and not isinstance(sdk_disc, bool):
        raise InputError(path, f"{where}: field 'sdk_disclosure' must be a boolean")
    d = dev or {}
    c = contact or {}

    def s(o: dict[str, Any], k: str, label: str) -> str | None:
        v = o.get(k)
        if v is None:
            return None
        if not isinstance(v, str):
            raise InputError(path, f"{where}: field '{label}' must be a string")
        return v

    return ListingFacts(
        path=path,
        index=index,
        store=obj["store"],
        captured_at=obj["captured_at"],
        listed=obj["listed"],
        app_name=obj["app_name"],
        url=_opt_str(path, where, obj, "url") or "",
        package=_opt_str(path, where, obj, "package"),
        version_name=_opt_str(path, where, obj, "version_name"),
        updated_at=_opt_str(path, where, obj, "updated_at"),
        developer_name=s(d, "name", "developer.name"),
        developer_uscc=s(d, "uscc", "developer.uscc"),
        developer_country=s(d, "country", "developer.country"),
        icp_filing=_opt_str(path, where, obj, "icp_filing"),
        contact_phone=s(c, "phone", "contact.phone"),
        contact_email=s(c, "email", "contact.email"),
        contact_address=s(c, "address", "contact.address"),
        description=_opt_str(path, where, obj, "description"),
        category=_opt_str(path, where, obj, "category"),
        permissions=perms,
        privacy_policy_url=_opt_str(path, where, obj, "privacy_policy_url"),
        privacy_policy_depth=ppd,
        pi_disclosure=_opt_str(path, where, obj, "pi_disclosure"),
        sdk_disclosure=sdk_disc,
        field_depth=depth,
    )
