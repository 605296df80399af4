"""A lookup table for Rasa's event types inside the Rasa server.

Rasa 3.6's ``Event.resolve_by_type`` walks every subclass of ``Event`` (and
checks each for abstractness) to turn a type name such as ``"user"`` into a
class. It does that for every event it reads: each event of a tracker loaded
from the tracker store and each event an action returns. Under load a profile
of the Rasa server put 9% of its CPU there.

:func:`install` swaps in a lookup in a table of the same classes, built from
the same walk, so the first class the walk finds for a name is the one
returned, as before. A name not in the table rebuilds it once (a class
imported later), and an unknown name still gives Rasa's answer: ``None`` for
the old ``"topic"``, the default when one is given, else ``ValueError``.
"""

from __future__ import annotations

from typing import Dict, Type

from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

from rasa_server.patches.guard import replace

_classes: Dict[str, Type[Event]] = {}


def _rebuild() -> None:
    table: Dict[str, Type[Event]] = {}
    for cls in all_subclasses(Event):
        table.setdefault(cls.type_name, cls)
    _classes.clear()
    _classes.update(table)


def resolve_by_type(type_name: str, default: Type[Event] | None = None) -> Type[Event] | None:
    """The event class for ``type_name``, as ``Event.resolve_by_type`` answers."""
    cls = _classes.get(type_name)
    if cls is None:
        _rebuild()
        cls = _classes.get(type_name)
    if cls is not None:
        return cls
    if type_name == "topic":
        return None  # Rasa's backwards compatibility for old TopicSet events
    if default is not None:
        return default
    raise ValueError(f"Unknown event name '{type_name}'.")


def install() -> None:
    expected = "rasa.shared.core.events.Event.resolve_by_type"
    replace(Event, "resolve_by_type", expected, lambda _rasas: resolve_by_type, static=True)
