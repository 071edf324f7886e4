"""The agent's view-tree walk (``viewTree`` RPC, the fallback when ``uiautomator dump`` cannot read the screen)
in the simulated Frida Java runtime: the app's window views become the node shape the dialog finders read, so a
privacy dialog on an animated screen is still found and its buttons tapped at the right place."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from apprights.collect.agent import agent_config, agent_path
from apprights.collect.dialogs import find_consent_dialog, find_permission_dialog
from apprights.collect.uiautomator import merge_view_trees, screen_from_view_tree

HERE = Path(__file__).parent
PKG = "com.example.news"
VIEW = "android.view.View"
GROUP = "android.view.ViewGroup"
TEXT = "android.widget.TextView"
CHECKABLE = "android.widget.Checkable"


def view(
    cls: str,
    *,
    isa: tuple[str, ...] = (VIEW,),
    text: str | None = None,
    desc: str | None = None,
    rid: str | None = None,
    at: tuple[int, int] = (0, 0),
    size: tuple[int, int] = (0, 0),
    clickable: bool = False,
    shown: bool = True,
    checked: bool | None = None,
    input_type: int = 1,
    hint: str | None = None,
    children: list[dict[str, Any]] | None = None,
    package: str = PKG,
) -> dict[str, Any]:
    """A simulated android.view.View (frida_sim.js ``$java`` spec) answering what the walk asks."""
    methods: dict[str, Any] = {
        "getClass": {"$java": "java.lang.Class", "methods": {"getName": cls}},
        "getContentDescription": desc,
        "isClickable": clickable,
        "isEnabled": True,
        "isShown": shown,
        "getId": 7 if rid else -1,
        "getResources": {
            "$java": "android.content.res.Resources",
            "methods": {"getResourceName": rid if rid else {"$throws": "Resources$NotFoundException"}},
        },
        "getLocationOnScreen": {"$loc": list(at)},
        "getWidth": size[0],
        "getHeight": size[1],
        "getContext": {"$java": "android.app.Activity", "methods": {"getPackageName": package}},
    }
    if TEXT in isa:
        methods.update({"getText": text or "", "getHint": hint, "getInputType": input_type})
    if checked is not None:
        methods["isChecked"] = checked
    if children is not None:
        kids = list(children)
        methods["getChildCount"] = len(kids)
        methods["getChildAt"] = {"$byArg": {str(i): k for i, k in enumerate(kids)}}
    return {"$java": cls, "isa": list(isa), "methods": methods}


def windows(*roots: dict[str, Any]) -> dict[str, Any]:
    return {
        "android.view.WindowManagerGlobal.getInstance": {
            "$java": "android.view.WindowManagerGlobal",
            "fields": {"mViews": {"$java": "java.util.ArrayList", "items": list(roots)}},
        }
    }


def run_view_tree(returns: dict[str, Any]) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    calls = {"returns": returns, "no_init": True, "rpc": ["viewTree"]}
    r = subprocess.run(
        [
            node,
            str(HERE / "frida_sim.js"),
            str(agent_path()),
            json.dumps(agent_config([])),
            json.dumps(calls),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert r.returncode == 0, r.stderr
    (rpc,) = [m for m in json.loads(r.stdout) if m["type"] == "sim_rpc"]
    result: dict[str, Any] = rpc["result"]
    return result


def privacy_dialog_windows() -> dict[str, Any]:
    activity = view(
        "com.android.internal.policy.DecorView",
        isa=(VIEW, GROUP),
        at=(0, 0),
        size=(1080, 2340),
        children=[view("android.widget.ImageView", desc="splash", at=(0, 0), size=(1080, 2340))],
    )
    dialog = view(
        "android.widget.FrameLayout",
        isa=(VIEW, GROUP),
        at=(90, 700),
        size=(900, 1000),
        children=[
            view(
                "android.widget.TextView",
                isa=(VIEW, TEXT),
                text="用户协议与隐私政策",
                at=(130, 740),
                size=(820, 80),
            ),
            view(
                "android.widget.TextView",
                isa=(VIEW, TEXT),
                text="我们依据最新法律要求更新了《隐私政策》……",
                at=(130, 840),
                size=(820, 400),
            ),
            view(
                "androidx.appcompat.widget.AppCompatCheckBox",
                isa=(VIEW, TEXT, CHECKABLE),
                text="我已阅读并同意",
                rid=f"{PKG}:id/cb_agree",
                at=(130, 1260),
                size=(820, 80),
                clickable=True,
                checked=False,
            ),
            view(
                "android.widget.EditText",
                isa=(VIEW, TEXT),
                text="hunter2",
                hint="邀请码",
                input_type=0x81,
                at=(130, 1350),
                size=(820, 80),
            ),
            view(
                "android.widget.LinearLayout",
                isa=(VIEW, GROUP),
                at=(130, 1500),
                size=(820, 140),
                children=[
                    view(
                        "android.widget.Button",
                        isa=(VIEW, TEXT),
                        text="不同意",
                        rid=f"{PKG}:id/btn_refuse",
                        at=(130, 1520),
                        size=(380, 120),
                        clickable=True,
                    ),
                    view(
                        "android.widget.Button",
                        isa=(VIEW, TEXT),
                        text="同意并继续",
                        rid=f"{PKG}:id/btn_agree",
                        at=(570, 1520),
                        size=(380, 120),
                        clickable=True,
                    ),
                    # a button that is not shown (GONE): never offered to the driver
                    view("android.widget.Button", isa=(VIEW, TEXT), text="同意", shown=False, clickable=True),
                ],
            ),
        ],
    )
    return windows(activity, dialog)


def test_view_tree_gives_the_dialog_finder_what_a_dump_gives() -> None:
    tree = run_view_tree(privacy_dialog_windows())
    assert tree["roots"] == 2 and tree["errors"] == [] and not tree["truncated"]
    nodes = tree["nodes"]
    assert len(nodes) == 11 and nodes[0]["parent"] == -1 and nodes[2]["parent"] == -1  # two windows
    agree = next(n for n in nodes if n["text"] == "同意并继续")
    assert agree == {
        "parent": 7,
        "class": "android.widget.Button",
        "content_desc": "",
        "clickable": True,
        "enabled": True,
        "visible": True,
        "resource_id": f"{PKG}:id/btn_agree",
        "text": "同意并继续",
        "hint": "",
        "password": False,
        "checkable": False,
        "checked": False,
        "bounds": [570, 1520, 950, 1640],
        "package": PKG,
    }
    password = next(n for n in nodes if n["class"] == "android.widget.EditText")
    assert password["password"] is True and password["text"] == "" and password["hint"] == "邀请码"
    assert "hunter2" not in json.dumps(tree)
    hidden = [n for n in nodes if not n["visible"]]
    assert len(hidden) == 1 and hidden[0]["bounds"] == [0, 0, 0, 0]
    screen = screen_from_view_tree(tree)
    dialog = find_consent_dialog(screen)
    assert dialog is not None and dialog.agree is not None and dialog.refuse is not None
    assert (dialog.agree.text, dialog.agree.x, dialog.agree.y) == ("同意并继续", 760, 1580)
    assert (dialog.refuse.text, dialog.refuse.x, dialog.refuse.y) == ("不同意", 320, 1580)
    assert [(c.text, c.checked) for c in dialog.checkboxes] == [("我已阅读并同意", False)]
    assert [i.hint for i in screen.inputs()] == ["邀请码"]


def test_permission_controller_views_are_found_as_the_system_dialog() -> None:
    """The walk loaded into the permission controller's process gives its dialog, recognised by button ids."""
    ctl = "com.google.android.permissioncontroller"
    grant = view(
        "com.android.internal.policy.DecorView",
        isa=(VIEW, GROUP),
        at=(0, 1400),
        size=(1080, 940),
        package=ctl,
        children=[
            view(
                "android.widget.TextView",
                isa=(VIEW, TEXT),
                text="要允许“新闻”拨打电话和管理通话吗？",
                rid=f"{ctl}:id/permission_message",
                at=(60, 1450),
                size=(960, 120),
                package=ctl,
            ),
            view(
                "android.widget.Button",
                isa=(VIEW, TEXT),
                text="允许",
                rid=f"{ctl}:id/permission_allow_button",
                at=(60, 1800),
                size=(960, 130),
                clickable=True,
                package=ctl,
            ),
            view(
                "android.widget.Button",
                isa=(VIEW, TEXT),
                text="拒绝",
                rid=f"{ctl}:id/permission_deny_button",
                at=(60, 1950),
                size=(960, 130),
                clickable=True,
                package=ctl,
            ),
        ],
    )
    app_tree = run_view_tree(privacy_dialog_windows())
    ctl_tree = run_view_tree(windows(grant))
    screen = screen_from_view_tree(merge_view_trees([app_tree, ctl_tree]))
    assert ctl in screen.packages and PKG in screen.packages
    dialog = find_permission_dialog(screen)
    assert dialog is not None
    assert dialog.allow == (540, 1865) and dialog.deny == (540, 2015)
    assert dialog.message.startswith("要允许")


def test_view_tree_without_a_window_manager_reports_the_error() -> None:
    tree = run_view_tree({"android.view.WindowManagerGlobal.getInstance": {"$java": "X", "fields": {}}})
    assert tree["nodes"] == [] and tree["errors"] and tree["errors"][0].startswith("view tree:")
