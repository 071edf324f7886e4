"""Declarations: what the parsed policy says, each tied to the sentence it came from.

A classical pipeline (lexicon + patterns), language-specific through ``LanguageLexicon``. Nothing here judges
compliance: rules do that.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from apprights.extractors.policy.identity import read_dates, read_operator
from apprights.extractors.policy.lexicon import LanguageLexicon, PolicyLexicon, TermHit
from apprights.extractors.policy.means import means_phrase
from apprights.extractors.policy.pi_context import collected_hits
from apprights.extractors.policy.sdklist import extract_sdk_list
from apprights.extractors.policy.text import ParsedText
from apprights.knowledge.sdks import SdkCatalogue
from apprights.model.policy import DeclaredPI, PolicyFacts, PolicySentence

_CLAUSE_SPLIT = re.compile(r"[，,：:；;。！？!?]")
_PURPOSE_END = re.compile(r"[，,；;。！？!?\n]")
_DEFINITION_SECTION = re.compile(r"名词解释|定义|释义|definition", re.I)
_SENSITIVE_DEFINITION = re.compile(r"(?:个人)?敏感(?:个人)?信息(?:是指|包括|指)|个人信息(?:是指|包括)")
_ACCOUNT = re.compile(r"账号|账户|帳號|帐号|帐户|account", re.I)
_PI_OBJECT = re.compile(r"个人信息|信息|数据|资料|账号|账户|帐号|information|data|account", re.I)
_YOU = re.compile(r"您|你|\byou\b|\byour\b", re.I)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_PHONE = re.compile(
    r"(?<!\d)(?:400[-\s]?\d{3}[-\s]?\d{4}|0\d{2,3}[-\s]?\d{7,8}|1[3-9]\d{9}|\d{5}|95\d{3,5})(?!\d)"
)
_COMPANY = re.compile(
    r"([\u4e00-\u9fffA-Za-z0-9（）()·]{2,40}?(?:有限责任公司|股份有限公司|有限公司|集团|公司))"
    r"|((?:[A-Z][\w&.-]*\s){0,5}(?:Inc\.|Ltd\.?|LLC|Co\.,? Ltd\.?|Limited|Corporation|Corp\.))"
)
_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_NUM = r"(\d{1,4}|[零〇一二两三四五六七八九十百]{1,5})"
_RESPONSE_LIMIT = re.compile(
    _NUM + r"\s*(?:个)?\s*(工作日|自然日|日|天|小时|business days?|working days?|days?|hours?)", re.I
)
_PERMISSION_WORD = re.compile(r"权限|permission|android\.permission\.|access to your", re.I)
_RAW_PERMISSION = re.compile(
    r"(?:android\.permission\.)?\b([A-Z][A-Z_]{3,}(?:LOCATION|CAMERA|AUDIO|CONTACTS|SMS|PHONE_STATE|CALL_LOG|CALENDAR|STORAGE|SENSORS|ACCOUNTS|PACKAGES|RECOGNITION|IMAGES|VIDEO|CALL_PHONE|NUMBERS))\b"
)
_READS = re.compile(
    r"读取|获取您的短信|访问您的短信|收集您的短信|短信内容|短信记录|短信权限|read|access", re.I
)
_BROWSER_DATA = re.compile(r"cookie|缓存|浏览器", re.I)
_PI_WORDS = re.compile(r"个人信息|personal (?:data|information)", re.I)
_RECOMMEND = re.compile(r"个性化|推荐|广告|推送|personali[sz]|recommend|advertis|\bads\b", re.I)


@dataclass
class _Clause:
    start: int
    end: int
    text: str


@dataclass
class _Decl:
    declared: list[DeclaredPI] = field(default_factory=list)
    negated: list[DeclaredPI] = field(default_factory=list)


def chinese_number(s: str) -> int | None:
    """'15' -> 15, '十五' -> 15, '三十' -> 30, '二十一' -> 21, '两' -> 2."""
    if s.isdigit():
        return int(s)
    total, cur = 0, 0
    for ch in s:
        if ch in _CN_DIGITS:
            cur = _CN_DIGITS[ch]
        elif ch == "十":
            total += (cur or 1) * 10
            cur = 0
        elif ch == "百":
            total += (cur or 1) * 100
            cur = 0
        else:
            return None
    return total + cur


def _clauses(text: str) -> list[_Clause]:
    out: list[_Clause] = []
    start = 0
    for m in _CLAUSE_SPLIT.finditer(text):
        out.append(_Clause(start, m.start(), text[start : m.start()]))
        start = m.end()
    out.append(_Clause(start, len(text), text[start:]))
    return out


def _purposes(lex: LanguageLexicon, text: str) -> list[str]:
    """Purpose phrases of a sentence: cue words ("为了", "用于", "in order to") and regex patterns ("以…为目的",
    "基于…需要", "在您…时", "来判断…", "to provide", "for … purposes"), each cut at the end of its clause."""
    found: list[tuple[int, int, bool]] = []  # (start, end, matched by a pattern with content of its own)
    for m in lex.cues["purpose"].finditer(text):
        found.append((m.start(), m.end(), False))
    skip_after = lex.words.get("purpose_not_after", frozenset())
    for m in lex.pattern("purpose").finditer(text):
        if skip_after:
            before = re.findall(r"[A-Za-z]+", text[max(0, m.start() - 20) : m.start()])
            if before and before[-1].casefold() in skip_after:
                continue  # "information you choose to provide", "access to your location"
        found.append((m.start(), m.end(), m.end() - m.start() >= 4))
    out: list[str] = []
    covered = -1
    for start, end, contentful in sorted(found):
        if start < covered:
            continue
        stop = _PURPOSE_END.search(text, end)
        stop_at = stop.start() if stop else len(text)
        frag = text[start:stop_at].strip()
        covered = stop_at
        if len(frag) > (end - start) + 1 or (contentful and len(frag) >= 4):
            out.append(frag[:100])
        if len(out) >= 3:
            break
    return out


def _is_definition(lex: LanguageLexicon, s: PolicySentence) -> bool:
    """A sentence that only defines terms ("个人信息是指…", "敏感个人信息包括身份证件号码…", "Personal data
    means…"), not one that says what this app collects."""
    if _DEFINITION_SECTION.search(s.section):
        return True
    if _SENSITIVE_DEFINITION.search(s.text) and not lex.pattern("we_subject").search(s.text[:20]):
        return True
    m = lex.pattern("definition_subject").search(s.text)
    if m is not None and not lex.pattern("definition_subject_not").search(m.group(0)):
        return True
    return lex.has("definition", s.text) and not lex.has("purpose", s.text)


def _function_heading(lex: LanguageLexicon, section: str) -> str:
    """The innermost heading of a sentence's section when it names a business function inside the collection
    chapter ("一、我们如何收集和使用您的个人信息 > 1.1 注册和登录账号" -> "注册和登录账号"), else ""."""
    parts = [p.strip() for p in section.split(" > ") if p.strip()]
    if len(parts) < 2:
        return ""
    if not any(lex.has("collection_heading", p) and _PI_OBJECT.search(p) for p in parts[:-1]):
        return ""
    last = _HEADING_NUMBER.sub("", parts[-1]).strip(" ：:")
    if not (2 <= len(last) <= 40) or (lex.has("collection_heading", last) and _PI_OBJECT.search(last)):
        return ""
    if lex.has("definition", last) or _DEFINITION_SECTION.search(last) or _DATA_HEADING.search(last):
        return ""  # "设备信息", "Information You Give Us", "Location": a kind of data, not a function
    pi_chars = sum(h.end - h.start for h in lex.pi_hits(last) if h.pi_type is not None)
    if pi_chars * 2 > len(last):
        return ""  # "位置", "精确位置", "Camera": mostly the name of a kind of PI
    return last


_DATA_HEADING = re.compile(r"信息|数据|资料|权限|cookie|information|data|permission", re.I)


_LEAD_IN = re.compile(r"(?:[:：]\s*[*_]*\s*$)|如下|以下(?:信息|个人信息|内容)|the following", re.I)

_HEADING_NUMBER = re.compile(
    r"^\s*(?:第[一二三四五六七八九十百\d]+[章节条部分]|[（(]?[一二三四五六七八九十\d]{1,3}(?:\.\d{1,3})*[)）、.．]?)\s*"
)


def _declarations(
    lex: LanguageLexicon, sentences: list[PolicySentence], purpose_cells: dict[int, list[str]]
) -> _Decl:
    out = _Decl()
    # a lead-in ("为向您提供X服务，我们会收集您的如下信息：") gives its purpose to the list that follows it
    lead: tuple[list[str], str, int] | None = None  # (purposes, section, last sentence it covers)
    for s in sentences:
        if s.kind == "heading" or (lead is not None and (s.section != lead[1] or s.index > lead[2])):
            lead = None
        if s.kind == "text" and _LEAD_IN.search(s.text):
            lead_purposes = _purposes(lex, s.text)
            if lead_purposes:
                lead = (lead_purposes, s.section, s.index + 12)
        hits = collected_hits(lex, s.text, [h for h in lex.pi_hits(s.text) if h.pi_type is not None])
        if not hits or _is_definition(lex, s) or lex.has("not_pi_context", s.text):
            continue
        if lex.has("notify_channel", s.text) and not _READS.search(s.text):
            # "以短信、邮件等方式通知您": SMS as a channel to reach the user, not SMS content collected
            hits = [h for h in hits if h.pi_type != "sms"]
        in_context = (
            s.kind == "row"
            or lex.has("collect", s.text)
            or lex.has("collection_heading", s.section)
            or len(s.text) <= 80
        )
        if not in_context:
            continue
        if s.kind != "row" and _rights_only(lex, s.text):
            continue  # "您可以在“我的”页面查看、删除地址信息": a right over PI, not a collection statement
        negated_spans = _negated_spans(lex, s.text)
        purposes = purpose_cells.get(s.index) or _purposes(lex, s.text)
        if not purposes and lead is not None and lead[2] - 12 < s.index:
            purposes = list(lead[0])
        if not purposes:
            heading = _function_heading(lex, s.section)
            if heading:
                purposes = [heading]
        seen: set[tuple[str, bool]] = set()
        for h in hits:
            neg = any(a <= h.start < b for a, b in negated_spans)
            assert h.pi_type is not None
            for pi in h.pi_types():
                key = (pi, neg)
                if key in seen:
                    continue
                seen.add(key)
                d = DeclaredPI(pi, h.term, s.index, [] if neg else list(purposes), h.generic)
                (out.negated if neg else out.declared).append(d)
    return out


def _conditional(lex: LanguageLexicon, text: str, start: int, end: int) -> bool:
    """A condition governs the negation at text[start:end]: "如您拒绝…，我们将不会收集" (a condition in the
    clauses just before it), or "…除非您同意" / "unless you …" right after it."""
    before = text[max(0, start - 40) : start]
    cut = max(before.rfind("。"), before.rfind("；"), before.rfind(";"), before.rfind(". "))
    if cut >= 0:
        before = before[cut + 1 :]
    if lex.has("condition", before) or lex.has("condition", text[start:end]):
        return True
    after = text[end : end + 40]
    return re.search(r"除非|除外|unless|except|until", after, re.I) is not None


_METHODS = ("provided", "automatic", "permission", "third_party")


def _methods(lex: LanguageLexicon, sentences: list[PolicySentence], declaring: set[int]) -> dict[str, int]:
    """How PI is collected (the "方式" of 认定方法 二(1)), read from sentences that declare PI or introduce a
    list of it: provided by the user, collected automatically, through a permission, or from third parties."""
    out: dict[str, int] = {}
    for s in sentences:
        if s.index not in declaring and not (s.kind == "text" and _LEAD_IN.search(s.text)):
            continue
        for kind in _METHODS:
            if kind not in out and lex.pattern("method_" + kind).search(s.text):
                out[kind] = s.index
        if len(out) == len(_METHODS):
            break
    return out


def _rights_only(lex: LanguageLexicon, text: str) -> bool:
    """The sentence tells the user how to exercise a right and says nothing about anyone collecting."""
    if lex.pattern("we_collect").search(text):
        return False
    return any(lex.has("right_" + r, text) and _user_right(lex, r, text) for r in _RIGHTS)


def _negated_spans(lex: LanguageLexicon, text: str) -> list[tuple[int, int]]:
    """Character spans under a plain negation ("我们不会收集…"); conditional ones ("如您拒绝…将不会…") are not."""
    if not lex.has("negation", text):
        return []
    spans: list[tuple[int, int]] = []
    clauses = _clauses(text)
    i = 0
    while i < len(clauses):
        c = clauses[i]
        m = lex.find("negation", c.text)
        if m is not None:
            end = c.end
            j = i + 1
            # continuation clauses: lists of items without a verb of their own
            while j < len(clauses) and not lex.has("collect", clauses[j].text) and len(clauses[j].text) < 40:
                end = clauses[j].end
                j += 1
            if not _conditional(lex, text, c.start + m.start(), c.start + m.end()):
                spans.append((c.start, end))
            i = j
        else:
            i += 1
    return spans


# ---------------------------------------------------------------------------------------------- other fields
_SCENE = re.compile(
    r"时[，,]?.{0,30}(?:需要|会|将|可以)|需要(?:获取|使用|调用|开启)|进行|实现|\bto\b|\bwhen\b", re.I
)


def _explains(lex: LanguageLexicon, text: str) -> bool:
    """A permission's purpose or usage scene ("用于…", "在您使用…时，需要获取…")."""
    return lex.has("purpose", text) or _SCENE.search(text) is not None


def _permissions(lex: LanguageLexicon, sentences: list[PolicySentence], facts: PolicyFacts) -> dict[str, int]:
    explained: dict[str, int] = {}
    permission_tables = {
        i for i, t in enumerate(facts.tables) if _PERMISSION_WORD.search(" ".join(t.header) + t.section)
    }
    for s in sentences:
        perm_ctx = (
            _PERMISSION_WORD.search(s.text) is not None
            or (s.kind == "row" and s.table in permission_tables)
            or (_PERMISSION_WORD.search(s.section) is not None and len(s.text) <= 120)
        )
        if not perm_ctx:
            continue
        names: list[str] = []
        for _, android in lex.permission_hits(s.text):
            names.extend(android)
        for m in _RAW_PERMISSION.finditer(s.text):
            names.append("android.permission." + m.group(1))
        if not names:
            continue
        explained_here = _explains(lex, s.text) or (s.kind == "row" and s.text.count("|") >= 1)
        if not explained_here and s.kind == "heading":
            follow = [
                t
                for t in sentences[s.index + 1 : s.index + 6]
                if t.section == s.section or s.text in t.section
            ]
            explained_here = any(_explains(lex, t.text) for t in follow)
        if not explained_here:
            nxt = sentences[s.index + 1] if s.index + 1 < len(sentences) else None
            explained_here = nxt is not None and nxt.section == s.section and _explains(lex, nxt.text)
        if explained_here:
            for n in names:
                explained.setdefault(n, s.index)
    return explained


def _targeted(lex: LanguageLexicon, sentences: list[PolicySentence]) -> tuple[int | None, int | None]:
    disclosed: int | None = None
    opt_out: int | None = None
    for s in sentences:
        if s.kind == "heading":
            continue
        if lex.has("targeted", s.text):
            if disclosed is None and not _DEFINITION_SECTION.search(s.section):
                disclosed = s.index
            if opt_out is None and lex.has("opt_out", s.text):
                opt_out = s.index
        elif (
            opt_out is None
            and _RECOMMEND.search(s.text)
            and lex.has("opt_out", s.text)
            and re.search(r"个性化|personali[sz]|interest-based|targeted", s.text, re.I)
        ):
            # "您可以在【设置】中关闭个性化推荐" without the exact disclosure words
            opt_out = s.index
    return disclosed, opt_out


def _first(sentences: list[PolicySentence], pred: object) -> int | None:
    for s in sentences:
        if callable(pred) and pred(s):
            return s.index
    return None


_RIGHTS = ("access", "correction", "deletion", "cancellation", "withdrawal")


def _right_object(lex: LanguageLexicon, right: str, text: str) -> bool:
    if right == "withdrawal":  # usually worded about permissions/authorisation, not "information"
        return True
    if right == "cancellation":
        return lex.lang == "en" or _ACCOUNT.search(text) is not None
    if right == "deletion" and _BROWSER_DATA.search(text) and not _PI_WORDS.search(text):
        return False  # "在浏览器设置中清除Cookie数据": browser housekeeping, not the deletion right
    return lex.pattern("right_object").search(text) is not None


def _user_right(lex: LanguageLexicon, right: str, text: str) -> bool:
    """The sentence states a right the user can exercise: the right's verb in a clause where the user is the
    one who can act ("您可以…删除", "you can delete", "点击…即可注销"), not a mention ("我们会删除…",
    "…删除后我们将保留…", staff "访问权限")."""
    ability_re = lex.pattern("right_ability")
    we_acts = lex.pattern("we_acts")
    for m in lex.cues["right_" + right].finditer(text):
        lo = max(text.rfind(ch, 0, m.start()) for ch in "。；;!！?？") + 1
        window = text[lo : m.end() + 40]
        verb_at = m.start() - lo
        ability = None
        for a in ability_re.finditer(window):
            if a.start() <= verb_at + 2:
                ability = a
        if ability is None:
            continue
        clause_at = max(window.rfind(ch, 0, verb_at) for ch in "，,：:") + 1
        if we_acts.search(window[max(clause_at, ability.end()) : verb_at]) and not lex.pattern(
            "right_means"
        ).search(window[:clause_at]):
            continue  # "您可以…，我们会删除…": the operator acts, unless the user asked through a channel
        if _right_object(lex, right, window):
            return True
    return False


def _rights(lex: LanguageLexicon, sentences: list[PolicySentence]) -> tuple[dict[str, int], dict[str, int]]:
    """(right -> sentence that states it, right -> sentence that gives a path or channel for it)."""
    rights: dict[str, int] = {}
    means: dict[str, int] = {}
    means_re = lex.pattern("right_means")
    ability_re = lex.pattern("right_ability")
    for s in sentences:
        if s.kind == "row":
            continue
        t = s.text
        for right in _RIGHTS:
            if (right in rights and right in means) or not lex.has("right_" + right, t):
                continue
            stated: int | None = None
            if s.kind == "heading":
                # a heading alone is not a statement: the body under it must give the user a way to act
                for f in sentences[s.index + 1 : s.index + 6]:
                    if f.kind == "heading":
                        break
                    if f.kind != "row" and ability_re.search(f.text) and means_re.search(f.text):
                        stated = f.index
                        break
            elif _user_right(lex, right, t):
                stated = s.index
            if stated is None:
                continue
            rights.setdefault(right, stated)
            if right in means:
                continue
            # the path or channel: in the statement itself or the sentence after it
            if means_re.search(sentences[stated].text):
                means[right] = stated
            else:
                nxt = sentences[stated + 1] if stated + 1 < len(sentences) else None
                if nxt is not None and nxt.section == sentences[stated].section and means_re.search(nxt.text):
                    means[right] = nxt.index
    return rights, means


def _means_text(
    lex: LanguageLexicon, sentences: list[PolicySentence], means: dict[str, int]
) -> dict[str, str]:
    out: dict[str, str] = {}
    for right, i in means.items():
        phrase = means_phrase(sentences[i].text, lex.pattern("right_means"))
        if phrase:
            out[right] = phrase
    return out


def _response(lex: LanguageLexicon, sentences: list[PolicySentence]) -> tuple[int | None, str, int | None]:
    best: tuple[float, int, str, int] | None = None
    for s in sentences:
        if not lex.has("response", s.text):
            continue
        for m in _RESPONSE_LIMIT.finditer(s.text):
            # the verb must be near the limit ("在15个工作日内回复"), and not about retention
            window = s.text[max(0, m.start() - 30) : m.end() + 30]
            if not lex.has("response", window) or lex.has("retention", window):
                continue
            n = chinese_number(m.group(1))
            if n is None or n == 0 or n > 365:
                continue
            unit_raw = m.group(2).lower()
            if "工作日" in unit_raw or "business" in unit_raw or "working" in unit_raw:
                unit, wd = "working_day", float(n)
            elif "小时" in unit_raw or "hour" in unit_raw:
                unit, wd = "hour", n / 24.0
            else:
                unit, wd = "day", n * 5.0 / 7.0
            if best is None or wd > best[0]:
                best = (wd, n, unit, s.index)
    if best is None:
        return None, "", None
    return best[1], best[2], best[3]


def _complaint(lex: LanguageLexicon, sentences: list[PolicySentence]) -> int | None:
    fallback: int | None = None
    for s in sentences:
        t = s.text
        has_cue = lex.has("complaint", t) or lex.has("complaint", s.section)
        if not has_cue:
            continue
        if _EMAIL.search(t) or (_PHONE.search(t) and lex.has("channel", t)):
            return s.index
        if fallback is None and lex.has("complaint", t) and lex.has("channel", t):
            fallback = s.index
    return fallback


def _recipients(lex: LanguageLexicon, sentences: list[PolicySentence], operator: str) -> list[str]:
    found: list[str] = []
    for s in sentences:
        if not lex.has("sharing", s.text):
            continue
        for m in _COMPANY.finditer(s.text):
            name = (m.group(1) or m.group(2) or "").strip()
            name = re.sub(r"^.*?(?:与|向|给|和|及|的|由|为)(?=[\u4e00-\u9fff]{4,})", "", name)
            if len(name) >= 4 and name != operator and name not in found and "关联公司" not in name:
                found.append(name)
    return found[:200]


# ---------------------------------------------------------------------------------------------- entry
def analyse(
    parsed: ParsedText, facts: PolicyFacts, lexicon: PolicyLexicon, catalogue: SdkCatalogue | None
) -> None:
    """Fill ``facts`` (already holding the parsed sentences and tables) with the declarations."""
    lex = lexicon.lang(parsed.language)
    sentences = facts.sentences
    entries, purpose_cells, sdk_section = extract_sdk_list(parsed, facts, lexicon, lex, catalogue)
    facts.sdk_list = entries
    facts.sdk_section = sdk_section
    # list-style SDK records spread over several lines ("使用目的：…" / "收集个人信息类型：…"): the record's
    # purpose applies to the PI named in its lines
    starts = sorted({e.sentence for e in entries if e.sentence >= 0})
    for e in entries:
        if not e.purpose or e.sentence < 0:
            continue
        at = bisect.bisect_right(starts, e.sentence)  # the next record's first sentence
        nxt = starts[at] if at < len(starts) else e.sentence + 9
        for i in range(e.sentence, min(nxt, e.sentence + 9, len(sentences))):
            purpose_cells.setdefault(i, [e.purpose[:100]])
    decl = _declarations(lex, sentences, purpose_cells)
    facts.declared_pi = decl.declared
    facts.negated_pi = decl.negated
    declared = facts.declared_types()
    if any(d.generic for d in decl.declared):
        facts.covered_pi = sorted(set(lexicon.covers) - declared)
    with_purpose = {d.sentence for d in decl.declared if d.purposes}
    types_with_purpose = {d.pi_type for d in decl.declared if d.purposes}
    facts.purpose_sentences = sorted(with_purpose)
    specific = {d.pi_type for d in decl.declared if not d.generic}
    specific_with_purpose = {d.pi_type for d in decl.declared if d.purposes and not d.generic}
    facts.purpose_coverage = round(len(specific_with_purpose) / len(specific), 3) if specific else 0.0
    # 认定方法 二(1) "逐一列出": purposes stated for several kinds of PI, and for most of the kinds named
    facts.itemised = len(with_purpose) >= 3 and len(types_with_purpose) >= 3 and facts.purpose_coverage >= 0.5
    facts.collection_methods = _methods(lex, sentences, {d.sentence for d in decl.declared})
    collection_heading = any(
        s.kind == "heading" and lex.has("collection_heading", s.text) and _PI_OBJECT.search(s.text)
        for s in sentences
    )
    facts.has_collection_rules = len(declared) >= 2 or (len(declared) >= 1 and collection_heading)
    facts.permissions_explained = _permissions(lex, sentences, facts)
    facts.targeted_push_disclosed, facts.targeted_push_opt_out = _targeted(lex, sentences)
    facts.self_start_disclosed = _first(sentences, lambda s: lex.has("self_start", s.text))
    facts.rights, facts.rights_means = _rights(lex, sentences)
    facts.rights_means_text = _means_text(lex, sentences, facts.rights_means)
    facts.response_days, facts.response_unit, facts.response_days_sentence = _response(lex, sentences)
    facts.complaint_channel = _complaint(lex, sentences)
    dates = read_dates(sentences)
    facts.effective_date, facts.effective_date_sentence = dates.effective, dates.effective_sentence
    facts.updated_date, facts.updated_date_sentence = dates.updated, dates.updated_sentence
    who = read_operator(sentences, {e.sentence for e in entries if e.sentence >= 0})
    facts.operator, facts.operator_sentence = who.name, who.name_sentence
    facts.operator_address, facts.operator_address_sentence = who.address, who.address_sentence
    facts.operator_address_label = who.address_label
    facts.contact_phones, facts.contact_emails, facts.contact_sentence = (
        who.phones,
        who.emails,
        who.contact_sentence,
    )
    recipients = _recipients(lex, sentences, facts.operator)
    for e in entries:
        for name in (e.company, e.name):
            if name and name not in recipients:
                recipients.append(name)
    facts.third_party_recipients = recipients


def pi_types_in(lex: LanguageLexicon, text: str) -> list[str]:
    """PI types named in a piece of text (an SDK list cell, a CA4P span), in order, without repeats."""
    out: list[str] = []
    hits: list[TermHit] = lex.pi_hits(text)
    for h in hits:
        for pi in h.pi_types():
            if pi not in out:
                out.append(pi)
    return out
