"""The third-party SDK list: from tables (header row names the columns) and from list-style paragraphs
("SDK名称：… 公司名称：… 使用目的：… 收集个人信息类型：… 隐私政策链接：…", or a bold name line followed by
key: value lines), resolved to catalogue ids by fuzzy name/vendor match.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from apprights.extractors.policy.lexicon import LanguageLexicon, PolicyLexicon, default_lexicon
from apprights.extractors.policy.text import ParsedText, clause_style_len
from apprights.knowledge.sdks import SdkCatalogue, SdkEntry
from apprights.model.policy import PolicyFacts, PolicySdkEntry, normalise_name

_KEY = re.compile(
    r"(?:^|(?<=[\s；;，,。|]))"
    r"([\u4e00-\u9fff][\u4e00-\u9fffA-Za-z0-9（）()/]{0,11}?|[A-Za-z][A-Za-z ]{1,22}?|SDK[\u4e00-\u9fff]{1,6})"
    r"\s*[:：]"
)
_URL = re.compile(r"https?://[^\s，,；;）)】\]]+|www\.[^\s，,；;）)】\]]+")
_SDK_CONTEXT = re.compile(r"SDK|sdk|第三方|合作方|合作伙伴|共享清单|接入|third[- ]part|partner", re.I)
_SDK_SECTION = re.compile(
    r"第三方SDK|SDK(?:列表|目录|清单|说明)|第三方(?:共享|合作|信息共享|数据共享)?(?:清单|目录|列表)|合作方目录|"
    r"接入的第三方|third[- ]party (?:sdks?|services|libraries)",
    re.I,
)
_TRIM = " \t；;，,。:：|"


@dataclass
class _Record:
    sentence: int
    section: str
    name_candidate: str = ""
    fields: dict[str, str] = field(default_factory=dict)


_NAME_LABELS = {"sdk", "第三方", "合作方", "产品", "插件", "第三方sdk", "合作伙伴", "third party", "sdk name"}


def _is_name_label(key: str) -> bool:
    k = key.lower().strip()
    return "名称" in k or "name" in k or k in _NAME_LABELS


def _kvs(lexicon: PolicyLexicon, text: str) -> tuple[list[tuple[str, str, str]], str]:
    """(field, value, key) triples of a line, and the text before the first key.

    A key that is itself an SDK name ("微信SDK：用于分享…") gives the pseudo-field ``named``."""
    keys: list[tuple[int, int, str, str]] = []
    for m in _KEY.finditer(text):
        key = m.group(1).strip()
        if re.match(r"[\u4e00-\u9fff]", key) and len(key) > 9:
            continue
        fld = lexicon.classify_sdk_key(key)
        if fld is None or key.lower() in {"http", "https"}:
            continue
        if fld == "name" and not _is_name_label(key):
            if re.match(r"[本该此其]", key) or re.match(r"\s*(?:是指|指)", text[m.end() :]):
                continue  # "本SDK：指…" is a definition, not a list entry
            fld = "named"
        keys.append((m.start(1), m.end(), fld, key))
    out: list[tuple[str, str, str]] = []
    for i, (_start, end, fld, key) in enumerate(keys):
        stop = keys[i + 1][0] if i + 1 < len(keys) else len(text)
        value = text[end:stop].strip(_TRIM)
        if fld in ("link", "website"):
            url = _URL.search(value)
            if url is None:
                continue
            value = url.group(0)
        if value:
            out.append((fld, value[:500], key))
    prefix = text[: keys[0][0]].strip(_TRIM) if keys else ""
    return out, prefix


def _clean_name(text: str) -> str:
    t = _ENUM_PREFIX.sub("", text[clause_style_len(text) :]).strip(_TRIM + "*#")
    return t if 1 < len(t) <= 40 and not t.endswith("。") else ""


_VARIANT_SPLIT = re.compile(r"[()（）/／、,，|]+")
_ENUM_PREFIX = re.compile(r"^[\u2460-\u2473\u2776-\u277f\u24ea\s]+")
_HINTS = (
    "统计",
    "推送",
    "分享",
    "登录",
    "地图",
    "定位",
    "支付",
    "广告",
    "崩溃",
    "认证",
    "人脸",
    "语音",
    "播放",
    "存储",
)


def _variants(name: str) -> list[str]:
    """Normalised forms of a name and of its parts: "穿山甲(字节跳动广告)" -> 穿山甲(字节跳动广告), 穿山甲, 字节跳动广告."""
    name = _ENUM_PREFIX.sub("", name)
    out = [normalise_name(name)]
    for part in _VARIANT_SPLIT.split(name):
        n = normalise_name(part)
        if len(n) >= 2 and n not in out:
            out.append(n)
    return [v for v in out if v]


def _has_cjk(s: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in s)


def _score(keys: list[str], names: list[str]) -> float:
    best = 0.0
    for k in keys:
        matcher: difflib.SequenceMatcher[str] | None = None
        for n in names:
            if n == k:
                return 1.0
            short, long_ = (n, k) if len(n) <= len(k) else (k, n)
            if short in long_ and len(short) >= (3 if _has_cjk(short) else 4):
                # weighted by coverage, so "一键登录" inside "网易一键登录" loses to a close full-name match
                best = max(best, 0.5 + 0.4 * len(short) / len(long_))
            elif (
                len(n) >= 4
                and len(k) >= 4
                and (n[:2] in k or k[:2] in n)  # close names share their start (a brand)
                and 2 * len(short) >= 0.85 * (len(n) + len(k))
            ):
                if matcher is None:
                    matcher = difflib.SequenceMatcher(None, "", k)  # the key's index is built once
                matcher.set_seq1(n)
                if matcher.quick_ratio() >= 0.85:
                    r = matcher.ratio()
                    if r >= 0.85:
                        best = max(best, r * 0.9)
    return best


def _brand(name: str, company: str, lexicon: PolicyLexicon) -> tuple[str, str] | None:
    """(brand key, vendor fragment) when the name starts with a known brand or the company is a known vendor."""
    raw = _ENUM_PREFIX.sub("", name).strip().lower()
    norm = normalise_name(raw)
    for key, (vendor, _default) in lexicon.sdk_vendors.items():
        if _has_cjk(key):
            if norm.startswith(key):
                return key, vendor
        elif re.match(r"[^a-z0-9]*" + re.escape(key) + r"(?![a-z])", raw):
            return key, vendor
    comp = normalise_name(company)
    if comp:
        for key, (vendor, _default) in lexicon.sdk_vendors.items():
            v = normalise_name(vendor)
            if v and v in comp:
                return key, vendor
    return None


def _category(text: str, lexicon: PolicyLexicon) -> str | None:
    low = text.casefold()
    for word, cat in lexicon.sdk_category_hints.items():
        if word in low:
            return cat
    return None


@dataclass
class SdkNameIndex:
    """Normalised names of every catalogue entry, computed once per extraction (not per SDK name)."""

    catalogue: SdkCatalogue
    names: dict[str, list[str]]  # catalogue id -> normalised name variants
    vendors: dict[str, str] = field(default_factory=dict)  # catalogue id -> normalised vendor
    families: dict[str, list[SdkEntry]] = field(default_factory=dict)  # vendor fragment -> entries (memo)

    def family(self, fragment: str) -> list[SdkEntry]:
        """The catalogue entries whose (normalised) vendor contains ``fragment``."""
        if fragment not in self.families:
            self.families[fragment] = [
                e for e in self.catalogue.entries if fragment and fragment in self.vendors.get(e.id, "")
            ]
        return self.families[fragment]

    @classmethod
    def build(cls, catalogue: SdkCatalogue) -> SdkNameIndex:
        names = {
            e.id: [
                n
                for n in _variants(e.name_zh) + _variants(e.name_en) + [normalise_name(e.id.replace("-", ""))]
                if n
            ]
            for e in catalogue.entries
        }
        vendors = {e.id: normalise_name(e.vendor) for e in catalogue.entries}
        return cls(catalogue, names, vendors)


def resolve_sdk_ids(
    name: str,
    company: str,
    catalogue: SdkCatalogue | SdkNameIndex | None,
    context: str = "",
    lexicon: PolicyLexicon | None = None,
) -> list[str]:
    """Catalogue ids an SDK named in a policy stands for, best first (empty when unresolved).

    1. the lexicon's alias table (``sdk_aliases.names``: "QQ分享" -> qq-connect, "HMS Push" -> huawei-push);
    2. exact name (or a part of it: "Umeng（友盟） SDK" -> umeng, 友盟), then containment, then a close match,
       ignoring name parts too generic to identify an SDK ("push", "推送"); ties are broken by the vendor
       matching the stated company and by function words (统计, 推送 …) shared with the name and purpose;
    3. the vendor: a name starting with a brand ("个推消息推送") or a company that is a known vendor keeps the
       match inside that vendor's SDKs, choosing by function (推送 -> push) or the brand's default.
    A brand-only name ("友盟+ SDK", "个推") covers the vendor's whole SDK family (all its ids are returned).
    """
    if catalogue is None or not name:
        return []
    index = catalogue if isinstance(catalogue, SdkNameIndex) else SdkNameIndex.build(catalogue)
    catalogue = index.catalogue
    lexicon = lexicon or default_lexicon()
    keys = [k for k in _variants(name) if len(k) >= 2]
    if not keys:
        return []
    brand = _brand(name, company, lexicon)
    family: list[SdkEntry] = []
    if brand is not None:
        frag = normalise_name(brand[1])
        family = index.family(frag)
    rest = keys[0]
    if brand is not None:
        same = sorted((k for k, v in lexicon.sdk_vendors.items() if v[0] == brand[1]), key=len, reverse=True)
        stripped = True
        while stripped and rest:  # "Umeng（友盟）" -> "友盟" -> "": every part names the brand
            stripped = False
            for k in same:
                if rest.startswith(k):
                    rest, stripped = rest[len(k) :], True
                    break
    brand_only = brand is not None and not rest and len(family) > 1 and brand[0] in lexicon.sdk_family_brands

    def with_family(first: str) -> list[str]:
        if not brand_only:
            return [first]
        return [first] + [e.id for e in family if e.id != first]

    for k in keys:
        if k in lexicon.sdk_aliases:
            alias = lexicon.sdk_aliases[k]
            if alias is None:
                return []
            if catalogue.get(alias) is not None:
                return with_family(alias)
    generic = lexicon.sdk_generic
    keys = [k for k in keys if k not in generic]
    if not keys and not family:
        return []  # "推送SDK", "Push": nothing that identifies an SDK
    comp = normalise_name(company)
    hints = [h for h in _HINTS if h in name + context]
    best: tuple[float, SdkEntry] | None = None
    for e in family or catalogue.entries:
        score = _score(keys, [n for n in index.names.get(e.id, ()) if n not in generic])
        if family and rest and len(rest) >= 2 and rest not in generic:
            # inside the vendor's family, the name without its brand ("阿里云OSS" -> "oss") may be enough
            tokens = set(re.findall(r"[a-z0-9]+", e.name_en.lower())) | {normalise_name(e.name_zh)}
            if rest in tokens or (_has_cjk(rest) and rest in normalise_name(e.name_zh)):
                score = max(score, 0.8)
        if not score:
            continue
        if comp and e.vendor:
            v = normalise_name(e.vendor)
            if v[:4] and (v[:4] in comp or comp[:4] in v):
                score += 0.1
        score += 0.05 * sum(1 for h in hints if h in e.name_zh)
        if best is None or score > best[0]:
            best = (score, e)
    if best is not None and (not family or best[0] >= 0.6):
        return with_family(best[1].id)
    if family:
        cat = _category(name + " " + context, lexicon)
        in_cat = [e for e in family if cat and e.category == cat]
        if in_cat:
            words = [w for w in lexicon.sdk_category_hints if w in (name + context).casefold()]
            in_cat.sort(key=lambda e: -sum(1 for w in words if w in (e.name_zh + e.name_en).casefold()))
            return with_family(in_cat[0].id)
        default = lexicon.sdk_vendors[brand[0]][1] if brand is not None else None
        if default and catalogue.get(default) is not None:
            return with_family(default)
        return []
    return _by_company(keys[0] if keys else "", comp, name + " " + context, index, lexicon)


def _by_company(key: str, comp: str, text: str, index: SdkNameIndex, lexicon: PolicyLexicon) -> list[str]:
    """Last resort: the stated company is a catalogue vendor ("深圳乐播科技有限公司"); one SDK of that vendor,
    or the one whose name shares the policy name's start (2 CJK / 3 Latin characters) or its function."""
    if len(comp) < 6:
        return []
    entries = []
    for e in index.catalogue.entries:
        v = index.vendors.get(e.id, "")
        if len(v) >= 6 and (v in comp or comp in v):
            entries.append(e)
    if not entries:
        return []
    if len(entries) == 1:
        return [entries[0].id]
    head = key[:2] if _has_cjk(key[:2]) else key[:3]
    if len(head) >= 2 and (_has_cjk(head) or len(head) >= 3):
        named = [e for e in entries if head in normalise_name(e.name_zh) or head in normalise_name(e.name_en)]
        if len(named) == 1:
            return [named[0].id]
    cat = _category(text, lexicon)
    in_cat = [e for e in entries if cat and e.category == cat]
    return [in_cat[0].id] if len(in_cat) == 1 else []


