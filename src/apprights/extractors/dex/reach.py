"""Reachability of sensitive call sites from entry points: a bounded intra-APK call graph, built backwards.

Instead of a whole call graph, the search starts at the methods that contain a sensitive call and asks, level by
level, who invokes them (up to ``depth`` calls above the call site), across every dex of the app:

1. once per dex: every unit whose low byte is an ``invoke-*`` opcode and the method id it would name (numpy);
2. per level: the method ids of the frontier methods (binary search of their class and name in the string pool),
   the candidate units naming one of them, kept when they are well-formed invokes of their method (a vectorised
   register check standing in for the linear sweep, ``_well_formed_invokes``), mapped to the invoking methods;
3. then from the entry methods met (``Application.onCreate``/``attachBaseContext``, a provider's ``onCreate``,
   any method of a manifest component) forward along the edges found: each call site gets its entry method, the
   path down to its caller, and whether that entry runs at process start.

A ``Runnable``/``Callable``/``Handler`` method (``run``, ``call``, ``handleMessage``, ``doInBackground``) is
treated as reached from its class's constructor: code that creates the task hands it to a thread or handler.
Virtual calls are matched on the method id the instruction names (the static receiver type), as androguard's
xrefs are; calls through an interface or a superclass declared elsewhere, and through reflection, are missed.

Wrappers: a call site in platform-library code (``TelephonyManagerCompat.getImei``) also gives one call site for
each non-platform method invoking the library method directly (``CallSite.via`` names the wrapper).
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from apprights.extractors.dex.format import I64
from apprights.extractors.dex.scan import _ranges
from apprights.knowledge.sensitive_apis import platform_library
from apprights.model.facts import CallSite

if TYPE_CHECKING:
    from apprights.extractors.dex.scan import _Scanner

log = logging.getLogger(__name__)

DEFAULT_DEPTH = 4  # calls above the method holding the sensitive call
MAX_FRONTIER = 4000  # methods expanded per level (largest apps stay near the scan's cost)
MAX_PATHS = 1 << 16  # reverse edges kept
STARTUP_METHODS = frozenset({"onCreate", "attachBaseContext", "attachInfo", "<init>", "<clinit>"})
TASK_METHODS = frozenset({"run", "call", "handleMessage", "doInBackground"})

Key = tuple[str, str]  # (dotted class, method name)


class CallIndex:
    """The reverse-call view of one dex (kept from its scan)."""

    def __init__(self, scanner: _Scanner) -> None:
        from apprights.extractors.dex.format import HEADER_SIZE

        self.s = scanner
        self.known: dict[Key, tuple[int, int]] = {}  # (type index, name string index)
        self._keys: dict[int, list[Key]] = {}  # code item -> keys of its methods (``_item_keys``)
        self._type_index: dict[str, int] | None = None
        self._all_type_index: dict[str, int] | None = None
        dex = scanner.dex
        mt = scanner._methods()
        order = scanner.code_order()
        self.order = order
        if scanner.code_items is not None:  # checked by the scan (same conditions as below)
            self.ok = True
            self.group_start, self.group_end, self.starts, self.ends = scanner.code_items
        else:
            code = mt.code_off[order]
            nz = int(np.searchsorted(code, 1))
            code = code[nz:]
            self.ok = len(code) > 0 and int(code[0]) >= HEADER_SIZE and not bool(np.any(code & 3))
            self.ok = self.ok and int(code[-1]) + 16 <= len(dex.data)
            if not self.ok:
                return
            first = np.ones(len(code), dtype=bool)
            first[1:] = code[1:] != code[:-1]
            group = np.flatnonzero(first)
            uoff = code[group]
            self.group_start = group + nz
            self.group_end = np.append(self.group_start[1:], len(order))
            from apprights.extractors.dex.format import u32_at

            self.starts = uoff // 2 + 8
            self.ends = self.starts + u32_at(dex.u8, uoff + 12)
            if int(self.ends.max()) * 2 > len(dex.data):
                self.ok = False
                return
        lo, hi = int(self.starts.min()), int(self.ends.max())
        self.u16 = np.frombuffer(dex.data, dtype="<u2", count=len(dex.data) // 2)  # the whole file, zero-copy
        if hi - lo < 2:
            self.ok = False
            return
        # unit index of each candidate invoke and the method id it would name (shared with the scan)
        self.inv_pos, self.inv_mid = scanner.invoke_index(lo, hi)
        self.units = memoryview(dex.data)[: len(dex.data) // 2 * 2].cast("H")
        self._mt = mt

    def keep_defined_callees(self) -> None:
        """Drop the invokes of methods whose class this dex does not define. Only for an app of one dex: there
        every key the search asks about names a class the dex defines (the callers of the call sites, their
        callers, a task's constructor), so ``method_ids`` never returns the others and each level's lookup
        reads a shorter index."""
        if not self.ok:
            return
        dex = self.s.dex
        defined = np.zeros(len(dex.type_desc), dtype=bool)
        defined[dex.class_idx] = True
        mid_ok = np.zeros(1 << 16, dtype=bool)  # candidate operands are any 16-bit value
        n = min(dex.method_count, 1 << 16)
        mid_ok[:n] = defined[dex.method_class[:n]]
        keep = np.flatnonzero(mid_ok[self.inv_mid])
        self.inv_pos, self.inv_mid = self.inv_pos[keep], self.inv_mid[keep]

    def _defined(self) -> dict[str, int]:
        """{dotted class name: type index} of the classes this dex defines (names decoded by the scan)."""
        if self._type_index is None:
            self._type_index = dict(zip(self.s.class_names, self.s.dex.class_idx.tolist(), strict=False))
        return self._type_index

    def _all_types(self) -> dict[str, int]:
        """{dotted class name: type index} of every type this dex names (decoded once, in one block)."""
        if self._all_type_index is None:
            dex = self.s.dex
            names = self.s.type_names(dex.type_desc.astype(np.int64)) if len(dex.type_desc) else []
            self._all_type_index = dict(zip(names, range(len(names)), strict=True))
        return self._all_type_index

    def method_ids(self, keys: Iterable[Key]) -> dict[int, Key]:
        """{method id: key} of the method_ids rows naming one of ``keys`` (class and name)."""
        s = self.s
        dex, pool = s.dex, s.pool
        out: dict[int, Key] = {}
        type_of: dict[int, str] = {}
        name_of: dict[int, str] = {}
        unknown: list[Key] = []
        for key in keys:  # methods of this dex met as callers: their class and name indices are known
            ids = self.known.get(key)
            if ids is None:
                unknown.append(key)
            else:
                type_of[ids[0]], name_of[ids[1]] = key
        keys = list(keys)
        defined = self._defined()
        if any(c not in defined for c, _ in unknown):  # classes defined in another dex, referenced here
            defined = self._all_types()
        for c, _ in unknown:
            if c in defined:
                type_of[defined[c]] = c
        named = set(type_of.values())
        names = {m for c, m in unknown if c in named}
        found = pool.find_many(names) if names else {}
        name_of.update({found[n]: n for n in names if n in found})
        if not type_of or not name_of:
            return out
        # lookup tables instead of np.isin: method_ids rows name valid type and string indices (format.py)
        cls_ok = np.zeros(len(dex.type_desc), dtype=bool)
        cls_ok[np.fromiter(type_of, dtype=np.int64, count=len(type_of))] = True
        name_ok = np.zeros(len(pool), dtype=bool)
        name_ok[np.fromiter(name_of, dtype=np.int64, count=len(name_of))] = True
        hit = np.flatnonzero(cls_ok[dex.method_class] & name_ok[dex.method_name])
        wanted = set(keys)
        # of the rows whose class and name are both wanted, keep the wanted (class, name) pairs, vectorised
        t_of: dict[str, list[int]] = {}
        for t, c in type_of.items():
            t_of.setdefault(c, []).append(t)
        n_of = {m: n for n, m in name_of.items()}
        codes = [(t << 32) | n_of[m] for c, m in wanted if m in n_of for t in t_of.get(c, ())]
        if len(hit) > 4096:  # many rows: filter them in numpy first
            combo = (dex.method_class[hit].astype(np.int64) << 32) | dex.method_name[hit].astype(np.int64)
            hit = hit[np.isin(combo, np.array(codes, dtype=np.int64))]
        wanted_codes = set(codes)  # the same filter, for the few rows left (usually all of them pass)
        for m, c, n in zip(
            hit.tolist(), dex.method_class[hit].tolist(), dex.method_name[hit].tolist(), strict=True
        ):
            if (c << 32) | n in wanted_codes:
                k = (type_of[c], name_of[n])
                if k in wanted:
                    out[m] = k
        return out

    def callers(self, keys: Iterable[Key]) -> list[tuple[Key, Key]]:
        """(caller, callee) for every well-formed invoke of one of ``keys`` in this dex."""

        if not self.ok:
            return []
        mids = self.method_ids(keys)
        if not mids:
            return []
        lut = np.zeros(1 << 16, dtype=bool)
        lut[np.fromiter(mids, dtype=np.int64, count=len(mids))] = True
        sel = np.flatnonzero(lut[self.inv_mid])
        if len(sel) == 0:
            return []
        cand, cmid = self.inv_pos[sel], self.inv_mid[sel]
        k = np.searchsorted(self.starts, cand, side="right") - 1
        inside = (k >= 0) & (cand < self.ends[np.maximum(k, 0)])
        cand, cmid, k = cand[inside], cmid[inside], k[inside]
        if len(cand) == 0:
            return []
        keep = _well_formed_invokes(self.u16, cand, self.starts[k], self.ends[k])
        # one edge per (code item, callee): a method calling a callee ten times is one edge
        pair = np.unique(k[keep].astype(np.int64) * (1 << 16) + cmid[keep])
        items = pair >> 16
        item_keys = self._item_keys(np.unique(items))
        out: list[tuple[Key, Key]] = []
        for it, mid in zip(items.tolist(), (pair & 0xFFFF).tolist(), strict=True):
            callee = mids[mid]
            for caller in item_keys[it]:
                out.append((caller, callee))
        return out

    def _item_keys(self, uniq: I64) -> dict[int, list[Key]]:
        """{code item: the (class, method) keys of the methods owning it} (almost always one; a shared code item
        lists them all), decoded once per item and kept for the next levels."""
        cache = self._keys
        new = uniq[[it not in cache for it in uniq.tolist()]] if cache else uniq
        if len(new):
            counts = self.group_end[new] - self.group_start[new]
            rows = self.order[np.repeat(self.group_start[new], counts) + _ranges(counts)]
            meths = self._mt.method_idx[rows]
            classes = self._mt.class_def[rows].tolist()
            m_cls, m_name = self.s.dex.method_class[meths].tolist(), self.s.dex.method_name[meths].tolist()
            names, get = self.s.class_names, self.s.pool.get
            known = self.known
            keys = list(zip([names[c] for c in classes], [get(n) for n in m_name], strict=True))
            known.update(zip(keys, zip(m_cls, m_name, strict=True), strict=True))
            if len(keys) == len(new):  # one method per code item, the usual case
                cache.update(zip(new.tolist(), ([k] for k in keys), strict=True))
                return cache
            j = 0
            for it, n in zip(new.tolist(), counts.tolist(), strict=True):
                cache[it] = keys[j : j + n]
                j += n
        return cache


def _well_formed_invokes(
    u16: npt.NDArray[np.uint16], cand: I64, start: I64, end: I64
) -> npt.NDArray[np.bool_]:
    """Which candidate ``invoke-*`` units (unit indices into ``u16``, the whole dex) are well-formed
    instructions of their method: the whole instruction lies inside it, every argument register is below the
    method's ``registers_size`` and the unused register nibbles of the 35c format are zero, as compilers write
    them. This stands in for the linear sweep: on four APKs of the shared corpus (20,024 candidates) it keeps
    all 19,608 invokes the sweep verifies and 3 of the 416 candidates the sweep rejects
    (docs/static-code-precision.md)."""
    ok = cand + 3 <= end
    c = np.where(ok, cand, start)
    w = u16[c].astype(np.int64)
    regs = u16[start - 8].astype(np.int64)  # code_item.registers_size (code starts 16 bytes into the item)
    third = u16[np.minimum(c + 2, len(u16) - 1)].astype(np.int64)
    op = w & 0xFF
    rng = op >= 0x74  # invoke-*/range: first register + count
    ok &= ~rng | (third + (w >> 8) <= regs)
    a, g = w >> 12, (w >> 8) & 0xF
    ok35 = (a <= 5) & ((a == 5) | (g == 0)) & ((a < 5) | (g < regs))
    for i in range(4):
        nib = (third >> (4 * i)) & 0xF
        ok35 &= np.where(a > i, nib < regs, nib == 0)
    ok &= rng | ok35
    return ok


def _entry_kind(key: Key, roots: Mapping[str, bool]) -> str | None:
    """ "startup" for a start-up method of the Application class or a provider, "component" for any method of a
    manifest component (or its nested classes), else None."""
    cls, meth = key
    outer = cls.split("$", 1)[0]
    if outer not in roots:
        return None
    if roots[outer] and cls == outer:
        # other methods of the Application class or a provider are searched on: onCreate often calls them
        return "startup" if meth in STARTUP_METHODS else None
    return "component"


def annotate_reach(
    indexes: list[CallIndex], sites: list[CallSite], roots: Mapping[str, bool], depth: int = DEFAULT_DEPTH
) -> list[CallSite]:
    """Set ``entry``/``startup``/``path`` on every site (in place) and return the extra call sites of
    platform-library wrappers' callers. ``roots``: {component class: runs at process start (Application class,
    content provider)}."""
    kinds: dict[Key, str | None] = {}

    def kind_of(k: Key) -> str | None:
        if k not in kinds:
            kinds[k] = _entry_kind(k, roots)
        return kinds[k]

    libs: dict[str, bool] = {}

    def in_library(cls: str) -> bool:
        lib = libs.get(cls)
        if lib is None:
            lib = libs[cls] = platform_library(cls) is not None
        return lib

    edges: dict[Key, set[Key]] = {}  # callee -> callers
    n_edges = 0
    start = {(s.caller_class, s.caller_method) for s in sites}
    seen: set[Key] = set(start)
    frontier = sorted(start)
    for level in range(depth):
        # platform-library code is expanded once, to find its wrappers' callers; its own callers inside the
        # library (a large graph in every app) never make anyone's read reachable
        # an entry point is not expanded: the framework calls it (a start-up path through an activity's or
        # service's code is rare and not looked for)
        todo = [k for k in frontier if kind_of(k) is None and (level == 0 or not in_library(k[0]))][
            :MAX_FRONTIER
        ]
        if not todo:
            break
        nxt: set[Key] = set()
        for k in todo:  # a task's body runs once its object is built
            if k[1] in TASK_METHODS:
                init = (k[0], "<init>")
                edges.setdefault(k, set()).add(init)
                if init not in seen:
                    nxt.add(init)
        for idx in indexes:
            pairs = idx.callers(todo)
            if (
                n_edges + len(pairs) <= MAX_PATHS
            ):  # the cap cannot be reached in this batch: no check per edge
                for caller, callee in pairs:
                    bucket = edges.get(callee)
                    if bucket is None:
                        bucket = edges[callee] = set()
                    if caller not in bucket:
                        bucket.add(caller)
                        n_edges += 1
                nxt.update([caller for caller, _ in pairs])
                continue
            for caller, callee in pairs:
                if n_edges >= MAX_PATHS:
                    break
                bucket = edges.setdefault(callee, set())
                if caller not in bucket:
                    bucket.add(caller)
                    n_edges += 1
                nxt.add(caller)
        nxt -= seen  # only callers not met before are expanded next
        seen |= nxt
        frontier = sorted(nxt)
    # forward from the entries: start-up entries first, so a start-up path wins over a component one
    forward: dict[Key, list[Key]] = {}
    for callee, callers in edges.items():
        for c in callers:
            forward.setdefault(c, []).append(callee)
    best: dict[Key, tuple[Key, bool]] = {}  # node -> (parent or itself for an entry, startup)
    for kind in ("startup", "component"):
        queue = deque(sorted(k for k in seen if kind_of(k) == kind and k not in best))
        for k in queue:
            best[k] = (k, kind == "startup")
        while queue:
            node = queue.popleft()
            for nxt_node in sorted(forward.get(node, ())):  # deterministic paths (sorted when visited)
                if nxt_node not in best:
                    best[nxt_node] = (node, kind == "startup")
                    queue.append(nxt_node)
    extra: list[CallSite] = []
    for s in sites:
        _set_reach(s, best)
        if platform_library(s.caller_class) is None:
            continue
        lib = (s.caller_class, s.caller_method)
        for caller in sorted(edges.get(lib, ())):
            if platform_library(caller[0]) is not None:
                continue
            w = replace(s, caller_class=caller[0], caller_method=caller[1], via=f"{lib[0]}.{lib[1]}", path=[])
            _set_reach(w, best)
            extra.append(w)
    return extra


def _set_reach(site: CallSite, best: dict[Key, tuple[Key, bool]]) -> None:
    key = (site.caller_class, site.caller_method)
    if key not in best:
        site.entry, site.startup, site.path = "", False, []
        return
    path = [key]
    startup = best[key][1]
    while best[path[-1]][0] != path[-1] and len(path) < 32:
        path.append(best[path[-1]][0])
    path.reverse()
    site.entry = f"{path[0][0]}.{path[0][1]}"
    site.startup = startup
    site.path = [f"{c}.{m}" for c, m in path]
