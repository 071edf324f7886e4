"""The way to exercise a right, as an analyst would quote it: a menu path ("我的 > 设置 > 账号与安全 > 注销账号")
when the policy gives one, else the clause naming the channel ("致电客服电话、联系在线客服或发送邮件")."""

from __future__ import annotations

import re

# 【设置】-【隐私设置】, “我的-订单”, 「设置」>「隐私」: at least two steps
_STEP = r"[【“「\[]([^】”」\]\n]{1,20})[】”」\]]"
_PATH = re.compile(rf"{_STEP}(?:\s*[-—–>＞→/、]+\s*{_STEP})+")
_QUOTED_PATH = re.compile(r"[“「【]([^”」】\n]{1,20}(?:\s*[-—–>＞→]\s*[^”」】\n]{1,20}){1,6})[”」】]")
_SPLIT = re.compile(r"\s*[-—–>＞→]\s*")
_CLAUSE = re.compile(r"[^，,。；;！？!?]+")
_MAX = 80


def means_phrase(text: str, means_re: re.Pattern[str]) -> str:
    """The path or channel in ``text``, or ""."""
    m = _PATH.search(text)
    if m is not None:
        steps = re.findall(_STEP, m.group(0))
        return " > ".join(s.strip() for s in steps)[:_MAX]
    q = _QUOTED_PATH.search(text)
    if q is not None:
        return " > ".join(p for p in _SPLIT.split(q.group(1)) if p)[:_MAX]
    hit = means_re.search(text)
    if hit is None:
        return ""
    for c in _CLAUSE.finditer(text):
        if c.start() <= hit.start() < c.end():
            return c.group(0).strip()[:_MAX]
    return ""
