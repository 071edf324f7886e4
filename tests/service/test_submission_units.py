"""Small units of the submissions module (the HTTP paths are in test_submissions*.py)."""

import pytest

from apprights.errors import InputError
from apprights.service.submissions import views as submission_views
from apprights.service.submissions.service import report_line


def test_report_line_takes_one_line_of_a_batch_byte_for_byte() -> None:
    data = b'{"a": 1}\n{"b": "\xe4\xb8\xad"}\n'
    assert report_line(data, 0) == data
    assert report_line(data, 2) == b'{"b": "\xe4\xb8\xad"}'
    with pytest.raises(InputError, match="line 3 is not in the stored file"):
        report_line(data, 3)


def test_submission_routes_exist() -> None:
    paths = {(r.path, m) for r in submission_views.router.routes for m in getattr(r, "methods", set())}
    assert ("/submissions", "GET") in paths
    assert any(p.endswith("/raw") and m == "GET" for p, m in paths)
