"""English SDK lists written as prose, resolved to catalogue ids (texts written for these tests)."""

import pytest

from apprights.extractors.policy import extract_policy_bytes

_HEAD = (
    "<!doctype html><html><body><h1>Privacy Policy</h1><h2>Information we collect</h2>"
    "<p>We collect your email address and your device identifiers to provide the service.</p>"
)


def _sdks(body: str, knowledge):
    facts = extract_policy_bytes((_HEAD + body + "</body></html>").encode(), source="en.html",
                                 sdk_catalogue=knowledge.sdks)  # fmt: skip
    assert facts.language == "en"
    return facts, {e.name: e for e in facts.sdk_list}


def test_we_use_x_provided_by_y_to(knowledge):
    facts, by_name = _sdks(
        "<h2>Services we rely on</h2><p>We use Firebase Analytics, provided by Google LLC, to understand how "
        "the app is used. The app also integrates the Adjust SDK (adjust GmbH) for install attribution. "
        "We use Stripe, provided by Stripe, Inc., to process payments.</p>",
        knowledge,
    )
    fa = by_name["Firebase Analytics"]
    assert (fa.company, fa.sdk_id, fa.source) == ("Google LLC", "firebase-analytics", "prose")
    assert fa.purpose.startswith("to understand how the app is used")
    assert "Firebase Analytics" in facts.sentences[fa.sentence].text
    assert by_name["Adjust SDK"].sdk_id == "adjust"
    assert by_name["Adjust SDK"].purpose == "for install attribution"
    assert by_name["Stripe"].company == "Stripe, Inc"
    assert "Google LLC" in facts.third_party_recipients


def test_semicolon_list_with_companies_in_brackets(knowledge):
    facts, by_name = _sdks(
        "<p>Third-party SDKs: Facebook SDK (Meta Platforms, Inc.) – login; Google Sign-In (Google LLC) – "
        "sign-in; Bugly SDK (Tencent Technology (Shenzhen) Company Limited) – crash reports.</p>",
        knowledge,
    )
    assert set(by_name) == {"Facebook SDK", "Google Sign-In", "Bugly SDK"}  # no record named "SDKs"
    assert (by_name["Facebook SDK"].sdk_id, by_name["Facebook SDK"].purpose) == ("facebook-sdk", "login")
    assert by_name["Google Sign-In"].sdk_id == "google-signin"
    bugly = by_name["Bugly SDK"]
    assert (bugly.sdk_id, bugly.company) == ("tencent-bugly", "Tencent Technology (Shenzhen) Company Limited")
    assert facts.find_sdk(["Bugly"], sdk_id="tencent-bugly") is bugly


@pytest.mark.parametrize(
    "text",
    [
        "We use Cookies (small text files) to remember your preferences.",
        "We use reasonable measures, provided by law, to protect your data.",
        "Contact: Privacy Team (privacy@example.com) – answers within 15 days.",
    ],
)
def test_prose_that_names_no_sdk(text, knowledge):
    _, by_name = _sdks(f"<p>{text}</p>", knowledge)
    assert by_name == {}


def test_chinese_policies_are_not_read_as_english_prose(knowledge):
    body = "<p>我们使用了友盟统计SDK（友盟同欣（北京）科技有限公司）用于统计分析。We use Firebase Analytics, provided by Google LLC, to count.</p>"
    facts = extract_policy_bytes((body * 3).encode(), source="zh.html", sdk_catalogue=knowledge.sdks)
    assert facts.language == "zh"
    assert all(e.source != "prose" for e in facts.sdk_list)
