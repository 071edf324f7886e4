"""Call sites of sensitive framework methods, found without disassembling the dex.

1. Resolve targets: binary-search each target class descriptor and method name in the (sorted) string pool, then
   select the matching rows of ``method_ids`` with numpy. This is androguard's xref identity: a call is
   attributed to the method id the instruction names (``invoke-virtual Landroid/telephony/TelephonyManager;->
   getDeviceId``), with array-class receivers stripped of their ``[`` as androguard does.
2. Candidates: over the code section viewed as 16-bit units, find ``invoke-*`` (0x6e-0x72, 0x74-0x78) units whose
   method index operand is a target, and ``const-string``/``/jumbo`` units naming an interesting string.
3. Map candidates to code items (class data decoded vectorised) and verify each by a linear sweep of only those
   methods, so a byte pattern inside another instruction's operands or a switch/array payload never counts.
"""

from __future__ import annotations

import struct
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from apprights.errors import InputError
from apprights.extractors.dex.format import HEADER_SIZE, I64, DexFile, u32_at
from apprights.extractors.dex.strings import PoolStrings, StringPool, classify_dotted, scan_pool
from apprights.model.facts import CallSite, StringRef

if TYPE_CHECKING:
    from apprights.knowledge.sensitive_apis import SensitiveApiCatalogue

OP_CONST_STRING = 0x1A
OP_CONST_STRING_JUMBO = 0x1B
MAX_STRING_REFS = 5000


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


def api_name(descriptor: str, method: str) -> str:
    """``Landroid/telephony/TelephonyManager;`` + ``getDeviceId`` → the catalogue's dotted API name."""
    return dotted_class(descriptor) + "." + method


def dotted_class(descriptor: str) -> str:
    if descriptor.startswith("L") and descriptor.endswith(";"):
        return descriptor[1:-1].replace("/", ".")
    return descriptor.replace("/", ".")


