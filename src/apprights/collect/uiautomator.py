"""uiautomator window dumps: parse the XML into what a trace ``ui`` event records, and where to tap.

The dump format (``uiautomator dump``)::

    <?xml version='1.0' encoding='UTF-8' standalone='yes' ?>
    <hierarchy rotation="0">
      <node index="0" text="" resource-id="" class="android.widget.FrameLayout" package="com.example"
            content-desc="" checkable="false" checked="false" clickable="false" enabled="true" focusable="false"
            focused="false" scrollable="false" long-clickable="false" password="false" selected="false"
            bounds="[0,0][1080,2340]">
        <node …/>
      </node>
    </hierarchy>
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from apprights.errors import InputError

MAX_DUMP_BYTES = 8 * 1024 * 1024
MAX_NODES = 20_000
MAX_TEXTS = 500
MAX_DEPTH = 300
_BOUNDS = re.compile(r"^\[(-?\d+),(-?\d+)\]\[(-?\d+),(-?\d+)\]$")


@dataclass
class UiNode:
    text: str
    resource_id: str
    cls: str
    package: str
    content_desc: str
    checkable: bool
    checked: bool
    clickable: bool
    enabled: bool
    password: bool
    bounds: tuple[int, int, int, int]
    hint: str = ""
    parent: UiNode | None = field(default=None, repr=False)
    children: list[UiNode] = field(default_factory=list, repr=False)

    @property
    def center(self) -> tuple[int, int]:
        x1, y1, x2, y2 = self.bounds
        return (x1 + x2) // 2, (y1 + y2) // 2

    @property
    def visible(self) -> bool:
        x1, y1, x2, y2 = self.bounds
        return x2 > x1 and y2 > y1

    @property
    def label(self) -> str:
        return self.text.strip() or self.content_desc.strip()

    def descendants(self) -> Iterator[UiNode]:
        for c in self.children:
            yield c
            yield from c.descendants()


@dataclass(frozen=True)
class Button:
    text: str
    id: str
    x: int
    y: int


@dataclass(frozen=True)
class Checkbox:
    text: str
    id: str
    checked: bool
    x: int
    y: int


@dataclass(frozen=True)
class TextInput:
    hint: str
    id: str
    x: int
    y: int


def _bool(v: str | None) -> bool:
    return v == "true"


def _bounds(v: str | None) -> tuple[int, int, int, int]:
    m = _BOUNDS.match(v or "")
    if not m:
        return (0, 0, 0, 0)
    x1, y1, x2, y2 = (int(g) for g in m.groups())
    return (x1, y1, x2, y2)


@dataclass
class UiScreen:
    """One dump: the node tree flattened in document order."""

    nodes: list[UiNode]
    rotation: int = 0

    @property
    def packages(self) -> list[str]:
        seen: dict[str, None] = {}
        for n in self.nodes:
            if n.package:
                seen.setdefault(n.package, None)
        return list(seen)

    def texts(self) -> list[str]:
        seen: dict[str, None] = {}
        for n in self.nodes:
            if n.text.strip() and n.visible:
                seen.setdefault(n.text.strip(), None)
            if len(seen) >= MAX_TEXTS:
                break
        return list(seen)

    def buttons(self) -> list[Button]:
        """Tappable things with a label: a clickable labelled node, or the clickable ancestor of a label
        (a clickable layout wrapping one or two texts, as many custom dialogs do)."""
        out: list[Button] = []
        seen: set[tuple[str, int, int]] = set()
        for n in self.nodes:
            if not n.visible or not n.enabled or n.checkable or n.cls.endswith("EditText"):
                continue
            target: UiNode | None = None
            label = n.label
            if not label:
                continue
            if n.clickable or n.cls.endswith("Button"):
                target = n
            else:
                anc = n.parent
                while anc is not None and not anc.clickable:
                    anc = anc.parent
                if anc is not None and sum(1 for d in anc.descendants() if d.label) <= 2:
                    target = anc
            if target is None:
                continue
            x, y = target.center
            key = (label, x, y)
            if key not in seen:
                seen.add(key)
                out.append(Button(label, target.resource_id or n.resource_id, x, y))
        return out

    def checkboxes(self) -> list[Checkbox]:
        out: list[Checkbox] = []
        for n in self.nodes:
            if not n.checkable or not n.visible:
                continue
            text = n.label
            if not text and n.parent is not None:
                text = next((s.label for s in n.parent.children if s is not n and s.label), "")
            x, y = n.center
            out.append(Checkbox(text, n.resource_id, n.checked, x, y))
        return out

    def inputs(self) -> list[TextInput]:
        out: list[TextInput] = []
        for n in self.nodes:
            if n.cls.endswith("EditText") and n.visible:
                x, y = n.center
                out.append(TextInput(n.hint or n.text, n.resource_id, x, y))
        return out

    def find_button(self, words: Iterable[str]) -> Button | None:
        """The first button whose normalised label equals one of ``words`` (in the order of ``words``)."""
        buttons = self.buttons()
        for w in words:
            for b in buttons:
                if normalise_label(b.text) == normalise_label(w):
                    return b
        return None

    def find_by_id(self, resource_ids: Iterable[str]) -> UiNode | None:
        ids = list(resource_ids)
        for rid in ids:
            for n in self.nodes:
                if n.resource_id == rid and n.visible:
                    return n
        return None

    def has_text(self, fragments: Iterable[str]) -> bool:
        joined = "\n".join(n.label for n in self.nodes)
        return any(f in joined for f in fragments)

    def to_event(self, t: float, screen: str) -> dict[str, Any]:
        """The trace ``ui`` event for this screen."""
        event: dict[str, Any] = {"type": "ui", "t": t, "screen": screen, "texts": self.texts()}
        event["buttons"] = [{"text": b.text, "id": b.id} for b in self.buttons()]
        boxes = self.checkboxes()
        if boxes:
            event["checkboxes"] = [{"text": c.text, "id": c.id, "checked": c.checked} for c in boxes]
        inputs = self.inputs()
        if inputs:
            event["inputs"] = [{"hint": i.hint, "id": i.id} for i in inputs]
        return event


_PUNCT = re.compile(r"[\s\u3000,，.。!！:：、\"'“”‘’()（）\[\]【】<>《》]+")


def normalise_label(text: str) -> str:
    return _PUNCT.sub("", text).lower()


def parse_dump(xml_text: str, source: str = "uiautomator dump") -> UiScreen:
    """Parse a uiautomator dump; ``InputError`` (naming ``source``) for anything that is not one."""
    raw = xml_text.encode("utf-8", "replace") if isinstance(xml_text, str) else xml_text
    if len(raw) > MAX_DUMP_BYTES:
        raise InputError(source, f"window dump larger than {MAX_DUMP_BYTES} bytes")
    # Some devices print a status line after the XML ("UI hierchary dumped to: /dev/tty").
    end = raw.rfind(b"</hierarchy>")
    if end >= 0:
        raw = raw[: end + len(b"</hierarchy>")]
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise InputError(source, "window dump must not contain a DTD")
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as exc:
        raise InputError(source, f"not a uiautomator dump: {exc}") from exc
    if root.tag != "hierarchy":
        raise InputError(source, f"not a uiautomator dump: root element is <{root.tag}>")
    try:
        rotation = int(root.get("rotation", "0"))
    except ValueError:
        rotation = 0
    nodes: list[UiNode] = []

    def walk(el: ET.Element, parent: UiNode | None, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise InputError(source, f"window dump nested deeper than {MAX_DEPTH} levels")
        for child in el:
            if child.tag != "node":
                continue
            if len(nodes) >= MAX_NODES:
                raise InputError(source, f"window dump has more than {MAX_NODES} nodes")
            a = child.attrib
            node = UiNode(
                text=a.get("text", ""),
                resource_id=a.get("resource-id", ""),
                cls=a.get("class", ""),
                package=a.get("package", ""),
                content_desc=a.get("content-desc", ""),
                checkable=_bool(a.get("checkable")),
                checked=_bool(a.get("checked")),
                clickable=_bool(a.get("clickable")),
                enabled=a.get("enabled", "true") != "false",
                password=_bool(a.get("password")),
                bounds=_bounds(a.get("bounds")),
                hint=a.get("hint", ""),
                parent=parent,
            )
            if parent is not None:
                parent.children.append(node)
            nodes.append(node)
            walk(child, node, depth + 1)

    walk(root, None, 0)
    return UiScreen(nodes, rotation)


_MAX_FIELD = 2000  # characters kept per text field of a view node


def _field(node: dict[str, Any], name: str) -> str:
    v = node.get(name)
    return v[:_MAX_FIELD] if isinstance(v, str) else ""


def screen_from_view_tree(data: Any, source: str = "agent view tree") -> UiScreen:
    """The agent's view-tree walk (``rpc viewTree``: the app's window views, the fallback when
    ``uiautomator dump`` cannot read the screen) as the same ``UiScreen`` a dump gives, so the dialog finders
    work on it unchanged. Nodes come in document order with their parent's index; ``InputError`` (naming
    ``source``) for anything malformed."""
    if not isinstance(data, dict) or not isinstance(data.get("nodes"), list):
        raise InputError(source, "not a view tree: expected an object with a 'nodes' list")
    raw_nodes: list[Any] = data["nodes"]
    if len(raw_nodes) > MAX_NODES:
        raise InputError(source, f"view tree has more than {MAX_NODES} nodes")
    nodes: list[UiNode] = []
    depths: list[int] = []
    for i, raw in enumerate(raw_nodes):
        if not isinstance(raw, dict):
            raise InputError(source, f"node {i}: not an object")
        parent_i = raw.get("parent", -1)
        if isinstance(parent_i, bool) or not isinstance(parent_i, int) or not -1 <= parent_i < i:
            raise InputError(source, f"node {i}: 'parent' must be -1 or the index of an earlier node")
        depth = 0 if parent_i < 0 else depths[parent_i] + 1
        if depth > MAX_DEPTH:
            raise InputError(source, f"view tree nested deeper than {MAX_DEPTH} levels")
        b = raw.get("bounds")
        bounds = (0, 0, 0, 0)
        if (
            isinstance(b, list)
            and len(b) == 4
            and all(isinstance(x, int) and not isinstance(x, bool) for x in b)
        ):
            bounds = (b[0], b[1], b[2], b[3])
        elif b is not None:
            raise InputError(source, f"node {i}: 'bounds' must be four integers [x1, y1, x2, y2]")
        if raw.get("visible") is False:
            bounds = (0, 0, 0, 0)  # not shown: not something the driver may read or tap
        parent = nodes[parent_i] if parent_i >= 0 else None
        node = UiNode(
            text=_field(raw, "text"),
            resource_id=_field(raw, "resource_id"),
            cls=_field(raw, "class"),
            package=_field(raw, "package"),
            content_desc=_field(raw, "content_desc"),
            checkable=raw.get("checkable") is True,
            checked=raw.get("checked") is True,
            clickable=raw.get("clickable") is True,
            enabled=raw.get("enabled") is not False,
            password=raw.get("password") is True,
            bounds=bounds,
            hint=_field(raw, "hint"),
            parent=parent,
        )
        if parent is not None:
            parent.children.append(node)
        nodes.append(node)
        depths.append(depth)
    return UiScreen(nodes)


def merge_view_trees(trees: list[Any]) -> dict[str, Any]:
    """Several processes' view trees (the app's, the permission controller's) as one, in the order given (the
    later ones' windows are on top). Parent indices are shifted; anything that is not a tree is reported in
    ``errors`` and left out."""
    nodes: list[Any] = []
    errors: list[str] = []
    for i, tree in enumerate(trees):
        if not isinstance(tree, dict) or not isinstance(tree.get("nodes"), list):
            errors.append(f"tree {i}: not a view tree")
            continue
        base = len(nodes)
        for raw in tree["nodes"]:
            if isinstance(raw, dict):
                p = raw.get("parent", -1)
                if isinstance(p, int) and not isinstance(p, bool) and p >= 0:
                    raw = {**raw, "parent": p + base}
            nodes.append(raw)
        errs = tree.get("errors")
        if isinstance(errs, list):
            errors.extend(str(e)[:200] for e in errs[:20])
    return {"nodes": nodes, "errors": errors}
