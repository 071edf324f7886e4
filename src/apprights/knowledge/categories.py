"""The 39 app categories of 《常见类型移动互联网应用程序必要个人信息范围规定》 and their necessary PI.

Data: ``data/categories.json`` = {"version": str, "categories": [{"no", "name" (e.g. 地图导航类), "name_en",
"aliases", "basic_function", "basic_function_en", "necessary_text", "necessary_pi": [PIType values],
"necessary_permissions": [...]}]}. Every category has its basic function (基本功能服务) from 第五条 of the
regulation; entries 27–38 carry ``basic_function_marker: [R]`` (recalled from the regulation text, not from
an excerpt retrieved into ../regs; verify against cac.gov.cn 2021-03/22/c_1617990997054277).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class AppCategory:
    no: int
    name: str
    basic_function: str
    necessary_text: str
    necessary_pi: frozenset[str]
    necessary_permissions: frozenset[str] = frozenset()
    aliases: tuple[str, ...] = ()
    name_en: str = ""
    basic_function_en: str = ""

    def label(self, lang: str = "zh") -> str:
        """The category's name in ``lang`` (``en`` falls back to the Chinese name when none is recorded)."""
        return (self.name_en or self.name) if lang == "en" else self.name


@dataclass
class CategoryTable:
    version: str
    categories: list[AppCategory]
    _index: dict[str, AppCategory] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._index = {}
        for c in self.categories:
            for key in (
                c.name,
                c.name.removesuffix("类"),
                str(c.no),
                *c.aliases,
                *((c.name_en,) if c.name_en else ()),
            ):
                self._index[key.lower()] = c

    @classmethod
    def load(cls, data_dir: Path) -> CategoryTable:
        raw = json.loads((data_dir / "categories.json").read_text(encoding="utf-8"))
        cats = [
            AppCategory(
                no=int(r["no"]),
                name=str(r["name"]),
                basic_function=str(r.get("basic_function", "")),
                necessary_text=str(r.get("necessary_text", "")),
                necessary_pi=frozenset(r.get("necessary_pi", ())),
                necessary_permissions=frozenset(r.get("necessary_permissions", ())),
                aliases=tuple(r.get("aliases", ())),
                name_en=str(r.get("name_en", "")),
                basic_function_en=str(r.get("basic_function_en", "")),
            )
            for r in raw["categories"]
        ]
        return cls(version=str(raw["version"]), categories=cats)

    def find(self, name: str) -> AppCategory | None:
        """By Chinese name (with or without 类), number, or alias (e.g. an English name)."""
        return self._index.get(name.strip().lower())
