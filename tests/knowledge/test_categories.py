"""The 39 categories: every basic function filled (no empty （） in findings), English names, the list command."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from apprights.cli.main import app
from apprights.knowledge import Knowledge

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_category_has_its_basic_function_in_both_languages(knowledge: Knowledge) -> None:
    cats = knowledge.categories.categories
    assert len(cats) == 39
    for c in cats:
        assert c.basic_function and c.basic_function_en, c.no
        assert c.name_en and not CJK.search(c.name_en) and not CJK.search(c.basic_function_en), c.no
        assert knowledge.categories.find(c.name_en) is c
    live = knowledge.categories.find("网络直播类")
    assert live is not None and "实时视频" in live.basic_function
    assert knowledge.categories.find("浏览器类").basic_function == "浏览互联网信息资源"  # type: ignore[union-attr]
    assert knowledge.categories.find("News").label("en") == "News"  # type: ignore[union-attr]


def test_categories_list_command() -> None:
    r = CliRunner().invoke(app, ["categories", "list"])
    assert r.exit_code == 0
    assert "30 新闻资讯类 / News" in r.stdout and "39 categories" in r.stdout
    assert "（）" not in r.stdout and ": /" not in r.stdout  # no empty basic function anywhere
    rows = json.loads(CliRunner().invoke(app, ["categories", "list", "--format", "json"]).stdout)
    assert [x["no"] for x in rows] == list(range(1, 40))
    assert all(x["basic_function"]["zh"] and x["basic_function"]["en"] for x in rows)
    bad = CliRunner().invoke(app, ["categories", "list", "--format", "xml"])
    assert bad.exit_code == 2 and "--format must be text or json" in bad.stderr
