"""Policy text: bytes -> decoded text -> blocks (headings, paragraphs, tables) -> sections and sentences.

Handles HTML (navigation, scripts and styles dropped), Markdown (front matter, admonitions, code fences,
tables) and plain text. Format is detected by content, not by file name. Numbered clauses (一、 （一） 1. 1.1
（1） 第一章) become section headings when they stand on a short line of their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from apprights.errors import InputError
from apprights.extractors.policy.decode import decode as decode_policy_bytes
from apprights.model.policy import PolicySentence, PolicyTable

MAX_BYTES = 5 * 1024 * 1024
MAX_SENTENCE = 1500  # longer pieces are cut so that no pattern sees unbounded text
MAX_HEADING = 60
# Bounds for hostile input. Real policies have at most ~200,000 characters of text and a few thousand
# sentences, so these only cut adversarial files; the analysis then continues on the first part, with a warning.
MAX_TEXT_CHARS = 500_000  # characters of text kept after markup removal
MAX_SENTENCES = 10_000
MAX_BLOCKS = 100_000  # headings, paragraphs and tables
MAX_HTML_EVENTS = 200_000  # tags and text runs read before the rest of an HTML page is ignored
MAX_LINES = 400_000  # Markdown / plain-text lines read
_HTML_CHUNK = 65_536


@dataclass
class Paragraph:
    text: str
    section: str
    first_sentence: int
    sentence_count: int
    heading: bool = False


@dataclass
class ParsedText:
    format: str
    encoding: str
    language: str
    title: str
    text: str
    sentences: list[PolicySentence] = field(default_factory=list)
    paragraphs: list[Paragraph] = field(default_factory=list)
    tables: list[PolicyTable] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # input cut at a size bound (hostile or unusual input)


@dataclass
class _Block:
    kind: str  # heading|para|table
    text: str = ""
    level: int = 0
    rows: list[list[str]] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------- decoding
def decode(data: bytes, source: str) -> tuple[str, str]:
    """Text and encoding name (see ``decode.decode``)."""
    return decode_policy_bytes(data, source, MAX_BYTES)


_HTML_TAG = re.compile(r"<(?:html|body|head|div|p|span|table|br|li|h[1-6]|section|article|meta|pre)\b", re.I)
_MD_SIGN = re.compile(r"^(?:#{1,6}\s|\s*\|.*\|\s*$|\s*[-*+]\s|>\s?|```|---\s*$)", re.M)


def detect_format(text: str) -> str:
    head = text[:200_000]
    if (
        text.lstrip()[:15].lower().startswith(("<!doctype html", "<html"))
        or len(_HTML_TAG.findall(head)) >= 3
    ):
        return "html"
    if len(_MD_SIGN.findall(head)) >= 2 or "**" in head:
        return "markdown"
    return "text"


_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


def detect_language(text: str) -> str:
    sample = text[:100_000]
    cjk = len(_CJK.findall(sample))
    latin = len(_LATIN.findall(sample))
    # An English word is ~5 letters, a Chinese word ~1.5 characters: compare in "words".
    return "zh" if cjk / 1.5 >= latin / 5.0 * 0.5 else "en"


# ---------------------------------------------------------------------------------------------- HTML
_SKIP_TAGS = {
    "script",
    "style",
    "nav",
    "noscript",
    "template",
    "svg",
    "iframe",
    "head",
    "button",
    "select",
    "form",
}
_BLOCK_TAGS = {
    "p", "div", "section", "article", "main", "header", "footer", "aside", "ul", "ol", "li", "dl", "dt", "dd",
    "blockquote", "pre", "address", "figure", "figcaption", "center", "hr", "body", "html",
}  # fmt: skip
_STRAY_LT = re.compile(r"<(?![A-Za-z/!?])")
_LT_STAND_IN = "\ue000"
_HEADING_TAGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_VOID = {"br", "hr", "img", "meta", "link", "input", "wbr", "area", "base", "col", "source"}


class _HtmlBlocks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[_Block] = []
        self.title = ""
        self._buf: list[str] = []
        self._skip = 0
        self._in_title = False
        self._heading = 0
        self._pre = 0
        self._tables: list[list[list[str]]] = []  # stack of tables (rows of cells)
        self._cell: list[str] | None = None
        self._depth_in_cell = 0
        self.events = 0  # start tags, end tags and text runs seen
        self.chars = 0  # characters of kept text seen

    # text accumulation ------------------------------------------------------------------------------
    def _flush(self) -> None:
        raw = "".join(self._buf)
        self._buf = []
        if self._cell is not None:
            self._cell.append(raw)
            return
        lines = raw.split("\n") if self._pre else [raw]
        for line in lines:
            text = " ".join(line.split())
            if text:
                if self._heading:
                    self.blocks.append(_Block("heading", text, level=self._heading))
                else:
                    self.blocks.append(_Block("para", text))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events += 1
        tag = tag.lower()
        if tag in _SKIP_TAGS:
            if tag == "head":
                return  # keep <title>; the rest of <head> has no text nodes we use
            if tag not in _VOID:
                self._skip += 1
            return
        if tag == "title":
            self._in_title = True
            return
        if self._skip:
            return
        if tag == "table":
            if self._cell is not None:
                self._depth_in_cell += 1
                return
            self._flush()
            self._tables.append([])
        elif tag == "tr" and self._tables and not self._depth_in_cell:
            self._tables[-1].append([])
        elif tag in ("td", "th") and self._tables and not self._depth_in_cell:
            self._flush()
            self._cell = []
        elif tag == "br":
            if self._cell is not None:
                self._buf.append(" ")
            else:
                self._buf.append("\n" if self._pre else "")
                self._flush()
        elif tag in _HEADING_TAGS:
            self._flush()
            self._heading = int(tag[1])
        elif tag in _BLOCK_TAGS:
            if tag == "pre":
                self._flush()
                self._pre += 1
            elif self._cell is None:
                self._flush()
            else:
                self._buf.append(" ")

    def handle_endtag(self, tag: str) -> None:
        self.events += 1
        tag = tag.lower()
        if tag in _SKIP_TAGS:
            if tag != "head" and self._skip:
                self._skip -= 1
            return
        if tag == "title":
            self._in_title = False
            return
        if self._skip:
            return
        if tag == "table":
            if self._depth_in_cell:
                self._depth_in_cell -= 1
                return
            if self._tables:
                self._end_cell()
                rows = [r for r in self._tables.pop() if any(c for c in r)]
                if rows:
                    self.blocks.append(_Block("table", rows=rows))
        elif tag in ("td", "th"):
            if not self._depth_in_cell:
                self._end_cell()
        elif tag in _HEADING_TAGS:
            self._flush()
            self._heading = 0
        elif tag in _BLOCK_TAGS:
            if self._cell is None:
                self._flush()
            if tag == "pre" and self._pre:
                self._pre -= 1

    def _end_cell(self) -> None:
        if self._cell is None:
            return
        self._cell.append("".join(self._buf))
        self._buf = []
        text = " ".join("".join(self._cell).split())
        self._cell = None
        if self._tables:
            if not self._tables[-1]:
                self._tables[-1].append([])
            self._tables[-1][-1].append(text)

    def handle_data(self, data: str) -> None:
        self.events += 1
        if self._in_title:
            if len(self.title) < 10_000:
                self.title += data
            return
        if self._skip:
            return
        self.chars += len(data)
        self._buf.append(data)

    def close(self) -> None:
        super().close()
        self._end_cell()
        while self._tables:
            rows = [r for r in self._tables.pop() if any(c for c in r)]
            if rows:
                self.blocks.append(_Block("table", rows=rows))
        self._flush()


def html_blocks(text: str, warnings: list[str] | None = None) -> tuple[list[_Block], str]:
    """Blocks and <title> of an HTML page. The page is fed in chunks; reading stops (with a warning appended
    to ``warnings``) once MAX_HTML_EVENTS tags and text runs or MAX_TEXT_CHARS characters of text have been seen."""
    parser = _HtmlBlocks()
    # a "<" that opens no tag is text, but HTMLParser hands it over one character at a time: stand a private-use
    # character in for it while parsing
    stand_in = _LT_STAND_IN not in text
    if stand_in:
        text = _STRAY_LT.sub(_LT_STAND_IN, text)
    for off in range(0, len(text), _HTML_CHUNK):
        parser.feed(text[off : off + _HTML_CHUNK])
        if (
            parser.events > MAX_HTML_EVENTS
            or parser.chars > MAX_TEXT_CHARS
            or len(parser.blocks) > MAX_BLOCKS
        ):
            if warnings is not None and off + _HTML_CHUNK < len(text):
                warnings.append(
                    f"HTML cut after {off + _HTML_CHUNK} of {len(text)} characters "
                    f"({parser.events} tags and text runs, {parser.chars} characters of text): "
                    "the rest is not analysed"
                )
            break
    parser.close()
    title = " ".join(parser.title.split())
    if stand_in:
        for b in parser.blocks:
            b.text = b.text.replace(_LT_STAND_IN, "<")
            b.rows = [[c.replace(_LT_STAND_IN, "<") for c in r] for r in b.rows]
        title = title.replace(_LT_STAND_IN, "<")
    return parser.blocks, title


# ---------------------------------------------------------------------------------------------- Markdown
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
_MD_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_MD_EMPH = re.compile(r"(\*\*|__|\*|`)")
_TAG = re.compile(r"<[^>]{0,200}>")
_MD_TABLE_SEP = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _md_inline(s: str) -> str:
    def link(m: re.Match[str]) -> str:
        label, url = m.group(1).strip(), m.group(2).strip()
        if m.group(0).startswith("!"):
            return label
        if not label or label == url:
            return url
        return f"{label} {url}" if url.startswith(("http://", "https://")) else label

    s = _MD_LINK.sub(link, s)
    s = _MD_AUTOLINK.sub(r"\1", s)
    s = re.sub(r"<br\s*/?>", "\n", s, flags=re.I)
    s = _TAG.sub("", s)
    s = _MD_EMPH.sub("", s)
    return s


def markdown_blocks(text: str, warnings: list[str] | None = None) -> tuple[list[_Block], str]:
    lines = _capped_lines(text, warnings)
    title = ""
    i = 0
    if lines and lines[0].strip() == "---":  # YAML front matter
        for j in range(1, min(len(lines), 200)):
            if lines[j].strip() == "---":
                for fm in lines[1:j]:
                    if fm.startswith("title:"):
                        title = fm[6:].strip()
                i = j + 1
                break
    blocks: list[_Block] = []
    table: list[list[str]] = []
    fence = False
    admonition = False

    def end_table() -> None:
        if table:
            blocks.append(_Block("table", rows=[r for r in table if any(r)]))
            table.clear()

    while i < len(lines):
        raw = lines[i]
        i += 1
        stripped = raw.strip()
        if stripped.startswith("```") or stripped.startswith("~~~"):
            fence = not fence
            end_table()
            continue
        if fence:
            continue
        if stripped.startswith("!!!"):
            admonition = True
            continue
        if admonition:
            if not stripped or raw.startswith(("    ", "\t")):
                continue
            admonition = False
        while stripped.startswith(">"):
            stripped = stripped[1:].strip()
        if stripped.startswith("|") and stripped.count("|") >= 2:
            if _MD_TABLE_SEP.match(stripped):
                continue
            cells = [_md_inline(c).strip() for c in stripped.strip("|").split("|")]
            table.append(cells)
            continue
        end_table()
        if not stripped:
            continue
        m = re.match(r"^(#{1,6})\s+(.*?)\s*#*$", stripped)
        if m:
            heading = " ".join(_md_inline(m.group(2)).split())
            if heading:
                blocks.append(_Block("heading", heading, level=len(m.group(1))))
            continue
        stripped = re.sub(r"^[-*+]\s+(?!\S*\s*$)", "", stripped)
        if re.fullmatch(r"[-*_=]{3,}", stripped):
            continue
        for part in _md_inline(stripped).split("\n"):
            part = " ".join(part.split())
            if part:
                blocks.append(_Block("para", part))
    end_table()
    return blocks, title


def text_blocks(text: str, warnings: list[str] | None = None) -> list[_Block]:
    blocks: list[_Block] = []
    for line in _capped_lines(text, warnings):
        if line.strip():
            blocks.append(_Block("para", " ".join(line.split())))
            if len(blocks) > MAX_BLOCKS:
                break
    return blocks


def _capped_lines(text: str, warnings: list[str] | None) -> list[str]:
    """The first MAX_LINES lines of the first ~MAX_TEXT_CHARS characters (plus room for markup)."""
    limit = MAX_TEXT_CHARS * 2
    lines = text[:limit].splitlines()
    cut = len(text) > limit
    if len(lines) > MAX_LINES:
        del lines[MAX_LINES:]
        cut = True
    if cut and warnings is not None:
        warnings.append(
            f"text cut to its first {min(len(text), sum(len(x) + 1 for x in lines))} of {len(text)} characters "
            f"({len(lines)} lines): the rest is not analysed"
        )
    return lines


# ---------------------------------------------------------------------------------------------- outline
_CN_NUM = "一二三四五六七八九十百零〇两"
_CLAUSE_STYLES: list[tuple[str, re.Pattern[str]]] = [
    ("chap", re.compile(rf"^第[{_CN_NUM}\d]+[章节部分条篇]")),
    ("cn", re.compile(rf"^[{_CN_NUM}]+\s*[、.．]")),
    ("cnp", re.compile(rf"^[（(]\s*[{_CN_NUM}]+\s*[）)]")),
    ("num3", re.compile(r"^\d{1,2}[.．]\d{1,2}[.．]\d{1,2}(?![.．\d])")),
    ("num2", re.compile(r"^\d{1,2}[.．]\d{1,2}(?![.．\d])")),
    ("num", re.compile(r"^\d{1,2}\s*[、.．](?!\d)")),
    ("par", re.compile(r"^[（(]\s*\d{1,2}\s*[）)]")),
    ("en_art", re.compile(r"^(?:article|section|part)\s+\d+", re.I)),
]
_END_PUNCT = "。；;！!？?，,"


def clause_style(line: str) -> str | None:
    for name, pat in _CLAUSE_STYLES:
        if pat.match(line):
            return name
    return None


def _looks_like_heading(line: str) -> str | None:
    if len(line) > MAX_HEADING or line[-1] in _END_PUNCT:
        return None
    style = clause_style(line)
    if style is None:
        return None
    body = line[clause_style_len(line) :].strip()
    if not body or len(body) > 40:
        return None
    return style


def clause_style_len(line: str) -> int:
    for _, pat in _CLAUSE_STYLES:
        m = pat.match(line)
        if m:
            return m.end()
    return 0


# ---------------------------------------------------------------------------------------------- sentences
_SPLIT = re.compile(
    r"(?<=[。！？；!?;])"  # Chinese and ASCII terminators
    r"|(?<=[.])(?=\s+[\"“'(\[A-Z0-9\u4e00-\u9fff])"  # English full stop before a new sentence
    r"|\n"
)
_ABBREV = re.compile(
    r"(?:\b(?:e\.g|i\.e|etc|Inc|Ltd|Co|Corp|No|Mr|Ms|Dr|U\.S|vs|approx)\.|^\(?\w{1,3}[.)])$", re.I
)


def split_sentences(text: str) -> list[str]:
    pieces = [p.strip() for p in _SPLIT.split(text)]
    out: list[str] = []
    carry = ""
    for p in pieces:
        if not p:
            continue
        if carry:
            p = carry + " " + p
            carry = ""
        if _ABBREV.search(p) and len(p) < 400:
            carry = p
            continue
        while len(p) > MAX_SENTENCE:
            out.append(p[:MAX_SENTENCE])
            p = p[MAX_SENTENCE:]
        if len(p) > 1 or _CJK.match(p):
            out.append(p)
    if carry:
        out.append(carry)
    return out


def _block_chars(b: _Block) -> int:
    """An upper bound of the block's share of ParsedText.text (cells and blocks joined by one character)."""
    return len(b.text) + 1 if b.kind != "table" else sum(len(c) + 1 for r in b.rows for c in r)