def resolve_sdk(
    name: str,
    company: str,
    catalogue: SdkCatalogue | SdkNameIndex | None,
    context: str = "",
    lexicon: PolicyLexicon | None = None,
) -> str | None:
    """The catalogue id of an SDK named in a policy, or None (see ``resolve_sdk_ids``)."""
    ids = resolve_sdk_ids(name, company, catalogue, context, lexicon)
    return ids[0] if ids else None


def _entry(
    rec_fields: dict[str, str],
    name: str,
    sentence: int,
    source: str,
    lex: LanguageLexicon,
    cat: SdkNameIndex | None,
) -> PolicySdkEntry:
    from apprights.extractors.policy.declare import pi_types_in

    pi_text = rec_fields.get("pi", "")
    company = rec_fields.get("company", "")
    ids = resolve_sdk_ids(name, company, cat, rec_fields.get("purpose", ""))
    return PolicySdkEntry(
        name=name,
        company=company,
        purpose=rec_fields.get("purpose", ""),
        pi=pi_types_in(lex, pi_text),
        pi_text=pi_text,
        link=rec_fields.get("link", ""),
        sentence=sentence,
        sdk_id=ids[0] if ids else None,
        sdk_ids=ids,
        website=rec_fields.get("website", ""),
        source=source,
    )


