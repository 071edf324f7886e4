"""An OAID read through the MSA / HMS identifier libraries belongs to whoever asked for it (the app or the SDK
on the stack below the library), not to the library (a finding against "移动安全联盟 OAID SDK" would name the
wrong party)."""

from __future__ import annotations

from apprights.extractors.trace.attribution import Attributor
from apprights.testing.factories import make_knowledge

PKG = "com.example.news"
OAID = "com.android.id.impl.IdProviderImpl.getOAID"
MSA = [
    "com.bun.miitmdid.provider.xiaomi.IdentifierManager.getOAID(IdentifierManager.java:41)",
    "com.bun.miitmdid.core.MdidSdkHelper.InitSdk(MdidSdkHelper.java:88)",
]


def test_oaid_read_attributed_to_the_caller_of_the_identifier_library() -> None:
    attr = Attributor(make_knowledge(), PKG)
    umeng = attr.actor(
        [OAID, *MSA, "com.umeng.commonsdk.utils.UMUtils.getOaid(UMUtils.java:12)", "android.os.Handler.run"]
    )
    assert (umeng.kind, umeng.id) == ("sdk", "umeng-common")
    assert umeng.frame.startswith("com.umeng.commonsdk.utils.UMUtils.getOaid")
    app = attr.actor([OAID, *MSA, "com.example.news.App.onCreate(App.java:30)"])
    assert (app.kind, app.id) == ("app", PKG)
    # the library on its own thread: nobody else asked, the library is the reader
    alone = attr.actor([OAID, *MSA, "java.lang.Thread.run(Thread.java:920)"])
    assert (alone.kind, alone.id) == ("sdk", "msa-oaid")
    # cached frames give the same answers
    assert attr.actor([OAID, *MSA, "com.example.news.App.onCreate(App.java:30)"]).id == PKG
    assert attr.actor([OAID, *MSA]).id == "msa-oaid"
