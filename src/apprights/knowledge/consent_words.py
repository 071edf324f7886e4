"""The words of privacy-policy dialogs, shared by the collector's driver (which button to tap) and the runtime
rules (did the dialog offer a real refuse choice), so both read a dialog the same way.

Buttons are read by meaning, not by exact text: apps write 同意并登录, 同意，继续使用, 我不同意, 不同意，退出,
放弃使用 … A label is normalised (spaces and punctuation removed, lower case), then a refusal word wins over an
agree word (不同意 contains 同意), and an agree word over a mere acknowledgement (同意并继续 contains 继续).
"""

from __future__ import annotations

import re
from typing import Literal

# Texts that say "this dialog is about the privacy policy".
POLICY_WORDS = (
    "隐私政策",
    "隐私权政策",
    "隐私协议",
    "隐私保护",
    "隐私权保护指引",
    "隐私保护指引",
    "个人信息保护",
    "个人信息处理规则",
    "用户协议",
    "服务协议",
    "隐私条款",
    "privacy policy",
    "privacy notice",
)
# A real refuse choice (the user can say no and keep going, or leave). Checked before AGREE_WORDS.
REFUSE_WORDS = (
    "不同意",
    "不接受",
    "暂不",
    "拒绝",
    "放弃使用",
    "不使用",
    "仅浏览",
    "以后再说",
    "退出",
    "取消",
    "disagree",
    "decline",
    "refuse",
    "reject",
    "not now",
    "no thanks",
)
AGREE_WORDS = ("同意", "接受", "agree", "accept")
# Buttons that only acknowledge: a dialog offering only these has no refuse choice (and no explicit consent).
ACKNOWLEDGE_WORDS = ("我知道了", "知道了", "好的", "确定", "继续", "进入", "开始使用", "ok", "got it")
# Longer labels are sentences of the dialog's body ("如您不同意，将无法使用…"), not buttons.
MAX_BUTTON_CHARS = 16

Meaning = Literal["refuse", "agree", "acknowledge"]

_PUNCT = re.compile(r"[\s\u3000,，.。!！:：;；、\"'“”‘’()（）\[\]【】<>《》…·-]+")


def normalise(text: str) -> str:
    return _PUNCT.sub("", text).lower()


def button_meaning(label: str) -> Meaning | None:
    """What tapping a button with this label means on a privacy-policy dialog, or None."""
    n = normalise(label)
    if not n or len(n) > MAX_BUTTON_CHARS:
        return None
    if any(w in n for w in _REFUSE):
        return "refuse"
    if any(w in n for w in _AGREE):
        return "agree"
    if any(n == w or (n.startswith(w) and len(n) <= len(w) + 4) for w in _ACKNOWLEDGE):
        return "acknowledge"
    return None


def is_refusal(text: str) -> bool:
    """Whether a label (or a button id such as ``btn_disagree``) contains a refusal word, at any length."""
    n = normalise(text)
    return any(w in n for w in _REFUSE)


_REFUSE = tuple(normalise(w) for w in REFUSE_WORDS)
_AGREE = tuple(normalise(w) for w in AGREE_WORDS)
_ACKNOWLEDGE = tuple(normalise(w) for w in ACKNOWLEDGE_WORDS)


def mentions_policy(text: str) -> bool:
    low = text.lower()
    return any(w in low for w in POLICY_WORDS)