class DexTargets:
    """The framework methods to find, as (class descriptor, method name) pairs (all overloads of a name)."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.pairs: frozenset[tuple[str, str]] = frozenset(pairs)
        by_class: dict[str, set[str]] = {}
        for desc, name in self.pairs:
            by_class.setdefault(desc, set()).add(name)
        self.by_class: dict[str, frozenset[str]] = {k: frozenset(v) for k, v in by_class.items()}
        self.names: frozenset[str] = frozenset(n for _, n in self.pairs)

    @classmethod
    def from_catalogue(cls, catalogue: SensitiveApiCatalogue) -> DexTargets:
        return cls(catalogue.targets())

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


def scan_dex(name: str, data: bytes, targets: DexTargets) -> DexScan:
    """Scan one dex file. Raises ``InputError(name, problem)`` when it is malformed."""
    try:
        return _Scanner(name, data, targets).run()
    except InputError:
        raise
    except (IndexError, ValueError, KeyError, OverflowError, struct.error, MemoryError) as exc:
        # Every table index is range-checked up front; this is the backstop that keeps hostile input from
        # escaping as a traceback.
        raise InputError(name, f"malformed dex ({type(exc).__name__}: {exc})") from exc


class _Scanner:
    def __init__(self, name: str, data: bytes, targets: DexTargets) -> None:
        self.name = name
        self.dex = DexFile(name, data)
        self.pool = StringPool(self.dex)
        self.targets = targets

    def run(self) -> DexScan:
        dex = self.dex
        target_api = self._resolve_targets()
        names = {self.pool.find(n): n for n in self.targets.names}
        reflection = {i: n for i, n in names.items() if i is not None}
        pool_strings = scan_pool(dex, self.pool, reflection)
        class_names = self._class_names()
        scan = DexScan(
            name=self.name,
            size=len(dex.data),
            class_count=dex.class_count,
            method_count=dex.method_count,
            defined_classes=class_names,
            referenced_apis=sorted(set(target_api.values())),
            urls=pool_strings.urls,
        )
        if target_api or pool_strings.interesting or len(pool_strings.dotted):
            self._scan_code(scan, target_api, pool_strings, class_names)
        return scan

    def _resolve_targets(self) -> dict[int, str]:
        """{method_id index: dotted api} for every target referenced in method_ids."""
        dex, pool = self.dex, self.pool
        n_types = len(dex.type_desc)
        if not self.targets.pairs or n_types == 0 or dex.method_count == 0:
            return {}
        type_to_desc: dict[int, str] = {}
        for desc in self.targets.by_class:
            sidx = pool.find(desc)
            if sidx is None:
                continue
            t = int(np.searchsorted(dex.type_desc, sidx))
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
        name_to_str: dict[int, str] = {}
        for n in self.targets.names:
            sidx = pool.find(n)
            if sidx is not None:
                name_to_str[sidx] = n
        if not name_to_str:
            return {}
        class_ok = np.zeros(n_types, dtype=bool)
        class_ok[list(type_to_desc)] = True
        names = np.fromiter(name_to_str, dtype=np.int64, count=len(name_to_str))
        hits = np.flatnonzero(class_ok[dex.method_class] & np.isin(dex.method_name, names))
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
        sidx = dex.type_desc[dex.class_defs["class_idx"]].astype(np.int64)
        starts, lengths, ascii_ok = self.pool.extents()
        s, n, ok = starts[sidx], lengths[sidx], ascii_ok[sidx]
        names: list[str] = [""] * len(sidx)
        good = np.flatnonzero(ok)
        if len(good):
            spans = n[good] + 1  # include the NUL terminator as separator
            first = np.cumsum(spans) - spans
            pos = np.repeat(s[good] - first, spans) + np.arange(int(spans.sum()), dtype=np.int64)
            blob = dex.u8[pos].tobytes().decode("ascii", "replace").replace("/", ".")
            for g, part in zip(good.tolist(), blob.split("\x00"), strict=False):
                names[g] = part[1:-1] if part[:1] == "L" and part[-1:] == ";" else part
        for b in np.flatnonzero(~ok).tolist():
            names[b] = dotted_class(self.pool.get(int(sidx[b])))
        return names

    def _scan_code(
        self, scan: DexScan, target_api: dict[int, str], pool_strings: PoolStrings, class_names: list[str]
    ) -> None:
        dex = self.dex
        mt = dex.methods()
        code_off = mt.code_off[mt.code_off > 0]
        if len(code_off) == 0:
            return
        if bool(np.any(code_off & 3)) or int(code_off.min()) < HEADER_SIZE:
            raise InputError(self.name, "code_item is misaligned or inside the header")
        if int(code_off.max()) + 16 > len(dex.data):
            raise InputError(self.name, "code_item lies outside the dex")
        uoff = np.unique(code_off)
        starts = uoff + 16
        ends = starts + 2 * u32_at(dex.u8, uoff + 12)
        if int(ends.max()) > len(dex.data):
            raise InputError(self.name, "code_item instructions run past the end of the dex")
        cand = self._candidates(int(starts.min()), int(ends.max()), target_api, pool_strings)
        if len(cand) == 0:
            return
        k = np.searchsorted(starts, cand, side="right") - 1
        inside = (k >= 0) & (cand < ends[np.maximum(k, 0)])
        cand, k = cand[inside] // 2, k[inside]
        if len(cand) == 0:
            return
        units = memoryview(dex.data)[: len(dex.data) // 2 * 2].cast("H")
        items, first = np.unique(k, return_index=True)  # cand is sorted, so k is too
        bounds = [*first.tolist(), len(cand)]
        cand_l = cand.tolist()
        order = np.argsort(mt.code_off, kind="stable")
        sorted_code = mt.code_off[order]
        dotted = set(pool_strings.dotted.tolist()) if len(pool_strings.dotted) else set()
        interesting = pool_strings.interesting
        calls: Counter[tuple[str, str, str]] = Counter()
        refs: dict[tuple[str, str, str, str], None] = {}
        for j, item in enumerate(items.tolist()):
            wanted = set(cand_l[bounds[j] : bounds[j + 1]])
            found = _sweep(units, int(starts[item]) // 2, int(ends[item]) // 2, wanted)
            if not found:
                continue
            code = int(uoff[item])
            r_lo, r_hi = np.searchsorted(sorted_code, [code, code + 1])
            rows = [
                (int(mt.class_def[r]), int(mt.method_idx[r])) for r in order[int(r_lo) : int(r_hi)].tolist()
            ]
            for pos in found:
                op = units[pos] & 0xFF
                api: str | None = None
                kind_value: tuple[str, str] | None = None
                if _IS_INVOKE[op]:
                    api = target_api.get(units[pos + 1])
                else:
                    sidx = (
                        units[pos + 1] if op == OP_CONST_STRING else units[pos + 1] | (units[pos + 2] << 16)
                    )
                    kind_value = interesting.get(sidx)
                    if kind_value is None and sidx in dotted:
                        value = self.pool.get(sidx)
                        kind = classify_dotted(value)
                        kind_value = None if kind is None else (kind, value)
                    if kind_value is None:
                        continue
                for ci, mi in rows:
                    cls = class_names[ci]
                    meth = self.pool.get(int(dex.method_name[mi]))
                    if api is not None:
                        calls[(api, cls, meth)] += 1
                    elif kind_value is not None and len(refs) < MAX_STRING_REFS:
                        refs[(kind_value[1], kind_value[0], cls, meth)] = None
        scan.call_sites = [
            CallSite(api=a, caller_class=c, caller_method=m, dex=self.name, count=n)
            for (a, c, m), n in sorted(calls.items())
        ]
        scan.strings = [StringRef(value=v, kind=kd, caller_class=c, caller_method=m) for v, kd, c, m in refs]

    def _candidates(self, lo: int, hi: int, target_api: dict[int, str], pool_strings: PoolStrings) -> I64:
        """Byte offsets in [lo, hi) of units that look like a target invoke or an interesting const-string:
        one table lookup flags every unit that could be such an operand, then the opcode before it is checked."""
        n = (hi - lo) // 2
        if n < 2:
            return np.zeros(0, dtype=np.int64)
        units = np.frombuffer(self.dex.data, dtype="<u2", count=n, offset=lo)
        lut = np.zeros(1 << 16, dtype=np.uint8)
        mids = np.fromiter(target_api, dtype=np.int64, count=len(target_api))
        lut[mids[mids < (1 << 16)]] = 1
        keys = np.concatenate(
            (
                np.fromiter(pool_strings.interesting, dtype=np.int64, count=len(pool_strings.interesting)),
                pool_strings.dotted,
            )
        )
        lut[keys[keys < (1 << 16)]] |= 2
        flagged = np.flatnonzero(np.take(lut, units[1:])) + 1  # operand positions
        op = units[flagged - 1] & 0xFF
        f = lut[units[flagged]]
        hit = ((f & 1).astype(bool) & _IS_INVOKE[op]) | ((f & 2).astype(bool) & (op == OP_CONST_STRING))
        found = [flagged[hit] - 1]
        big = keys[keys >= (1 << 16)]
        if len(big):  # const-string/jumbo: only dex files with more than 65536 strings need this pass
            pos = np.flatnonzero(self.dex.u8[lo : lo + 2 * (n - 2) : 2] == OP_CONST_STRING_JUMBO)
            val = units[pos + 1].astype(np.int64) | (units[pos + 2].astype(np.int64) << 16)
            found.append(pos[np.isin(val, big)])
        return np.sort(np.concatenate(found)).astype(np.int64) * 2 + lo


def _sweep(units: memoryview, start: int, end: int, wanted: set[int]) -> list[int]:
    """Linear sweep (androguard's algorithm) from ``start`` until the last wanted unit; returns the wanted
    positions that are instruction boundaries whose instruction fits in the method."""
    found: list[int] = []
    last = max(wanted)
    width = _WIDTH
    i = start
    while i <= last and i < end:
        u = units[i]
        op = u & 0xFF
        if op == 0:
            ident = u >> 8
            if ident == 0:
                w = 1
            elif i + 4 > end and ident in (1, 2, 3):
                break
            elif ident == 1:  # packed-switch-payload
                w = 4 + 2 * units[i + 1]
            elif ident == 2:  # sparse-switch-payload
                w = 2 + 4 * units[i + 1]
            elif ident == 3:  # fill-array-data-payload
                w = 4 + (units[i + 1] * (units[i + 2] | (units[i + 3] << 16)) + 1) // 2
            else:
                break
        elif op == 0xFF and u > 0xFF:
            break  # androguard treats 0xff with a non-zero high byte as an unknown payload
        else:
            w = width[op]
            if w == 0:
                break
        if i in wanted and i + w <= end:
            found.append(i)
        i += w
    return found
