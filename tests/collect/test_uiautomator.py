"""uiautomator dumps → ui events: texts, buttons, checkboxes, inputs, tap points; hostile dumps."""

from __future__ import annotations

import pytest

from apprights.collect.dialogs import find_consent_dialog, find_permission_dialog
from apprights.collect.trace import event_problems
from apprights.collect.uiautomator import UiScreen, merge_view_trees, parse_dump, screen_from_view_tree
from apprights.errors import InputError
from tests.collect.replay import fixture


def _screen(name: str) -> UiScreen:
    return parse_dump(fixture("ui", name), source=name)


def test_privacy_dialog_parsed_into_ui_event() -> None:
    screen = _screen("privacy_dialog.xml")
    event = screen.to_event(3.0, "com.example.news/.SplashActivity")
    assert event_problems(event) == []
    assert event["texts"][0] == "用户协议与隐私政策"
    assert {"text": "不同意", "id": "com.example.news:id/btn_disagree"} in event["buttons"]
    # the label sits in a non-clickable TextView inside a clickable FrameLayout: the layout is the button
    assert {"text": "同意并继续", "id": "com.example.news:id/btn_agree_wrap"} in event["buttons"]
    assert event["checkboxes"] == [
        {
            "text": "我已阅读并同意《用户协议》和《隐私政策》",
            "id": "com.example.news:id/cb_agree",
            "checked": False,
        }
    ]
    assert screen.packages == ["com.example.news"]


def test_main_screen_inputs_hidden_nodes_and_trailing_status_line() -> None:
    screen = _screen("main_screen.xml")  # ends with "UI hierchary dumped to: /dev/tty"
    event = screen.to_event(9.0, "com.example.news/.MainActivity")
    assert event["inputs"] == [{"hint": "搜索新闻", "id": "com.example.news:id/search_box"}]
    assert event["texts"] == ["实名认证领红包"]
    assert {"text": "首页", "id": "com.example.news:id/tab_home"} in event["buttons"]
    assert all(b["id"] != "com.example.news:id/hidden" for b in event["buttons"])
    assert find_consent_dialog(screen) is None and find_permission_dialog(screen) is None


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "not a uiautomator dump"),
        ("<html/>", "root element"),
        ("ERROR: could not get idle state.", "not a uiautomator dump"),
        ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><hierarchy/>', "DTD"),
        ("<hierarchy>" + "<node>" * 400 + "</node>" * 400 + "</hierarchy>", "deeper"),
    ],
)
def test_bad_dumps_are_input_errors(text: str, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment):
        parse_dump(text, source="dump.xml")


def test_hostile_attribute_values_do_not_break_parsing() -> None:
    xml = (
        '<hierarchy rotation="x"><node text="&lt;script&gt;同意" bounds="garbage" clickable="true" class="a" '
        'package="p"/></hierarchy>'
    )
    screen = parse_dump(xml)
    assert screen.rotation == 0 and screen.nodes[0].bounds == (0, 0, 0, 0)
    assert screen.buttons() == []  # zero-size: not tappable


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (None, "expected an object"),
        ({"nodes": "x"}, "expected an object"),
        ({"nodes": [1]}, "node 0: not an object"),
        ({"nodes": [{"parent": 0}]}, "node 0: 'parent'"),
        ({"nodes": [{"parent": -1}, {"parent": 5}]}, "node 1: 'parent'"),
        ({"nodes": [{"parent": True}]}, "node 0: 'parent'"),
        ({"nodes": [{"parent": -1, "bounds": [1, 2, "3", 4]}]}, "'bounds'"),
        ({"nodes": [{"parent": i - 1} for i in range(400)]}, "deeper"),
    ],
)
def test_bad_view_trees_are_input_errors(data: object, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment) as exc:
        screen_from_view_tree(data, source="agent view tree")
    assert str(exc.value).startswith("agent view tree")


def test_view_tree_hidden_and_oversized_fields() -> None:
    tree = {
        "nodes": [
            {"parent": -1, "class": "a", "bounds": [0, 0, 100, 100], "visible": True, "text": "x" * 5000},
            {
                "parent": 0,
                "class": "b",
                "bounds": [0, 0, 50, 50],
                "visible": False,
                "text": "同意",
                "clickable": True,
            },
        ]
    }
    screen = screen_from_view_tree(tree)
    assert len(screen.nodes[0].text) == 2000 and screen.nodes[1].parent is screen.nodes[0]
    assert screen.buttons() == []  # the hidden button is not offered


def test_merge_view_trees_shifts_parents_and_keeps_errors() -> None:
    a = {"nodes": [{"parent": -1}, {"parent": 0}], "errors": []}
    b = {"nodes": [{"parent": -1}, {"parent": 0}, {"parent": 1}], "errors": ["text: boom"]}
    merged = merge_view_trees([a, "junk", b])
    assert [n["parent"] for n in merged["nodes"]] == [-1, 0, -1, 2, 3]
    assert merged["errors"] == ["tree 1: not a view tree", "text: boom"]
    assert len(screen_from_view_tree(merged).nodes) == 5
