import codecs

import pytest

from apprights.errors import InputError
from apprights.extractors.policy.text import (
    MAX_BYTES,
    clause_style,
    decode,
    detect_format,
    detect_language,
    parse,
    split_sentences,
)

HTML = """<!DOCTYPE html><html><head><title>隐私政策</title><style>p{color:red}</style>
<script>var imei = "收集通讯录";</script></head><body>
<nav><a href="/">首页</a><a href="/x">通讯录导航</a></nav>
<h1>示例隐私政策</h1><h2>一、我们收集的信息</h2>
<p>我们会收集您的位置信息。我们不会出售您的信息！</p>
<table><tr><th>SDK名称</th><th>公司名称</th></tr><tr><td>友盟<b>统计</b></td><td>友盟同欣</td></tr></table>
<h2>二、联系我们</h2><p>邮箱：a@b.cn</p></body></html>"""


def test_html_drops_navigation_scripts_and_keeps_tables():
    p = parse(HTML.encode(), "p.html")
    assert p.format == "html" and p.language == "zh"
    texts = [s.text for s in p.sentences]
    assert "我们会收集您的位置信息。" in texts and "我们不会出售您的信息！" in texts
    assert not any("通讯录" in t or "color" in t for t in texts)
    assert p.tables[0].header == ["SDK名称", "公司名称"] and p.tables[0].rows == [["友盟统计", "友盟同欣"]]
    row = p.sentences[p.tables[0].row_sentences[1]]
    assert row.kind == "row" and row.text == "友盟统计 | 友盟同欣"
    assert row.section.endswith("一、我们收集的信息")
    assert p.title == "示例隐私政策"


def test_markdown_front_matter_admonition_tables_and_links():
    md = (
        '---\ntitle: 某App隐私政策\n---\n\n!!! summary "元数据"\n\n    ```YAML\n    url: x\n    ```\n\n'
        "## 正文\n\n**一、** **收集**\n\n> | 信息 | 目的 |\n> |---|---|\n> | 位置 | 导航 |\n\n"
        "隐私政策：[https://a.cn/p](https://a.cn/p)\n"
    )
    p = parse(md.encode(), "p.md")
    assert p.format == "markdown" and p.title == "某App隐私政策"
    assert p.tables[0].rows == [["位置", "导航"]]
    assert any(s.text == "隐私政策：https://a.cn/p" for s in p.sentences)
    assert not any("url: x" in s.text for s in p.sentences)
    assert any(s.kind == "heading" and s.text == "一、 收集" for s in p.sentences)


def test_numbered_clauses_nest_into_sections():
    text = "一、总则\n（一）适用范围\n1. 本政策适用于本App。\n二、收集\n1.1 注册\n我们收集手机号。\n"
    p = parse(text.encode(), "p.txt")
    by_text = {s.text: s for s in p.sentences}
    assert by_text["1. 本政策适用于本App。"].section == "一、总则 > （一）适用范围"
    assert by_text["我们收集手机号。"].section == "二、收集 > 1.1 注册"
    assert (
        clause_style("（3）xx") == "par"
        and clause_style("第二章 xx") == "chap"
        and clause_style("hello") is None
    )


def test_sentence_split_chinese_and_english():
    assert split_sentences("我们收集位置；用于导航。你好！") == ["我们收集位置；", "用于导航。", "你好！"]
    assert split_sentences("We collect data, e.g. your name. We use it. Version 1.2 is out.") == [
        "We collect data, e.g. your name.",
        "We use it.",
        "Version 1.2 is out.",
    ]


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16", "utf-8-sig"])
def test_decodes_chinese_encodings(encoding):
    data = "我们会收集您的位置信息。".encode(encoding)
    text, _ = decode(data, "p.txt")
    assert text.strip() == "我们会收集您的位置信息。"


def test_bad_input_is_input_error():
    with pytest.raises(InputError, match="too large"):
        decode(b"a" * (MAX_BYTES + 1), "big.txt")
    with pytest.raises(InputError, match="empty"):
        decode(b"  \n", "empty.txt")
    with pytest.raises(InputError, match="not a text file"):
        decode(b"PK\x03\x04\x00\x00\x00binary", "x.apk")
    with pytest.raises(InputError, match="decode"):
        decode(codecs.BOM_UTF16_LE + b"\x00\xd8", "bad16.txt")
    with pytest.raises(InputError, match="no readable text"):
        parse(b"<html><script>x</script></html>", "s.html")


def test_language_and_format_detection():
    assert detect_language("We collect your location to provide maps. 我们") == "en"
    assert detect_language("我们收集您的IMEI、Android ID和MAC地址用于统计分析。") == "zh"
    assert detect_format("plain line\nanother line") == "text"
    assert detect_format("# T\n\n- a\n- b") == "markdown"
