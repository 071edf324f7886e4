"""Every timestamp the API returns carries its zone: stored times as UTC (``Z``), Beijing-dated moments (the lead
cut-off, the end of a deadline) in +08:00. SQLite and PostgreSQL."""

from __future__ import annotations

import re
import typing
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from tests.service.conftest import World
from tests.service.test_workflow import _report, confirm_all, ingest

ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
ZONED = re.compile(r"(Z|[+-]\d{2}:\d{2})$")


def naive_times(doc: Any, where: str = "") -> list[str]:
    out: list[str] = []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += naive_times(v, f"{where}.{k}")
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out += naive_times(v, f"{where}[{i}]")
    elif isinstance(doc, str) and ISO_TIME.match(doc) and not ZONED.search(doc):
        out.append(f"{where}={doc}")
    return out


def test_every_timestamp_in_responses_has_a_zone(world: World) -> None:
    w = world
    cid = confirm_all(w, ingest(w, _report())["scan_run_ids"][0])[0]
    notice = w.ok("ministry", "POST", f"/api/v1/cases/{cid}/notice", json={"issued_on": "2026-09-18"})
    lead = w.ok(
        "province",
        "POST",
        "/api/v1/leads",
        json={"app_name": "示例商城", "problem_type": 1, "description": "线索", "period": "2026-09"},
    )
    w.ok(
        "public",
        "POST",
        "/api/v1/complaints",
        json={"contact": {"name": "李四"}, "app_name": "示例商城", "problem_type": 1, "description": "x"},
    )
    seen = 0
    for url in (
        "/api/v1/cases",
        f"/api/v1/cases/{cid}",
        "/api/v1/notices",
        f"/api/v1/notices/{notice['id']}",
        f"/api/v1/apps/{w.ids['app']}",
        "/api/v1/scans",
        "/api/v1/leads",
        "/api/v1/leads/periods/2026-09",
        "/api/v1/complaints",
        "/api/v1/submissions",
        "/api/v1/enterprises",
        "/api/v1/removal-orders",
    ):
        doc = w.ok("ministry", "GET", url)
        assert not naive_times(doc), (url, naive_times(doc)[:5])
        seen += len(re.findall(r'"\d{4}-\d{2}-\d{2}T', str(doc).replace("'", '"')))
    assert seen > 10  # the check looked at real timestamps
    case = w.ok("ministry", "GET", f"/api/v1/cases/{cid}")
    # 5 working days from 18 September 2026 (the official calendar): due 24 September, overdue from 25th 00:00
    assert case["deadline"] == notice["deadline"] == "2026-09-24"
    assert case["deadline_at"] == notice["deadline_at"] == "2026-09-25T00:00:00+08:00"
    assert case["opened_at"].endswith("Z")
    period = w.ok("ministry", "GET", "/api/v1/leads/periods/2026-09")
    assert period["cutoff"] == "2026-09-15T00:00:00+08:00"
    assert lead["submitted_at"] == "2026-09-18T02:00:00Z"  # the test clock, in UTC


def _zoned(annotation: Any) -> bool:
    """True if every datetime inside ``annotation`` is one of timeutil's zoned types."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *meta = typing.get_args(annotation)
        if base is datetime:
            names = {getattr(getattr(m, "func", None), "__name__", "") for m in meta}
            return bool(names & {"_to_utc", "_to_beijing"})
        return _zoned(base)
    if annotation is datetime:
        return False
    return all(_zoned(a) for a in typing.get_args(annotation))


def test_no_response_model_declares_a_bare_datetime(world: World) -> None:
    import importlib
    import pkgutil

    import apprights.service as service

    offenders = []
    for mod in pkgutil.walk_packages(service.__path__, "apprights.service."):
        if not (mod.name.endswith(".schemas") or mod.name.endswith(".views")):
            continue
        m = importlib.import_module(mod.name)
        for name, cls in vars(m).items():
            if not (isinstance(cls, type) and issubclass(cls, BaseModel)) or name.endswith("In"):
                continue
            if cls.__module__ != m.__name__:
                continue
            for fname, field in cls.model_fields.items():
                ann = field.annotation
                if field.metadata:
                    ann = typing.Annotated[ann, *field.metadata]  # type: ignore[valid-type]
                if not _zoned(ann):
                    offenders.append(f"{m.__name__}.{name}.{fname}")
    assert not offenders, offenders
