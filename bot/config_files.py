"""Load a YAML config file into a pydantic model, with errors that point at
the file, line and key.

Every ``ops/*.yml`` file goes through :func:`load_model`, so a typo in any of
them fails at startup with a message like
``ops/questions.yml:14: questions.2.parser: unknown parser 'emial'``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Mapping, Tuple, Type

import yaml
from pydantic import BaseModel, ValidationError

from bot.errors import ConfigError

KeyPath = Tuple[Any, ...]
_VALUE_ERROR_PREFIX = "Value error, "


class _LineLoader(yaml.SafeLoader):
    """A SafeLoader that also records the line of every mapping key and item."""


def _walk(node: yaml.Node, path: KeyPath, lines: Dict[KeyPath, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[path + (key,)] = key_node.start_mark.line + 1
            _walk(value_node, path + (key,), lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, path + (index,), lines)


def read_yaml(path: Path) -> Tuple[Any, Dict[KeyPath, int]]:
    """Returns the parsed document and a map from key path to line number."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(str(path), "(file)", f"cannot be read: {exc.strerror}") from exc
    try:
        node = yaml.compose(text, Loader=_LineLoader)
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(
            str(path), "(syntax)", str(getattr(exc, "problem", exc)), line=mark.line + 1 if mark else None
        ) from exc
    lines: Dict[KeyPath, int] = {}
    if node is not None:
        _walk(node, (), lines)
    return data, lines


def line_of(lines: Dict[KeyPath, int], path: KeyPath) -> int | None:
    """The line of ``path``, or of its nearest ancestor that has one."""
    for cut in range(len(path), -1, -1):
        if path[:cut] in lines:
            return lines[path[:cut]]
    return None


def error_message(error: Mapping[str, Any]) -> str:
    """pydantic's message for one error, in the ops files' words: a check of ours
    says what it found ("unknown parser 'emial'"), without pydantic's "Value error, "."""
    message = str(error["msg"])
    if error["type"] == "value_error" and message.startswith(_VALUE_ERROR_PREFIX):
        return message[len(_VALUE_ERROR_PREFIX) :]
    if error["type"] == "extra_forbidden":
        return "extra fields not permitted"
    if error["type"] == "missing":
        return "field required"
    return message


def load_model[Model: BaseModel](path: Path, model: Type[Model]) -> Model:
    """Parses ``path`` into ``model``; the first problem found raises ConfigError."""
    data, lines = read_yaml(path)
    if not isinstance(data, dict):
        raise ConfigError(str(path), "(top level)", "must be a mapping of keys to values", line=1)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        # A misspelt key shows up twice: as an unknown key and as a missing one. Name the typo.
        first = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        loc = tuple(first["loc"])
        key = ".".join(str(part) for part in loc) or "(top level)"
        raise ConfigError(str(path), key, error_message(first), line=line_of(lines, loc)) from exc
