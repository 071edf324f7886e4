"""Privacy-policy dialogs found by their words, system permission dialogs by their button ids."""

from __future__ import annotations

import pytest

from apprights.collect.dialogs import find_consent_dialog, find_permission_dialog
from apprights.collect.uiautomator import UiScreen, parse_dump
from apprights.knowledge.consent_words import button_meaning
from apprights.rules._rt_common import is_refuse
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


def _variant(agree: str, refuse: str, title: str = "用户协议与隐私政策") -> UiScreen:
    xml = (
        fixture("ui", "privacy_dialog.xml")
        .replace('text="同意并继续"', f'text="{agree}"')
        .replace('text="不同意"', f'text="{refuse}"')
        .replace('text="用户协议与隐私政策"', f'text="{title}"')
        .replace("《用户协议》和《隐私政策》", "相关条款")
        .replace("更新了《用户协议》和《隐私政策》", "更新了条款")
    )
    return parse_dump(xml, source="variant")


@pytest.mark.parametrize(
    ("agree", "refuse", "title"),
    [
        ("同意并登录", "不同意，退出", "用户协议与隐私政策"),
        ("同意，继续使用", "放弃使用", "隐私权保护指引"),
        ("同意并进入", "我不同意", "个人信息保护指引"),
        ("Accept", "No thanks", "Privacy Policy"),
        ("接受", "暂不同意", "隐私保护指引"),
    ],
)
def test_consent_buttons_read_by_meaning(agree: str, refuse: str, title: str) -> None:
    dialog = find_consent_dialog(_variant(agree, refuse, title))
    assert dialog is not None
    assert dialog.agree is not None and dialog.agree.text == agree
    assert dialog.refuse is not None and dialog.refuse.text == refuse


def test_driver_and_rules_read_refusal_the_same_way() -> None:
    for label in ("不同意，退出", "放弃使用", "我不同意", "暂不使用", "No thanks"):
        assert button_meaning(label) == "refuse" and is_refuse(label)
    for label in ("同意并登录", "同意，继续使用", "我知道了", "好的"):
        assert button_meaning(label) != "refuse" and not is_refuse(label)
    # a sentence of the dialog body is not a button
    assert button_meaning("如您不同意本政策，将无法使用我们的服务，请您审慎阅读") is None


def _miui_dialog() -> UiScreen:
    xml = (
        fixture("ui", "permission_dialog.xml")
        .replace("com.android.permissioncontroller:id/", "com.lbe.security.miui:id/")
        .replace('package="com.android.permissioncontroller"', 'package="com.lbe.security.miui"')
        .replace("permission_allow_button", "btn_allow_always")
        .replace("permission_deny_and_dont_ask_again_button", "btn_reject_forever")
        .replace("permission_deny_button", "btn_reject")
        .replace('text="允许"', 'text="始终允许"')
        .replace('text="拒绝，不要再询问"', 'text="拒绝且不再询问"')
    )
    return parse_dump(xml, source="miui")


def test_vendor_permission_dialog_by_its_words() -> None:
    aosp = find_permission_dialog(_screen("permission_dialog.xml"))
    miui = find_permission_dialog(_miui_dialog())
    assert aosp is not None and miui is not None
    assert miui.vendor == "com.lbe.security.miui" and not miui.notification
    # same layout, so the same tap points as the AOSP dialog's ids give
    assert (miui.allow, miui.deny, miui.deny_forever) == (aosp.allow, aosp.deny, aosp.deny_forever)
    assert miui.message.startswith("要允许")


def test_notification_prompt_is_recognised() -> None:
    xml = fixture("ui", "permission_dialog.xml").replace("拨打电话和管理通话", "向您发送通知")
    dialog = find_permission_dialog(parse_dump(xml, source="n"))
    assert dialog is not None and dialog.notification
