"""Mentions of PI that are not collection: a lexicon hit that names the kind of data in another role.

- account-safety advice ("妥善保管帐号与密码", "定期修改密码", "盗用他人头像"): the password is the user's own
  secret, not something the operator says it collects;
- an email used as a channel ("我们向您发送的电子邮件", "通过电子邮件通知您", "网站信标…嵌入到电子邮件中"): a
  message, not the user's address;
- the operator's own contact details ("联系邮箱：privacy@example.cn", "客服电话：400-…"): a sentence that gives an
  address or number literal and says nothing about collecting;
- user-interface steps ("1. 进入QQ后，点击左上角头像；", "更改头像、昵称、生日等信息：") and menu paths
  ("设置 > 密码与安全 > 隐私"): the name of a screen element, not data collected.
"""

from __future__ import annotations

import re

from apprights.extractors.policy.lexicon import LanguageLexicon, TermHit

_SAFETY = re.compile(
    r"妥善保管|保管好?|泄露|泄漏|遭到|被盗|盗用|冒用|修改密码|强密码|复杂密码|密码设置|自行设定|定期更换|"
    r"账号安全|帐号安全|账户安全|帐户安全|透露给|告知他人|视为(?:您|用户)(?:本人|个人)|keep your password|password secure|confidential",
    re.I,
)
_SAFETY_TYPES = frozenset({"password", "nickname", "avatar"})
_EMAIL_AS_CHANNEL_BEFORE = re.compile(
    r"(?:通过|以|经由|采用|发送的?|发出的?|寄送的?|推送的?|嵌入到?|via|by)\s*$", re.I
)
_EMAIL_AS_CHANNEL_AFTER = re.compile(
    r"^\s*(?:中|里|内|(?:[或及和、]\s*(?:其他|其它)?)?等?(?:方式|形式|渠道)|通知|告知|是否|的方式|联系|（向)"
)
_UI_STEP = re.compile(
    r"^\s*(?:[（(]?\d+(?:\.\d+)*[)）.、]?\s*)?(?:进入|点击|选择|打开|前往|更改|修改|编辑|查看|设置)(?!权限)"
)
_UI_TARGET_BEFORE = re.compile(r"(?:点击|轻触|长按)(?:左上角|右上角|页面|顶部|底部)?(?:的)?\s*$")
_MENU_SEP = re.compile(r"[>＞→]")
_LITERAL = re.compile(
    r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}|(?<!\d)(?:400|800|95\d{2,3}|0\d{2,3})[-\s]?\d{3,4}[-\s]?\d{3,4}(?!\d)"
)
_CONTACT_TYPES = frozenset({"email", "phone_number", "address"})


def collected_hits(lex: LanguageLexicon, text: str, hits: list[TermHit]) -> list[TermHit]:
    """The hits that can be PI of the user (see the module docstring for what is dropped)."""
    if not hits:
        return hits
    safety = _SAFETY.search(text) is not None
    we_collect = lex.pattern("we_collect").search(text) is not None
    contact_only = _LITERAL.search(text) is not None and not we_collect
    if _UI_STEP.search(text) and not we_collect and len(text) <= 80:
        return []
    out: list[TermHit] = []
    for h in hits:
        if _UI_TARGET_BEFORE.search(text[max(0, h.start - 8) : h.start]):
            continue
        if _MENU_SEP.search(text[max(0, h.start - 3) : h.start]) or _MENU_SEP.search(text[h.end : h.end + 3]):
            continue
        if safety and h.pi_type in _SAFETY_TYPES:
            continue
        if contact_only and h.pi_type in _CONTACT_TYPES:
            continue
        if h.pi_type == "email" and (
            _EMAIL_AS_CHANNEL_BEFORE.search(text[max(0, h.start - 8) : h.start])
            or _EMAIL_AS_CHANNEL_AFTER.search(text[h.end : h.end + 6])
        ):
            continue
        out.append(h)
    return out
