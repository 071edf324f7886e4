#!/usr/bin/env python3
"""Regenerate ``src/apprights/knowledge/data/*.json`` from the shared sources and the curated tables.

    .venv/bin/python tools/build_knowledge.py [--shared ../shared] [--version 2026.11.28-1] [--check]

Inputs (read-only):
- ``<shared>/data/sdk/appscan_cn_sdk_list.tsv`` (TongchengOpenSource/AppScan, Apache-2.0): Chinese SDK name → prefix
- ``<shared>/data/sdk/libradar_tag_rules.csv`` (pkumza/LibRadar, Apache-2.0): library prefix, name, type, website
- ``<shared>/data/permissions/androguard/aosp_permissions_permissions_{29,34,36}.json`` (androguard, Apache-2.0)
- ``<shared>/regs/necessary-pi-39-categories.tsv`` (the 39 categories of 国信办秘字〔2021〕14号)
- ``tools/knowledge_src/*`` (curated by apprights)

Exodus (AGPL) and camille (no licence) data are deliberately not read: Exodus trackers can be added at run time
with ``SdkCatalogue.with_exodus``. ``--check`` rebuilds in memory and fails when the committed files differ.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "tools" / "knowledge_src"
OUT = ROOT / "src" / "apprights" / "knowledge" / "data"
DEFAULT_VERSION = "2026.12.04-2"

sys.path.insert(0, str(ROOT / "src"))
from apprights.knowledge.sdks import CATEGORIES, FRAMEWORK_ANDROID, valid_host, valid_prefix  # noqa: E402
from apprights.model.pi import PIType  # noqa: E402

PI_VALUES = {p.value for p in PIType}
KINDS = {"read", "send", "request", "start", "download", "listen", "exec", "schedule", "write"}
CJK = re.compile(r"[\u4e00-\u9fff]")
GENERIC_HOSTS = {
    "github.com", "github.io", "google.com", "android.com", "sourceforge.net", "bitbucket.org", "gitee.com",
    "mvnrepository.com", "apple.com", "oracle.com", "gnu.org", "apache.org", "baike.com", "jcp.org",
    "devstore.cn", "mono-project.com", "microsoft.com", "amazon.com", "yahoo.com", "eclipse.org",
    # vendor-wide domains: too broad to attribute traffic to one SDK
    "baidu.com", "qq.com", "tencent.com", "huawei.com", "hwclouds.com", "360.cn", "taobao.com", "alibaba.com",
    "aliyun.com", "xiaomi.com", "mi.com", "sina.com.cn", "weibo.com", "163.com", "jd.com", "nokia.com",
    "facebook.com", "fabric.io", "samsung.com", "adobe.com",
}  # fmt: skip
LIBRADAR_TYPES = {
    "Advertisement": "ads",
    "Mobile Analytics": "analytics",
    "Payment": "payment",
    "Map/LBS": "map",
    "Social Network": "social",
    "Digital Identity": "identity",
}
# LibRadar types of non-PI libraries → category, used when neither the type nor the name gives a PI category.
LIBRADAR_LIBRARY_CATEGORIES = {
    "Development Aid": "library",
    "Utility": "library",
    "Development Framework": "library",
    "GUI Component": "ui",
    "Game Engine": "game",
}
LIBRADAR_LIBRARY_TYPES = {
    "Development Aid",
    "GUI Component",
    "Utility",
    "Development Framework",
    "Game Engine",
}
# Category from words in a (Chinese or English) SDK name; first match wins.
NAME_CATEGORY = [
    (re.compile(r"推送|push", re.I), "push"),
    (re.compile(r"统计|分析|analytics|\bstat\b|监控|apm", re.I), "analytics"),
    (re.compile(r"广告|推广|\bads?\b|adsdk", re.I), "ads"),
    (re.compile(r"支付|钱包|计费|\bpay|iap\b|billing", re.I), "payment"),
    (re.compile(r"地图|定位|导航|全景|\bmaps?\b|location|lbs", re.I), "map"),
    (re.compile(r"人脸|活体|实人|身份验证|刷脸|认证|ocr|face|liveness", re.I), "identity"),
    (re.compile(r"分享|登录|互联|账号|帐号|微博|passport|share|login|oauth|social", re.I), "social"),
    (re.compile(r"crash|bugly|崩溃|异常", re.I), "crash"),
    (re.compile(r"oaid|设备标识|移动安全联盟|\bmsa\b", re.I), "oaid"),
    # categories added in 2026.11.28-3 (after the PI categories above, so they never take an SDK from them);
    # ASCII-letter boundaries: \b does not separate "蜻蜓" from "FM" (both are word characters)
    (re.compile(r"即时通讯|即时通信|客服|聊天|(?<![a-z])im(?![a-z])|imsdk|chat|xmpp|smack", re.I), "im"),
    (
        re.compile(
            r"音视频|直播|播放|视频|音频|语音|投屏|美颜|(?<![a-z])fm(?![a-z])|player|video|(?<![a-z])live(?![a-z])|(?<![a-z])rtc(?![a-z])|speech|tts",
            re.I,
        ),
        "media",
    ),
    (
        re.compile(r"安全|风控|加固|反作弊|设备指纹|验证码|防劫持|captcha|anti-?fraud|security", re.I),
        "security",
    ),
    (re.compile(r"webkit|webview|浏览器|浏览服务|内核", re.I), "webview"),
    (re.compile(r"热修复|热更新|插件化|插件框架|hotfix|virtualapp|跨平台|小程序", re.I), "framework"),
    (
        re.compile(r"自动更新|应用更新|升级|应用商店|(?<![a-z])update|(?<![a-z])market(?![a-z])|fota", re.I),
        "distribution",
    ),
    (re.compile(r"游戏|手游|联运|(?<![a-z])game|gamecenter", re.I), "game"),
    (re.compile(r"deploygate|debug|leakcanary|stetho|junit|unit test", re.I), "devtools"),
    (
        re.compile(
            r"云存储|对象存储|云服务|后端云|(?<![a-z])cloud(?![a-z])|(?<![a-z])oss(?![a-z])|httpdns", re.I
        ),
        "cloud",
    ),
]
PI_NAME_RULES = 9  # NAME_CATEGORY[:9] are the original PI categories (push … oaid)
COMPONENT_SUFFIX = re.compile(r"(Activity|Service|Receiver|Provider)$")
META_KEY = re.compile(r"(api_?key|appkey|app_?id|applicationid|\bkey$|build-id|splash-enable)", re.I)


def load_tsv(path: Path) -> list[dict[str, str]]:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


# ---------------------------------------------------------------- sensitive APIs


def build_sensitive_apis(version: str) -> dict[str, Any]:
    apis: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for r in load_tsv(SRC / "sensitive_apis.tsv"):
        api = r["api"].strip()
        if r["pi_type"] not in PI_VALUES:
            raise SystemExit(f"sensitive_apis.tsv: {api}: unknown PI type {r['pi_type']!r}")
        if r["kind"] not in KINDS:
            raise SystemExit(f"sensitive_apis.tsv: {api}: unknown kind {r['kind']!r}")
        if not re.fullmatch(r"[\w$.]+\.[\w$]+\.(<init>|[\w$]+)", api):
            raise SystemExit(f"sensitive_apis.tsv: bad API name {api!r}")
        arg_filter = json.loads(r["arg_filter"]) if r.get("arg_filter") else None
        key = (api, json.dumps(arg_filter, sort_keys=True))
        if key in seen:
            raise SystemExit(f"sensitive_apis.tsv: duplicate {api} {arg_filter}")
        seen.add(key)
        item: dict[str, Any] = {
            "api": api,
            "pi_type": r["pi_type"],
            "label_zh": r["label_zh"],
            "label_en": r["label_en"],
            "permission": r["permission"] or None,
            "kind": r["kind"],
        }
        if arg_filter:
            item["arg_filter"] = arg_filter
        if r.get("weak") == "1":
            item["weak"] = True
        apis.append(item)
    return {
        "version": version,
        "source": "apprights curated (tools/knowledge_src/sensitive_apis.tsv)",
        "apis": apis,
    }


# ---------------------------------------------------------------- SDKs


class SdkBuilder:
    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []
        self.owner: dict[str, dict[str, Any]] = {}  # prefix -> entry
        self.ids: set[str] = set()
        self.vendors = self._load_vendors()
        self.libraries = [
            ln.strip()
            for ln in (SRC / "libraries.txt").read_text(encoding="utf-8").splitlines()
            if ln.strip() and not ln.startswith("#")
        ]
        self.dropped: list[str] = []

    @staticmethod
    def _load_vendors() -> dict[str, tuple[str, str]]:
        return {r["namespace"]: (r["vendor"], r["country"]) for r in load_tsv(SRC / "vendor_namespaces.tsv")}

    def vendor_of(self, prefix: str) -> tuple[str, str] | None:
        name = prefix
        while True:
            if name in self.vendors:
                return self.vendors[name]
            if "." not in name:
                return None
            name = name.rsplit(".", 1)[0]

    def is_library_ns(self, prefix: str) -> bool:
        return any(prefix == ns or prefix.startswith(ns + ".") for ns in self.libraries)

    def owner_covering(self, prefix: str) -> dict[str, Any] | None:
        """The entry owning this prefix or one of its ancestors."""
        name = prefix
        while True:
            if name in self.owner:
                return self.owner[name]
            if "." not in name:
                return None
            name = name.rsplit(".", 1)[0]

    def new_id(self, base: str) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", base.lower()).strip("-") or "sdk"
        sid, n = slug, 2
        while sid in self.ids:
            sid, n = f"{slug}-{n}", n + 1
        self.ids.add(sid)
        return sid

    def add(self, e: dict[str, Any]) -> None:
        self.ids.add(e["id"])
        self.entries.append(e)
        for p in e["prefixes"]:
            self.owner.setdefault(p, e)

    def merge_or_add(
        self,
        prefixes: list[str],
        components: list[str],
        meta: list[str],
        make: Any,
        source: str,
    ) -> None:
        """Merge into an existing entry when one owns (or covers) all the group's prefixes, else add anew."""
        prefixes = list(dict.fromkeys(prefixes))
        exact = [self.owner[p] for p in prefixes if p in self.owner]
        covering = [self.owner_covering(p) for p in prefixes]
        target: dict[str, Any] | None = None
        if exact:
            target = exact[0]
        elif prefixes and all(c is not None for c in covering) and len({id(c) for c in covering}) == 1:
            target = covering[0]
        if target is not None:
            if source not in target["source"].split("+"):
                target["source"] += "+" + source
            probe = make([])
            for k in ("name_en", "name_zh"):
                if not target[k] and probe[k]:
                    target[k] = probe[k]
            self.ids.discard(probe["id"])
            for p in prefixes:
                if self.owner_covering(p) is None:
                    target["prefixes"].append(p)
                    self.owner[p] = target
            return
        new = [p for p in prefixes if p not in self.owner]
        claimed = {c for e in self.entries for c in e["components"]}
        components = [
            c for c in components if c not in claimed and self.owner_covering(c.lstrip(".")) is None
        ]
        if not new and not components:
            return
        e = make(new)
        e["components"] = list(dict.fromkeys(e.get("components", []) + components))
        e["meta_data"] = list(dict.fromkeys(e.get("meta_data", []) + meta))
        self.add(e)

    # --- sources

    def curated(self) -> None:
        for ln in (SRC / "sdks_curated.txt").read_text(encoding="utf-8").splitlines():
            if not ln.strip() or ln.startswith("#"):
                continue
            cols = [c.strip() for c in ln.split(" | ")]
            if len(cols) != 11:
                raise SystemExit(f"sdks_curated.txt: expected 11 columns: {ln[:80]}")
            sid, zh, en, vendor, cat, country, prefixes, hosts, comps, meta, pi = cols
            e: dict[str, Any] = {
                "id": sid,
                "name_zh": zh,
                "name_en": en,
                "vendor": vendor,
                "category": cat,
                "prefixes": prefixes.split(),
                "hosts": hosts.split(),
                "components": comps.split(),
                "meta_data": meta.split(),
                "pi": pi.split(),
                "country": country,
                "source": "apprights",
                "library": any(self.is_library_ns(p) for p in prefixes.split()),
            }
            if sid in self.ids:
                raise SystemExit(f"sdks_curated.txt: duplicate id {sid}")
            for p in e["prefixes"]:
                if p in self.owner:
                    raise SystemExit(
                        f"sdks_curated.txt: prefix {p} of {sid} already owned by {self.owner[p]['id']}"
                    )
            self.add(e)

    def classify_token(self, tok: str) -> tuple[str, str] | None:
        """('prefix'|'component'|'meta', value) for one raw token of the AppScan list, or None to drop."""
        tok = tok.strip()
        if not tok:
            return None
        if tok.startswith("."):
            last = tok.rsplit(".", 1)[-1]
            return ("component", tok) if COMPONENT_SUFFIX.search(last) else None
        tok = tok.rstrip(".")
        last = tok.rsplit(".", 1)[-1]
        if META_KEY.search(last) and "." in tok:
            return ("meta", tok)
        if last[:1].isupper():
            if COMPONENT_SUFFIX.search(last) and "." in tok:
                return ("component", tok)
            return None
        if valid_prefix(tok) and not self.framework(tok):
            return ("prefix", tok)
        return None

    def root(self, prefix: str) -> str:
        """The vendor namespace of a prefix (from vendor_namespaces.tsv), else its first two labels."""
        name = prefix
        while "." in name:
            if name in self.vendors:
                return name
            name = name.rsplit(".", 1)[0]
        return ".".join(prefix.split(".")[:2])

    @staticmethod
    def framework(prefix: str) -> bool:
        parts = prefix.split(".")
        return parts[0] == "android" and len(parts) > 1 and parts[1] in FRAMEWORK_ANDROID

    def appscan(self, path: Path) -> None:
        groups: dict[str, list[str]] = {}
        for r in load_tsv(path):
            groups.setdefault(r["sdk_name"].strip(), []).append(r["package_prefix"])
        for name, toks in groups.items():
            prefixes: list[str] = []
            comps: list[str] = []
            meta: list[str] = []
            for t in toks:
                c = self.classify_token(t)
                if c is None:
                    self.dropped.append(f"appscan {name}: {t.strip()}")
                elif c[0] == "prefix":
                    prefixes.append(c[1])
                elif c[0] == "component":
                    comps.append(c[1])
                else:
                    meta.append(c[1])
            if not prefixes and not comps:
                self.dropped.append(f"appscan {name}: no usable prefix")
                continue

            def make(new: list[str], name: str = name, comps: list[str] = comps) -> dict[str, Any]:
                return self.make_entry(name, new, "appscan", None, None, comps)

            # Some rows lump unrelated libraries under one name (图片选择 & 图片预览 …: glide, photopicker …):
            # one entry per namespace root, so that no prefix is attributed to another vendor's library.
            roots: dict[str, list[str]] = {}
            for p in prefixes:
                roots.setdefault(self.root(p), []).append(p)
            groups_by_root = list(roots.values()) or [[]]
            for i, group in enumerate(groups_by_root):
                self.merge_or_add(group, comps if i == 0 else [], meta if i == 0 else [], make, "appscan")

    def libradar(self, path: Path) -> None:
        groups: dict[str, list[tuple[str, str, str]]] = {}
        with path.open(encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                name = (r.get("Library Name") or "").strip()
                if not name or name == "no":
                    continue
                pkg = (r.get("Package Name") or "").strip().lstrip("L").strip("/").replace("/", ".")
                groups.setdefault(name, []).append(
                    (pkg, r.get("Type") or "", r.get("Official Website") or "")
                )
        for name, rows in groups.items():
            prefixes = [p for p, _, _ in rows if valid_prefix(p) and not self.framework(p)]
            for p, _, _ in rows:
                if p not in prefixes:
                    self.dropped.append(f"libradar {name}: {p}")
            if not prefixes:
                continue
            rtype, website = rows[0][1], rows[0][2]

            def make(
                new: list[str], name: str = name, rtype: str = rtype, website: str = website
            ) -> dict[str, Any]:
                return self.make_entry(name, new, "libradar", rtype, website)

            self.merge_or_add(prefixes, [], [], make, "libradar")

    def make_entry(
        self,
        name: str,
        prefixes: list[str],
        source: str,
        rtype: str | None,
        website: str | None,
        components: list[str] | None = None,
    ) -> dict[str, Any]:
        has_cjk = bool(CJK.search(name))
        vend = self.vendor_of(prefixes[0]) if prefixes else None
        vendor, country = vend if vend else ("", "")
        if not country and source == "appscan" and has_cjk:
            country = "CN"  # listed by name in a Chinese SDK list
        host = registrable_host(website or "")
        if not country and host.endswith(".cn"):
            country = "CN"
        category = LIBRADAR_TYPES.get(rtype or "", "")
        if not category:
            category = next((c for rx, c in NAME_CATEGORY[:PI_NAME_RULES] if rx.search(name)), "")
        library = any(self.is_library_ns(p) for p in prefixes)
        if rtype in LIBRADAR_LIBRARY_TYPES and not category and country != "CN":
            library = True
        if source == "appscan" and not has_cjk and not category and vend is None:
            library = True
        if not category:
            category = next((c for rx, c in NAME_CATEGORY[PI_NAME_RULES:] if rx.search(name)), "")
        if not category and rtype in ("GUI Component", "Game Engine"):
            category = LIBRADAR_LIBRARY_CATEGORIES[rtype]
        if not category and library:
            category = LIBRADAR_LIBRARY_CATEGORIES.get(rtype or "", "library")
        category = category or "other"
        taken = {h for e in self.entries for h in e["hosts"]}
        ok = host and not library and host not in GENERIC_HOSTS and host not in taken and valid_host(host)
        hosts = [host] if ok else []
        return {
            "id": self.new_id(prefixes[0] if prefixes else (components or [name])[0]),
            "name_zh": name if has_cjk else "",
            "name_en": "" if has_cjk else name,
            "vendor": vendor,
            "category": category,
            "prefixes": prefixes,
            "hosts": hosts,
            "components": [],
            "meta_data": [],
            "pi": [],
            "country": country,
            "source": source,
            "library": library,
        }

    def fill_gaps(self) -> None:
        """Fill what the sources and overrides left empty, from the curated tables; never overwrite a value.

        - category ``other`` of a development library (``library: true``) becomes ``library``;
        - vendor (and country) from ``vendor_namespaces.tsv``, then ``vendor_owners.tsv``, by the longest
          namespace of the first prefix (or fully qualified component class) that has one;
        - name_en from name_zh (the same text when name_zh has no Chinese), and name_zh (Chinese SDKs) from name_en, with ``name_glossary.tsv`` — only
          when every word translates; a Chinese SDK whose brand has no Chinese form in the glossary keeps its
          Latin brand name as name_zh (that is how Chinese documents write it).
        """
        owners = {r["namespace"]: (r["vendor"], r["country"]) for r in load_tsv(SRC / "vendor_owners.tsv")}
        glossary = load_tsv(SRC / "name_glossary.tsv")
        zh_en = {r["zh"]: r["en"] for r in glossary if r["kind"] in ("brand", "term")}
        brands = {r["en"].casefold(): r["zh"] for r in glossary if r["kind"] == "brand"}
        en_zh = brands | {r["en"].casefold(): r["zh"] for r in glossary if r["kind"] == "term_en"}
        for e in self.entries:
            if e["category"] == "other" and e["library"]:
                e["category"] = "library"
            if not e["vendor"]:
                names = e["prefixes"] + [c for c in e["components"] if not c.startswith(".")]
                vend = next((v for v in map(self.vendor_of, names) if v), None)
                vend = vend or next((v for v in (longest_ns(p, owners) for p in names) if v), None)
                if vend is not None:
                    e["vendor"] = vend[0]
                    e["country"] = e["country"] or vend[1]
            if e["name_zh"] and not e["name_en"]:
                e["name_en"] = (
                    translate_zh_en(e["name_zh"], zh_en) if CJK.search(e["name_zh"]) else e["name_zh"]
                )
            if not e["name_zh"] and e["name_en"] and e["country"] == "CN":
                e["name_zh"] = translate_en_zh(e["name_en"], en_zh, brands) or e["name_en"]

    def apply_overrides(self) -> None:
        by_id = {e["id"]: e for e in self.entries}
        for r in load_tsv(SRC / "sdk_overrides.tsv"):
            e = by_id.get(r["id"])
            if e is None:
                raise SystemExit(f"sdk_overrides.tsv: no SDK {r['id']}")
            field, value = r["field"], r["value"]
            if field in ("hosts", "pi", "components", "meta_data"):
                e[field] = value.split()
            elif field == "library":
                e[field] = value == "1"
            elif field in ("name_zh", "name_en", "vendor", "category", "country"):
                e[field] = value
            else:
                raise SystemExit(f"sdk_overrides.tsv: {r['id']}: field {field} cannot be overridden")

    def merge_same_product(self) -> None:
        """One SDK, one subject: entries that name the same product (same Chinese name, vendor and category)
        under several namespaces, as the AppScan/LibRadar lists do (友盟反馈 com.umeng.fb + com.feedback.ui),
        become one entry: the curated one, else the one more sources agree on, with the others' prefixes."""
        groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
        for e in self.entries:
            key = (e["name_zh"].strip(), e["vendor"].strip(), e["category"])
            if key[0] and key[1] and not e["library"]:
                groups.setdefault(key, []).append(e)
        merged: set[int] = set()
        for key, members in groups.items():
            if len(members) < 2:
                continue
            target = max(members, key=lambda e: ("apprights" in e["source"], e["source"].count("+")))
            for e in members:
                if e is target:
                    continue
                for k in ("prefixes", "hosts", "components", "meta_data", "pi"):
                    target[k] = list(dict.fromkeys(target[k] + e[k]))
                for src in e["source"].split("+"):
                    if src not in target["source"].split("+"):
                        target["source"] += "+" + src
                for p in e["prefixes"]:
                    self.owner[p] = target
                self.ids.discard(e["id"])
                merged.add(id(e))
                self.dropped.append(f"merged {e['id']} into {target['id']} (same product {key[0]})")
        self.entries = [e for e in self.entries if id(e) not in merged]

    def validate(self) -> None:
        ids: set[str] = set()
        owned: dict[str, str] = {}
        for e in self.entries:
            if e["id"] in ids:
                raise SystemExit(f"duplicate id {e['id']}")
            ids.add(e["id"])
            if e["category"] not in CATEGORIES:
                raise SystemExit(f"{e['id']}: bad category {e['category']}")
            for p in e["prefixes"]:
                if not valid_prefix(p):
                    raise SystemExit(f"{e['id']}: bad prefix {p!r}")
                if p in owned:
                    raise SystemExit(f"{e['id']}: prefix {p} also in {owned[p]}")
                owned[p] = e["id"]
            for h in e["hosts"]:
                if not valid_host(h):
                    raise SystemExit(f"{e['id']}: bad host {h!r}")
            for v in e["pi"]:
                if v not in PI_VALUES:
                    raise SystemExit(f"{e['id']}: bad PI type {v!r}")
            if not e["prefixes"] and not e["components"]:
                raise SystemExit(f"{e['id']}: neither prefixes nor components")


def longest_ns(prefix: str, table: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
    """The row of the longest namespace in ``table`` equal to or containing ``prefix``."""
    name = prefix
    while name not in table:
        if "." not in name:
            return None
        name = name.rsplit(".", 1)[0]
    return table[name]


def _alternation(words: Iterable[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def translate_zh_en(name: str, zh_en: dict[str, str]) -> str:
    """English form of a Chinese SDK name, word by word; "" when any Chinese is left untranslated."""
    if not zh_en:
        return ""
    out = re.sub(_alternation(zh_en), lambda m: f" {zh_en[m.group(0)]} ", name)
    out = re.sub(r"\s+", " ", out).strip()
    if CJK.search(out) or out == name.strip():
        return ""
    return re.sub(r"\s+([)\]:：])", r"\1", out).replace("( ", "(")


def translate_en_zh(name: str, en_zh: dict[str, str], brands: dict[str, str]) -> str:
    """Chinese form of a Latin SDK name by whole words (keys casefolded); "" unless a brand word occurs."""
    if not en_zh:
        return ""
    rx = re.compile(rf"(?<![\w-])({_alternation(en_zh)})(?![\w-])", re.I)
    if not any(m.group(0).casefold() in brands for m in rx.finditer(name)):
        return ""
    out = rx.sub(lambda m: en_zh[m.group(0).casefold()], name)
    # no space between a Chinese word and what follows or precedes it ("腾讯 Weibo" → "腾讯Weibo")
    out = re.sub(r"(?<=[\u4e00-\u9fff])\s+|\s+(?=[\u4e00-\u9fff])", "", out)
    return out.strip()


def registrable_host(url: str) -> str:
    m = re.match(r"^(?:[a-z]+://)?([^/:?#]+)", url.strip().lower())
    if not m:
        return ""
    labels = m.group(1).strip(".").split(".")
    if len(labels) < 2:
        return ""
    n = 3 if len(labels) >= 3 and labels[-2] in {"com", "net", "org", "gov", "edu", "co"} else 2
    return ".".join(labels[-n:])


def build_sdks(version: str, shared: Path) -> tuple[dict[str, Any], list[str]]:
    b = SdkBuilder()
    b.curated()
    b.appscan(shared / "data" / "sdk" / "appscan_cn_sdk_list.tsv")
    b.libradar(shared / "data" / "sdk" / "libradar_tag_rules.csv")
    b.apply_overrides()
    b.fill_gaps()
    b.merge_same_product()
    b.validate()
    labels = {
        r["category"]: {"zh": r["label_zh"], "en": r["label_en"]}
        for r in load_tsv(SRC / "sdk_categories.tsv")
    }
    if tuple(labels) != CATEGORIES:
        raise SystemExit("sdk_categories.tsv: categories differ from apprights.knowledge.sdks.CATEGORIES")
    sdks = []
    for e in b.entries:
        item = {k: e[k] for k in ("id", "name_zh", "name_en", "vendor", "category", "prefixes")}
        for k in ("hosts", "components", "meta_data", "pi"):
            if e[k]:
                item[k] = e[k]
        item["country"] = e["country"]
        item["source"] = e["source"]
        if e["library"]:
            item["library"] = True
        sdks.append(item)
    return (
        {
            "version": version,
            "sources": {
                "apprights": "curated by apprights (tools/knowledge_src/sdks_curated.txt), Apache-2.0",
                "appscan": "TongchengOpenSource/AppScan SDK list, Apache-2.0",
                "libradar": "pkumza/LibRadar tag rules, Apache-2.0",
            },
            "category_labels": labels,
            "sdks": sdks,
        },
        b.dropped,
    )


# ---------------------------------------------------------------- permissions


def full_name(name: str) -> str:
    return name if "." in name else f"android.permission.{name}"


def build_permissions(version: str, shared: Path) -> dict[str, Any]:
    base = shared / "data" / "permissions" / "androguard"
    platform: dict[str, tuple[int, dict[str, Any]]] = {}
    for api in (29, 34, 36):
        raw = json.loads((base / f"aosp_permissions_permissions_{api}.json").read_text(encoding="utf-8"))
        for name, p in raw["permissions"].items():
            platform[name] = (api, p)  # newest wins
    curated = {full_name(r["name"]): r for r in load_tsv(SRC / "permissions_curated.tsv")}
    out: list[dict[str, Any]] = []
    for name in sorted(platform):
        api, p = platform[name]
        c = curated.get(name)
        level = str(p.get("protectionLevel") or "normal")
        group = (c or {}).get("group") or None
        if group is None:
            g = str(p.get("permissionGroup") or "")
            if g and not g.endswith(".UNDEFINED"):
                group = g.rsplit(".", 1)[-1]
        pi = (c or {}).get("pi_type") or None
        if pi is not None and pi not in PI_VALUES:
            raise SystemExit(f"permissions_curated.tsv: {name}: unknown PI type {pi}")
        item: dict[str, Any] = {"name": name, "protection_level": level}
        if group:
            item["group"] = group
        if pi:
            item["pi_type"] = pi
        item["label_zh"] = (c or {}).get("label_zh", "")
        item["label_en"] = (c or {}).get("label_en") or str(p.get("label") or "")
        if c and c.get("regulated") == "1":
            item["regulated"] = True
        if api != 36:
            item["api_level"] = api  # not in the API 36 list: level from the newest list that has it
        out.append(item)
    missing = sorted(set(curated) - set(platform))
    for name in missing:
        c = curated[name]
        out.append(
            {
                "name": name,
                "protection_level": "unknown",
                **({"group": c["group"]} if c["group"] else {}),
                **({"pi_type": c["pi_type"]} if c["pi_type"] else {}),
                "label_zh": c["label_zh"],
                "label_en": c["label_en"],
                **({"regulated": True} if c.get("regulated") == "1" else {}),
            }
        )
    return {
        "version": version,
        "source": "AOSP permission lists API 29/34/36 via androguard (Apache-2.0); groups, PI types and "
        "Chinese labels curated by apprights",
        "permissions": out,
    }


# ---------------------------------------------------------------- categories


def build_categories(version: str, shared: Path) -> dict[str, Any]:
    regs = {int(r["no"]): r for r in load_tsv(shared / "regs" / "necessary-pi-39-categories.tsv")}
    cur = {int(r["no"]): r for r in load_tsv(SRC / "categories_curated.tsv")}
    if sorted(regs) != list(range(1, 40)) or sorted(cur) != list(range(1, 40)):
        raise SystemExit("expected categories 1..39 in both tables")
    cats = []
    for no in range(1, 40):
        r, c = regs[no], cur[no]
        text = r["necessary_pi"]
        if text.startswith("同"):  # 餐饮外卖类: 同网上购物类
            ref = next(x for x in regs.values() if x["category"] in text)
            text = f"{ref['necessary_pi']}({text})"
        pi = (c.get("necessary_pi") or "").split()
        for v in pi:
            if v not in PI_VALUES:
                raise SystemExit(f"categories_curated.tsv: {no}: unknown PI type {v}")
        basic, fill = r["basic_function"], (c.get("basic_function_fill") or "").strip()
        if not basic and not fill:
            raise SystemExit(f"categories_curated.tsv: {no}: no basic function in either table")
        if not (c.get("name_en") or "").strip() or not (c.get("basic_function_en") or "").strip():
            raise SystemExit(f"categories_curated.tsv: {no}: name_en and basic_function_en are required")
        cats.append(
            {
                "no": no,
                "name": r["category"],
                "name_en": c["name_en"].strip(),
                "aliases": [a.strip() for a in (c.get("aliases") or "").split(",") if a.strip()],
                "basic_function": basic or fill,
                "basic_function_en": c["basic_function_en"].strip(),
                **({} if basic else {"basic_function_marker": "[R]"}),
                "necessary_text": text,
                "necessary_pi": pi,
                "necessary_permissions": [
                    full_name(x) for x in (c.get("necessary_permissions") or "").split()
                ],
                "marker": r["source_marker"],
            }
        )
    return {
        "version": version,
        "source": "国信办秘字〔2021〕14号《常见类型移动互联网应用程序必要个人信息范围规定》; PI mapping curated by apprights",
        "categories": cats,
    }


# ---------------------------------------------------------------- main


def dump(obj: dict[str, Any]) -> str:
    """One record per line: diffable, and still small."""
    key = next(k for k in ("apis", "sdks", "permissions", "categories") if k in obj)
    head = {k: v for k, v in obj.items() if k != key}
    lines = [json.dumps(x, ensure_ascii=False, separators=(", ", ": ")) for x in obj[key]]
    head_json = json.dumps(head, ensure_ascii=False)[:-1]
    return head_json + f', "{key}": [\n' + ",\n".join(lines) + "\n]}\n"


def build_all(shared: Path, version: str) -> tuple[dict[str, str], list[str]]:
    sdks, dropped = build_sdks(version, shared)
    files = {
        "sensitive_apis.json": dump(build_sensitive_apis(version)),
        "sdks.json": dump(sdks),
        "permissions.json": dump(build_permissions(version, shared)),
        "categories.json": dump(build_categories(version, shared)),
    }
    return files, dropped


def main(argv: Iterable[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--version", default=DEFAULT_VERSION)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--check", action="store_true", help="fail when the committed files are out of date")
    ap.add_argument("-v", "--verbose", action="store_true", help="list the source rows that were dropped")
    args = ap.parse_args(list(argv) if argv is not None else None)
    files, dropped = build_all(args.shared, args.version)
    if args.verbose:
        for d in dropped:
            sys.stderr.write(f"dropped: {d}\n")
    stale = []
    for name, text in files.items():
        path = args.out / name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
    if stale:
        sys.stderr.write(f"out of date: {', '.join(stale)} (run tools/build_knowledge.py)\n")
        return 1
    summary = {n: len(json.loads(t)[next(iter(k for k in json.loads(t) if isinstance(json.loads(t)[k], list)))])
               for n, t in files.items()}  # fmt: skip
    sys.stderr.write(f"{'checked' if args.check else 'wrote'}: {summary}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
