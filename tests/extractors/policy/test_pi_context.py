"""``pi_context.collected_hits`` on the lexicon's hits: which mentions are not PI collected from the user."""

from apprights.extractors.policy.lexicon import default_lexicon
from apprights.extractors.policy.pi_context import collected_hits


def kept(text: str) -> list[str]:
    lex = default_lexicon().zh
    hits = [h for h in lex.pi_hits(text) if h.pi_type is not None]
    return [str(h.pi_type) for h in collected_hits(lex, text, hits)]


def test_safety_advice_drops_password_but_keeps_other_types():
    assert kept("用户应妥善保管帐号与密码，不要泄露手机号码。") == ["phone_number"]
    assert kept("注册时我们会收集您的手机号码和密码。") == ["phone_number", "password"]


def test_email_as_channel_and_as_address():
    assert kept("我们会通过电子邮件通知您。") == []
    assert kept("我们会收集您的电子邮箱地址，用于账号登录。") == ["email"]


def test_operator_contact_literal_without_collection():
    assert kept("联系电话：400-678-9688，电子邮箱：privacy@example.cn") == []
    assert kept("我们会收集您的手机号码；如有疑问请联系 privacy@example.cn。") == ["phone_number"]
