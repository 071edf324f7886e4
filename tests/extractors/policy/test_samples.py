"""Real policies from ../shared/data: analysed without error, with concrete expectations where checkable."""

import pytest

from apprights.extractors.policy import extract_policy
from tests.conftest import shared_path

SEE = [
    "哔哩哔哩__隐私政策__2021年10月8日.md",
    "小米__小米隐私政策.md",
    "未分类__vivo__vivo浏览器隐私政策.md",
    "未分类__学习强国__第三方SDK列表.md",
    "腾讯__QQ__【Android】QQ隐私保护指引.md",
    "腾讯__腾讯隐私保护平台__腾讯SDK隐私政策__移动推送TPNS隐私保护指引.md",
    "酷安__酷安隐私保护政策.md",
]


@pytest.mark.parametrize("name", SEE)
def test_see_agreement_policies(name, knowledge):
    f = extract_policy(shared_path("policies", "see_agreement_sample", name), sdk_catalogue=knowledge.sdks)
    assert f.language == "zh" and f.format == "markdown"
    assert len(f.sentences) > 50
    assert f.has_collection_rules
    assert {"device_id", "device_info"} & f.declared_types()
    for d in f.declared_pi:
        assert 0 <= d.sentence < len(f.sentences)


def test_full_policies_have_rights_and_contact(knowledge):
    for name in SEE:
        if "SDK列表" in name:
            continue
        f = extract_policy(shared_path("policies", "see_agreement_sample", name))
        assert f.complaint_channel is not None, name
        assert f.targeted_push_disclosed is not None, name


def test_xuexi_sdk_list_rows(knowledge):
    f = extract_policy(shared_path("policies", "see_agreement_sample", "未分类__学习强国__第三方SDK列表.md"))
    names = [e.name for e in f.sdk_list]
    assert len(names) == 13
    assert names[:4] == ["OPPO推送SDK", "VIVO推送SDK", "华为推送SDK", "小米推送SDK"]
    oppo = f.sdk_list[0]
    assert oppo.company == "OPPO 广东移动通信有限公司"
    assert oppo.purpose == "用于在OPPO设备上推送消息"
    assert oppo.link == "https://open.oppomobile.com/wiki/doc#id=10288"
    assert oppo.website == "https://open.oppomobile.com/"
    assert {"device_id", "imsi", "android_id"} <= set(oppo.pi)
    amap = next(e for e in f.sdk_list if e.name == "高德地图")
    assert amap.company == "高德软件有限公司" and "location" in amap.pi
    alipay = next(e for e in f.sdk_list if e.name == "支付宝SDK")
    assert "biometric" in alipay.pi
    assert f.sdk_list[-1].name == "阿里云播放器SDK" and f.sdk_list[-1].company == "阿里云计算有限公司"


def test_tpns_sdk_table_rows():
    f = extract_policy(
        shared_path(
            "policies",
            "see_agreement_sample",
            "腾讯__腾讯隐私保护平台__腾讯SDK隐私政策__移动推送TPNS隐私保护指引.md",
        )
    )
    table = {e.name: e for e in f.sdk_list if e.source == "table"}
    assert table["VIVO PUSH SDK"].company == "维沃移动通信有限公司"
    assert table["Google FCM SDK"].company == "Google LLC"
    assert (f.response_days, f.response_unit) == (15, "working_day")


@pytest.mark.parametrize("doc", ["0496", "0497", "0498", "0499", "0500"])
def test_ca4p_policies(doc):
    f = extract_policy(shared_path("policies", "ca4p483_sample", "raw_data", f"{doc}.html"))
    assert f.format == "html" and f.language == "zh" and f.declared_pi


@pytest.mark.parametrize(
    "name", ["sanitized_policies__105_amazon.com.html", "sanitized_policies__135_instagram.com.html"]
)
def test_opp115_policies(name):
    f = extract_policy(shared_path("policies", "opp115_sample", name))
    assert f.language == "en"
    assert {"location", "name"} <= f.declared_types()
    assert f.targeted_push_disclosed is not None


def test_amazon_dates_and_rights():
    f = extract_policy(shared_path("policies", "opp115_sample", "sanitized_policies__105_amazon.com.html"))
    assert f.updated_date == "2014-03-03"
    assert "correction" in f.rights
