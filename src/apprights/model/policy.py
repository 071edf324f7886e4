"""Facts a privacy policy declares (filled by ``extractors.policy``). Each item keeps the sentence it came from.

Pure data plus small pure helpers (name normalisation, look-ups) that rules use; no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class PolicySentence:
    index: int
    section: str
    text: str
    kind: str = "text"  # text|heading|row (a table row, cells joined by " | ")
    table: int = -1  # index into PolicyFacts.tables for kind == "row"


@dataclass
class PolicyTable:
    header: list[str]
    rows: list[list[str]]
    section: str = ""
    row_sentences: list[int] = field(default_factory=list)  # sentence index of each row


@dataclass
class DeclaredPI:
    pi_type: str  # a model.pi.PIType value
    term: str  # the words used in the policy
    sentence: int  # index into PolicyFacts.sentences
    purposes: list[str] = field(default_factory=list)
    generic: bool = False  # a generic term ("设备标识符") that covers several specific types


@dataclass
class PolicySdkEntry:
    name: str
    company: str = ""
    purpose: str = ""
    pi: list[str] = field(default_factory=list)  # PI types (model.pi values) where recognised
    pi_text: str = ""
    link: str = ""
    sentence: int = -1
    sdk_id: str | None = None  # resolved against the SDK catalogue
    website: str = ""
    source: str = ""  # table|list
    # catalogue ids the entry covers: a brand-only name ("友盟+ SDK", "个推") covers the vendor's SDK family
    sdk_ids: list[str] = field(default_factory=list)


@dataclass
class PolicyFacts:
    path: str
    sha256: str
    language: str = "zh"
    title: str = ""
    char_count: int = 0
    sentences: list[PolicySentence] = field(default_factory=list)
    declared_pi: list[DeclaredPI] = field(default_factory=list)
    negated_pi: list[DeclaredPI] = field(default_factory=list)
    itemised: bool = False  # purpose/method/scope listed item by item
    has_collection_rules: bool = False
    sdk_list: list[PolicySdkEntry] = field(default_factory=list)
    permissions_explained: dict[str, int] = field(default_factory=dict)  # permission name -> sentence
    targeted_push_disclosed: int | None = None  # sentence index or None
    targeted_push_opt_out: int | None = None
    self_start_disclosed: int | None = None
    third_party_recipients: list[str] = field(default_factory=list)
    rights: dict[str, int] = field(default_factory=dict)  # access|correction|deletion|cancellation|withdrawal
    response_days: int | None = None
    response_days_sentence: int | None = None
    complaint_channel: int | None = None
    operator: str = ""
    effective_date: str = ""
    warnings: list[str] = field(default_factory=list)
    # additions (extractor v1)
    format: str = "text"  # html|markdown|text
    encoding: str = "utf-8"
    tables: list[PolicyTable] = field(default_factory=list)
    response_unit: str = ""  # working_day|day|hour (unit of response_days as written)
    updated_date: str = ""
    operator_sentence: int | None = None
    covered_pi: list[str] = field(default_factory=list)  # types covered only by generic terms
    sdk_section: int | None = None  # sentence introducing a third-party/SDK list, if any
    # additions (extractor v2)
    rights_means: dict[str, int] = field(default_factory=dict)  # right -> sentence giving a path or channel
    purpose_sentences: list[int] = field(default_factory=list)  # sentences stating why PI is processed
    # how PI is collected, by kind (provided|automatic|permission|third_party) -> first sentence that says so
    collection_methods: dict[str, int] = field(default_factory=dict)
    purpose_coverage: float = 0.0  # share of the declared (specific) PI types that have a stated purpose
    # additions (extractor v3, issue 12): where each date was read, and the operator's address and contact
    effective_date_sentence: int | None = None
    updated_date_sentence: int | None = None
    operator_address: str = ""  # registered (else office/contact) address
    operator_address_sentence: int | None = None
    operator_address_label: str = ""  # the label as written (注册地址 / 办公地址 / 联系地址 / 地址 …)
    contact_phones: list[str] = field(default_factory=list)  # the operator's numbers, as written
    contact_emails: list[str] = field(default_factory=list)
    contact_sentence: int | None = None  # first sentence giving a phone number or email address
    rights_means_text: dict[str, str] = field(
        default_factory=dict
    )  # right -> menu path or channel, as written

    def declared_types(self) -> set[str]:
        return {d.pi_type for d in self.declared_pi}

    def declared_or_covered_types(self) -> set[str]:
        """Declared types plus the specific types a generic term ("设备标识符") covers."""
        return self.declared_types() | set(self.covered_pi)

    def declaration(self, pi_type: str) -> DeclaredPI | None:
        for d in self.declared_pi:
            if d.pi_type == pi_type:
                return d
        return None

    def excerpt(self, index: int | None, limit: int = 200) -> str:
        if index is None or index < 0 or index >= len(self.sentences):
            return ""
        return self.sentences[index].text[:limit]

    def response_working_days(self) -> float | None:
        """The promised response limit in (approximate) working days, or None when none is promised."""
        if self.response_days is None:
            return None
        if self.response_unit == "hour":
            return self.response_days / 24.0
        if self.response_unit == "day":
            return self.response_days * 5.0 / 7.0
        return float(self.response_days)

    def find_sdk(
        self, names: list[str], vendor: str = "", sdk_id: str | None = None
    ) -> PolicySdkEntry | None:
        """The SDK-list entry for an SDK (by catalogue id, else by name), or None.

        Names match when equal, when one contains the other (3+ characters), or when the policy lists the
        vendor's brand as a prefix ("友盟 SDK" covers 友盟统计; "Umeng（友盟）" covers "Umeng Analytics")."""
        if sdk_id:
            for e in self.sdk_list:
                if e.sdk_id == sdk_id:
                    return e
            for e in self.sdk_list:
                if sdk_id in e.sdk_ids:
                    return e
        keys = [k for n in names for k in name_variants(n) if len(k) >= 2 and k not in GENERIC_NAME_PARTS]
        for e in self.sdk_list:
            for ev in name_variants(e.name):
                if ev in GENERIC_NAME_PARTS:
                    continue  # "HMS Push" and "OPPO Push" share only the generic "push"
                for k in keys:
                    if ev == k or (len(k) >= 3 and k in ev) or (len(ev) >= 3 and ev in k):
                        return e
                    if k.startswith(ev) and len(ev) >= (2 if _CJK.match(ev) else 4):
                        return e
        return None

    def mention(self, names: list[str]) -> int | None:
        """The first sentence that names any of ``names`` (normalised substring match), or None."""
        keys = [k for k in (normalise_name(n) for n in names) if len(k) >= 3]
        if not keys:
            return None
        for s in self.sentences:
            text = normalise_name(s.text)
            if any(k in text for k in keys):
                return s.index
        return None


