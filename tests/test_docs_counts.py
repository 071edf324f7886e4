"""The numbers the README and docs state about the shipped knowledge match the data (issue 12: one count)."""

from __future__ import annotations

import re
from pathlib import Path

from apprights.knowledge import Knowledge

REPO = Path(__file__).resolve().parents[1]


def test_one_count_of_sensitive_apis(knowledge: Knowledge) -> None:
    distinct = len({a.api for a in knowledge.sensitive_apis.apis})
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    collect = (REPO / "docs" / "collect.md").read_text(encoding="utf-8")
    stated = [int(n) for n in re.findall(r"call sites of (\d+) privacy-sensitive", readme)]
    stated += [int(n) for n in re.findall(r"sensitive_apis\.json`, (\d+) APIs", collect)]
    assert stated and set(stated) == {distinct}, (stated, distinct)


def test_readme_names_the_39_categories_command(knowledge: Knowledge) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "apprights categories list" in readme
    assert len(knowledge.categories.categories) == 39
