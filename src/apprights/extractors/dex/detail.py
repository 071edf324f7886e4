"""A closer look at the few methods whose calls need their arguments: which constant reaches an argument.

The fast scan (``scan.py``) finds call sites without decoding instructions. Some APIs only mean something with
their argument: ``Settings.Secure.getString(resolver, "android_id")`` is the Android ID, any other key is not;
``ContentResolver.query(ContactsContract.CommonDataKinds.Phone.CONTENT_URI, …)`` reads contacts. For the methods
that call such an API (or load a const-string hinting at a reflective read), this module decodes every instruction in order and tracks, per
register, the constant it holds: a ``const-string``, a platform ``CONTENT_URI`` static field (``sget-object``) or
the result of ``Uri.parse``/``Uri.withAppendedPath`` on one, or an ``Intent`` built from constants (described as
``Intent { act=… pkg=… }``, ``_intent_call``) for ``queryIntentActivities``. Register writes by other instructions are not
tracked (a stale constant may survive an unrelated write); branches are ignored (linear order).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from apprights.extractors.dex.scan import INVALID, PAYLOAD, UNIT_WIDTH_L, payload_width
from apprights.knowledge.sensitive_apis import INTENT_PREFIX, intent_fields

OP_MOVE_OBJECT = 0x07
OP_MOVE_OBJECT_FROM16 = 0x08
OP_MOVE_OBJECT_16 = 0x09
OP_MOVE_RESULT_OBJECT = 0x0C
OP_CONST_STRING = 0x1A
OP_CONST_STRING_JUMBO = 0x1B
OP_CONST_CLASS = 0x1C
OP_CONST_4 = 0x12
OP_CONST_16 = 0x13
OP_SGET_OBJECT = 0x62
INVOKE_35C = frozenset(range(0x6E, 0x73))
INVOKE_3RC = frozenset(range(0x74, 0x79))
STATIC_INVOKES = frozenset({0x71, 0x77})
MAX_METHOD_STRINGS = 64  # const-strings kept per method for reflection matching
PARAM = "\x00param:"  # register mark: holds the method's parameter of this slot (never a dex string: NUL)
CLASS = "\x00class:"  # register mark: holds a class literal (``const-class``), e.g. for ``new Intent(ctx, X.class)``
# Strings built in the method from constant pieces (``new StringBuilder("com.tencent.").append("mm")``,
# ``"a".concat("b")``, ``reverse()``): a builder register holds BUILDER + the text so far; one fed a value this
# decode does not know holds BUILDER_UNKNOWN. ``getPackageName()`` gives OWN_PACKAGE (the app itself).
BUILDER = "\x00sb:"
BUILDER_UNKNOWN = "\x00sb?"
OWN_PACKAGE = "\x00own"
NULL = "\x00null"  # a register set to 0 (``setPackage(null)`` clears the target)
OWN_LABEL = "<own>"  # how an intent description or a start target shows the app's own package
BUILDER_CLASSES = ("Ljava/lang/StringBuilder;->", "Ljava/lang/StringBuffer;->")
# Calls whose result carries the constant of their first argument (a URI built from a constant).
URI_BUILDERS = frozenset({"Landroid/net/Uri;->parse", "Landroid/net/Uri;->withAppendedPath"})
REFLECTION_CALLS = frozenset(
    {"Ljava/lang/Class;->forName", "Ljava/lang/Class;->getMethod", "Ljava/lang/Class;->getDeclaredMethod"}
)


INTENT_CLASS = "Landroid/content/Intent;->"
INTENT_SETTERS = {"setAction": "act", "setPackage": "pkg", "addCategory": "cat", "setData": "dat"}
# an intent argument the decode could not follow (not built in the method from constants)
UNKNOWN_INTENT = "Intent { ? }"


def describe_intent(fields: dict[str, str]) -> str:
    """An intent in ``Intent.toString`` form, the form runtime traces print: ``Intent { act=… cat=[…] pkg=… }``."""
    parts = [f"{k}={fields[k]}" for k in ("act", "cat", "dat", "pkg", "cmp") if k in fields]
    return "Intent { " + " ".join([*parts, "}"])


def _intent_call(name: str, args: list[int], regs: dict[int, str]) -> str | None:
    """Track an ``Intent`` built from constants in this method: ``new Intent(action)``, ``setAction``,
    ``setPackage``, ``setClassName``/``setComponent``, ``addCategory`` and ``setData`` update the description the
    receiver register holds; ``Intent.parseUri`` gives an intent with data. A value that is not a constant is
    ``?`` (a package, component or data still narrows the intent).
    Returns the description a setter returns (its result is the same intent), else None."""
    if not args:
        return None
    recv = args[0]

    def const(k: int) -> str:
        v = regs.get(args[k], "?") if k < len(args) else "?"
        if v.startswith(PARAM):
            return "*"  # the method's parameter: its callers decide (an action from a helper's caller)
        if v == OWN_PACKAGE:
            return OWN_LABEL
        return "?" if v.startswith((INTENT_PREFIX, "\x00")) or not v or " " in v else v

    def class_literal(k: int) -> str:
        v = regs.get(args[k], "") if k < len(args) else ""
        return v[len(CLASS) :] if v.startswith(CLASS) and v[len(CLASS) :] else "?"

    if name == "parseUri":  # Intent.parseUri(uri, flags): the one target an intent URI names
        return describe_intent({"dat": "?"})
    if name == "<init>":
        first = regs.get(args[1], "") if len(args) > 1 else ""
        if len(args) == 2 and first.startswith(INTENT_PREFIX):  # Intent(Intent): a copy
            regs[recv] = first
        elif len(args) in (3, 5) and not (len(args) == 3 and first and not first.startswith(PARAM)):
            # Intent(Context, Class) and Intent(String, Uri, Context, Class): explicit, one component (the
            # app's own class, named when it is a class literal)
            regs[recv] = describe_intent({"cmp": class_literal(len(args) - 1)})
        else:
            regs[recv] = describe_intent({"act": const(1)} if len(args) > 1 else {})
        return None
    desc = regs.get(recv, "")
    fields = intent_fields(desc) if desc.startswith(INTENT_PREFIX) else None
    if fields is None:
        return None  # an intent this decode did not see built: left unknown
    key = INTENT_SETTERS.get(name)
    if key == "cat":
        cats = [c for c in fields.get("cat", "[]").strip("[]").split(",") if c]
        fields["cat"] = "[" + ",".join([*cats, const(1)]) + "]"
    elif key is not None:
        fields[key] = const(1)
    elif name == "setClassName" and len(args) == 3:
        pkg, cls = const(1), const(2)
        fields["cmp"] = f"{pkg}/{cls}" if cls != "?" and pkg != "?" else "?"
    elif name == "setComponent":
        fields["cmp"] = "?"
    elif name == "setClass" and len(args) == 3:
        fields["cmp"] = class_literal(2)
    else:
        return None
    regs[recv] = describe_intent(fields)
    return regs[recv]


def _plain(value: str | None) -> str | None:
    """The text a register holds when it is a constant string (not a mark, not an intent description)."""
    if value is None or value.startswith(("\x00", INTENT_PREFIX)):
        return None
    return value


def _string_call(name: str, args: list[int], regs: dict[int, str]) -> str | None:
    """Follow a string built from constant pieces: ``StringBuilder``/``StringBuffer`` ``<init>``, ``append``,
    ``reverse`` and ``toString``, and ``String.concat``. Returns what the call's result holds (None: unknown)."""
    if not args:
        return None
    recv = args[0]
    if name == "concat":
        a = _plain(regs.get(recv))
        b = _plain(regs.get(args[1])) if len(args) > 1 else None
        return a + b if a is not None and b is not None else None
    cur = regs.get(recv, "")
    if name == "<init>":
        if len(args) == 1:
            regs[recv] = BUILDER
        else:
            first = _plain(regs.get(args[1]))
            regs[recv] = BUILDER + first if first is not None else BUILDER_UNKNOWN  # (int capacity) unknown
        return None
    if not cur.startswith(BUILDER):
        return None  # a builder this decode did not see made
    known = cur != BUILDER_UNKNOWN
    if name == "append":
        piece = _plain(regs.get(args[1])) if len(args) == 2 else None
        regs[recv] = BUILDER + cur[len(BUILDER) :] + piece if known and piece is not None else BUILDER_UNKNOWN
        return regs[recv]
    if name == "reverse":
        if known:
            regs[recv] = BUILDER + cur[len(BUILDER) :][::-1]
        return regs[recv]
    if name == "toString":
        return cur[len(BUILDER) :] if known else None
    return None