def _from_tables(
    facts: PolicyFacts, lexicon: PolicyLexicon, lex: LanguageLexicon, cat: SdkNameIndex | None
) -> tuple[list[PolicySdkEntry], dict[int, list[str]]]:
    entries: list[PolicySdkEntry] = []
    purpose_cells: dict[int, list[str]] = {}
    for tix, t in enumerate(facts.tables):
        cols = [lexicon.classify_sdk_key(h) for h in t.header]
        purpose_idx = [i for i, c in enumerate(cols) if c == "purpose"]
        for r, srow in zip(t.rows, t.row_sentences[1:], strict=False):
            cells = [r[i] for i in purpose_idx if i < len(r) and r[i]]
            if cells:
                purpose_cells[srow] = cells
        context = " ".join(t.header) + " " + t.section
        if (
            "name" in cols
            and any(c in cols for c in ("company", "pi", "purpose", "link"))
            and (_SDK_CONTEXT.search(context) or "company" in cols)
        ):
            last: PolicySdkEntry | None = None
            for r, srow in zip(t.rows, t.row_sentences[1:], strict=False):
                rec: dict[str, str] = {}
                for i, c in enumerate(cols):
                    if c is None or i >= len(r) or not r[i]:
                        continue
                    v = r[i]
                    if c in ("link", "website"):
                        url = _URL.search(v)
                        v = url.group(0) if url else v
                    rec.setdefault(c, v)
                name = _ENUM_PREFIX.sub("", rec.get("name", "")).strip()
                if not name:
                    if last is not None and rec.get("pi"):  # merged cell: continues the previous SDK
                        last.pi_text += "、" + rec["pi"]
                        for p in _entry(rec, last.name, srow, "table", lex, None).pi:
                            if p not in last.pi:
                                last.pi.append(p)
                    continue
                last = _entry(rec, name, srow, "table", lex, cat)
                entries.append(last)
            continue
        # vertical key/value tables: first column holds field names
        first = [lexicon.classify_sdk_key(row[0]) if row else None for row in [t.header, *t.rows]]
        if sum(1 for f in first if f) >= max(3, int(0.6 * len(first))):
            lines = [f"{row[0]}：{' '.join(row[1:])}" for row in [t.header, *t.rows] if row]
            recs = _records_from_lines(
                lexicon, [(line, s, t.section) for line, s in zip(lines, t.row_sentences, strict=False)]
            )
            entries.extend(_finish(recs, lex, cat, "table"))
        del tix
    return entries, purpose_cells


