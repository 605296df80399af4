"""The Rasa server's check of action server answers, with its validator built once."""

from __future__ import annotations

from unittest import mock

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

import bot.rasa_plugins  # noqa: F401 - installs the check, as the Rasa server's import does
from bot.rasa_plugins.action_validation import validate_action_result

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
