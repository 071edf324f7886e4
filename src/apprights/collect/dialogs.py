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
