"""The report a scan run came from, read back from the stored submission bytes (no authorisation: callers check)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from apprights.errors import InputError
from apprights.service.scans.models import ScanRun
from apprights.service.submissions import service as submissions
from apprights.service.submissions.models import Submission


def stored_report(session: Session, data_dir: Path, run: ScanRun) -> dict[str, Any] | None:
    """The parsed report of ``run``, or None when no stored copy exists or it cannot be read."""
    try:
        data: bytes | None = None
        if run.submission_id is not None:
            sub = session.get(Submission, run.submission_id)
            if sub is not None:
                data = submissions.report_line(submissions.raw_bytes(data_dir, sub), run.submission_line)
        elif run.self_check:
            from apprights.service.files import read_file
            from apprights.service.leads.models import StoredFile
            from apprights.service.scans.models import SelfCheck

            sc = session.scalar(select(SelfCheck).where(SelfCheck.scan_run_id == run.id))
            stored = session.get(StoredFile, sc.report_file_id) if sc and sc.report_file_id else None
            if stored is not None:
                data = read_file(data_dir, stored)
        if data is None:
            return None
        doc = json.loads(data)
    except (InputError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None