def _records_from_lines(lexicon: PolicyLexicon, lines: list[tuple[str, int, str]]) -> list[_Record]:
    records: list[_Record] = []
    cur: _Record | None = None
    last_plain: tuple[str, int] | None = None
    for text, sentence, section in lines:
        kvs, prefix = _kvs(lexicon, text) if text else ([], "")
        if not kvs:
            cur = None
            name = _clean_name(text) if text else ""
            last_plain = (name, sentence) if name else None
            continue
        # "友盟SDK，使用目的：…，收集信息：…": the name stands before the first key
        inline_name = _clean_name(prefix) if prefix and not any(f == "name" for f, _, _ in kvs) else ""
        for i, (fld, value, key) in enumerate(kvs):
            if fld == "named":
                cur = _Record(sentence, section, fields={"name": key, "purpose": value, "pi": value})
                records.append(cur)
                last_plain = None
                continue
            if cur is None or fld == "name" or fld in cur.fields:
                cur = _Record(sentence, section)
                records.append(cur)
                if fld != "name":
                    if i == 0 and inline_name:
                        cur.name_candidate = inline_name
                    elif last_plain is not None:
                        cur.name_candidate, cur.sentence = last_plain
                last_plain = None
            cur.fields[fld] = value
    return records


def _finish(
    records: list[_Record], lex: LanguageLexicon, cat: SdkNameIndex | None, source: str
) -> list[PolicySdkEntry]:
    out: list[PolicySdkEntry] = []
    for rec in records:
        explicit = rec.fields.get("name", "")
        name = _clean_name(explicit) or explicit[:60] if explicit else rec.name_candidate
        if not name:
            continue
        informative = [k for k in ("company", "pi", "purpose", "link") if k in rec.fields]
        if not informative:
            continue
        sdkish = bool(
            explicit
            or "company" in rec.fields
            or "link" in rec.fields
            or re.search(r"sdk|SDK|平台|推送|统计|地图|支付|分享|登录|push|analytics", name)
            or _SDK_CONTEXT.search(rec.section)
        )
        if not sdkish or (not explicit and len(informative) < 2):
            continue
        out.append(_entry(rec.fields, name, rec.sentence, source, lex, cat))
    return out


