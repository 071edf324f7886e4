"""Code Android loads that a static scan of ``classes*.dex`` cannot see: packers (加固), instant-run slices,
encrypted dex in assets. Each finding here is a warning for the report and a ``hidden_code`` note rules read
(a "permission unused" verdict is void when code the scan cannot see could use the permission).

Signatures are file and class names of the shells as published by APKiD's packer rules and the vendors' own
documentation: a stub Application class or a shell library is enough to say the real dex is hidden.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

__all__ = ["PACKERS", "hidden_code"]

# packer -> (stub application/entry classes, file-name patterns inside the APK)
PACKERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "360加固 (Qihoo Jiagu)": (
        ("com.stub.StubApp",),
        (r"^assets/libjiagu[^/]*\.so$", r"^lib/[^/]+/libjiagu[^/]*\.so$"),
    ),
    "梆梆加固 (Bangcle)": (
        ("com.secneo.apkwrapper.ApplicationWrapper", "com.secneo.apkwrapper.AW"),
        (
            r"^assets/bangcle[^/]*$",
            r"^lib/[^/]+/libsecexe\.so$",
            r"^lib/[^/]+/libsecmain\.so$",
            r"^lib/[^/]+/libSecShell\.so$",
        ),
    ),
    "爱加密 (Ijiami)": (
        ("com.shell.SuperApplication", "com.shell.NativeApplication", "s.h.e.l.l.S"),
        (r"^assets/ijiami[^/]*\.dat$", r"^assets/ijm_lib/", r"^lib/[^/]+/libexec(main)?\.so$"),
    ),
    "腾讯乐固 (Tencent Legu)": (
        ("com.tencent.StubShell.TxAppEntry", "com.wrapper.proxyapplication.WrapperProxyApplication"),
        (r"^lib/[^/]+/libshell[a-z0-9.-]*\.so$", r"^assets/0OO00l111l1l$", r"^tencent_stub$"),
    ),
    "百度加固 (Baidu)": (
        ("com.baidu.protect.StubApplication",),
        (r"^lib/[^/]+/libbaiduprotect[^/]*\.so$", r"^assets/baiduprotect[^/]*\.jar$"),
    ),
    "网易易盾 (NetEase Yidun)": (("com.netease.nis.wrapper.MyApplication",), (r"^lib/[^/]+/libnesec\.so$",)),
    "阿里聚安全 (Alibaba)": (("com.ali.mobisecenhance.StubApplication",), (r"^lib/[^/]+/libmobisec\.so$",)),
}
_PACKER_FILES = [(name, re.compile(p)) for name, (_, pats) in PACKERS.items() for p in pats]
_CODE_IN_ASSETS = re.compile(r"^assets/.+\.(dex|jar|apk)$", re.IGNORECASE)
DEX_MAGIC = b"dex\n"
ZIP_MAGIC = b"PK\x03\x04"


def hidden_code(
    names: Iterable[str],
    application_class: str | None,
    scanned_archives: Iterable[str],
    read_head: Callable[[str], bytes | None],
) -> list[tuple[str, str]]:
    """``(kind, message)`` for each piece of code the scan cannot see.

    ``names`` are the APK entries, ``scanned_archives`` the nested APK/JAR entries whose dex was scanned,
    ``read_head`` returns the first bytes of an entry (None when unreadable)."""
    out: list[tuple[str, str]] = []
    all_names = list(names)
    packers = {name for name, (stubs, _) in PACKERS.items() if application_class in stubs}
    packers.update(name for name, rx in _PACKER_FILES for n in all_names if rx.search(n))
    for p in sorted(packers):
        out.append(
            (
                f"packer:{p}",
                f"packed by {p}: the real code is encrypted and loaded at run time; the static scan sees only the "
                "shell (应用已加固，静态扫描只能看到外壳代码)",
            )
        )
    if "instant-run.zip" in all_names or any(n.startswith("instant-run/") for n in all_names):
        out.append(
            (
                "instant_run",
                "instant-run.zip holds code slices Android loads at run time; the scan does not see them "
                "(Instant Run 构建，部分代码不在 classes.dex 中)",
            )
        )
    scanned = set(scanned_archives)
    for n in all_names:
        if not _CODE_IN_ASSETS.match(n) or n in scanned:
            continue
        head = read_head(n) or b""
        if n.lower().endswith(".dex") and head.startswith(DEX_MAGIC):
            continue  # plain dex: scanned (ApkArchive.iter_dex)
        if not head.startswith((DEX_MAGIC, ZIP_MAGIC)):
            out.append(
                (
                    f"encrypted:{n}",
                    f"{n} is neither dex nor zip (encrypted or packed code loaded at run time); not scanned "
                    "(加密的动态加载代码，未扫描)",
                )
            )
    return out
