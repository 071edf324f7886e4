"""Dates, operator identity and contact (issue 12), on lines of real policies: 抖音 (VioDroid-Finder), 片场/如书文化
(VioDroid-Finder app sample), 酷安, vivo浏览器, 哔哩哔哩, 小米, QQ (see-agreement sample)."""

from apprights.extractors.policy import extract_policy_bytes
from apprights.extractors.policy.identity import read_dates, read_operator
from apprights.model.policy import PolicyFacts, PolicySentence


def facts(text: str) -> PolicyFacts:
    return extract_policy_bytes(text.encode(), source="t.md")


def sentences(*lines: str, section: str = "") -> list[PolicySentence]:
    return [PolicySentence(i, section, t) for i, t in enumerate(lines)]


def test_update_and_effective_dates_on_one_line_go_to_their_own_fields():
    # the line that used to give the update date as the effective one (the cue after it was read first)
    d = read_dates(sentences("“抖音”隐私政策 更新日期：2023年2月16日 生效日期：2023年2月23日"))
    assert (d.updated, d.effective) == ("2023-02-16", "2023-02-23")
    f = facts(
        "# “抖音”隐私政策\n\n更新日期：2023年2月16日 生效日期：2023年2月23日\n\n我们会收集您的位置信息。\n"
    )
    assert (f.updated_date, f.effective_date) == ("2023-02-16", "2023-02-23")
    assert "2023年2月23日" in f.excerpt(f.effective_date_sentence)


def test_bracketed_dates_on_separate_lines():
    f = facts(
        "# QQ隐私保护指引\n\n> 更新日期：【2021】年【11】月【1】日\n>\n> 生效日期：【2021】年【11】月【1】日\n"
    )
    assert (f.updated_date, f.effective_date) == ("2021-11-01", "2021-11-01")


def test_previous_revision_date_is_not_this_versions():
    d = read_dates(
        sentences("片场·隐私政策", "【最新修订日期】2022年09月22日", "【上次修订日期】2022年01月14日")
    )
    assert (d.updated, d.effective) == ("2022-09-22", "")


def test_one_label_for_both_dates():
    d = read_dates(sentences("版本：3.0 修订与生效日期：2022年1月25日"))
    assert (d.updated, d.effective) == ("2022-01-25", "2022-01-25")


def test_date_with_cue_after_it_and_a_founding_date_that_is_neither():
    d = read_dates(sentences("本政策于2021年10月8日更新，自2021年10月15日起生效。"))
    assert (d.updated, d.effective) == ("2021-10-08", "2021-10-15")
    d = read_dates(sentences("上海宽娱数码科技有限公司，成立于2005年8月12日，联系电话为021-25099888。"))
    assert (d.updated, d.effective) == ("", "")


def test_labelled_company_name_and_contact():
    f = facts(
        "# 片场·隐私政策\n\n公司名称：上海如书文化传播有限公司\n\n"
        "个人信息保护专职部门负责人邮箱：support@fotoplace.cc\n\n我们会收集您的手机号码，用于注册。\n"
    )
    assert f.operator == "上海如书文化传播有限公司" and "公司名称" in f.excerpt(f.operator_sentence)
    assert f.contact_emails == ["support@fotoplace.cc"]
    assert "occupation" not in f.declared_types()  # "公司名称" labels the operator, not the user's employer


def test_operator_paragraph_with_registered_address_and_phone():
    who = read_operator(
        sentences(
            "3. 我们的主要运营主体的基本信息如下：上海宽娱数码科技有限公司，成立于2005年8月12日，"
            "联系电话为021-25099888，注册地址为上海市杨浦区政立路485号。"
        )
    )
    assert who.name == "上海宽娱数码科技有限公司"
    assert (who.address, who.address_label) == ("上海市杨浦区政立路485号", "注册地址")
    assert who.phones == ["021-25099888"]


def test_registered_address_label_and_hotline_in_brackets():
    who = read_operator(
        sentences(
            "1、如果您有任何疑问、意见或建议，请拨打我们的客服电话【400-678-9688】或登录vivo浏览器通过在线客服的方式与我们联系。",
            "公司名称：维沃移动通信有限公司",
            "注册地址：东莞市长安镇乌沙步步高大道255号E栋四楼",
        )
    )
    assert who.name == "维沃移动通信有限公司"
    assert who.address == "东莞市长安镇乌沙步步高大道255号E栋四楼"
    assert who.phones == ["400-678-9688"]


def test_foreign_format_number_after_a_label_and_email_in_markdown_link():
    who = read_operator(
        sentences(
            "联系电话：080 6885 6286；办公时间：周一至周六，上午 9: 00—下午 6: 00",
            "电子邮箱：grievance.officer@xiaomi.com",
            "当您对本政策有任何疑问，可以发送邮件至 help@coolapk.com 咨询，我们将及时解决您的问题。",
        )
    )
    assert who.phones == ["080 6885 6286"]
    assert who.emails == ["grievance.officer@xiaomi.com", "help@coolapk.com"]
    assert who.contact_sentence == 0


def test_address_outside_a_contact_part_is_not_the_operators():
    who = read_operator(sentences("我们会收集您的收货地址：用于配送商品。"))
    assert who.address == ""


def test_sdk_list_company_is_not_the_operator():
    f = facts(
        "# vivo浏览器隐私政策\n\n本隐私政策适用于广东天宸网络科技有限公司及其关联公司（以下简称“vivo浏览器”或“我们”）"
        "提供的vivo浏览器产品及服务。\n\n## 第三方SDK目录\n\nSDK名称：腾讯广告SDK\n\n主体名称：腾讯科技（深圳）有限公司\n\n"
        "公司名称：腾讯科技（深圳）有限公司\n\n收集个人信息类型：设备信息\n"
    )
    assert f.operator == "广东天宸网络科技有限公司"


def test_self_introduction_on_the_line_after_the_name_and_a_definition_prefix():
    who = read_operator(sentences("深圳市奇蜜果科技有限公司", "（以下简称本公司）与用户之间关于", "寻找他"))
    assert (who.name, who.name_sentence) == ("深圳市奇蜜果科技有限公司", 1)
    who = read_operator(
        sentences("“抖音”指北京微播视界科技有限公司及其关联方（以下简称“我们”）合法拥有并运营的产品。")
    )
    assert who.name == "北京微播视界科技有限公司"


def test_a_company_without_a_legal_form_in_prose_is_not_named():
    who = read_operator(sentences("小米生态系统公司是由小米投资和运营的独立实体，并且是各自领域内的专家。"))
    assert who.name == ""


def test_our_address_and_published_and_effective_together():
    who = read_operator(sentences("我们的地址为：广东省深圳市南山区深南大道海岸时代东座1914。"))
    assert who.address == "广东省深圳市南山区深南大道海岸时代东座1914"
    d = read_dates(sentences("3 本隐私权政策于2021年1月1日发布并同时生效。本隐私权政策长期有效。"))
    assert (d.updated, d.effective) == ("2021-01-01", "2021-01-01")
    assert (
        read_operator(
            sentences("移动推送TPNS（官方网站地址为https://cloud.tencent.com/product/tpns）")
        ).address
        == ""
    )
