"""Recognising the screens the scenario driver must answer: the privacy-policy dialog and the system's
runtime-permission dialog.

The privacy dialog is found by its words (a policy mention plus agree/refuse buttons), not by ids: every app
builds its own. The words are read by meaning with the list the runtime rules use
(``knowledge.consent_words``). Permission dialogs are the system's (``com.android.permissioncontroller`` since Android 10,
``com.android.packageinstaller`` before, ``com.google.android.permissioncontroller`` on GMS builds) and are
answered by their button ids.
"""

from __future__ import annotations

from dataclasses import dataclass

from apprights.collect.uiautomator import Button, Checkbox, UiScreen
from apprights.knowledge.consent_words import button_meaning, mentions_policy

PERMISSION_PACKAGES = (
    "com.android.permissioncontroller",
    "com.google.android.permissioncontroller",
    "com.android.packageinstaller",
)
# Vendor permission dialogs (their own packages and ids; answered by their button words).
VENDOR_PERMISSION_PACKAGES = (
    "com.lbe.security.miui",  # MIUI
    "com.miui.securitycenter",
    "com.huawei.systemmanager",  # EMUI
    "com.hihonor.systemmanager",
    "com.huawei.permissioncontroller",
    "com.coloros.securitypermission",  # ColorOS
    "com.oplus.securitypermission",
    "com.coloros.safecenter",
    "com.vivo.permissionmanager",  # OriginOS / Funtouch
    "com.samsung.android.permissioncontroller",
)
_ALLOW_IDS = (
    "permission_allow_foreground_only_button",
    "permission_allow_button",
    "permission_allow_one_time_button",
)
_DENY_IDS = ("permission_deny_button", "permission_deny_and_dont_ask_again_button")
_DENY_FOREVER_IDS = ("permission_deny_and_dont_ask_again_button",)
# Button words of vendor dialogs, most specific first (始终允许 … before 允许; 拒绝且不再询问 before 拒绝).
_ALLOW_WORDS = ("仅在使用中允许", "使用时允许", "本次运行允许", "仅本次允许", "始终允许", "允许", "allow")
_DENY_FOREVER_WORDS = ("拒绝且不再询问", "拒绝，不要再询问", "禁止后不再提示", "不再询问", "don't allow")
_DENY_WORDS = ("拒绝", "禁止", "不允许", "deny", "don't allow")
# The Android 13+ notification prompt (POST_NOTIFICATIONS): not a personal-information permission.
_NOTIFICATION_WORDS = ("发送通知", "向您发送通知", "send you notifications", "send notifications")


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
    if not any(mentions_policy(n.label) for n in screen.nodes if n.visible):
        return None
    found: dict[str, Button] = {}
    for b in screen.buttons():
        meaning = button_meaning(b.text)
        if meaning is not None:
            found.setdefault(meaning, b)
    if not found:
        return None
    return ConsentDialog(
        found.get("agree"), found.get("refuse"), found.get("acknowledge"), tuple(screen.checkboxes())
    )


@dataclass(frozen=True)
class PermissionDialog:
    message: str
    allow: tuple[int, int] | None
    deny: tuple[int, int] | None
    deny_forever: tuple[int, int] | None
    notification: bool = False  # the Android 13+ POST_NOTIFICATIONS prompt
    vendor: str = ""  # the vendor dialog's package, "" for the AOSP permission controller


def _by_words(screen: UiScreen, words: tuple[str, ...]) -> tuple[int, int] | None:
    buttons = screen.buttons()
    for w in words:
        for b in buttons:
            label = b.text.strip().lower()
            if label == w or (w.isascii() is False and label.startswith(w)):
                return (b.x, b.y)
    return None


def find_permission_dialog(screen: UiScreen) -> PermissionDialog | None:
    """The runtime-permission dialog on ``screen`` (the system's, or a MIUI/EMUI/ColorOS/vivo one), or None."""
    vendor = next((p for p in screen.packages if p in VENDOR_PERMISSION_PACKAGES), "")
    if not vendor and not any(p in PERMISSION_PACKAGES for p in screen.packages):
        return None
    allow_node = screen.find_by_id(_ids(_ALLOW_IDS))
    deny_node = screen.find_by_id(_ids(_DENY_IDS))
    forever_node = screen.find_by_id(_ids(_DENY_FOREVER_IDS))
    msg_node = screen.find_by_id(_ids(("permission_message",)))
    allow = allow_node.center if allow_node else None
    deny = deny_node.center if deny_node else None
    forever = forever_node.center if forever_node else None
    if allow is None and deny is None:
        # vendor dialogs (and reskinned AOSP ones): the buttons' words
        allow = _by_words(screen, _ALLOW_WORDS)
        forever = _by_words(screen, _DENY_FOREVER_WORDS)
        deny = _by_words(screen, _DENY_WORDS) or forever
    if allow is None and deny is None:
        return None
    message = msg_node.text if msg_node else next((t for t in screen.texts() if "?" in t or "？" in t), "")
    notification = any(w in message.lower() for w in _NOTIFICATION_WORDS)
    return PermissionDialog(message, allow, deny, forever, notification, vendor)
