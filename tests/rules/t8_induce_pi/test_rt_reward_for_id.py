from __future__ import annotations

from apprights.rules.t8_induce_pi.rt_reward_for_id import RewardForIdOrFace
from tests.extractors.trace.support import run_file


def test_triggers_red_packet_id_and_points_face() -> None:
    found = {f.key: f for f in run_file(RewardForIdOrFace, "t8_violate.jsonl")}
    assert set(found) == {
        "id_number:com.example.app/.RedPacketActivity",
        "biometric:com.example.app/.FaceVerifyActivity",
    }
    face = found["biometric:com.example.app/.FaceVerifyActivity"]
    # the reward wording is on the screen before the face screen
    assert [e.data["screen"] for e in face.evidence][1].endswith("TaskCenterActivity")


def test_clean_real_name_without_reward() -> None:
    assert run_file(RewardForIdOrFace, "t8_clean.jsonl") == []


def test_clean_id_number_necessary_for_payment_category() -> None:
    found = run_file(RewardForIdOrFace, "t8_violate.jsonl", category="网络支付类")
    assert [f.key for f in found] == ["biometric:com.example.app/.FaceVerifyActivity"]