_K_STRING, _K_SGET, _K_RESULT, _K_MOVE, _K_INVOKE, _K_CLASS, _K_CONST = 1, 2, 3, 4, 5, 6, 7


def _kinds() -> list[int]:
    """The instructions ``analyse_method`` tracks, by opcode (0 = any other)."""
    k = [0] * 256
    k[OP_CONST_STRING] = k[OP_CONST_STRING_JUMBO] = _K_STRING
    k[OP_SGET_OBJECT] = _K_SGET
    k[OP_CONST_CLASS] = _K_CLASS
    k[OP_CONST_4] = k[OP_CONST_16] = _K_CONST
    k[OP_MOVE_RESULT_OBJECT] = _K_RESULT
    k[OP_MOVE_OBJECT] = k[OP_MOVE_OBJECT_FROM16] = k[OP_MOVE_OBJECT_16] = _K_MOVE
    for op in (*INVOKE_35C, *INVOKE_3RC):
        k[op] = _K_INVOKE
    return k


_KIND = _kinds()


@dataclass
class MethodDetail:
    """What one method's instructions say: for each wanted call (by unit position), the constant found in the
    wanted argument register (None when it holds no tracked constant), and the const-strings in order."""

    args: dict[int, str | None] = field(default_factory=dict)
    strings: list[str] = field(default_factory=list)
    reflects: bool = False  # calls Class.forName / getMethod / getDeclaredMethod
    # wanted calls whose argument is one of the method's own parameters: position -> parameter slot (the index
    # into the argument registers of an invoke of this method, receiver included)
    params: dict[int, int] = field(default_factory=dict)