# ---------------------------------------------------------------------------------------------- English prose
_EN_NAME = r"[A-Z][\w.+&-]{0,30}(?:[ ][A-Z0-9][\w.+&-]{0,30}){0,4}"
_EN_COMPANY = r"[A-Z][\w.&'-]{0,40}(?:[ ,]{1,2}[\w.&'-]{1,40}){0,6}?"
_EN_SUFFIX = r"(?:,?\s(?:Inc|LLC|Ltd|Limited|GmbH|Corp|Co)\.?)?"
_EN_PURPOSE = r"(?:(?:in order )?to|for)\s[^.;:!?]{2,150}"
# "We use Firebase Analytics, provided by Google LLC, to measure …", "We integrate the Adjust SDK (adjust GmbH)
# for attribution", "This app includes Crashlytics from Google LLC to report crashes"
_EN_USE = re.compile(
    r"\b(?i:we|this app|the app|our app)\s+(?:also\s+)?(?:use|uses|integrate|integrates|embed|embeds|include|"
    r"includes|rely on|relies on)\s+(?:the\s+)?(?P<name>" + _EN_NAME + r")"
    r"(?:\s*\((?P<paren>[^()]{2,80})\)|\s*,?\s+(?:provided|offered|operated|developed|made)\s+by\s+"
    r"(?P<by>"
    + _EN_COMPANY
    + _EN_SUFFIX
    + r")(?=[,.;)]|\s+(?:to|for|in order)\b|$)|\s+(?:from|by)\s+(?P<from>"
    + _EN_COMPANY
    + _EN_SUFFIX
    + r")(?=[,.;)]|\s+(?:to|for|in order)\b|$))"
    r"(?:,?\s*(?P<purpose>" + _EN_PURPOSE + r"))?",
)
# one item of a list "Third-party SDKs: Facebook SDK (Meta Platforms, Inc.) – login; Google Sign-In (Google LLC)
# – sign-in; …"
_EN_ITEM = re.compile(
    r"^\s*(?:and\s+)?(?P<name>"
    + _EN_NAME
    + r")\s*\((?P<company>(?:[^()]|\([^()]{0,40}\)){2,80})\)\s*(?:[-–—:,]\s*)?(?P<purpose>[^;]{0,150})"
)
_EN_COMPANY_WORD = re.compile(
    r"\b(?:Inc|LLC|Ltd|Limited|GmbH|Corp(?:oration)?|Co|S\.?A|B\.?V|AB|Pte|PLC)\b\.?", re.I
)
_LIST_LABELS = {"sdks", "thirdpartysdks", "thirdpartysdk", "thirdparties", "thirdpartyservices", "partners"}
_EN_SDKISH = re.compile(
    r"\b(?:SDK|Analytics|Crashlytics|Ads|AdMob|Pixel|Sign-In|Login|Messaging|Push|Maps)\b"
)


