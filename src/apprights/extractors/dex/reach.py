"""Reachability of sensitive call sites from entry points: a bounded intra-APK call graph, built backwards.

Instead of a whole call graph, the search starts at the methods that contain a sensitive call and asks, level by
level, who invokes them (up to ``depth`` calls above the call site), across every dex of the app:

1. once per dex: every unit whose low byte is an ``invoke-*`` opcode and the method id it would name (numpy);
2. per level: the method ids of the frontier methods (binary search of their class and name in the string pool),
   the candidate units naming one of them, verified as instruction boundaries by the linear sweep of only the
   methods holding a candidate, and mapped to the invoking methods;
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
        from apprights.extractors.dex.scan import _IS_INVOKE

        self.s = scanner
        dex = scanner.dex
        mt = scanner._methods()
        order = np.argsort(mt.code_off, kind="stable")
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
        self.order = order
        self.group_start = group + nz
        self.group_end = np.append(self.group_start[1:], len(order))
        from apprights.extractors.dex.format import u32_at

        self.starts = uoff // 2 + 8
        self.ends = self.starts + u32_at(dex.u8, uoff + 12)
        if int(self.ends.max()) * 2 > len(dex.data):
            self.ok = False
            return
        lo, hi = int(self.starts.min()), int(self.ends.max())
        u16 = np.frombuffer(dex.data, dtype="<u2", count=hi - lo + 1, offset=2 * lo) if hi > lo else None
        if u16 is None or len(u16) < 2:
            self.ok = False
            return
        pos = np.flatnonzero(_IS_INVOKE[u16[:-1] & 0xFF])
        self.inv_pos = pos + lo  # unit index of the candidate invoke
        self.inv_mid = u16[pos + 1].astype(np.int64)
        self.units = memoryview(dex.data)[: len(dex.data) // 2 * 2].cast("H")
        self._mt = mt

    def method_ids(self, keys: Iterable[Key]) -> dict[int, Key]:
        """{method id: key} of the method_ids rows naming one of ``keys`` (class and name)."""
        s = self.s
        dex, pool = s.dex, s.pool
        keys = list(keys)
        descs = {"L" + c.replace(".", "/") + ";": c for c, _ in keys}
        names = {m for _, m in keys}
        found = pool.find_many([*descs, *names])
        type_of: dict[int, str] = {}
        for d, c in descs.items():
            sidx = found.get(d)
            if sidx is None:
                continue
            t = int(np.searchsorted(dex.type_desc, sidx))
            if t < len(dex.type_desc) and int(dex.type_desc[t]) == sidx:
                type_of[t] = c
        name_of = {found[n]: n for n in names if n in found}
        if not type_of or not name_of:
            return {}
        hit = np.isin(dex.method_class, np.fromiter(type_of, dtype=np.int64, count=len(type_of)))
        hit &= np.isin(dex.method_name, np.fromiter(name_of, dtype=np.int64, count=len(name_of)))
        wanted = set(keys)
        out: dict[int, Key] = {}
        for m in np.flatnonzero(hit).tolist():
            k = (type_of[int(dex.method_class[m])], name_of[int(dex.method_name[m])])
            if k in wanted:
                out[m] = k
        return out

    def callers(self, keys: Iterable[Key]) -> list[tuple[Key, Key]]:
        """(caller, callee) for every verified invoke of one of ``keys`` in this dex."""
        from apprights.extractors.dex.scan import _sweep_many

        if not self.ok:
            return []
        mids = self.method_ids(keys)
        if not mids:
            return []
        sel = np.isin(self.inv_mid, np.fromiter(mids, dtype=np.int64, count=len(mids)))
        cand = self.inv_pos[sel]
        if len(cand) == 0:
            return []
        k = np.searchsorted(self.starts, cand, side="right") - 1
        inside = (k >= 0) & (cand < self.ends[np.maximum(k, 0)])
        cand, k = cand[inside], k[inside]
        if len(cand) == 0:
            return []
        split = [0, *(np.flatnonzero(k[1:] != k[:-1]) + 1).tolist(), len(k)]
        cand_l, k_l = cand.tolist(), k.tolist()
        items = [k_l[split[j]] for j in range(len(split) - 1)]
        segments = [
            (int(self.starts[it]), int(self.ends[it]), cand_l[split[j] : split[j + 1]])
            for j, it in enumerate(items)
        ]
        verified = _sweep_many(self.units, segments)
        s, mt, dex = self.s, self._mt, self.s.dex
        out: list[tuple[Key, Key]] = []
        for it, found in zip(items, verified, strict=True):
            if not found:
                continue
            rows = self.order[int(self.group_start[it]) : int(self.group_end[it])]
            callers = [
                (s.class_names[c], s.pool.get(int(dex.method_name[m])))
                for c, m in zip(mt.class_def[rows].tolist(), mt.method_idx[rows].tolist(), strict=True)
            ]
            callees = {mids[self.units[p + 1]] for p in found}
            out.extend((caller, callee) for caller in callers for callee in callees)
        return out


def _entry_kind(key: Key, roots: Mapping[str, bool]) -> str | None:
    """ "startup" for a start-up method of the Application class or a provider, "component" for any method of a
    manifest component (or its nested classes), else None."""
    cls, meth = key
    outer = cls.split("$", 1)[0]
    if outer not in roots:
        return None
    if roots[outer] and cls == outer and meth in STARTUP_METHODS:
        return "startup"
    return "component"


def annotate_reach(
    indexes: list[CallIndex], sites: list[CallSite], roots: Mapping[str, bool], depth: int = DEFAULT_DEPTH
) -> list[CallSite]:
    """Set ``entry``/``startup``/``path`` on every site (in place) and return the extra call sites of
    platform-library wrappers' callers. ``roots``: {component class: runs at process start (Application class,
    content provider)}."""
    edges: dict[Key, set[Key]] = {}  # callee -> callers
    n_edges = 0
    start = {(s.caller_class, s.caller_method) for s in sites}
    seen: set[Key] = set(start)
    frontier = sorted(start)
    for _level in range(depth):
        todo = [k for k in frontier if _entry_kind(k, roots) != "startup"][:MAX_FRONTIER]
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
            for caller, callee in idx.callers(todo):
                if n_edges >= MAX_PATHS:
                    break
                bucket = edges.setdefault(callee, set())
                if caller not in bucket:
                    bucket.add(caller)
                    n_edges += 1
                if caller not in seen:
                    nxt.add(caller)
        seen |= nxt
        frontier = sorted(nxt)
    # forward from the entries: start-up entries first, so a start-up path wins over a component one
    forward: dict[Key, list[Key]] = {}
    for callee, callers in edges.items():
        for c in callers:
            forward.setdefault(c, []).append(callee)
    best: dict[Key, tuple[Key, bool]] = {}  # node -> (parent or itself for an entry, startup)
    for kind in ("startup", "component"):
        queue = deque(sorted(k for k in seen if _entry_kind(k, roots) == kind and k not in best))
        for k in queue:
            best[k] = (k, kind == "startup")
        while queue:
            node = queue.popleft()
            for nxt_node in sorted(forward.get(node, ())):
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
