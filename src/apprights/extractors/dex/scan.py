"""Call sites of sensitive framework methods, found without disassembling the whole dex.

1. Resolve targets: binary-search each target class descriptor and method name in the (sorted) string pool, then
   select the matching rows of ``method_ids`` with numpy. This is androguard's xref identity: a call is
   attributed to the method id the instruction names (``invoke-virtual Landroid/telephony/TelephonyManager;->
   getDeviceId``), with array-class receivers stripped of their ``[`` as androguard does.
2. Candidates: over the code section viewed as 16-bit units, find ``invoke-*`` (0x6e-0x72, 0x74-0x78) units whose
   method index operand is a target, and ``const-string``/``/jumbo`` units naming an interesting string.
3. Map candidates to code items (class data decoded vectorised) and verify each by a linear sweep of only those
   methods, so a byte pattern inside another instruction's operands or a switch/array payload never counts.
4. Arguments and reflection (``detail.py``): the few methods calling an argument-filtered API (Settings key,
   content URI) or loading a reflection hint string are decoded in full to find the constant reaching the
   argument, and reflective reads (``CallSite.args``, ``CallSite.reflective``).
5. Entry calls (only when the caller names entry classes): a linear sweep of every method of those few classes
   and their nested classes, recording each invoke of a non-framework method ("App.onCreate invokes
   Lcom/umeng/commonsdk/UMConfigure;->init"). Entry classes are found by binary search in the string pool.
"""

from __future__ import annotations

import logging
import re
import struct
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from apprights.errors import InputError
from apprights.extractors.dex.format import HEADER_SIZE, I64, DexFile, MethodTable
from apprights.extractors.dex.strings import FRAMEWORK_PREFIXES, PoolStrings, StringPool, scan_pool
from apprights.knowledge.sensitive_apis import (
    CONTENT_URI_FIELDS,
    INTENT_PREFIX,
    PENDING_INTENT_APIS,
    SIGNATURE_APIS,
    START_TARGET_APIS,
    UNRESOLVED_TARGET,
)
from apprights.model.facts import CallSite, StringRef

if TYPE_CHECKING:
    from apprights.knowledge.sensitive_apis import SensitiveApiCatalogue

log = logging.getLogger(__name__)

OP_CONST_STRING = 0x1A
OP_CONST_STRING_JUMBO = 0x1B
MAX_STRING_REFS = 5000
MAX_ENTRY_CALLS = 2000  # distinct (callee, caller class, caller method) per dex
MAX_ENTRY_CLASSES = 256  # entry classes plus their nested classes, per dex
MAX_ENTRY_UNITS = 1 << 20  # code units swept in entry classes per dex (hostile input stays bounded)
MAX_DETAIL_METHODS = 20000  # methods decoded for constant arguments / reflection per dex
MAX_ARGS = 8  # distinct constant arguments kept per call site
MAX_HELPERS = 256  # methods passing a parameter to an argument-filtered API, per dex
HINT = "reflection_hint"  # internal kind of const-strings that only trigger the reflection check


def _start_target(value: str | None) -> str:
    """A start call's package argument: the constant, or ``?`` when the method did not build it from constants."""
    if value is None or value.startswith(("\x00", INTENT_PREFIX)) or not value or " " in value:
        return UNRESOLVED_TARGET
    return value


def _width_table() -> list[int]:
    """Dalvik instruction widths in 16-bit units by opcode; 0 = unused opcode (ends a linear sweep)."""
    w = [0] * 256
    spans = [
        (0x00, 0x01, 1), (0x01, 0x02, 1), (0x02, 0x03, 2), (0x03, 0x04, 3), (0x04, 0x05, 1), (0x05, 0x06, 2),
        (0x06, 0x07, 3), (0x07, 0x08, 1), (0x08, 0x09, 2), (0x09, 0x0A, 3), (0x0A, 0x12, 1), (0x12, 0x13, 1),
        (0x13, 0x14, 2), (0x14, 0x15, 3), (0x15, 0x17, 2), (0x17, 0x18, 3), (0x18, 0x19, 5), (0x19, 0x1B, 2),
        (0x1B, 0x1C, 3), (0x1C, 0x1D, 2), (0x1D, 0x1F, 1), (0x1F, 0x21, 2), (0x21, 0x22, 1), (0x22, 0x24, 2),
        (0x24, 0x27, 3), (0x27, 0x29, 1), (0x29, 0x2A, 2), (0x2A, 0x2D, 3), (0x2D, 0x3E, 2), (0x44, 0x6E, 2),
        (0x6E, 0x73, 3), (0x74, 0x79, 3), (0x7B, 0x90, 1), (0x90, 0xB0, 2), (0xB0, 0xD0, 1), (0xD0, 0xE3, 2),
        (0xFA, 0xFC, 4), (0xFC, 0xFE, 3), (0xFE, 0x100, 2),
    ]  # fmt: skip
    for lo, hi, n in spans:
        for op in range(lo, hi):
            w[op] = n
    return w


_WIDTH = _width_table()
_IS_INVOKE = np.zeros(256, dtype=bool)
_IS_INVOKE[0x6E:0x73] = True
_IS_INVOKE[0x74:0x79] = True
_IS_INVOKE_L: list[bool] = _IS_INVOKE.tolist()


def api_name(descriptor: str, method: str) -> str:
    """``Landroid/telephony/TelephonyManager;`` + ``getDeviceId`` → the catalogue's dotted API name."""
    return dotted_class(descriptor) + "." + method


