"""Purposes, rights, negation, definitions and SDK-name resolution on hand-written text (not the samples)."""

import json

import pytest

from apprights.extractors.policy import extract_policy_bytes
from apprights.extractors.policy.lexicon import LEXICON_FILE, default_lexicon
from apprights.extractors.policy.sdklist import resolve_sdk, resolve_sdk_ids


def facts(text: str, knowledge=None):
    return extract_policy_bytes(
        text.encode(), source="t.md", sdk_catalogue=knowledge.sdks if knowledge is not None else None
    )


def purposes_of(text: str) -> dict[str, list[str]]:
    return {d.pi_type: d.purposes for d in facts(text).declared_pi}


# ------------------------------------------------------------------------------------------------ purposes
@pytest.mark.parametrize(
    ("sentence", "pi", "fragment"),
    [
        ("我们将读取您的手机号码，以完成实名登记为目的。", "phone_number", "实名登记"),
        ("基于账户安全的需要，平台会采集您的设备序列号。", "serial", "账户安全"),
        ("在您发布动态时，我们将获取您的相册中的图片。", "photos", "发布动态"),
        ("我们会获取您所在的地理位置，来判断您所在的城市。", "location", "判断您所在的城市"),
        ("本应用会读取MAC地址作为设备的唯一标识，并进行风险统计。", "mac", "唯一标识"),
        ("我们将根据您的位置信息为您推荐周边的门店。", "location", "推荐周边的门店"),
        ("我们收集您的身份证号码，以便核验您的身份。", "id_number", "核验您的身份"),
        ("为与车机互联，我们会读取您的蓝牙MAC地址。", "mac", "与车机互联"),
        ("银行卡号是快捷支付服务所必需的信息，我们会收集您的银行卡号。", "bank_card", "快捷支付服务"),
        ("我们会结合您的位置信息向您展示附近的充电桩。", "location", "附近的充电桩"),
    ],
)
def test_chinese_purpose_patterns(sentence, pi, fragment):
    got = purposes_of(sentence)
    assert pi in got and any(fragment in p for p in got[pi]), got


@pytest.mark.parametrize(
    ("sentence", "pi", "fragment"),
    [
        ("We use your precise location to show nearby stores.", "location", "show nearby stores"),
        (
            "Your phone number is collected for the purpose of account recovery.",
            "phone_number",
            "account recovery",
        ),
        ("We may record your IP address for security purposes.", "ip", "security purposes"),
        ("When you sign in, we collect your email and phone number.", "phone_number", "sign in"),
    ],
)
def test_english_purpose_patterns(sentence, pi, fragment):
    got = purposes_of(sentence)
    assert pi in got and any(fragment in p for p in got[pi]), got


def test_no_purpose_invented_for_bare_collection():
    assert purposes_of("我们会收集您的通讯录。") == {"contacts": []}
    # "choose to provide" is not a purpose
    assert purposes_of("We collect the phone number you choose to provide.") == {"phone_number": []}


def test_function_headings_give_purposes_and_itemise():
    f = facts(
        "# 隐私政策\n## 一、我们如何收集和使用您的个人信息\n### 1.1 账号注册\n我们会收集您的手机号码。\n"
        "### 1.2 附近的商户\n我们会收集您的位置信息。\n### 1.3 门店评价\n我们会使用您的摄像头。\n"
        "## 二、其他\n本政策适用于本产品。\n"
    )
    got = {d.pi_type: d.purposes for d in f.declared_pi}
    assert got == {"phone_number": ["账号注册"], "location": ["附近的商户"], "camera": ["门店评价"]}
    assert f.itemised and len(f.purpose_sentences) == 3


def test_table_purpose_column_applies_to_row():
    f = facts(
        "## 个人信息收集清单\n| 业务场景 | 个人信息 | 用途 |\n|---|---|---|\n"
        "| 下单 | 收货地址 | 配送商品 |\n| 支付 | 银行卡号 | 完成付款 |\n"
    )
    got = {d.pi_type: d.purposes for d in f.declared_pi}
    assert got["address"] and got["bank_card"]


def test_sdk_record_purpose_applies_to_its_pi_line():
    f = facts(
        "## 第三方SDK清单\n**地图组件**\n\n公司：某某地图有限公司\n\n使用目的：显示门店位置\n\n收集个人信息：位置信息、WLAN信息\n"
    )
    loc = f.declaration("location")
    assert loc is not None and loc.purposes == ["显示门店位置"]


