"""Recognising the screens the scenario driver must answer: the privacy-policy dialog and the system's
runtime-permission dialog.

The privacy dialog is found by its words (a policy mention plus agree/refuse buttons), not by ids: every app
builds its own. Permission dialogs are the system's (``com.android.permissioncontroller`` since Android 10,
``com.android.packageinstaller`` before, ``com.google.android.permissioncontroller`` on GMS builds) and are
answered by their button ids.
"""

from __future__ import annotations

from dataclasses import dataclass

from apprights.collect.uiautomator import Button, Checkbox, UiScreen, normalise_label

POLICY_WORDS = (
    "隐私政策",
    "隐私权政策",
    "隐私协议",
    "隐私保护",
    "个人信息保护",
    "用户协议",
    "服务协议",
    "隐私条款",
    "个人信息处理规则",
    "Privacy Policy",
    "privacy policy",
)
# Order matters: the most explicit wording first.
AGREE_WORDS = (
    "同意并继续",
    "同意并进入",
    "同意并使用",
    "同意并开始使用",
    "同意",
    "我同意",
    "已阅读并同意",
    "接受",
    "同意协议",
    "Agree",
    "Accept",
    "I agree",
)
# Buttons that only acknowledge: a dialog offering only these has no real refuse choice.
ACKNOWLEDGE_WORDS = ("我知道了", "知道了", "好的", "确定", "继续", "OK", "Got it")
REFUSE_WORDS = (
    "不同意",
    "不同意并退出",
    "暂不同意",
    "拒绝",
    "拒绝并退出",
    "不同意并退出APP",
    "不同意并退出应用",
    "暂不使用",
    "仍不同意",
    "退出应用",
    "退出",
    "仅浏览",
    "不同意,仅浏览",
    "Disagree",
    "Decline",
    "Refuse",
)

PERMISSION_PACKAGES = (
    "com.android.permissioncontroller",
    "com.google.android.permissioncontroller",
    "com.android.packageinstaller",
)
_ALLOW_IDS = (
    "permission_allow_foreground_only_button",
    "permission_allow_button",
    "permission_allow_one_time_button",
)
_DENY_IDS = ("permission_deny_button", "permission_deny_and_dont_ask_again_button")
_DENY_FOREVER_IDS = ("permission_deny_and_dont_ask_again_button",)


def _ids(names: tuple[str, ...]) -> list[str]:
    return [f"{pkg}:id/{n}" for n in names for pkg in PERMISSION_PACKAGES]


@dataclass(frozen=True)
class ConsentDialog:
    agree: Button | None
    refuse: Button | None
    acknowledge: Button | None
    checkboxes: tuple[Checkbox, ...]

    @property
    def has_refuse_choice(self) -> bool:
        return self.refuse is not None

    @property
    def pre_ticked(self) -> bool:
        return any(c.checked for c in self.checkboxes)


def find_consent_dialog(screen: UiScreen) -> ConsentDialog | None:
    """The privacy-policy dialog on ``screen``, or None: policy words plus an agree/refuse/OK button."""
    if not screen.has_text(POLICY_WORDS):
        return None
    refuse = screen.find_button(REFUSE_WORDS)
    agree = screen.find_button(AGREE_WORDS)
    ack = screen.find_button(ACKNOWLEDGE_WORDS)
    if agree is None and refuse is None and ack is None:
        return None
    if (
        agree is not None
        and refuse is not None
        and normalise_label(agree.text) == normalise_label(refuse.text)
    ):
        agree = None
    return ConsentDialog(agree, refuse, ack, tuple(screen.checkboxes()))


@dataclass(frozen=True)
class PermissionDialog:
    message: str
    allow: tuple[int, int] | None
    deny: tuple[int, int] | None
    deny_forever: tuple[int, int] | None


def find_permission_dialog(screen: UiScreen) -> PermissionDialog | None:
    """The system runtime-permission dialog on ``screen``, or None."""
    if not any(p in PERMISSION_PACKAGES for p in screen.packages):
        return None
    allow = screen.find_by_id(_ids(_ALLOW_IDS))
    deny = screen.find_by_id(_ids(_DENY_IDS))
    if allow is None and deny is None:
        return None
    forever = screen.find_by_id(_ids(_DENY_FOREVER_IDS))
    msg_node = screen.find_by_id(_ids(("permission_message",)))
    return PermissionDialog(
        message=msg_node.text if msg_node else "",
        allow=allow.center if allow else None,
        deny=deny.center if deny else None,
        deny_forever=forever.center if forever else None,
    )