def _sentence_of(facts: PolicyFacts, first: int, count: int, needle: str) -> int:
    for i in range(first, min(first + count, len(facts.sentences))):
        if needle in facts.sentences[i].text:
            return i
    return first


def _from_english_prose(
    parsed: ParsedText, facts: PolicyFacts, lex: LanguageLexicon, cat: SdkNameIndex | None, known: set[str]
) -> list[PolicySdkEntry]:
    """SDKs named in English running text: "We use X, provided by Y, to …" and "SDKs: X (Y) – purpose; …".

    A name counts when it resolves to a catalogue id or looks like an SDK ("… SDK", "… Analytics") and the
    text names its company."""
    out: list[PolicySdkEntry] = []

    def add(name: str, company: str, purpose: str, sentence: int) -> None:
        name = name.strip(" .,")
        company = company.strip(" .,;")
        key = normalise_name(name)
        if len(key) < 3 or key in known or not company:
            return
        ids = resolve_sdk_ids(name, company, cat, purpose)
        if not ids and not (_EN_SDKISH.search(name) and _EN_COMPANY_WORD.search(company)):
            return
        known.add(key)
        rec = {"company": company, "purpose": purpose.strip(" .,;")[:150]}
        entry = _entry(rec, name, sentence, "prose", lex, cat)
        entry.sdk_ids, entry.sdk_id = ids, (ids[0] if ids else None)
        out.append(entry)

    for p in parsed.paragraphs:
        if p.heading or not p.text:
            continue
        text = p.text[:20_000]
        for m in _EN_USE.finditer(text):
            company = m.group("paren") or m.group("by") or m.group("from") or ""
            add(
                m.group("name"),
                company,
                m.group("purpose") or "",
                _sentence_of(facts, p.first_sentence, p.sentence_count, m.group("name")),
            )
        colon = text.find(":")
        if colon < 0 or not _SDK_CONTEXT.search(text[:colon] + " " + p.section):
            continue
        for item in text[colon + 1 :].split(";")[:200]:
            m2 = _EN_ITEM.match(item)
            if m2 is None:
                continue
            add(
                m2.group("name"),
                m2.group("company"),
                m2.group("purpose"),
                _sentence_of(facts, p.first_sentence, p.sentence_count, m2.group("name")),
            )
    return out


def extract_sdk_list(
    parsed: ParsedText,
    facts: PolicyFacts,
    lexicon: PolicyLexicon,
    lex: LanguageLexicon,
    catalogue: SdkCatalogue | None,
) -> tuple[list[PolicySdkEntry], dict[int, list[str]], int | None]:
    index = SdkNameIndex.build(catalogue) if catalogue is not None else None
    entries, purpose_cells = _from_tables(facts, lexicon, lex, index)
    lines = [
        (p.text, p.first_sentence, p.section)
        for p in parsed.paragraphs
        if not (p.text == "" and not p.heading)
    ]
    entries.extend(_finish(_records_from_lines(lexicon, lines), lex, index, "list"))
    if lex.lang == "en":
        prose = _from_english_prose(parsed, facts, lex, index, {normalise_name(e.name) for e in entries})
        if prose:
            # "Third-party SDKs: A (…) – …; B (…) – …" also reads as one key/value record named "SDKs"
            at = {e.sentence for e in prose}
            entries = [
                e for e in entries if not (e.sentence in at and normalise_name(e.name) in _LIST_LABELS)
            ]
            entries.extend(prose)
    entries.sort(key=lambda e: e.sentence)
    section: int | None = None
    for s in facts.sentences:
        if _SDK_SECTION.search(s.text):
            section = s.index
            break
    if section is None and entries:
        section = entries[0].sentence
    return entries, purpose_cells, section