def dotted_class(descriptor: str) -> str:
    if descriptor.startswith("L") and descriptor.endswith(";"):
        return descriptor[1:-1].replace("/", ".")
    return descriptor.replace("/", ".")


class DexTargets:
    """The framework methods to find, as (class descriptor, method name) pairs (all overloads of a name)."""

    def __init__(
        self,
        pairs: Iterable[tuple[str, str]],
        *,
        arg_index: dict[str, int] | None = None,
        reflection: dict[str, list[str]] | None = None,
        reach_apis: Iterable[str] | None = None,
        intent_apis: Iterable[str] = (),
    ) -> None:
        """``arg_index``: {dotted api: argument index (receiver excluded)} of APIs whose constant argument is
        recorded (``CallSite.args``). ``reflection``: {sensitive name: [dotted apis]}; with it a method that
        loads a const-string hinting at one (``reflection_hints``) is decoded, and when it also calls
        ``Class.forName``/``getMethod``/``getDeclaredMethod`` and its strings name a sensitive method, it
        gives a reflective call site. ``reach_apis``: the APIs whose
        call sites the reachability search starts from (None = all). ``intent_apis``: those of ``arg_index``
        whose argument is an ``Intent``; one the decode cannot follow is recorded as ``Intent { ? }``."""
        self.intent_apis: frozenset[str] = frozenset(intent_apis)
        self.reach_apis: frozenset[str] | None = None if reach_apis is None else frozenset(reach_apis)
        self.arg_index: dict[str, int] = dict(arg_index or {})
        self.reflection: dict[str, list[str]] = dict(reflection or {})
        # const-strings that make a method worth decoding for reflection: a sensitive method name, reversed,
        # its part after "get" (the usual split "get" + "DeviceId"), or the class name of one
        hints: set[str] = set()
        for name, apis in self.reflection.items():
            hints |= {name, name[::-1]}
            if name.startswith("get") and len(name) > 6:
                hints.add(name[3:])
            hints.update(a.rsplit(".", 1)[0] for a in apis)
        self.reflection_hints: frozenset[str] = frozenset(hints)
        self.pairs: frozenset[tuple[str, str]] = frozenset(pairs)
        by_class: dict[str, set[str]] = {}
        for desc, name in self.pairs:
            by_class.setdefault(desc, set()).add(name)
        self.by_class: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in by_class.items()}
        self.names: frozenset[str] = frozenset(n for _, n in self.pairs)

    @classmethod
    def from_catalogue(cls, catalogue: SensitiveApiCatalogue) -> DexTargets:
        """The targets of ``catalogue``'s APIs, built once per catalogue object (the scan never changes them)."""
        return catalogue.derived(f"{cls.__module__}.{cls.__qualname__}", lambda: cls._build(catalogue))

    @classmethod
    def _build(cls, catalogue: SensitiveApiCatalogue) -> DexTargets:
        arg_index: dict[str, int] = {}
        intent_apis: set[str] = set()
        for a in catalogue.apis:
            idx = (a.arg_filter or {}).get("index")
            if isinstance(idx, int) and 0 <= idx < 8:
                arg_index[a.api] = idx
                if "intent" in (a.arg_filter or {}):
                    intent_apis.add(a.api)
        for a in catalogue.apis:  # the intent a PendingIntent wraps: what an alarm or job will start
            if a.api in PENDING_INTENT_APIS:
                arg_index[a.api] = PENDING_INTENT_APIS[a.api]
                intent_apis.add(a.api)
            elif a.api in START_TARGET_APIS:  # the package another app's start names
                arg_index[a.api] = START_TARGET_APIS[a.api]
        reflection = {
            name: sorted({a.api for a in apis}) for name, apis in catalogue.reflection_names().items()
        }
        # reachability matters for reads that are evidence on their own; weak reads (network type) and other
        # kinds keep the rules' class-level judgement
        reach = {a.api for a in catalogue.apis if a.kind in ("read", "listen") and not a.weak}
        signature = {("L" + a.rsplit(".", 1)[0].replace(".", "/") + ";", a.rsplit(".", 1)[1]) for a in SIGNATURE_APIS}
        return cls(
            catalogue.targets() | signature, arg_index=arg_index, reflection=reflection, reach_apis=reach,
            intent_apis=intent_apis,
        )  # fmt: skip

    def __len__(self) -> int:
        return len(self.pairs)


@dataclass
class DexScan:
    """What one dex file contributes to ``CodeFacts``."""

    name: str
    size: int
    class_count: int
    method_count: int
    defined_classes: list[str] = field(default_factory=list)  # dotted
    referenced_apis: list[str] = field(default_factory=list)  # dotted, sorted
    call_sites: list[CallSite] = field(default_factory=list)
    strings: list[StringRef] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    entry_calls: list[CallSite] = field(default_factory=list)  # api = non-framework callee


def scan_dex(
    name: str, data: bytes, targets: DexTargets, *, entry_classes: Iterable[str] | None = None
) -> DexScan:
    """Scan one dex file. Raises ``InputError(name, problem)`` when it is malformed.

    ``entry_classes`` (dotted class names): also record the non-framework methods their methods, and those of
    their nested classes, invoke (``DexScan.entry_calls``)."""
    return scan_dex_keep(name, data, targets, entry_classes=entry_classes)[0]


