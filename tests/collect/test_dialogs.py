"""Privacy-policy dialogs found by their words, system permission dialogs by their button ids."""

from __future__ import annotations

from apprights.collect.dialogs import find_consent_dialog, find_permission_dialog
from apprights.collect.uiautomator import UiScreen, parse_dump
from tests.collect.replay import fixture


def _screen(name: str) -> UiScreen:
    return parse_dump(fixture("ui", name), source=name)


def test_consent_dialog_buttons_and_tap_points() -> None:
    dialog = find_consent_dialog(_screen("privacy_dialog.xml"))
    assert dialog is not None and dialog.has_refuse_choice and not dialog.pre_ticked
    assert dialog.agree is not None and dialog.refuse is not None
    assert (dialog.agree.text, dialog.agree.x, dialog.agree.y) == ("同意并继续", 765, 1620)
    assert (dialog.refuse.text, dialog.refuse.x, dialog.refuse.y) == ("不同意", 315, 1620)
    assert [(c.x, c.y) for c in dialog.checkboxes] == [(165, 1435)]


def test_follow_up_dialog_refuse_again() -> None:
    dialog = find_consent_dialog(_screen("privacy_confirm.xml"))
    assert dialog is not None and dialog.refuse is not None and dialog.refuse.text == "仍不同意"
    assert dialog.agree is None


def test_acknowledge_only_dialog_with_pre_ticked_box() -> None:
    screen = _screen("acknowledge_only.xml")
    assert screen.rotation == 1
    dialog = find_consent_dialog(screen)
    assert dialog is not None
    assert not dialog.has_refuse_choice and dialog.agree is None
    assert dialog.acknowledge is not None and dialog.acknowledge.text == "我知道了"
    assert dialog.pre_ticked


def test_permission_dialog_by_ids() -> None:
    screen = _screen("permission_dialog.xml")
    assert find_consent_dialog(screen) is None
    dialog = find_permission_dialog(screen)
    assert dialog is not None
    assert dialog.message == "要允许“掌上新闻”拨打电话和管理通话吗？"
    assert dialog.allow == (540, 1866) and dialog.deny == (540, 1998) and dialog.deny_forever == (540, 2130)
    assert find_permission_dialog(_screen("privacy_dialog.xml")) is None