# ------------------------------------------------------------------------------------------------ rights
def test_rights_statements_with_means():
    f = facts(
        "# 隐私政策\n## 您的权利\n你可以在“我的”-“账户设置”页面查看和修改你的昵称、头像等资料。\n"
        "如需删除您的个人信息，请通过在线客服提交申请。\n"
        "您可以在【设置-账号与安全-注销账号】中申请注销账号。\n"
        "您可以在系统设置中关闭相应权限，以撤回您的授权。\n"
    )
    assert set(f.rights) == {"access", "correction", "deletion", "cancellation", "withdrawal"}
    assert set(f.rights_means) == set(f.rights)


@pytest.mark.parametrize(
    "sentence",
    [
        "超出保存期限后，我们会删除或匿名化处理您的个人信息。",
        "我们对可能接触您个人信息的员工严格设定信息访问权限。",
        "您的个人信息可能会被传输至境外并受到境外机构的访问。",
        "在您注销账号后，我们将保留您的交易记录三年，之后删除。",
        "我们有权在您删除账号之日起继续保存相关日志。",
        "We will delete your personal data when it is no longer needed.",
        "Our staff may access your data only when required.",
    ],
)
def test_mentions_are_not_rights(sentence):
    assert facts(sentence).rights == {}


def test_heading_alone_is_not_a_right_but_heading_with_body_is():
    assert facts("# 政策\n## 删除您的个人信息\n## 联系我们\n邮箱：a@b.cn\n").rights == {}
    f = facts("# 政策\n## 删除您的个人信息\n你可以在“设置-隐私”页面操作。\n")
    assert f.sentences[1].kind == "heading"
    assert f.rights.get("deletion") == 2 and f.rights_means.get("deletion") == 2


def test_english_rights():
    f = facts(
        "You can review and update your profile information in Account Settings. "
        "You may request deletion of your account by emailing privacy@example.org. "
        "You can withdraw your consent at any time."
    )
    assert {"correction", "cancellation", "withdrawal"} <= set(f.rights)
    assert "cancellation" in f.rights_means


# ------------------------------------------------------------------------------------------------ negation
def test_negation_and_conditions():
    f = facts(
        "一、收集\n本应用不会收集你的通话记录。\n"
        "若你不授权位置权限，我们将不会获取你的位置信息。\n"
        "我们不会读取你的短信，在你使用拍照功能时会调用相机。\n"
        "未经您同意，我们不会访问您的通讯录。\n"
    )
    negated = {d.pi_type for d in f.negated_pi}
    assert negated == {"call_log", "sms"}
    assert {"location", "camera", "contacts"} <= f.declared_types()


def test_english_negation():
    f = facts("We do not collect your contacts. If you decline, we will not access your location.")
    assert {d.pi_type for d in f.negated_pi} == {"contacts"}
    assert "location" in f.declared_types()


@pytest.mark.parametrize(
    "sentence",
    [
        "个人信息是指以电子或者其他方式记录的能够单独或者与其他信息结合识别自然人身份的各种信息，如手机号码、位置信息。",
        "敏感个人信息包括身份证件号码、银行账户、行踪轨迹、生物识别信息等。",
        "（3）个人敏感信息：包括通讯录、短信和精准定位信息。",
        "本政策所称个人信息包括姓名、手机号码、位置信息等。",
        "设备信息是指您的设备型号、IMEI等。",
        '"Personal data" means any information relating to an identified person, such as location or phone number.',
    ],
)
def test_definitions_are_not_declarations(sentence):
    f = facts("四、收集\n" + sentence + "\n")
    assert f.declared_pi == []


def test_declaration_that_looks_like_a_list_is_kept():
    f = facts("我们收集的个人信息包括您的手机号码和位置信息。\n")
    assert {"phone_number", "location"} <= f.declared_types()


# ------------------------------------------------------------------------------------------------ SDK names
def test_every_alias_resolves_to_a_catalogue_id(knowledge):
    raw = json.loads(LEXICON_FILE.read_text(encoding="utf-8"))["sdk_aliases"]
    lexicon = default_lexicon()
    missing = []
    for name, sdk_id in raw["names"].items():
        if sdk_id is None:
            assert resolve_sdk(name, "", knowledge.sdks, lexicon=lexicon) is None, name
            continue
        if knowledge.sdks.get(sdk_id) is None:
            missing.append((name, sdk_id))
        elif resolve_sdk(name, "", knowledge.sdks, lexicon=lexicon) != sdk_id:
            missing.append((name, sdk_id, resolve_sdk(name, "", knowledge.sdks, lexicon=lexicon)))
    for brand, (_vendor, default, *_rest) in raw["vendors"].items():
        if default is not None and knowledge.sdks.get(default) is None:
            missing.append((brand, default))
    assert missing == []