_CJK = re.compile(r"[\u4e00-\u9fff]")
# name parts that identify no SDK on their own
GENERIC_NAME_PARTS = frozenset(
    [
        "push",
        "sdk",
        "analytics",
        "ads",
        "ad",
        "map",
        "maps",
        "share",
        "pay",
        "payment",
        "login",
        "location",
        "kit",
        "core",
        "common",
        "base",
        "open",
        "api",
        "service",
        "services",
        "stat",
        "library",
        "推送",
        "统计",
        "分享",
        "登录",
        "支付",
        "地图",
        "定位",
        "广告",
        "认证",
        "消息推送",
        "一键登录",
    ]
)
_VARIANT_SPLIT = re.compile(r"[()（）/／、,，|]+")


def name_variants(name: str) -> list[str]:
    """Normalised forms of a name and of its parts: "Umeng（友盟） SDK" -> umeng友盟, umeng, 友盟."""
    out = [normalise_name(name)]
    for part in _VARIANT_SPLIT.split(name):
        n = normalise_name(part)
        if n and n not in out:
            out.append(n)
    for part in re.split(r"\s+", name.strip()):  # brand first word: "Umeng Analytics" -> umeng
        n = normalise_name(part)
        if len(n) >= 4 and n not in out:
            out.append(n)
            break
    return [v for v in out if v]


_NAME_NOISE = re.compile(r"[\s\-_·•.,，、/\\()（）【】\[\]{}<>《》“”\"'‘’:：+＋]+")
_NAME_SUFFIXES = ("androidsdk", "sdk", "android版", "安卓版", "android", "平台", "服务")


def normalise_name(name: str) -> str:
    """Lower-case, drop punctuation and generic suffixes ("SDK", "Android版"): "友盟 统计SDK" -> "友盟统计"."""
    s = _NAME_NOISE.sub("", name.lower())
    changed = True
    while changed and s:
        changed = False
        for suf in _NAME_SUFFIXES:
            if s.endswith(suf) and len(s) > len(suf) + 1:
                s = s[: -len(suf)]
                changed = True
    return s
