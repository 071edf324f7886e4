from apprights.extractors.policy import extract_policy_bytes
from apprights.extractors.policy.declare import chinese_number


def facts(text: str, knowledge=None):
    return extract_policy_bytes(
        text.encode(), source="t.md", sdk_catalogue=knowledge.sdks if knowledge is not None else None
    )


def test_declared_and_negated_pi_with_sentences():
    f = facts(
        "一、收集的信息\n为了保障账号安全，我们会收集您的IMEI和MAC地址。\n"
        "我们不会收集您的通讯录、短信，但会获取您的位置信息。\n"
        "如您拒绝授权，我们将不会收集您的相机信息。\n"
    )
    assert {"device_id", "mac", "location", "camera"} <= f.declared_types()
    assert {d.pi_type for d in f.negated_pi} == {"contacts", "sms"}
    imei = f.declaration("device_id")
    assert imei is not None and f.sentences[imei.sentence].text.startswith("为了保障账号安全")
    assert imei.purposes == ["为了保障账号安全"]


def test_definitions_and_stop_terms_are_not_declarations():
    f = facts(
        "三、名词解释\n个人敏感信息是指身份证件号码、个人生物识别信息、通信记录。\n"
        "四、收集\n注册时我们会向您发送短信验证码，并收集您的手机号。\n"
    )
    assert f.declared_types() == {"phone_number"}


def test_generic_identifier_covers_specific_ones():
    f = facts("我们会收集您的设备标识符用于安全风控。\n")
    assert "device_id" in f.declared_types() and "android_id" in f.covered_pi and "oaid" in f.covered_pi


def test_sdk_list_inline_paragraph(knowledge):
    f = facts(
        "第三方SDK目录\n"
        "SDK名称：友盟统计SDK；公司名称：友盟同欣（北京）科技有限公司；使用目的：统计分析；"
        "收集个人信息类型：设备标识符（IMEI、OAID）、位置信息；隐私政策链接：https://www.umeng.com/page/policy\n",
        knowledge,
    )
    [e] = f.sdk_list
    assert (e.name, e.company, e.purpose) == ("友盟统计SDK", "友盟同欣（北京）科技有限公司", "统计分析")
    assert e.pi == ["device_id", "oaid", "location"] and e.link == "https://www.umeng.com/page/policy"
    assert e.sdk_id == "umeng-analytics"
    assert f.sdk_section is not None


def test_sdk_list_bold_name_then_fields_and_vertical_table():
    f = facts(
        "**极光推送SDK**\n\n运营方：深圳市和讯华谷信息技术有限公司\n\n功能：消息推送\n\n收集个人信息类型：设备信息、IP地址\n\n"
        "| 第三方名称 | 个推 |\n|---|---|\n| 所属公司 | 每日互动股份有限公司 |\n| 使用目的 | 推送 |\n| 收集信息 | OAID |\n"
    )
    assert [(e.name, e.company) for e in f.sdk_list] == [
        ("极光推送SDK", "深圳市和讯华谷信息技术有限公司"),
        ("个推", "每日互动股份有限公司"),
    ]
    assert f.sdk_list[1].pi == ["oaid"]


def test_permissions_targeted_push_self_start_rights():
    f = facts(
        "五、权限\n我们会申请相机权限，用于扫码。\n4.4 位置权限\n在您使用附近功能时，我们会获取位置。\n"
        "我们会根据您的兴趣进行个性化推荐。\n您可以在设置中关闭个性化推荐。\n"
        "为保证推送及时送达，应用会在后台自启动。\n"
        "您可以访问、更正、删除您的个人信息，也可以注销账号或撤回同意。\n"
        "我们将在十五个工作日内答复您的请求。\n客服电话：400-123-4567，投诉邮箱 kf@example.cn。\n"
        "本政策由北京示例科技有限公司（以下简称“我们”）制定。生效日期：2023年【6】月【1】日\n"
    )
    assert "android.permission.CAMERA" in f.permissions_explained
    assert "android.permission.ACCESS_FINE_LOCATION" in f.permissions_explained
    assert f.targeted_push_disclosed is not None and f.targeted_push_opt_out is not None
    assert f.self_start_disclosed is not None
    assert set(f.rights) == {"access", "correction", "deletion", "cancellation", "withdrawal"}
    assert (f.response_days, f.response_unit) == (15, "working_day")
    assert "kf@example.cn" in f.excerpt(f.complaint_channel)
    assert f.operator == "北京示例科技有限公司" and f.effective_date == "2023-06-01"


def test_english_policy_fields():
    f = facts(
        "# Privacy Policy\n\nLast updated: March 3, 2014.\n\n## Information we collect\n\n"
        "We collect your location and device identifiers to provide maps. We do not collect your contacts.\n\n"
        "We use personalized advertising. You can opt out of personalized ads in Settings.\n\n"
        "You may access, correct or delete your information, and you can delete your account. "
        "We will respond within 30 days. Contact us at privacy@example.com.\n"
    )
    assert f.language == "en"
    assert {"location", "device_id"} <= f.declared_types()
    assert {d.pi_type for d in f.negated_pi} == {"contacts"}
    assert f.targeted_push_disclosed is not None and f.targeted_push_opt_out is not None
    assert {"access", "correction", "deletion", "cancellation"} <= set(f.rights)
    assert (f.response_days, f.response_unit) == (30, "day") and f.response_working_days() > 15
    assert f.complaint_channel is not None and f.updated_date == "2014-03-03"


def test_chinese_numbers():
    assert [chinese_number(s) for s in ("15", "十五", "三十", "二十一", "两", "十", "x")] == [
        15,
        15,
        30,
        21,
        2,
        10,
        None,
    ]


def test_catalogue_resolution_and_find_sdk(knowledge):
    f = facts(
        "第三方SDK列表\n"
        "| SDK名称 | 公司名称 | 使用目的 | 收集个人信息类型 |\n|---|---|---|---|\n"
        "| Umeng（友盟） SDK | 友盟同欣（北京）科技有限公司 | 统计分析 | 设备标识符 |\n"
        "| ②穿山甲SDK | 北京巨量引擎网络技术有限公司 | 广告投放 | OAID、位置信息 |\n",
        knowledge,
    )
    assert [e.name for e in f.sdk_list] == ["Umeng（友盟） SDK", "穿山甲SDK"]
    assert f.sdk_list[1].sdk_id == "pangle"
    assert f.find_sdk(["友盟统计", "Umeng Analytics (U-App)"]) is f.sdk_list[0]  # brand covers the module
    assert f.find_sdk(["腾讯Bugly", "Tencent Bugly"]) is None
    assert f.find_sdk([], sdk_id="pangle") is f.sdk_list[1]


def test_sdk_list_name_as_key_and_name_before_fields():
    f = facts(
        "三、第三方SDK\n"
        "1. 微信SDK：用于微信登录和分享，会收集您的设备标识符。\n"
        "2. 友盟统计SDK，使用目的：统计分析，收集信息：IMEI、OAID，隐私政策：https://www.umeng.com/policy\n"
        "本SDK：指软件开发工具包。\n"
    )
    assert [(e.name, e.pi) for e in f.sdk_list] == [
        ("微信SDK", ["device_id"]),
        ("友盟统计SDK", ["device_id", "oaid"]),
    ]
    assert f.sdk_list[1].purpose == "统计分析" and f.sdk_list[1].link == "https://www.umeng.com/policy"


def test_english_permission_explained():
    f = facts(
        "# Privacy\n\nWe request access to your camera to let you scan QR codes. We collect your location.\n"
    )
    assert f.language == "en" and set(f.permissions_explained) == {"android.permission.CAMERA"}
