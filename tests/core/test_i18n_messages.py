"""Translatable messages: what core keeps of them, and how it survives storage and copies."""

from __future__ import annotations

import copy
import pickle
from decimal import Decimal

from pydantic import BaseModel

from core.errors import RuleViolation
from core.i18n import (
    STORE_MESSAGES,
    Message,
    MessageText,
    joined,
    message_from_parts,
    message_of,
    msg,
    parts_of,
    revive_messages,
)


def test_a_message_is_english_text_that_keeps_its_template() -> None:
    nested = msg("%(host)s is %(problem)s", host="10.0.0.1", problem=msg("a private address"))
    assert nested == "10.0.0.1 is a private address"
    assert nested.template == "%(host)s is %(problem)s"
    assert isinstance(nested.params["problem"], Message)


def test_parts_round_trip_with_nested_messages_and_odd_values() -> None:
    message = msg(
        "%(value)s below %(limit)s: %(why)s", value=Decimal("-1.50"), limit=0, why=msg("x")
    )
    parts = message.parts()
    assert parts == {
        "msg": "%(value)s below %(limit)s: %(why)s",
        "params": {"value": "-1.50", "limit": 0, "why": {"msg": "x", "params": {}}},
    }
    again = message_from_parts(parts)
    assert again == message and again.template == message.template
    assert isinstance(again.params["why"], Message)


def test_copies_and_pickles_keep_the_template() -> None:
    message = msg("row %(row)s: %(problem)s", row=4, problem=msg("the amount is too large"))
    for copied in (copy.deepcopy(message), pickle.loads(pickle.dumps(message))):
        assert isinstance(copied, Message) and copied.template == message.template
        assert copied.params["problem"].template == "the amount is too large"


def test_an_error_hands_its_message_on() -> None:
    error = RuleViolation(msg("delist instead"))
    assert isinstance(message_of(error), Message)
    assert parts_of(error) == {"msg": "delist instead", "params": {}}
    assert message_of(ValueError("plain")) == "plain" and parts_of("plain") is None


def test_joined_messages_stay_separate() -> None:
    lines = joined([msg("row %(row)s: bad", row=3), "plain"], "; ")
    assert lines == "row 3: bad; plain"
    assert lines.params["m0"].template == "row %(row)s: bad"
    percent = joined(["a", "b"], " 100% ")
    assert percent == "a 100% b"


class Refused(BaseModel):
    reason: MessageText
    note: MessageText | None = None


def test_message_fields_keep_the_message_and_store_their_parts() -> None:
    model = Refused(reason=msg("product %(id)s not found", id=7))
    assert isinstance(model.reason, Message)
    assert model.model_dump(mode="json") == {"reason": "product 7 not found", "note": None}
    stored = model.model_dump(mode="json", context=STORE_MESSAGES)
    assert stored["reason"] == {"msg": "product %(id)s not found", "params": {"id": 7}}
    loaded = Refused.model_validate(stored)
    assert isinstance(loaded.reason, Message) and loaded.reason == "product 7 not found"
    assert Refused(reason="plain").model_dump(mode="json", context=STORE_MESSAGES) == {
        "reason": "plain",
        "note": None,
    }


def test_stored_json_is_revived() -> None:
    stored = {"problems": [{"row": 4, "message": {"msg": "bad %(x)s", "params": {"x": 1}}}]}
    revived = revive_messages(stored)
    message = revived["problems"][0]["message"]
    assert isinstance(message, Message) and message == "bad 1"
    assert revived["problems"][0]["row"] == 4