def _cap_blocks(blocks: list[_Block], warnings: list[str]) -> list[_Block]:
    """At most MAX_BLOCKS blocks and MAX_TEXT_CHARS characters of text; the block at the limit is cut."""
    total = sum(_block_chars(b) for b in blocks)
    if len(blocks) <= MAX_BLOCKS and total <= MAX_TEXT_CHARS:
        return blocks
    out: list[_Block] = []
    used = 0
    for b in blocks[:MAX_BLOCKS]:
        n = _block_chars(b)
        if used + n > MAX_TEXT_CHARS:
            room = MAX_TEXT_CHARS - used - 1
            if b.kind != "table" and room > 0:
                out.append(_Block(b.kind, b.text[:room], level=b.level))
                used += room
            elif b.kind == "table":
                rows: list[list[str]] = []
                for r in b.rows:
                    w = sum(len(c) + 1 for c in r)
                    if used + w > MAX_TEXT_CHARS:
                        break
                    rows.append(r)
                    used += w
                if rows:
                    out.append(_Block("table", rows=rows))
            break
        out.append(b)
        used += n
    warnings.append(
        f"policy text cut to its first {used} of {total} characters ({len(out)} of {len(blocks)} blocks, "
        f"limits {MAX_TEXT_CHARS} characters / {MAX_BLOCKS} blocks): the rest is not analysed"
    )
    return out


