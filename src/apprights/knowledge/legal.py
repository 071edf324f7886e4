"""Legal references a rule may cite, and how to resolve them to a document and clause.

A reference is "<document> <clause>", e.g. ``164号文 一(1)``, ``认定方法 三(1)``, ``14号文 第四条``,
``26号文``, ``T/TAF 078.4``, ``GB/T 35273-2020 7.5``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DOCUMENTS: dict[str, tuple[str, str]] = {
    "164号文": (
        "工信部信管函〔2020〕164号《关于开展纵深推进APP侵害用户权益专项整治行动的通知》",
        "MIIT notice 164 (2020) on deepening the campaign against apps infringing user rights",
    ),
    "认定方法": (
        "国信办秘字〔2019〕191号《App违法违规收集使用个人信息行为认定方法》",
        "Methods for identifying illegal collection and use of PI by apps (CAC 191, 2019)",
    ),
    "14号文": (
        "国信办秘字〔2021〕14号《常见类型移动互联网应用程序必要个人信息范围规定》",
        "Provisions on the scope of necessary PI for common types of mobile apps (2021)",
    ),
    "26号文": (
        "工信部信管函〔2023〕26号《关于进一步提升移动互联网应用服务能力的通知》",
        "MIIT notice 26 (2023) on further improving mobile app service capability",
    ),
    "T/TAF 078": (
        "T/TAF 078《APP用户权益保护测评规范》",
        "T/TAF 078 app user-rights protection test specification",
    ),
    "T/TAF 077": (
        "T/TAF 077《APP收集使用个人信息最小必要评估规范》",
        "T/TAF 077 minimum-necessary assessment",
    ),
    "GB/T 35273-2020": (
        "GB/T 35273-2020《信息安全技术 个人信息安全规范》",
        "GB/T 35273-2020 PI security specification",
    ),
    "GB/T 41391-2022": ("GB/T 41391-2022《移动互联网应用程序(App)收集个人信息基本要求》", "GB/T 41391-2022"),
}

# 164号文 items: (aspect, item) — 一(1)…一(4), 二(5), 二(6), 三(7), 三(8), 四(9), 四(10)
_164_ITEMS = {"一": {1, 2, 3, 4}, "二": {5, 6}, "三": {7, 8}, "四": {9, 10}}
# 认定方法 sections and their item counts (4/4/9/6/3/5)
_191_ITEMS = {"一": 4, "二": 4, "三": 9, "四": 6, "五": 3, "六": 5}


@dataclass(frozen=True)
class LegalRef:
    ref: str
    document_zh: str
    document_en: str
    clause: str


def resolve(ref: str) -> LegalRef | None:
    """The document and clause of a reference, or None when it does not resolve."""
    m = re.fullmatch(r"164号文 ([一二三四])\((\d+)\)", ref)
    if m:
        if int(m.group(2)) in _164_ITEMS[m.group(1)]:
            return _ref(ref, "164号文", f"{m.group(1)}({m.group(2)})")
        return None
    m = re.fullmatch(r"认定方法 ([一二三四五六])\((\d+)\)", ref)
    if m:
        if 1 <= int(m.group(2)) <= _191_ITEMS[m.group(1)]:
            return _ref(ref, "认定方法", f"{m.group(1)}({m.group(2)})")
        return None
    m = re.fullmatch(r"14号文 (第[一二三四五六七八九十]+条|附件\s*\d+)", ref)
    if m:
        return _ref(ref, "14号文", m.group(1))
    if ref == "26号文" or ref.startswith("26号文 "):
        return _ref(ref, "26号文", ref[4:].strip())
    m = re.fullmatch(r"(T/TAF 07[78])\.(\d+)", ref)
    if m:
        return _ref(ref, m.group(1), m.group(2))
    for doc in ("GB/T 35273-2020", "GB/T 41391-2022"):
        if ref == doc or ref.startswith(doc + " "):
            return _ref(ref, doc, ref[len(doc) :].strip())
    return None


def _ref(ref: str, doc: str, clause: str) -> LegalRef:
    zh, en = DOCUMENTS[doc]
    return LegalRef(ref, zh, en, clause)


PROBLEM_TYPES: dict[int, tuple[str, str]] = {
    1: ("违规收集个人信息", "Collecting personal information in violation of the rules"),
    2: ("超范围收集个人信息", "Collecting personal information beyond what is necessary"),
    3: ("违规使用个人信息", "Using or sharing personal information in violation of the rules"),
    4: ("强制用户使用定向推送功能", "Forcing targeted push on users"),
    5: ("APP强制、频繁、过度索取权限", "Forced, repeated or excessive permission requests"),
    6: ("APP频繁自启动和关联启动", "Frequent self-start and starting other apps"),
    7: ("欺骗误导用户下载APP", "Tricking or misleading users into downloading apps"),
    8: ("欺骗误导用户提供个人信息", "Tricking or misleading users into providing personal information"),
    9: (
        "应用分发平台上的APP信息明示不到位",
        "Distribution platform does not clearly display app information",
    ),
    10: ("应用分发平台管理责任落实不到位", "Distribution platform fails its management responsibilities"),
}
