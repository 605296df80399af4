"""The Rasa server's logs hold no visitor text.

Rasa logs the visitor's message on some error paths (``rest.message.received.failure``
with ``text=``), prints JSON tracebacks with every frame's local variables (the
message, the tracker, the metadata) and warns with a ``/command`` a visitor typed
("Failed to parse arguments in line '/…'"). :func:`install`
reconfigures Rasa's structlog so that

- the values of the keys Rasa itself marks as anonymisable (``text``,
  ``user_message``, ``slot_values``…) are replaced by their length;
- tracebacks keep their frames (file, line, function) but no local variables;

and silences Rasa's warnings that quote a visitor's ``/command``.
"""

from __future__ import annotations

import warnings
from typing import Any, MutableMapping

import structlog
from structlog.dev import ConsoleRenderer, plain_traceback
from structlog.processors import ExceptionRenderer
from structlog.tracebacks import ExceptionDictTransformer

#: The event keys Rasa's own anonymiser treats as the visitor's data (rasa.utils.log_utils).
VISITOR_KEYS = frozenset(
    {
        "text", "response_text", "user_text", "slot_values", "parse_data_text", "parse_data_entities",
        "prediction_events", "tracker_latest_message", "prefilled_slots", "message", "response",
        "slot_candidates", "rasa_event", "rasa_events", "tracker_states", "current_states", "old_states",
        "successes", "current_entity", "next_entity", "states", "entity", "token_text", "user_message",
        "json_message", "metadata",
    }
)  # fmt: skip
#: Rasa's warnings that quote what a visitor typed after a "/".
QUOTING_WARNINGS = (
    r"Failed to parse arguments in line '",
    r"Parsed an intent '",
    r"Parsed an entity '",
    r"Invalid entity specification",
)


def withhold_visitor_text(_logger: Any, _name: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """A structlog processor: the visitor's data becomes its length."""
    for key in VISITOR_KEYS.intersection(event_dict):
        value = event_dict[key]
        event_dict[key] = f"<withheld: {len(str(value))} characters>" if value is not None else None
    return event_dict


def _private(processor: Any) -> Any:
    if processor is structlog.processors.dict_tracebacks:
        return ExceptionRenderer(ExceptionDictTransformer(show_locals=False))
    if isinstance(processor, ConsoleRenderer):
        return type(processor)(exception_formatter=plain_traceback)
    return processor


def install() -> None:
    """Reconfigures structlog as Rasa left it (call after ``configure_structlog``)."""
    processors = [_private(p) for p in structlog.get_config()["processors"] if p is not withhold_visitor_text]
    structlog.configure(processors=[withhold_visitor_text, *processors])
    for pattern in QUOTING_WARNINGS:
        warnings.filterwarnings("ignore", message=pattern)
