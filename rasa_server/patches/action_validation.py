"""A faster check of the action server's answers inside the Rasa server.

Rasa 3.6's ``RemoteAction._validate_action_result`` calls
``jsonschema.validate`` on every action call. That re-checks the response
*schema* against the JSON Schema meta-schema each time, before it checks the
response. Under load, a profile of the Rasa server (py-spy, 8 visitors
booking) put 45% of its CPU there.

:func:`install` swaps in the same check, in two steps:

- **the fast path**: the answer against the schema without the event
  schema's ``oneOf``, then each event against the one branch of that
  ``oneOf`` named by its ``"event"`` (every branch pins ``event`` to its own
  constant, so no other branch can match: the answer passes ``oneOf`` exactly
  when it passes that branch). Checking an event against all 23 branches was
  still 9% of the Rasa server's CPU after the first fix.
- **anything the fast path does not pass** goes through the whole schema,
  with a validator built once, and gets Rasa's ``ValidationError`` (the best
  match, with Rasa's hint appended). So the outcome is the whole schema's,
  always; the fast path only saves time on good answers.

:func:`install` makes the swap; :mod:`rasa_server` calls it (through
:func:`rasa_server.patches.install_all`) before the server starts.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, Mapping, Tuple

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

from rasa_server.patches.guard import replace


def _build(schema: Mapping[str, Any]) -> Any:
    cls = validator_for(schema)
    cls.check_schema(schema)  # once, not on every action call
    return cls(schema)


@lru_cache(maxsize=1)
def _validator() -> Any:
    return _build(RemoteAction.action_response_format_spec())


@lru_cache(maxsize=1)
def _fast_validators() -> Tuple[Any, Dict[str, Any]]:
    """The answer's schema with events unchecked by kind, and each kind's own branch."""
    schema = RemoteAction.action_response_format_spec()
    event = schema["properties"]["events"]["items"]
    without_kinds = {key: value for key, value in event.items() if key != "oneOf"}
    answer = {**schema, "properties": {**schema["properties"], "events": {"type": "array", "items": without_kinds}}}
    kinds = {branch["properties"]["event"]["const"]: _build(branch) for branch in event["oneOf"]}
    return _build(answer), kinds


def passes_fast(result: Any) -> bool:
    """True only for an answer the whole schema accepts; False means: ask the whole schema."""
    answer, kinds = _fast_validators()
    if not answer.is_valid(result):
        return False
    for event in result.get("events") or ():
        kind = kinds.get(event["event"])
        if kind is None or not kind.is_valid(event):
            return False
    return True


def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    """Rasa's check of an action server response, with validators built once."""
    if passes_fast(result):
        return True
    error = best_match(_validator().iter_errors(result))
    if error is None:
        return True
    assert isinstance(error, ValidationError)
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from the Action "
        f"endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    expected = "rasa.core.actions.action.RemoteAction._validate_action_result"
    replace(RemoteAction, "_validate_action_result", expected, lambda _rasas: validate_action_result)
