"""How a handler's JSON ``detail`` becomes a person-readable line in the user's language."""

from __future__ import annotations

from apprights.web.errors import _in_lang, _message


def test_messages_from_every_detail_shape() -> None:
    assert _message("无权访问 / forbidden") == "无权访问 / forbidden"
    assert _message(
        {"from": "confirmed", "to": "dismissed", "why": "须说明理由 / a reason is required"}
    ).startswith("须说明")
    validation = [{"loc": ["path", "app_id"], "msg": "Input should be a valid integer"}]
    assert _message(validation) == "app_id: Input should be a valid integer"
    assert _message(None) == ""
    assert _in_lang("须说明理由 / a reason is required", "en") == "a reason is required"
    assert _in_lang("须说明理由 / a reason is required", "zh") == "须说明理由 / a reason is required"
