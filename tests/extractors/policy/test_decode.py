"""Legacy encodings: GB2312/GBK/GB18030 and Windows-1252 policies are read, not rejected or garbled (issue 12)."""

import codecs
from pathlib import Path

import pytest
from typer.testing import CliRunner

from apprights.cli.policy_cmd import app
from apprights.errors import InputError
from apprights.extractors.policy import extract_policy, extract_policy_bytes
from apprights.extractors.policy.decode import declared_encoding
from apprights.extractors.policy.text import decode

# Sentences of real policies: 哔哩哔哩 (see-agreement sample, 2021-10-08) and Amazon.com (OPP-115, 2014)
BILIBILI = (
    "您注册并登录哔哩哔哩账号时，需要按照我们的指引完成一系列注册程序，在此过程中，您需要向我们提供以下信息："
    "账号昵称、手机号码或电子邮箱（个人敏感信息，用于接受验证码匹配个人身份）。\n"
    "您可以通过相关产品页面随时登陆您的个人中心，以访问您账号中的个人资料信息，包括：头像、昵称、UID、"
    "二维码名片、性别、出生年月、个人签名等；\n"
)
AMAZON = (
    "Examples of the information we collect and analyze include the Internet protocol (IP) address used to "
    "connect your computer to the Internet; login; e-mail address; password; computer and connection "
    "information such as browser type, version, and time zone setting \u2014 the \u201cAutomatic Information\u201d "
    "we receive. We won\u2019t sell it.\n"
)
SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "policies" / "see_agreement_sample"


@pytest.mark.parametrize("encoding", ["gbk", "gb2312", "gb18030"])
def test_gb_family_is_detected_without_a_declaration(encoding):
    text, enc = decode(BILIBILI.encode(encoding), "p.txt")
    assert text == BILIBILI and enc == "gb18030"


def test_gbk_policy_gives_the_same_facts_as_utf8():
    utf8 = extract_policy_bytes(BILIBILI.encode("utf-8"), source="u.txt")
    gbk = extract_policy_bytes(BILIBILI.encode("gbk"), source="g.txt")
    assert gbk.encoding == "gb18030"
    assert [s.text for s in gbk.sentences] == [s.text for s in utf8.sentences]
    assert gbk.declared_types() == utf8.declared_types() and "phone_number" in gbk.declared_types()


def test_cp1252_english_policy_keeps_its_punctuation():
    text, enc = decode(AMAZON.encode("cp1252"), "notice.txt")
    assert enc == "cp1252" and text == AMAZON
    facts = extract_policy_bytes(AMAZON.encode("cp1252"), source="notice.txt")
    assert facts.language == "en" and "ip" in facts.declared_types()


def test_declared_charset_is_honoured_and_a_wrong_one_is_not_trusted():
    page = f'<html><head><meta charset="big5"></head><body><p>{"我們會收集您的位置資訊。"}</p></body></html>'
    text, enc = decode(page.encode("big5"), "tw.html")
    assert enc == "big5" and "位置資訊" in text
    # GB2312 declared, GBK characters present (a common mislabel): read as the superset
    gb = f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body>{BILIBILI}'
    assert decode(gb.encode("gbk"), "gb.html") == (gb, "gb18030")
    # declared UTF-8 but the bytes are GBK: detection decides
    lie = f'<?xml version="1.0" encoding="utf-8"?><html><body>{BILIBILI}</body></html>'
    assert decode(lie.encode("gbk"), "lie.html")[0] == lie
    assert declared_encoding(b'<meta charset="no-such-codec">') is None


def test_bom_handling_is_kept():
    assert decode(codecs.BOM_UTF8 + BILIBILI.encode(), "b.txt") == (BILIBILI, "utf-8-sig")
    assert decode(BILIBILI.encode("utf-16"), "b16.txt") == (BILIBILI, "utf-16")


def test_undecodable_bytes_name_the_file(tmp_path):
    bad = tmp_path / "policy-bad.txt"
    bad.write_bytes(b"Privacy \x81\x20\x8d\x20\xff policy \x9d\x0a" * 20)
    with pytest.raises(InputError, match=r"policy-bad\.txt.*cannot decode"):
        extract_policy(bad)
    out = CliRunner().invoke(app, ["analyze", str(bad)])
    assert out.exit_code == 2 and "policy-bad.txt" in out.output and "Traceback" not in out.output


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared policy data not available")
def test_real_policies_round_trip_through_gb18030():
    for path in sorted(SHARED.glob("*.md")):
        original = path.read_text(encoding="utf-8")
        data = original.encode("gb18030")
        assert decode(data, path.name) == (original, "gb18030"), path.name


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_a_file_cut_inside_its_last_character_is_read(encoding):
    cut = BILIBILI.encode(encoding)[:-2]  # drops "\n" and the last byte of "；"
    text, _ = decode(cut, "cut.txt")
    assert text.startswith("您注册并登录哔哩哔哩账号时") and text.endswith("个人签名等")
