"""Who runs the app and how to reach them, and when the policy was updated and takes effect.

- Dates: each date takes the cue nearest before it in its sentence ("更新日期：… 生效日期：…" gives one date to
  each field), else a cue right after it ("…起生效", "…更新"); a date after "上次修订" (the previous version) is
  not this version's date. ``effective_date`` is only ever a date stated as the effective one.
- Operator: a labelled name ("公司名称：…", "运营者：…", "Company name: …") first, else a company named where the
  policy introduces itself ("…有限公司（以下简称“我们”）", "由…运营", "©").
- Registered address ("注册地址：…", else 办公地址/联系地址/通讯地址), contact phone numbers and email addresses of
  the operator (literals in sentences that say how to contact, complain or give a labelled channel).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from apprights.model.policy import PolicySentence

_DATE_ZH = re.compile(r"(\d{4})\s*】?\s*年\s*【?\s*(\d{1,2})\s*】?\s*月\s*【?\s*(\d{1,2})\s*】?\s*日")
_DATE_ISO = re.compile(r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?!\d)")
_MONTH_NAMES = "january february march april may june july august september october november december"
_MONTHS = {m: i + 1 for i, m in enumerate(_MONTH_NAMES.split())}
_DATE_EN = re.compile(r"(" + "|".join(_MONTHS) + r")\s+(\d{1,2}),?\s+(\d{4})", re.I)
_DATE_EN_DMY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(" + "|".join(_MONTHS) + r"),?\s+(\d{4})", re.I)
_DATE_CUE = re.compile(
    r"(?P<old>上次|上一次|上一版|上版|旧版|历史版本|previous(?:ly)?|prior version)|"
    r"(?P<eff>生效|施行|实施|effective)|"
    r"(?P<upd>更新|修订|修改|发布|版本日期|last (?:updated|modified|revised)|updated|revised|modified)",
    re.I,
)
_CUE_WINDOW = 30


@dataclass
class PolicyDates:
    effective: str = ""
    effective_sentence: int | None = None
    updated: str = ""
    updated_sentence: int | None = None


def _dates_in(text: str) -> list[tuple[int, int, str]]:
    """(start, end, ISO date) of each plausible date, in order."""
    found: list[tuple[int, int, str]] = []
    for rx, order in ((_DATE_ZH, "ymd"), (_DATE_ISO, "ymd"), (_DATE_EN, "mdy"), (_DATE_EN_DMY, "dmy")):
        for m in rx.finditer(text):
            if any(a <= m.start() < b for a, b, _ in found):
                continue
            if order == "ymd":
                y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
            elif order == "dmy":
                d, mo, y = int(m.group(1)), _MONTHS[m.group(2).lower()], int(m.group(3))
            else:
                mo, d, y = _MONTHS[m.group(1).lower()], int(m.group(2)), int(m.group(3))
            if 1990 <= y <= 2100 and 1 <= mo <= 12 and 1 <= d <= 31:
                found.append((m.start(), m.end(), f"{y:04d}-{mo:02d}-{d:02d}"))
    return sorted(found)


_LABEL_BREAK = re.compile(r"[。；;，,.!！?？]")


def _cue_kinds(before: str, after: str) -> set[str]:
    """The kinds a date is labelled with: the cues of its label, the text since the last break before it
    ("修订与生效日期：" gives both), else the first cue right after it ("…，自2021年10月15日起生效")."""
    breaks = [b.end() for b in _LABEL_BREAK.finditer(before)]
    label = before[breaks[-1] :] if breaks else before
    kinds = {str(c.lastgroup) for c in _DATE_CUE.finditer(label)}
    if kinds:
        return {"old"} if "old" in kinds else kinds
    cut = _LABEL_BREAK.search(after)
    return {str(c.lastgroup) for c in _DATE_CUE.finditer(after[: cut.start()] if cut else after)} - {"old"}


def read_dates(sentences: list[PolicySentence]) -> PolicyDates:
    out = PolicyDates()
    for s in sentences[:80] + sentences[-40:]:
        dates = _dates_in(s.text)
        prev_end = 0
        for i, (start, end, iso) in enumerate(dates):
            before = s.text[max(prev_end, start - _CUE_WINDOW) : start]
            next_start = dates[i + 1][0] if i + 1 < len(dates) else len(s.text)
            after = s.text[end : min(next_start, end + 8)]
            kinds = _cue_kinds(before, after)
            if not kinds and len(dates) == 1 and len(s.text) <= 40:
                kinds = _cue_kinds(s.section[-_CUE_WINDOW:], "")  # a date line under "生效日期" / "更新日期"
            prev_end = end
            if "eff" in kinds and not out.effective:
                out.effective, out.effective_sentence = iso, s.index
            if "upd" in kinds and not out.updated:
                out.updated, out.updated_sentence = iso, s.index
    return out


# ---------------------------------------------------------------------------------------------- operator
_COMPANY = re.compile(
    r"([\u4e00-\u9fffA-Za-z0-9（）()·]{2,40}?(?:有限责任公司|股份有限公司|有限公司|集团|公司))"
    r"|((?:[A-Z][\w&.-]*\s){0,5}(?:Inc\.|Ltd\.?|LLC|Co\.,? Ltd\.?|Limited|Corporation|Corp\.))"
)
_OPERATOR_LABEL = re.compile(
    r"(?:公司名称|企业名称|公司全称|运营者名称|运营者|运营主体|运营方|运营单位|经营者名称|"
    r"个人信息处理者|company name|operator|controller)\s*[】\]]?\s*[:：]\s*",
    re.I,
)
_OPERATOR_CUE = re.compile(
    r"以下简称[“\"「]?(?:我们|本公司|我司)|(?:公司|集团)位于|运营者|运营主体|经营者|我们是|由.{0,30}(?:运营|开发|提供)|版权|copyright|©|"
    r"\((?:\"|“)?(?:we|us|our)\b",
    re.I,
)
# in prose (not after a label) only a registered legal form names the operator: "小米生态系统公司" does not
_LEGAL_FORM = re.compile(
    r"(?:有限责任公司|股份有限公司|有限公司|Inc\.|Ltd\.?|LLC|Limited|Corporation|Corp\.)$"
)
_SELF_INTRO = re.compile(
    r"以下(?:简称|称)[^）)。]{0,30}?(?:我们|本公司|我司|我方)|\((?:\"|“)?(?:we|us|our)\b", re.I
)
_NOT_OPERATOR = re.compile(r"关联公司|第三方|我们|合作|母公司|子公司")
_ADDRESS_LABEL = re.compile(
    r"(?P<label>注册地址|注册地|公司地址|办公地址|联系地址|通讯地址|通信地址|地址|registered address|address)"
    r"\s*[】\]]?\s*(?:(?:为|是|位于|is)\s*[:：]?|[:：])\s*(?P<value>[^；;。，,\n|]{4,80})",
    re.I,
)
_NEXT_LABEL = re.compile(
    r"\s*(?:[，,、]?\s*)(?:邮编|邮政编码|联系电话|电话|客服|邮箱|电子邮件|传真|网址|个人信息保护|负责人|postcode|tel|phone|e-?mail)"
    r"\s*[:：]?",
    re.I,
)
_CONTACT_CUE = re.compile(
    r"联系|发送至|发送到|寄至|寄到|致信|投诉|举报|客服|热线|电话|邮箱|邮件|信箱|反馈|咨询|疑问|contact|complain|e-?mail|phone|call us",
    re.I,
)
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_PHONE = re.compile(
    r"(?<![\d-])(?:400[-\s]?\d{3}[-\s]?\d{4}|800[-\s]?\d{3}[-\s]?\d{4}|0\d{2,3}[-\s]?\d{7,8}|1[3-9]\d{9}|"
    r"95\d{3,5}|\+86[-\s]?\d{2,3}[-\s]?\d{7,8})(?![\d-])"
)
# a number after a phone label, in any national format ("联系电话：080 6885 6286")
_LABELLED_PHONE = re.compile(
    r"(?:联系电话|客服电话|服务热线|客服热线|投诉电话|热线电话|电话|热线|tel(?:ephone)?|phone)\s*[】\]]?\s*"
    r"(?:[:：]|为|是)?\s*[【\[]?\s*(\+?\d[\d\s()-]{5,18}\d)",
    re.I,
)
_PHONE_CUE = re.compile(r"电话|热线|客服|致电|拨打|联系方式|联系我们|tel|phone|call", re.I)
_CONTACT_SECTION = re.compile(r"联系我们|如何联系|联系方式|contact us|how to contact", re.I)


@dataclass
class OperatorIdentity:
    name: str = ""
    name_sentence: int | None = None
    address: str = ""
    address_sentence: int | None = None
    address_label: str = ""  # as written: 注册地址, 办公地址, 地址 …
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    contact_sentence: int | None = None


def _after_unbalanced(name: str) -> str:
    """Drop text up to a closing bracket that has no opening one ("…）北京示例有限公司" -> "北京示例有限公司"),
    keeping balanced ones ("星河出行科技（杭州）有限公司")."""
    depth = 0
    for i, ch in enumerate(name):
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            if depth == 0:
                return _after_unbalanced(name[i + 1 :])
            depth -= 1
    return name


def _company_in(text: str, legal_form: bool = False) -> str:
    for m in _COMPANY.finditer(text):
        name = (m.group(1) or m.group(2) or "").strip()
        name = _after_unbalanced(re.split(r"适用于|提供给|[由是指：:]", name)[-1])
        if len(name) < 4 or _NOT_OPERATOR.search(name):
            continue
        if legal_form and not _LEGAL_FORM.search(name):
            continue
        return name
    return ""


def _operator_name(sentences: list[PolicySentence], skip: set[int]) -> tuple[str, int | None]:
    """The operator: the company a self-introduction names ("…有限公司（以下简称“我们”）", also when the
    "（以下简称本公司）" line follows the name's line), else a labelled name outside the SDK list, else a
    company with a legal form in a sentence that says who runs the app."""
    for s in sentences:
        if s.kind == "row" or s.index in skip or not _SELF_INTRO.search(s.text):
            continue
        name = _company_in(s.text, legal_form=True)
        if not name and s.text.lstrip().startswith(("（以下", "(以下")) and s.index > 0:
            name = _company_in(sentences[s.index - 1].text, legal_form=True)
        if name:
            return name, s.index
    for s in sentences:
        if s.kind == "row" or s.index in skip:
            continue
        for m in _OPERATOR_LABEL.finditer(s.text):
            name = _company_in(s.text[m.end() : m.end() + 60])
            if name:
                return name, s.index
    for s in sentences:
        if s.kind != "row" and s.index not in skip and _OPERATOR_CUE.search(s.text):
            name = _company_in(s.text, legal_form=True)
            if name:
                return name, s.index
    return "", None


def _address(sentences: list[PolicySentence]) -> tuple[str, int | None, str]:
    best: tuple[int, str, int, str] | None = None  # (rank, value, sentence, label): 注册地址 first
    for s in sentences:
        for m in _ADDRESS_LABEL.finditer(s.text):
            label = m.group("label").lower()
            if re.search(
                r"(?:网站|网页|官网|链接|邮件|邮箱|[A-Za-z])$", s.text[max(0, m.start() - 2) : m.start()]
            ):
                continue  # 网站地址, 邮箱地址, IP地址: not a postal address
            ours = re.search(
                r"(?:我们的|我司|本公司|our)\s*$", s.text[max(0, m.start() - 4) : m.start()], re.I
            )
            if (
                label in ("地址", "address")
                and not ours
                and not (_CONTACT_SECTION.search(s.section) or _CONTACT_CUE.search(s.text))
            ):
                continue  # a bare "地址：" outside the contact part is not the operator's
            value = m.group("value")
            cut = _NEXT_LABEL.search(value)
            if cut is not None and cut.start() >= 4:
                value = value[: cut.start()]
            value = value.strip(" ，,、")
            if len(value) < 4 or _EMAIL.search(value) or "http" in value[:8] or value.startswith("<"):
                continue
            rank = 0 if label.startswith(("注册", "registered")) else 1
            if best is None or rank < best[0]:
                best = (rank, value, s.index, m.group("label"))
    return (best[1], best[2], best[3]) if best is not None else ("", None, "")


def read_operator(sentences: list[PolicySentence], skip: set[int] | None = None) -> OperatorIdentity:
    """``skip``: sentences of the SDK list, whose "公司名称：…" name third parties."""
    out = OperatorIdentity()
    out.name, out.name_sentence = _operator_name(sentences, skip or set())
    out.address, out.address_sentence, out.address_label = _address(sentences)
    for s in sentences:
        contact = _CONTACT_CUE.search(s.text) is not None or _CONTACT_SECTION.search(s.section) is not None
        if not contact:
            continue
        for m in _EMAIL.finditer(s.text):
            e = m.group(0).rstrip(".")
            if e not in out.emails:
                out.emails.append(e)
                out.contact_sentence = s.index if out.contact_sentence is None else out.contact_sentence
        if _PHONE_CUE.search(s.text) or _CONTACT_SECTION.search(s.section):
            numbers = [m.group(0) for m in _PHONE.finditer(s.text)]
            numbers += [m.group(1) for m in _LABELLED_PHONE.finditer(s.text)]
            for n in numbers:
                p = n.strip()
                if p not in out.phones and not any(p in q or q in p for q in out.phones):
                    out.phones.append(p)
                    out.contact_sentence = s.index if out.contact_sentence is None else out.contact_sentence
    out.emails, out.phones = out.emails[:10], out.phones[:10]
    return out