def invoke_registers(units: memoryview, pos: int) -> list[int]:
    """Argument registers of the ``invoke-*`` at ``pos`` (receiver first for instance calls)."""
    u = units[pos]
    op = u & 0xFF
    if op in INVOKE_3RC:
        first = units[pos + 2]
        return list(range(first, first + (u >> 8)))
    count, g = u >> 12, (u >> 8) & 0xF
    w = units[pos + 2]
    regs = [w & 0xF, (w >> 4) & 0xF, (w >> 8) & 0xF, (w >> 12) & 0xF, g]
    return regs[: min(count, 5)]


def analyse_method(
    units: memoryview,
    start: int,
    end: int,
    wanted: dict[int, int],
    *,
    string_at: Callable[[int], str],
    callee_at: Callable[[int], str],
    field_value: Callable[[int], str | None],
    slots: dict[int, int] | None = None,
    class_at: Callable[[int], str] | None = None,
) -> MethodDetail:
    """Decode one method (units ``start``..``end``). ``wanted``: {method id: argument index, receiver
    excluded} of the calls whose argument constant is wanted; ``slots``: the same by raw index into the invoke's
    argument registers (a call of a helper whose parameter reaches the API). ``string_at`` decodes a string
    index, ``callee_at`` names a method id (``Lcls;->name``), ``field_value`` gives a static field's constant,
    ``class_at`` names a type index (``const-class``, for explicit intents)."""
    out = MethodDetail()
    slots = slots or {}
    regs: dict[int, str] = {}
    if start >= 8:  # the parameters arrive in the last ins_size registers: mark them, moves carry the mark
        size, ins = units[start - 8], units[start - 7]
        for slot in range(min(ins, size, 64)):
            regs[size - ins + slot] = PARAM + str(slot)
    pending: str | None = None
    i = start
    kinds = _KIND
    while i < end:
        u = units[i]
        w = UNIT_WIDTH_L[u]
        if w == PAYLOAD:
            w = payload_width(units, i, end)
        if w >= INVALID or i + w > end:
            break
        op = u & 0xFF
        kind = kinds[op]
        if kind == 0:  # any other instruction: only ends a pending call result
            pending = None
        elif kind == _K_STRING:
            sidx = units[i + 1] if op == OP_CONST_STRING else units[i + 1] | (units[i + 2] << 16)
            text = string_at(sidx)
            regs[u >> 8] = text
            if len(out.strings) < MAX_METHOD_STRINGS:
                out.strings.append(text)
            pending = None
        elif kind == _K_CONST:  # const/4 vA, #B and const/16 vAA, #BBBB: only null (0) matters
            if op == OP_CONST_4:
                reg, zero = (u >> 8) & 0xF, (u >> 12) == 0
            else:
                reg, zero = u >> 8, units[i + 1] == 0
            if zero:
                regs[reg] = NULL
            else:
                regs.pop(reg, None)
            pending = None
        elif kind == _K_CLASS:
            name = class_at(units[i + 1]) if class_at is not None else ""
            if name:
                regs[u >> 8] = CLASS + name
            else:
                regs.pop(u >> 8, None)
            pending = None
        elif kind == _K_SGET:
            value = field_value(units[i + 1])
            if value is None:
                regs.pop(u >> 8, None)
            else:
                regs[u >> 8] = value
            pending = None
        elif kind == _K_RESULT:
            if pending is None:
                regs.pop(u >> 8, None)
            else:
                regs[u >> 8] = pending
            pending = None
        elif kind == _K_MOVE:
            if op == OP_MOVE_OBJECT:
                dst, src = (u >> 8) & 0xF, u >> 12
            elif op == OP_MOVE_OBJECT_FROM16:
                dst, src = u >> 8, units[i + 1]
            else:
                dst, src = units[i + 1], units[i + 2]
            if src in regs:
                regs[dst] = regs[src]
            else:
                regs.pop(dst, None)
            pending = None
        else:  # invoke-*: the argument registers are decoded only when they are looked at
            mid = units[i + 1]
            pending = None
            if mid in wanted or mid in slots:
                args = invoke_registers(units, i)
                k = slots[mid] if mid in slots else wanted[mid] + (0 if op in STATIC_INVOKES else 1)
                value = regs.get(args[k]) if k < len(args) else None
                if value is not None and value.startswith(PARAM):
                    out.params[i] = int(value[len(PARAM) :])
                    value = None
                out.args[i] = value
            # a wanted call may also build an intent (``setPackage``): follow it as any other call
            callee = callee_at(mid)
            if callee in REFLECTION_CALLS:
                out.reflects = True
            elif callee in URI_BUILDERS:
                args = invoke_registers(units, i)
                if args and args[0] in regs:
                    pending = regs[args[0]]
            elif callee.startswith(INTENT_CLASS):
                pending = _intent_call(callee[len(INTENT_CLASS) :], invoke_registers(units, i), regs)
            elif callee.startswith(BUILDER_CLASSES) or callee == "Ljava/lang/String;->concat":
                pending = _string_call(callee.split("->", 1)[1], invoke_registers(units, i), regs)
            elif callee.endswith("->getPackageName") or callee.endswith("->getOpPackageName"):
                pending = OWN_PACKAGE
        i += w
    return out
