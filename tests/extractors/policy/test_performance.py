"""A 30,000-character Chinese policy is analysed in at most one second (lexicon already loaded)."""

import time

from apprights.extractors.policy import extract_policy_bytes
from apprights.extractors.policy.lexicon import default_lexicon

CLAUSES = [
    "为了向您提供导航服务，我们会收集您的位置信息、设备标识符（IMEI、Android ID、OAID）和MAC地址。",
    "我们不会收集您的通讯录、短信和通话记录，但在您使用扫一扫功能时，我们会申请相机权限，用于识别二维码。",
    "SDK名称：友盟统计SDK；公司名称：友盟同欣（北京）科技有限公司；使用目的：统计分析；收集个人信息类型：设备信息、IP地址。",
    "| 第三方名称 | 公司 | 目的 | 收集信息 |\n|---|---|---|---|\n| 高德地图 | 高德软件有限公司 | 定位 | 位置信息、WiFi信息 |",
    "我们会根据您的浏览记录进行个性化推荐，您可以在【我的-设置】中关闭个性化推荐。",
    "您可以访问、更正、删除您的个人信息，注销账号，我们将在十五个工作日内回复。客服邮箱：kf@example.cn。",
]


def _policy(chars: int) -> str:
    parts: list[str] = ["# 示例隐私政策\n"]
    n, i = 0, 0
    while n < chars:
        if i % 12 == 0:
            parts.append(f"\n## {i // 12 + 1}、第{i // 12 + 1}部分\n")
        c = CLAUSES[i % len(CLAUSES)]
        parts.append(f"{i % 9 + 1}. {c}\n")
        n += len(c)
        i += 1
    return "\n".join(parts)


def test_30k_chinese_policy_under_one_second():
    text = _policy(30_000)
    assert len(text) >= 30_000
    lexicon = default_lexicon()
    start = time.perf_counter()
    f = extract_policy_bytes(text.encode(), source="gen.md", lexicon=lexicon)
    elapsed = time.perf_counter() - start
    assert elapsed <= 1.0, f"{elapsed:.3f} s"
    assert {"location", "device_id", "camera"} <= f.declared_types()
    assert len(f.sdk_list) > 10


def test_30k_policy_with_a_long_sdk_table_and_catalogue_under_one_second(knowledge):
    """60 distinct SDK names (most unknown to the catalogue) resolved by alias, vendor and fuzzy match."""
    rows = [
        f"| 组件{i}号统计分析服务 | 某某{i}科技有限公司 | 统计分析 | 设备标识符、IP地址 |" for i in range(50)
    ]
    rows += [
        f"| {n} | | 推送 | 设备信息 |" for n in ("个推", "HMS Push", "小米推送", "友盟+", "QQ分享", "银联")
    ]
    rows += [f"| Acme Library {i} | Acme Inc. | crash reporting | device ID |" for i in range(4)]
    table = (
        "\n## 第三方SDK目录\n| SDK名称 | 公司名称 | 使用目的 | 收集个人信息 |\n|---|---|---|---|\n"
        + "\n".join(rows)
    )
    text = _policy(30_000 - len(table)) + table + "\n"
    assert len(text) >= 30_000
    lexicon = default_lexicon()
    start = time.perf_counter()
    f = extract_policy_bytes(text.encode(), source="gen.md", lexicon=lexicon, sdk_catalogue=knowledge.sdks)
    elapsed = time.perf_counter() - start
    assert elapsed <= 1.0, f"{elapsed:.3f} s"
    ids = {e.name: e.sdk_id for e in f.sdk_list}
    assert ids["HMS Push"] == "huawei-push" and ids["QQ分享"] == "qq-connect"