def scan_dex_keep(
    name: str, data: bytes, targets: DexTargets, *, entry_classes: Iterable[str] | None = None
) -> tuple[DexScan, _Scanner]:
    """``scan_dex`` that also returns the scanner, whose tables the reachability search (``reach.py``) reuses."""
    try:
        scanner = _Scanner(name, data, targets, entry_classes)
        return scanner.run(), scanner
    except InputError:
        raise
    except (IndexError, ValueError, KeyError, OverflowError, struct.error, MemoryError) as exc:
        # Every table index is range-checked up front; this is the backstop that keeps hostile input from
        # escaping as a traceback.
        raise InputError(name, f"malformed dex ({type(exc).__name__}: {exc})") from exc


class _Scanner:
    def __init__(
        self, name: str, data: bytes, targets: DexTargets, entry_classes: Iterable[str] | None = None
    ) -> None:
        self.name = name
        self.dex = DexFile(name, data)
        self.pool = StringPool(self.dex)
        self.targets = targets
        self.entry_classes = sorted(set(entry_classes or ()))
        self._mt: MethodTable | None = None
        self._order: I64 | None = None
        self.class_names: list[str] = []
        self._refs: dict[int, str] = {}  # method id -> "Lcls;->name", for the decoded methods' calls
        self._inv: tuple[tuple[int, int], I64, npt.NDArray[np.uint16]] | None = None
        # (first row, end row in ``code_order``, start unit, end unit) of each distinct code item, once the scan
        # has checked them; reused by ``reach.CallIndex``
        self.code_items: tuple[I64, I64, I64, I64] | None = None

    def invoke_index(self, lo: int, hi: int) -> tuple[I64, npt.NDArray[np.uint16]]:
        """Every unit in ``lo``..``hi - 2`` (unit indices) whose low byte is an ``invoke-*`` opcode, and the unit
        after it (the method id it would name): one pass over the code, shared by the helpers' argument search
        and the reachability search (``reach.CallIndex``). Candidates only: the caller verifies them."""
        if self._inv is None or self._inv[0] != (lo, hi):
            u16 = np.frombuffer(self.dex.data, dtype="<u2", count=len(self.dex.data) // 2)
            low = u16[lo : hi - 1].astype(np.uint8)  # the opcode byte of each unit (unsigned cast keeps it)
            low -= np.uint8(0x6E)  # invoke-* opcodes are 0x6e-0x72 and 0x74-0x78: 0-10 except 5 (wraps)
            ok = low <= 10
            ok &= low != 5
            pos = np.flatnonzero(ok)
            self._inv = ((lo, hi), pos + lo, u16[pos + lo + 1])
        return self._inv[1], self._inv[2]

    def code_order(self) -> I64:
        """Rows of the method table sorted by code offset (stable), shared with ``reach.CallIndex``."""
        if self._order is None:
            self._order = np.argsort(self._methods().code_off, kind="stable")
        return self._order

    def _methods(self) -> MethodTable:
        if self._mt is None:
            self._mt = self.dex.methods()
        return self._mt

    def run(self) -> DexScan:
        dex = self.dex
        hints = self.targets.reflection_hints
        found = self.pool.find_many([*self.targets.by_class, *self.targets.names, *hints])
        name_to_str = {found[n]: n for n in self.targets.names if n in found}
        class_to_str = {d: found[d] for d in self.targets.by_class if d in found}
        target_api = self._resolve_targets(class_to_str, name_to_str)
        pool_strings = scan_pool(dex, self.pool, name_to_str)
        for h in hints:
            if h in found:
                pool_strings.interesting.setdefault(found[h], (HINT, h))
        class_names = self.class_names = self._class_names()
        scan = DexScan(
            name=self.name,
            size=len(dex.data),
            class_count=dex.class_count,
            method_count=dex.method_count,
            defined_classes=class_names,
            referenced_apis=sorted(set(target_api.values())),
            urls=pool_strings.urls,
        )
        if target_api or pool_strings.interesting:
            self._scan_code(scan, target_api, pool_strings, class_names)
        if self.entry_classes and dex.class_count:
            self._entry_calls(scan, class_names)
        return scan

    def _entry_class_defs(self) -> list[int]:
        """class_def indices of the entry classes and their nested classes (``App$1`` …) defined here."""
        dex, pool = self.dex, self.pool
        sidx: list[int] = []
        for name in self.entry_classes:
            desc = "L" + name.replace(".", "/") + ";"
            exact = pool.find(desc)
            if exact is not None:
                sidx.append(exact)
            # nested classes "L…/App$1;": one contiguous run of the sorted pool ("\xff" never occurs in MUTF-8)
            nested = desc[:-1].encode("utf-8") + b"$"
            lo, hi = pool.bisect(nested), pool.bisect(nested + b"\xff")
            sidx.extend(i for i in range(lo, min(hi, lo + MAX_ENTRY_CLASSES)) if pool.raw(i).endswith(b";"))
        if not sidx:
            return []
        types = np.searchsorted(dex.type_desc, np.array(sidx, dtype=np.int64))
        ok = types < len(dex.type_desc)
        types = types[ok][dex.type_desc[types[ok]] == np.array(sidx, dtype=np.int64)[ok]]
        wanted = np.zeros(len(dex.type_desc), dtype=bool)
        wanted[types] = True
        defs: list[int] = np.flatnonzero(wanted[dex.class_idx]).tolist()
        return defs[:MAX_ENTRY_CLASSES]

    def _entry_calls(self, scan: DexScan, class_names: list[str]) -> None:
        """Non-framework methods invoked from the entry classes: a full linear sweep of their few methods."""
        defs = self._entry_class_defs()
        if not defs:
            return
        dex, pool = self.dex, self.pool
        mt = self._methods()
        is_def = np.zeros(dex.class_count, dtype=bool)
        is_def[defs] = True
        rows = np.flatnonzero(is_def[mt.class_def] & (mt.code_off > 0))
        if len(rows) == 0:
            return
        units = memoryview(dex.data)[: len(dex.data) // 2 * 2].cast("H")
        n_units = len(units)
        callee: dict[int, str | None] = {}
        calls: Counter[tuple[str, str, str]] = Counter()
        budget = MAX_ENTRY_UNITS
        for r in rows.tolist():
            off = int(mt.code_off[r])
            if off & 3 or off < HEADER_SIZE or off + 16 > len(dex.data):
                raise InputError(self.name, "code_item is misaligned or outside the dex")
            start = off // 2 + 8
            end = start + int(struct.unpack_from("<I", dex.data, off + 12)[0])
            if end > n_units:
                raise InputError(self.name, "code_item instructions run past the end of the dex")
            budget -= end - start
            if budget < 0:
                log.info("%s: entry classes too large, entry calls truncated", self.name)
                break
            cls = class_names[int(mt.class_def[r])]
            meth = pool.get(int(dex.method_name[int(mt.method_idx[r])]))
            for m in _invokes(units, start, end):
                name = callee.get(m, "")
                if name == "":
                    name = callee[m] = self._callee(m)
                if name is not None and (len(calls) < MAX_ENTRY_CALLS or (name, cls, meth) in calls):
                    calls[(name, cls, meth)] += 1
        scan.entry_calls = [
            CallSite(api=a, caller_class=c, caller_method=m, dex=self.name, count=n)
            for (a, c, m), n in sorted(calls.items())
        ]

    def _callee(self, m: int) -> str | None:
        """Dotted ``Class.method`` of method id ``m``, or None for framework and array classes."""
        dex = self.dex
        if m >= dex.method_count:
            return None
        desc = self.pool.get(int(dex.type_desc[int(dex.method_class[m])])).lstrip("[")  # as androguard does
        if not desc.startswith("L"):
            return None
        cls = dotted_class(desc)
        if cls.startswith(FRAMEWORK_PREFIXES):
            return None
        return cls + "." + self.pool.get(int(dex.method_name[m]))

    def _resolve_targets(self, class_to_str: dict[str, int], name_to_str: dict[int, str]) -> dict[int, str]:
        """{method_id index: dotted api} for every target referenced in method_ids."""
        dex, pool = self.dex, self.pool
        n_types = len(dex.type_desc)
        if not name_to_str or n_types == 0 or dex.method_count == 0:
            return {}
        type_to_desc: dict[int, str] = {}
        if class_to_str:  # type_ids are sorted by string index: one search for all target classes
            sidx_l = list(class_to_str.values())
            t_l = np.searchsorted(dex.type_desc, np.array(sidx_l, dtype=np.int64)).tolist()
            for desc, sidx, t in zip(class_to_str, sidx_l, t_l, strict=True):
                if t < n_types and int(dex.type_desc[t]) == sidx:
                    type_to_desc[t] = desc
        # androguard strips leading '[' from the receiver class; array descriptors sort together in the pool.
        a_lo, a_hi = pool.bisect(b"["), pool.bisect(b"\\")
        t_lo, t_hi = (int(x) for x in np.searchsorted(dex.type_desc, [a_lo, a_hi]))
        for t in range(t_lo, t_hi):
            desc = pool.get(int(dex.type_desc[t])).lstrip("[")
            if desc in self.targets.by_class:
                type_to_desc[t] = desc
        if not type_to_desc:
            return {}
        class_ok = np.zeros(n_types, dtype=bool)
        class_ok[list(type_to_desc)] = True
        name_ok = np.zeros(len(pool), dtype=bool)  # lookup tables: method_ids hold valid indices (format.py)
        name_ok[np.fromiter(name_to_str, dtype=np.int64, count=len(name_to_str))] = True
        hits = np.flatnonzero(class_ok[dex.method_class] & name_ok[dex.method_name])
        out: dict[int, str] = {}
        for m in hits.tolist():
            desc = type_to_desc[int(dex.method_class[m])]
            name = name_to_str[int(dex.method_name[m])]
            if name in self.targets.by_class[desc]:
                out[m] = api_name(desc, name)
        return out

    def _class_names(self) -> list[str]:
        """Dotted names of all class_defs: ASCII descriptors gathered and decoded in one block."""
        dex = self.dex
        if dex.class_count == 0:
            return []
        return self.type_names(dex.type_desc[dex.class_idx].astype(np.int64))

    def type_names(self, sidx: I64) -> list[str]:
        """Dotted names of the type descriptors at string indices ``sidx``, decoded in one block."""
        dex = self.dex
        starts, lengths, ascii_ok = self.pool.extents()
        s, n, ok = starts[sidx], lengths[sidx], ascii_ok[sidx]
        names: list[str] = [""] * len(sidx)
        good = np.flatnonzero(ok)
        if len(good):
            s, n = s[good], n[good]
            # "Lcom/x/Y;" is gathered as "com/x/Y": the L and ; are left out (other descriptors kept whole)
            strip = (n >= 2) & (dex.u8[s] == ord("L")) & (dex.u8[s + np.maximum(n - 1, 0)] == ord(";"))
            s, n = s + strip, n - 2 * strip
            spans = n + 1  # one more byte per name, overwritten with a NUL separator
            first = np.cumsum(spans) - spans
            pos = np.repeat(s - first, spans) + np.arange(int(spans.sum()), dtype=np.int64)
            block = dex.u8[pos]
            block[first + n] = 0
            parts = block.tobytes().decode("ascii", "replace").replace("/", ".").split("\x00")
            if len(parts) == len(good) + 1:
                if len(good) == len(sidx):
                    parts.pop()
                    return parts
                for g, part in zip(good.tolist(), parts, strict=False):
                    names[g] = part
            else:  # a NUL inside a descriptor (malformed pool): decode one by one
                ok = np.zeros(len(sidx), dtype=bool)
        for b in np.flatnonzero(~ok).tolist():
            names[b] = dotted_class(self.pool.get(int(sidx[b])))
        return names

    def _scan_code(
        self, scan: DexScan, target_api: dict[int, str], pool_strings: PoolStrings, class_names: list[str]
    ) -> None:
        dex = self.dex
        mt = self._methods()
        order = self.code_order()
        sorted_code = mt.code_off[order]
        nz = int(np.searchsorted(sorted_code, 1))  # rows without code (abstract, native) sort first
        if nz == len(sorted_code):
            return
        code = sorted_code[nz:]
        if bool(np.any(code & 3)) or int(code[0]) < HEADER_SIZE:
            raise InputError(self.name, "code_item is misaligned or inside the header")
        if int(code[-1]) + 16 > len(dex.data):
            raise InputError(self.name, "code_item lies outside the dex")
        first = np.ones(len(code), dtype=bool)
        first[1:] = code[1:] != code[:-1]
        group = np.flatnonzero(first)  # a code item shared by several methods is scanned once
        uoff = code[group]
        group_start = group + nz
        group_end = np.append(group_start[1:], len(sorted_code))
        starts = uoff + 16
        # insns_size: code items are 4-aligned (checked above), so one gather of a u32 view reads it
        u32 = np.frombuffer(dex.data, dtype="<u4", count=len(dex.data) // 4)
        ends = starts + 2 * u32[(uoff + 12) >> 2].astype(np.int64)
        if int(ends.max()) > len(dex.data):
            raise InputError(self.name, "code_item instructions run past the end of the dex")
        self.code_items = (group_start, group_end, starts // 2, ends // 2)
        cand = self._candidates(int(starts.min()), int(ends.max()), target_api, pool_strings)
        if len(cand) == 0:
            return
        k = np.searchsorted(starts, cand, side="right") - 1
        inside = (k >= 0) & (cand < ends[np.maximum(k, 0)])
        cand, k = cand[inside] // 2, k[inside]
        if len(cand) == 0:
            return
        units = memoryview(dex.data)[: len(dex.data) // 2 * 2].cast("H")
        split = [0, *(np.flatnonzero(k[1:] != k[:-1]) + 1).tolist(), len(k)]  # cand and so k are sorted
        cand_l, k_l = cand.tolist(), k.tolist()
        items = [k_l[split[j]] for j in range(len(split) - 1)]
        item_arr = np.array(items, dtype=np.int64)
        seg_starts, seg_ends = (starts[item_arr] // 2).tolist(), (ends[item_arr] // 2).tolist()
        segments = [(seg_starts[j], seg_ends[j], cand_l[split[j] : split[j + 1]]) for j in range(len(items))]
        verified = _sweep_many(units, segments)
        interesting = pool_strings.interesting
        calls: Counter[tuple[str, str, str]] = Counter()
        refs: dict[tuple[str, str, str, str], None] = {}
        detailed = set(self.targets.arg_index)
        hints = self.targets.reflection_hints
        details: list[
            tuple[int, int, list[tuple[str, str]], list[int]]
        ] = []  # (start, end, callers, method ids)
        # the methods owning each code item with a verified candidate, gathered in one block (almost always one
        # method per item; a shared code item lists them all)
        hit_items = [
            (j, item, found) for j, (item, found) in enumerate(zip(items, verified, strict=True)) if found
        ]
        hit_arr = np.array([item for _, item, _ in hit_items], dtype=np.int64)
        counts = group_end[hit_arr] - group_start[hit_arr]
        rows_all = order[np.repeat(group_start[hit_arr], counts) + _ranges(counts)]
        midx_all = mt.method_idx[rows_all]
        cls_all, name_all = mt.class_def[rows_all].tolist(), dex.method_name[midx_all].tolist()
        midx_l = midx_all.tolist()
        # each verified unit's kind and operand (method id, or string index with a jumbo's high half), in one block
        flat = np.fromiter((p for _, _, f in hit_items for p in f), dtype=np.int64)
        u16 = np.frombuffer(units, dtype=np.uint16)
        op_all = u16[flat] & 0xFF
        operand = u16[flat + 1].astype(np.int64)
        jumbo = np.flatnonzero(op_all == OP_CONST_STRING_JUMBO)
        operand[jumbo] |= u16[flat[jumbo] + 2].astype(np.int64) << 16  # a jumbo is 3 units: inside the code
        is_inv, operand_l = _IS_INVOKE[op_all].tolist(), operand.tolist()
        get = self.pool.get
        j = base = 0
        for (seg, _item, found), n in zip(hit_items, counts.tolist(), strict=True):
            callers = [(class_names[cls_all[r]], get(name_all[r])) for r in range(j, j + n)]
            mids_of = midx_l[j : j + n]
            j += n
            wants_detail = False
            for t in range(base, base + len(found)):
                if is_inv[t]:
                    api = target_api[operand_l[t]]
                    if api in detailed:
                        wants_detail = True
                    for cls, meth in callers:
                        calls[(api, cls, meth)] += 1
                    continue
                kind, value = interesting[operand_l[t]]
                if value in hints and kind in (HINT, "reflection"):
                    wants_detail = True
                    if kind == HINT:
                        continue
                for cls, meth in callers:
                    if len(refs) < MAX_STRING_REFS:
                        refs[(value, kind, cls, meth)] = None
            base += len(found)
            if wants_detail and len(details) < MAX_DETAIL_METHODS:
                details.append((seg_starts[seg], seg_ends[seg], callers, mids_of))
        helpers: dict[int, tuple[int, list[tuple[str, str, str]]]] = {}
        args, reflective = self._details(units, details, target_api, helpers) if details else ({}, Counter())
        if helpers:
            self._helper_args(units, helpers, args, starts // 2, ends // 2)
        # positional (api, caller_class, caller_method, dex, count, args[, reflective]): keyword arguments cost
        # twice as much per object, and a large app has thousands
        scan.call_sites = [
            CallSite(a, c, m, self.name, n, args.get((a, c, m))) for (a, c, m), n in sorted(calls.items())
        ]
        scan.call_sites.extend(
            CallSite(a, c, m, self.name, n, None, True)
            for (a, c, m), n in sorted(reflective.items())
            if (a, c, m) not in calls
        )
        scan.strings = [StringRef(v, kd, c, m) for v, kd, c, m in refs]  # value, kind, caller class, method

    def _details(
        self,
        units: memoryview,
        details: list[tuple[int, int, list[tuple[str, str]], list[int]]],
        target_api: dict[int, str],
        helpers: dict[int, tuple[int, list[tuple[str, str, str]]]],
    ) -> tuple[dict[tuple[str, str, str], list[str]], Counter[tuple[str, str, str]]]:
        """Constant arguments of argument-filtered APIs and reflective reads, from a full decode of the few
        methods that call them (``detail.analyse_method``). A method passing one of its own parameters to the
        API is a helper: ``helpers`` gets {its method id: (parameter slot, its call sites)}."""
        from apprights.extractors.dex.detail import NULL, OWN_PACKAGE, UNKNOWN_INTENT, analyse_method

        t = self.targets
        wanted = {mid: t.arg_index[api] for mid, api in target_api.items() if api in t.arg_index}
        args: dict[tuple[str, str, str], list[str]] = {}
        reflective: Counter[tuple[str, str, str]] = Counter()
        for start, end, callers, mids in details:
            d = analyse_method(
                units, start, end, wanted,
                string_at=self._string_at, callee_at=self._callee_ref, field_value=self._field_value,
                class_at=self._class_at,
            )  # fmt: skip
            for pos, value in d.args.items():
                api = target_api[units[pos + 1]]
                if (
                    api in t.intent_apis
                    and pos not in d.params
                    and not (value or "").startswith(INTENT_PREFIX)
                ):
                    value = UNKNOWN_INTENT  # not built here from constants: stays the app list
                elif api in START_TARGET_APIS and pos not in d.params:
                    # the app's own package is no target; anything not built here from constants is unresolved
                    value = None if value in (OWN_PACKAGE, NULL) else _start_target(value)
                elif value is not None and value.startswith("\x00"):
                    value = None  # a decode mark (class literal, builder, own package), not a constant
                for cls, meth in callers:
                    got = args.setdefault((api, cls, meth), [])
                    if value is not None and value not in got and len(got) < MAX_ARGS:
                        got.append(value)
                if pos in d.params and len(helpers) < MAX_HELPERS:
                    for mid in mids:
                        helpers.setdefault(mid, (d.params[pos], []))[1].extend(
                            (api, c, m) for c, m in callers
                        )
            if d.reflects and t.reflection:
                for api in reflective_reads(d.strings, t.reflection):
                    for cls, meth in callers:
                        reflective[(api, cls, meth)] += 1
        return args, reflective

    def _helper_args(
        self,
        units: memoryview,
        helpers: dict[int, tuple[int, list[tuple[str, str, str]]]],
        args: dict[tuple[str, str, str], list[str]],
        starts: I64,
        ends: I64,
    ) -> None:
        """Constants that callers in this dex pass to a helper's parameter become the helper's call-site
        arguments (one level: ``query(uri)`` in ``c.a(Uri uri)``, called as ``c.a(Phone.CONTENT_URI)``)."""
        from apprights.extractors.dex.detail import analyse_method

        lo, hi = int(starts.min()), int(ends.max())
        if hi - lo < 3:
            return
        inv_pos, inv_mid = self.invoke_index(lo, hi)
        lut = np.zeros(1 << 16, dtype=bool)
        lut[np.fromiter(helpers, dtype=np.int64, count=len(helpers))] = True
        cand = inv_pos[lut[inv_mid] & (inv_pos <= hi - 3)]  # an invoke needs 3 units
        k = np.searchsorted(starts, cand, side="right") - 1
        inside = (k >= 0) & (cand < ends[np.maximum(k, 0)])
        cand, k = cand[inside], k[inside]
        if len(cand) == 0:
            return
        split = [0, *(np.flatnonzero(k[1:] != k[:-1]) + 1).tolist(), len(k)]
        cand_l, k_l = cand.tolist(), k.tolist()
        segs = [
            (int(starts[k_l[split[j]]]), int(ends[k_l[split[j]]]), cand_l[split[j] : split[j + 1]])
            for j in range(min(len(split) - 1, MAX_DETAIL_METHODS))
        ]
        slots = {mid: slot for mid, (slot, _) in helpers.items()}
        for (start, end, _), found in zip(segs, _sweep_many(units, segs), strict=True):
            if not found:
                continue
            d = analyse_method(
                units, start, end, {}, slots=slots,
                string_at=self._string_at, callee_at=self._callee_ref, field_value=self._field_value,
            )  # fmt: skip
            for pos, value in d.args.items():
                if value is None or pos not in found:
                    continue
                for key in helpers[units[pos + 1]][1]:
                    if key[0] in self.targets.intent_apis and not value.startswith(INTENT_PREFIX):
                        continue  # a stale string in the intent's register (linear decode): unknown
                    if value.startswith("\x00"):
                        continue  # a decode mark (the app's own package, a class literal): no constant
                    got = args.setdefault(key, [])
                    if value not in got and len(got) < MAX_ARGS:
                        got.append(value)

    def _string_at(self, idx: int) -> str:
        return self.pool.get(idx) if idx < len(self.pool) else ""

    def _class_at(self, t: int) -> str:
        """Dotted name of type index ``t`` (a ``const-class`` operand), "" when out of range."""
        dex = self.dex
        return dotted_class(self.pool.get(int(dex.type_desc[t]))) if t < len(dex.type_desc) else ""

    def _callee_ref(self, m: int) -> str:
        ref = self._refs.get(m)
        if ref is None:
            dex = self.dex
            if m >= dex.method_count:
                return ""
            desc = self.pool.get(int(dex.type_desc[int(dex.method_class[m])]))
            ref = self._refs[m] = desc + "->" + self.pool.get(int(dex.method_name[m]))
        return ref

    def _field_value(self, f: int) -> str | None:
        ref = self.dex.field_ref(f)
        if ref is None:
            return None
        cls = dotted_class(self.pool.get(int(self.dex.type_desc[ref[0]])))
        if not cls.startswith("android.provider."):
            return None
        return CONTENT_URI_FIELDS.get(cls + "." + self.pool.get(ref[1]))

    def _candidates(self, lo: int, hi: int, target_api: dict[int, str], pool_strings: PoolStrings) -> I64:
        """Byte offsets in [lo, hi) of units that look like a target invoke or an interesting const-string:
        the opcode byte of every unit is read once (``invoke-*``, ``const-string``, ``const-string/jumbo``),
        then the operand of each such unit is looked up. The invoke positions are kept (``invoke_index``)."""
        n = (hi - lo) // 2
        if n < 2:
            return np.zeros(0, dtype=np.int64)
        lo_u = lo // 2
        u16 = np.frombuffer(self.dex.data, dtype="<u2", count=len(self.dex.data) // 2)
        low = u16[lo_u : lo_u + n - 1].astype(
            np.uint8
        )  # opcode byte of units 0..n-2 (unsigned cast keeps it)
        cs, jumbo = np.flatnonzero(low == OP_CONST_STRING), np.flatnonzero(low == OP_CONST_STRING_JUMBO)
        low -= np.uint8(0x6E)  # invoke-* opcodes are 0x6e-0x72 and 0x74-0x78: 0-10 except 5 (wraps)
        ok = low <= 10
        ok &= low != 5
        inv = np.flatnonzero(ok) + lo_u
        self._inv = ((lo_u, lo_u + n), inv, u16[inv + 1])
        last = lo_u + n - 3  # the operand (and a jumbo's high half) lies inside the range
        lut = np.zeros(1 << 16, dtype=bool)
        mids = np.fromiter(target_api, dtype=np.int64, count=len(target_api))
        lut[mids[mids < (1 << 16)]] = True
        found = [inv[lut[self._inv[2]] & (inv <= last)]]
        keys = np.fromiter(pool_strings.interesting, dtype=np.int64, count=len(pool_strings.interesting))
        if len(keys):
            lut[:] = False
            lut[keys[keys < (1 << 16)]] = True
            cs = cs[cs <= n - 3] + lo_u
            found.append(cs[lut[u16[cs + 1]]])
            jumbo = jumbo[jumbo <= n - 3] + lo_u
            val = u16[jumbo + 1].astype(np.int64) | (u16[jumbo + 2].astype(np.int64) << 16)
            found.append(jumbo[np.isin(val, keys)])
        return np.sort(np.concatenate(found)).astype(np.int64) * 2


def reflective_reads(strings: list[str], names: dict[str, list[str]]) -> list[str]:
    """Sensitive APIs named by the const-strings of one method that uses reflection: a method name as is,
    reversed, or split over up to three consecutive strings (``"get" + "DeviceId"``); a class name among the
    strings picks the API when several classes have the method."""
    seen = set(strings)
    seen |= {x[::-1] for x in strings}
    for k in (2, 3):
        seen |= {"".join(strings[i : i + k]) for i in range(len(strings) - k + 1)}
    out: list[str] = []
    for name in sorted(seen & names.keys()):
        apis = names[name]
        by_class = [a for a in apis if a.rsplit(".", 1)[0] in seen]
        pick = by_class or apis[:1]
        out.extend(a for a in pick if a not in out)
    return out


def _ranges(counts: I64) -> I64:
    """0..n-1 for each n in ``counts``, concatenated."""
    total = int(counts.sum())
    first = np.cumsum(counts) - counts
    out: I64 = np.arange(total, dtype=np.int64) - np.repeat(first, counts)
    return out


def _unit_width_table() -> npt.NDArray[np.int64]:
    """Width of the instruction starting with each possible 16-bit unit: PAYLOAD for the three payload
    pseudo-instructions (size read from the data), INVALID where androguard's linear sweep stops."""
    u = np.arange(1 << 16, dtype=np.int64)
    op, hi = u & 0xFF, u >> 8
    w: npt.NDArray[np.int64] = np.array(_WIDTH, dtype=np.int64)[op]
    w[w == 0] = INVALID
    nop = op == 0
    w[nop & (hi > 3)] = INVALID
    w[nop & (hi >= 1) & (hi <= 3)] = PAYLOAD
    w[(op == 0xFF) & (hi > 0)] = INVALID  # androguard: 0xff with a non-zero high byte is an unknown payload
    return w


INVALID = 1 << 31  # beyond any unit index of a dex (< 2 GiB)
PAYLOAD = -1
_UNIT_WIDTH = _unit_width_table()


def _sweep(units: memoryview, start: int, end: int, wanted: set[int]) -> list[int]:
    """Linear sweep of one method (androguard's algorithm); see ``_sweep_many``."""
    return _sweep_many(units, [(start, end, sorted(wanted))])[0]


def _instruction_pattern(ops: Iterable[int]) -> bytes:
    """Regex (bytes) of one instruction whose opcode is among ``ops``, by its width (``_WIDTH``); nop and 0xff
    count only with a zero high byte (a nop with 1-3 is a payload, the rest is invalid)."""
    ops = set(ops)
    by_width: dict[int, list[int]] = {}
    for op in sorted(ops):
        if _WIDTH[op] and op not in (0x00, 0xFF):
            by_width.setdefault(_WIDTH[op], []).append(op)
    alts = [
        b"[" + b"".join(re.escape(bytes([op])) for op in group) + b"][\\x00-\\xff]{%d}" % (2 * w - 1)
        for w, group in sorted(by_width.items(), key=lambda t: -len(t[1]))
    ]
    if 0x00 in ops:
        alts.append(b"\\x00\\x00")
    if 0xFF in ops:
        alts.append(b"\\xff\\x00[\\x00-\\xff]{2}")
    return b"(?:" + b"|".join(alts) + b")"


# The longest run of whole instructions from a boundary: it stops before a payload pseudo-instruction, an
# invalid unit, or an instruction that does not fit before ``endpos``. Dalvik opcodes are a prefix code, so the
# run is the linear sweep itself, done by the C regex engine (~50 ns an instruction instead of ~200 in a Python
# loop); unrolled four times for fewer repeat steps of the engine.
_ANY = _instruction_pattern(range(256))
_RUN = re.compile(b"(?:" + _ANY * 4 + b")*+" + _ANY + b"*+")


def _sweep_many(units: memoryview, segments: list[tuple[int, int, list[int]]]) -> list[list[int]]:
    """For each method (start unit, end unit, sorted candidate units) the candidates that are instruction
    boundaries of a linear sweep from the start and whose instruction fits before the end.

    The regex ``_RUN`` sweeps from the current boundary up to each candidate; Python only steps over the
    instruction that crosses a candidate, a payload, or an invalid unit (which ends the sweep)."""
    code = units.cast("B")
    run = _RUN.match
    width = _UNIT_WIDTH_L
    out: list[list[int]] = []
    for start, end, cands in segments:
        found: list[int] = []
        i = start
        for c in cands:
            while i < c:
                m = run(code, 2 * i, 2 * c)
                q = m.end() >> 1 if m is not None else i
                if q == c:
                    i = c
                    break
                w = width[units[q]]
                if w == PAYLOAD:
                    w = _payload_width(units, q, end)
                i = q + w
            if i == c and c + _WIDTH[units[c] & 0xFF] <= end and width[units[c]] != INVALID:
                found.append(c)
            elif i >= end:
                break
        out.append(found)
    return out


_UNIT_WIDTH_L: list[int] = _UNIT_WIDTH.tolist()
UNIT_WIDTH_L = _UNIT_WIDTH_L


def _invokes(units: memoryview, start: int, end: int) -> Iterator[int]:
    """Method ids named by the ``invoke-*`` instructions of one method, by androguard's linear sweep."""
    i = start
    while i < end:
        u = units[i]
        w = _UNIT_WIDTH_L[u]
        if w == PAYLOAD:
            w = _payload_width(units, i, end)
        if w >= INVALID or i + w > end:
            return
        if _IS_INVOKE_L[u & 0xFF]:
            yield units[i + 1]
        i += w


def payload_width(units: memoryview, i: int, end: int) -> int:
    """Width in units of the switch/array payload at ``i`` (INVALID when it does not fit before ``end``)."""
    return _payload_width(units, i, end)


def _payload_width(units: memoryview, i: int, end: int) -> int:
    if i + 4 > end:
        return INVALID
    ident = units[i] >> 8
    if ident == 1:  # packed-switch-payload
        return 4 + 2 * units[i + 1]
    if ident == 2:  # sparse-switch-payload
        return 2 + 4 * units[i + 1]
    return 4 + (units[i + 1] * (units[i + 2] | (units[i + 3] << 16)) + 1) // 2  # fill-array-data-payload
