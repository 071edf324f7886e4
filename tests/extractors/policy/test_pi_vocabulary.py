"""PI vocabulary after GB/T 35273-2020 appendix A (issue 12), on sentences of real policies.

Sources: see-agreement sample (哔哩哔哩, 小米, 酷安, 支付宝-style real-name clauses), CA4P-483 0496-0498, OPP-115
Amazon.com; the vehicle-plate sentence is paraphrased from ride-hailing policies (no such policy is in the data).
"""

import pytest

from apprights.extractors.policy import extract_policy_bytes
from apprights.model.pi import PI_LABELS, PIType
from apprights.model.policy import PolicyFacts


def facts(text: str) -> PolicyFacts:
    return extract_policy_bytes(text.encode(), source="t.md")


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "您还可以根据自身需求选择填写签名、性别、生日、教育经历 、职业、公司、所在地、故乡、邮箱以及个人说明信息。",
            {"gender", "birthday", "education", "occupation", "email"},
        ),
        (
            "在您主动提供或授权我们从第三方获取您的个人健康信息（例如性别、身高、体重信息等）后，"
            "我们可以向您提供健康数据分析功能。",
            {"health", "gender"},
        ),
        (
            "使用本平台服务或参与平台活动时可能要求提供的身份信息，包括但不限于您的姓名、性别、住址、电子邮箱、"
            "电话号码、身份证号、工作信息、学历、婚姻状况、紧急联系人、设备信息、生物特征、运营商账号、密码、"
            "手机账单及通讯录等信息；",
            {
                "name",
                "gender",
                "address",
                "email",
                "phone_number",
                "id_number",
                "occupation",
                "education",
                "marital_status",
                "device_info",
                "biometric",
                "password",
                "contacts",
            },
        ),
        (
            "当您注册、登录产品并使用相关服务时，您可以通过手机号创建账号，并且您可以完善相关的网络身份识别信息"
            "（头像、昵称、密码），收集这些信息是为了帮助您完成注册。",
            {"phone_number", "avatar", "nickname", "password"},
        ),
        (
            "当您使用代驾服务时，我们会收集您的车牌号、车辆品牌与颜色，用于司机核对车辆。",
            {"vehicle_plate"},
        ),
        (
            "若您参与市场促销活动，您可能会向我们提供您的昵称、电子邮件地址、照片、视频或其他所需的信息。",
            {"nickname", "email", "photos"},
        ),
    ],
)
def test_appendix_a_types_are_read(sentence, expected):
    assert facts(sentence).declared_types() == expected


def test_nickname_is_not_the_real_name():
    f = facts("在此过程中，您需要向我们提供以下信息：账号昵称、手机号码或电子邮箱，用于注册账号。")
    assert f.declared_types() == {"nickname", "phone_number", "email"}


def test_personal_identity_information_is_not_an_id_card_number():
    f = facts("我们不会将我们存储在分析软件中的信息与您提供的个人身份信息相结合。")
    assert "id_number" not in f.declared_types() | {d.pi_type for d in f.negated_pi}
    g = facts(
        "如果您的交易为跨境商品购买交易的，依据相关法律法规，我们还需要收集您的个人身份信息，"
        "包括身份证号码和身份证正反面照片（个人敏感信息）。"
    )
    d = g.declaration("id_number")
    assert d is not None and d.term == "身份证号码"
    # a passport is an identity document, not the resident ID-card number
    h = facts(
        "您可以选择人工认证方式完成实名认证程序，我们将获取您的身份证件类型（包括身份证、军官证、护照）。"
    )
    assert {"id_number", "id_document"} <= h.declared_types()


@pytest.mark.parametrize(
    "sentence",
    [
        # account-safety advice: the password is not collected
        "因此，我们强烈建议您采取积极措施保护个人信息的安全，包括但不限于使用复杂密码、定期修改密码、"
        "不将自己的账号密码及相关个人信息透露给他人等。",
        "用户应妥善保管帐号与密码。",
        # email as a message, not the user's address
        "例如，我们向您发送的电子邮件可能含有链接至我们网站内容的地址链接，如果您点击该链接，我们则会跟踪此次点击。",
        "借助于电子邮件中的像素标签，我们能够获知电子邮件是否被打开。",
        # the operator's own contact details
        "如您对本政策有任何疑问，可发送邮件至邮箱 privacy@example.cn 或拨打电话 400-123-4567 与我们联系。",
        # prohibited-content clauses of user agreements
        "（4）煽动民族仇恨、民族歧视，破坏民族团结，或者侵害民族风俗、习惯的；",
        "（1）提交、发布虚假信息，或盗用他人头像或资料，冒充、利用他人名义的；",
        # user-interface steps and menu paths (QQ, 小米)
        "1. 进入QQ后，点击左上角头像；",
        "4. 更改头像、昵称、地区、生日、个性签名等信息。",
        "为了行使上述权利，您可以随时在设置（设置 > 密码与安全 > 隐私 > 广告服务）中将其开启或关闭。",
        # a children clause is not an age (vivo浏览器)
        "我们特别注意保护未成年人的隐私（未成年人年龄按您所在国法律以及各国家和地区的文化惯例确定）。",
        # email as a channel (小米)
        "我们可能基于推送服务（无论是通过服务中集成的信息推送，还是电子邮件或其他方式）而使用您个人信息。",
    ],
)
def test_mentions_that_are_not_collection(sentence):
    assert facts(sentence).declared_types() == set()


def test_a_share_code_in_the_clipboard_is_not_a_password():
    f = facts("当您使用图片搜索时，我们可能需要访问剪切板读取包含的口令、分享码。")  # vivo浏览器
    assert "password" not in f.declared_types() and "clipboard" in f.declared_types()


def test_english_appendix_a_terms():
    f = facts(
        "Examples of the information we collect and analyze include the Internet protocol (IP) address used to "
        "connect your computer to the Internet; login; e-mail address; password; purchase history.\n"
    )
    assert {"ip", "email", "password", "payment"} <= f.declared_types()


def test_every_type_has_both_labels():
    for t in PIType:
        zh, en = PI_LABELS[t]
        assert zh and en


@pytest.mark.parametrize(
    ("sentence", "declared"),
    [
        ("为了识别设备，我们会收集您的SIM卡信息。", {"imsi", "iccid"}),  # names both
        ("为了识别设备，我们会收集您的SIM卡序列号。", {"iccid"}),
        ("为了识别设备，我们会收集您的ICCID和IMSI。", {"iccid", "imsi"}),
        ("为了识别设备，我们会收集您的IMSI。", {"imsi"}),
        ("We collect your SIM card information to identify the device.", {"imsi", "iccid"}),
        ("We collect your SIM serial number to identify the device.", {"iccid"}),
    ],
)
def test_sim_terms_declare_iccid(sentence: str, declared: set[str]) -> None:
    """Issue 8: the ICCID is its own type; "SIM卡信息" declares the IMSI and the ICCID, "SIM卡序列号" the ICCID."""
    got = facts(sentence).declared_types() & {"imsi", "iccid"}
    assert got == declared
    assert PI_LABELS[PIType.ICCID] == ("SIM卡序列号(ICCID)", "SIM serial number (ICCID)")


def test_sim_information_negated_covers_both_types() -> None:
    f = facts("我们不会收集您的SIM卡信息。")
    assert {d.pi_type for d in f.negated_pi} >= {"imsi", "iccid"} and not f.declared_types() & {
        "imsi",
        "iccid",
    }
