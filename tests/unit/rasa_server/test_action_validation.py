"""The Rasa server's check of action server answers, with its validator built once."""

from __future__ import annotations

from datetime import datetime, timezone
from unittest import mock

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from rasa_server.patches import install_all
from rasa_server.patches.action_validation import passes_fast, validate_action_result

install_all()  # as the Rasa server does before it starts

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=timezone.utc)
VALID = {"events": [{"event": "slot", "name": "lead_tier", "value": "cql"}], "responses": [{"text": "Hi"}]}


def action() -> RemoteAction:
    return RemoteAction("action_test", None)  # type: ignore[arg-type]


def test_the_rasa_server_uses_the_cached_check() -> None:
    assert RemoteAction._validate_action_result is validate_action_result


@pytest.mark.parametrize("response", [VALID, {"events": [], "responses": []}, {}])
def test_valid_answers_pass_as_with_jsonschema_validate(response: dict) -> None:
    jsonschema.validate(response, RemoteAction.action_response_format_spec())  # Rasa's own check agrees
    assert action()._validate_action_result(response) is True


@pytest.mark.parametrize("response", [{"events": "not a list"}, {"events": [{"no_event_key": 1}]}, {"responses": [42]}])
def test_malformed_answers_fail_as_with_jsonschema_validate(response: dict) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(response, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
        action()._validate_action_result(response)


def test_the_schema_is_checked_once_not_on_every_call() -> None:
    schema_class = jsonschema.validators.validator_for(RemoteAction.action_response_format_spec())
    with mock.patch.object(schema_class, "check_schema") as check:
        for _ in range(5):
            action()._validate_action_result(VALID)
    check.assert_not_called()
    with mock.patch.object(schema_class, "check_schema") as check:
        jsonschema.validate(VALID, RemoteAction.action_response_format_spec())
    check.assert_called_once()  # what Rasa's own check does on every action call


def every_kind_of_event() -> list:
    """One well-formed event of each kind Rasa knows, as Rasa writes them."""
    from rasa.shared.core import events as e

    return [
        e.UserUttered("hi", {"name": "greet", "confidence": 0.9}, [{"entity": "x", "value": 1, "start": 0, "end": 1}]),
        e.ActionExecuted("action_listen"), e.SlotSet("lead_tier", "cql"), e.EntitiesAdded([{"entity": "x", "value": 1}]),
        e.DefinePrevUserUtteredFeaturization(True), e.ReminderCancelled("r"), e.ReminderScheduled("greet", NOW),
        e.ActionExecutionRejected("a"), e.LoopInterrupted(True), e.ActiveLoop("qualification_form"),
        e.AllSlotsReset(), e.ConversationResumed(), e.ConversationPaused(), e.FollowupAction("action_listen"),
        e.StoryExported(), e.Restarted(), e.ActionReverted(), e.UserUtteranceReverted(), e.BotUttered("Hello"),
        e.SessionStarted(), e.AgentUttered("Hello"),
    ]  # fmt: skip


def whole_schema_accepts(response: object) -> bool:
    try:
        jsonschema.validate(response, RemoteAction.action_response_format_spec())
    except jsonschema.ValidationError:
        return False
    return True


def test_the_fast_path_passes_every_kind_of_event_rasa_writes() -> None:
    response = {"events": [event.as_dict() for event in every_kind_of_event()], "responses": []}
    assert whole_schema_accepts(response)
    assert passes_fast(response)


@pytest.mark.parametrize(
    "event",
    [
        {"event": "slot", "name": "x"},  # SlotSet without its value
        {"event": "slot", "name": 3, "value": 1},
        {"event": "user", "parse_data": {"intent": {"name": 5}}},
        {"event": "entities", "entities": [{"entity": "x"}]},
        {"event": "action", "hide_rule_turn": "yes"},
        {"event": "no_such_kind"},
        {"event": 7},
        {"timestamp": 1.0},
        {"event": "bot", "timestamp": "noon"},
        {"event": "bot", "metadata": []},
        "not an object",
    ],
)
def test_the_fast_path_never_passes_what_the_whole_schema_rejects(event: object) -> None:
    response = {"events": [{"event": "bot", "text": "ok"}, event]}
    assert not whole_schema_accepts(response)
    assert not passes_fast(response)
    with pytest.raises(jsonschema.ValidationError, match="Failed to validate Action server response"):
        action()._validate_action_result(response)


@pytest.mark.parametrize("response", [{"events": None}, {"responses": "x"}, [], "text", {"events": [[]]}])
def test_odd_answers_get_the_whole_schemas_verdict(response: object) -> None:
    assert not passes_fast(response)
    with pytest.raises(jsonschema.ValidationError):
        action()._validate_action_result(response)  # type: ignore[arg-type]
