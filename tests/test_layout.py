"""Repository layout: every module under src/apprights has a test module (mitmproxy-style check).

A module counts as tested when a test file mirrors its path (``tests/<subpkg>/test_<module>.py``) or when any
test file imports it or names its dotted name. Excluded: ``__init__.py``, private ``_*.py`` helpers, templates,
data, Alembic migration versions (and the Frida agent, which is JavaScript). Missing ones are printed.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src" / "apprights"
TESTS = REPO / "tests"

EXCLUDED_DIRS = {"templates", "data", "static", "__pycache__"}

# module → one-line reason. Keep it short and honest; prefer writing a small real test.
ALLOWLIST: dict[str, str] = {}


def modules() -> list[str]:
    out = []
    for p in sorted(SRC.rglob("*.py")):
        rel = p.relative_to(SRC.parent)
        parts = rel.with_suffix("").parts
        if p.name == "__init__.py" or p.name.startswith("_"):
            continue
        if EXCLUDED_DIRS & set(parts) or "migrations/versions" in rel.as_posix():
            continue
        out.append(".".join(parts))
    return out


def _test_files() -> list[Path]:
    return sorted(p for p in TESTS.rglob("*.py") if p.name.startswith("test_") or p.name.endswith("_test.py"))


def referenced_names(path: Path) -> set[str]:
    """Dotted names a test file imports (``from a.b import c`` gives a.b and a.b.c) or writes as text."""
    text = path.read_text(encoding="utf-8", errors="replace")
    names = set(re.findall(r"apprights(?:\.[A-Za-z_][A-Za-z0-9_]*)+", text))
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return names
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def mirrored(module: str, files: set[Path]) -> bool:
    parts = module.split(".")[1:]  # drop "apprights"
    return TESTS.joinpath(*parts[:-1], f"test_{parts[-1]}.py") in files


def missing_tests() -> list[str]:
    files = _test_files()
    fileset = set(files)
    refs: set[str] = set()
    for f in files:
        refs |= referenced_names(f)
    return [m for m in modules() if not mirrored(m, fileset) and m not in refs]


def test_every_module_has_a_test() -> None:
    missing = missing_tests()
    unexplained = [m for m in missing if m not in ALLOWLIST]
    for m in missing:
        print(
            ("allowed: " if m in ALLOWLIST else "MISSING: ")
            + m
            + (f"  ({ALLOWLIST[m]})" if m in ALLOWLIST else "")
        )
    assert not unexplained, "modules without a test module:\n" + "\n".join(unexplained)


def test_allowlist_is_short_and_current() -> None:
    assert len(ALLOWLIST) <= 8
    present = set(modules())
    stale = [m for m in ALLOWLIST if m not in present or m not in missing_tests()]
    assert not stale, f"allowlist entries no longer needed: {stale}"


def test_every_test_directory_is_a_package() -> None:
    dirs = {p.parent for p in _test_files()}
    assert [d for d in sorted(dirs) if not (d / "__init__.py").exists()] == []


def test_the_checker_sees_a_missing_module(tmp_path: Path) -> None:
    # the rules above on a made-up module: neither mirrored nor referenced
    assert not mirrored("apprights.nothing.here", set(_test_files()))
    assert "apprights.batch.jobs" in modules() and "apprights.batch.jobs" not in missing_tests()
    assert all(not m.split(".")[-1].startswith("_") for m in modules())