def parse(data: bytes, source: str) -> ParsedText:
    """Decode, detect format and language, and split into sections, sentences and tables."""
    text, encoding = decode(data, source)
    fmt = detect_format(text)
    title = ""
    warnings: list[str] = []
    if fmt == "html":
        blocks, title = html_blocks(text, warnings)
    elif fmt == "markdown":
        blocks, title = markdown_blocks(text, warnings)
    else:
        blocks = text_blocks(text, warnings)
    if not blocks:
        raise InputError(source, "no readable text in the policy")
    blocks = _cap_blocks(blocks, warnings)
    plain = "\n".join(b.text if b.kind != "table" else "\n".join(" ".join(r) for r in b.rows) for b in blocks)
    parsed = ParsedText(fmt, encoding, detect_language(plain), "", plain, warnings=warnings)
    stack: list[tuple[str, str]] = []  # (style, heading text)

    def section() -> str:
        return " > ".join(h[:40] for _, h in stack[-3:])

    def add(text: str, kind: str, table: int = -1) -> int:
        idx = len(parsed.sentences)
        parsed.sentences.append(PolicySentence(idx, section(), text, kind, table))
        return idx

    def over(n: int) -> bool:
        """True (once, with a warning) when ``n`` more sentences would pass MAX_SENTENCES."""
        if len(parsed.sentences) + n <= MAX_SENTENCES:
            return False
        warnings.append(f"more than {MAX_SENTENCES} sentences: only the first {MAX_SENTENCES} are analysed")
        return True

    for b in blocks:
        if b.kind == "table":
            start = len(parsed.sentences)
            cut = over(len(b.rows))
            rows = b.rows[: MAX_SENTENCES - start]  # whole table unless at the sentence bound
            if not rows:
                break
            t = PolicyTable(header=rows[0], rows=rows[1:], section=section())
            tix = len(parsed.tables)
            parsed.tables.append(t)
            for r in rows:
                t.row_sentences.append(add(" | ".join(c for c in r if c)[:MAX_SENTENCE], "row", tix))
            parsed.paragraphs.append(Paragraph("", section(), start, len(t.row_sentences)))
            if cut:
                break
            continue
        style = f"h{b.level}" if b.kind == "heading" else _looks_like_heading(b.text)
        if style is not None and len(b.text) <= 200:
            if over(1):
                break
            # pop to the same style if it is already open (sibling), else nest
            styles = [s for s, _ in stack]
            if style in styles:
                del stack[styles.index(style) :]
            elif style.startswith("h"):
                while stack and stack[-1][0].startswith("h") and int(stack[-1][0][1]) >= b.level:
                    stack.pop()
            stack.append((style, b.text))
            if not parsed.title and b.kind == "heading":
                parsed.title = b.text
            idx = add(b.text, "heading")
            parsed.paragraphs.append(Paragraph(b.text, section(), idx, 1, heading=True))
            continue
        start = len(parsed.sentences)
        pieces = split_sentences(b.text)
        cut = over(len(pieces))
        for s in pieces[: MAX_SENTENCES - start]:
            add(s, "text")
        n = len(parsed.sentences) - start
        if n:
            parsed.paragraphs.append(Paragraph(b.text, section(), start, n))
        if cut:
            break
    if title and (fmt != "html" or not parsed.title):
        parsed.title = title  # Markdown front matter wins; in HTML the first heading beats <title>
    if not parsed.title:
        parsed.title = parsed.sentences[0].text[:80] if parsed.sentences else ""
    return parsed