@pytest.mark.parametrize(
    ("name", "company", "context", "expected"),
    [
        ("HMS Push SDK", "", "", "huawei-push"),
        ("小米MiPush", "", "", "xiaomi-push"),
        ("消息推送SDK", "每日互动股份有限公司", "推送通知", "getui-push"),
        ("高德开放平台定位SDK", "", "", "amap-location"),
        ("腾讯推送SDK", "", "", "tencent-tpns"),
    ],
)
def test_vendor_and_fuzzy_resolution(knowledge, name, company, context, expected):
    assert resolve_sdk(name, company, knowledge.sdks, context) == expected


def test_generic_names_do_not_resolve(knowledge):
    assert resolve_sdk_ids("推送SDK", "", knowledge.sdks) == []
    assert resolve_sdk_ids("Push", "", knowledge.sdks) == []


def test_brand_only_name_covers_the_vendor_family(knowledge):
    f = facts(
        "第三方SDK列表\n| SDK名称 | 使用目的 | 收集信息 |\n|---|---|---|\n| 友盟+ SDK | 统计分析 | 设备信息 |\n",
        knowledge,
    )
    [e] = f.sdk_list
    assert e.sdk_id is not None and {"umeng-push", "umeng-analytics"} <= set(e.sdk_ids)
    assert f.find_sdk([], sdk_id="umeng-push") is e
    # a product name covers only itself
    f = facts("第三方SDK列表\n| SDK名称 | 使用目的 |\n|---|---|\n| 友盟推送 | 推送 |\n", knowledge)
    assert f.sdk_list[0].sdk_ids == ["umeng-push"] and f.find_sdk([], sdk_id="umeng-share") is None


def test_collection_methods_and_lead_in_purpose():
    f = facts(
        "# 政策\n## 一、我们如何收集和使用您的个人信息\n"
        "为向您提供订餐服务，我们需要收集您的如下信息：\n收货地址；\n手机号码。\n"
        "我们会自动收集您的IP地址。\n在您使用扫一扫时，我们会申请相机权限。\n"
        "我们也会从合作的第三方获取您的位置信息。\n"
    )
    assert set(f.collection_methods) == {"automatic", "permission", "third_party"}
    g = facts("注册时，您需要填写您的手机号码。\n")
    assert set(g.collection_methods) == {"provided"}
    assert f.declaration("address").purposes == f.declaration("phone_number").purposes != []
    assert "订餐服务" in f.declaration("address").purposes[0]


def test_operator_with_brackets_and_day_month_year_dates():
    f = facts("星河出行科技（杭州）有限公司（以下简称“我们”）运营本应用。\n我们会收集您的位置信息。\n")
    assert f.operator == "星河出行科技（杭州）有限公司"
    g = facts("Effective date: 2 February 2025. Last updated: January 20, 2025.\nWe collect your location.\n")
    assert (g.effective_date, g.updated_date) == ("2025-02-02", "2025-01-20")


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("您可以通过客服联系我们，我们将为您删除相关个人信息。", {"deletion"}),  # user asks, operator acts
        ("您有权要求我们删除您的个人信息。", {"deletion"}),
        ("您可以选择关闭通知，我们会删除您的推送标识。", set()),  # the operator's own clean-up
        ("点击“账户安全”，即可修改登录密码。", {"correction"}),
        ("You have the right to request that we delete your personal information.", {"deletion"}),
        ("To close your account, go to Settings and tap Delete Account.", {"cancellation", "deletion"}),
        (
            "If you would like to correct your information, please contact us at help@x.example.",
            {"correction"},
        ),
        ("We may retain your data after you delete your account.", set()),
        ("We will delete your data if you close your account.", set()),
    ],
)
def test_who_acts_on_a_right(sentence, expected):
    assert set(facts(sentence).rights) == expected


def test_data_category_headings_are_not_purposes():
    f = facts(
        "# 政策\n## 一、我们如何收集和使用您的个人信息\n### 1. 设备信息\n我们会收集您的IMEI。\n"
        "### 2. 位置\n我们会收集您的位置信息。\n"
    )
    assert [d.purposes for d in f.declared_pi if f.sentences[d.sentence].kind == "text"] == [[], []]
    g = facts(
        "# Policy\n## Information we collect\n### Information You Give Us\nWe collect your phone number.\n"
    )
    assert g.declaration("phone_number").purposes == []


def test_english_contact_channel_wordings():
    assert facts("If you have concerns, email us at privacy@x.example.").complaint_channel == 0
    assert facts("We use your location to show the weather.").complaint_channel is None
