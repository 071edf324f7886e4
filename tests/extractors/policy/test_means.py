"""Rights sentences and the way to exercise them (issue 12), on sentences of real policies (vivo浏览器, 酷安,
哔哩哔哩, 抖音) and of the issue report ("清除…订单信息" is deletion)."""

import pytest

from apprights.extractors.policy import extract_policy_bytes
from apprights.model.policy import PolicyFacts


def facts(text: str) -> PolicyFacts:
    return extract_policy_bytes(text.encode(), source="t.md")


def test_clearing_order_information_is_deletion_with_its_path():
    f = facts("您可以在“我的-订单”页面中清除您的订单信息。")
    assert set(f.rights) == {"deletion"}
    assert f.rights_means_text == {"deletion": "我的 > 订单"}


def test_clearing_cookies_in_the_browser_is_not_the_deletion_right():
    f = facts(
        "Cookie的清除：如你使用抖音网页版，大多数浏览器均为用户提供了清除浏览器缓存数据的功能，"
        "你可以在浏览器设置中操作清除Cookie数据，但清除后可能无法使用由我们提供的、依赖于Cookie的功能或服务。"
    )
    assert "deletion" not in f.rights


@pytest.mark.parametrize(
    ("sentence", "rights", "means"),
    [
        (
            "您可以通过致电客服电话、联系在线客服或发送邮件的方式，向我们提出查询、更正、删除您个人信息的请求。",
            {"access", "correction", "deletion"},
            "您可以通过致电客服电话、联系在线客服或发送邮件的方式",
        ),
        (
            "您可以在【我的】-【设置】-【账号与安全】-【注销账号】中提交账号注销申请。",
            {"cancellation"},
            "我的 > 设置 > 账号与安全 > 注销账号",
        ),
        (
            "您可以通过【设置】-【隐私设置】-【系统权限】关闭相应权限，撤回您的同意。",
            {"withdrawal"},
            "设置 > 隐私设置 > 系统权限",
        ),
    ],
)
def test_rights_and_their_means(sentence, rights, means):
    f = facts(sentence)
    assert set(f.rights) == rights
    assert set(f.rights_means_text.values()) == {means}


def test_a_right_without_a_way_has_no_means():
    f = facts("您有权查询、更正、删除您的个人信息，也可以注销账号、撤回同意。")
    assert set(f.rights) == {"access", "correction", "deletion", "cancellation", "withdrawal"}
    assert f.rights_means == {} and f.rights_means_text == {}


def test_means_phrase_path_styles_and_channel_clause():
    import re

    from apprights.extractors.policy.means import means_phrase

    means_re = re.compile("客服|邮件|设置")
    assert means_phrase("在「设置」>「隐私」>「个性化推荐」中关闭", means_re) == "设置 > 隐私 > 个性化推荐"
    assert means_phrase("进入“我的—设置—账号注销”即可", means_re) == "我的 > 设置 > 账号注销"
    assert means_phrase("如需删除，请联系客服处理。", means_re) == "请联系客服处理"
    assert means_phrase("您有权删除您的个人信息。", means_re) == ""
