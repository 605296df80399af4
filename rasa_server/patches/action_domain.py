"""Action calls carry the domain without its responses.

Rasa 3.6 puts the whole domain into every call to the action server, two to
four a turn. Since every response has a German, Spanish and French variant
the responses are 70 of the domain's 76 kB, and writing, sending and reading
them cost the turn benchmark a fifth of its throughput (docs/benchmarks.md).
The action server never reads them: an action names a response
(``utter_message(response=...)``) and Rasa renders it; what the actions and
rasa-sdk's form validation read is the slots, the forms and the session
settings, which still travel.

:func:`install` wraps ``RemoteAction._action_call_format`` so the call's
domain is the same dictionary minus ``responses``. Rasa's own
"selective domain" option can drop the whole domain only, which the forms'
validation cannot do without.
"""

from __future__ import annotations

from typing import Any, Callable, Dict

from rasa.core.actions.action import RemoteAction

from rasa_server.patches.guard import replace

#: Domain keys the action server is never sent.
LEFT_OUT = ("responses",)


def without_responses(domain: Dict[str, Any]) -> Dict[str, Any]:
    return {key: value for key, value in domain.items() if key not in LEFT_OUT}


def _lighter(original: Callable[..., Dict[str, Any]]) -> Callable[..., Dict[str, Any]]:
    def action_call_format(self: RemoteAction, tracker: Any, domain: Any) -> Dict[str, Any]:
        call = original(self, tracker, domain)
        if isinstance(call.get("domain"), dict):
            call["domain"] = without_responses(call["domain"])
        return call

    return action_call_format


def install() -> None:
    replace(
        RemoteAction,
        "_action_call_format",
        "rasa.core.actions.action.RemoteAction._action_call_format",
        _lighter,
    )
