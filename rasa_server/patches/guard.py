"""One checked way to replace an attribute of Rasa's.

Each patch names the Rasa release it was written against and the function
it expects to find where it goes. :func:`replace` refuses (raises
:class:`PatchRefusedError`, which stops the server with the message) when Rasa
is another release, or the attribute is not the function Rasa 3.6.21
ships there: a patch must never land on code it was not written for.
Replacing twice is a no-op.
"""

from __future__ import annotations

from typing import Any, Callable

import rasa

#: The release every patch was written and tested against.
RASA_VERSION = "3.6.21"
_PATCHED = "__cqlbot_patch_of__"


class PatchRefusedError(RuntimeError):
    """A patch found another Rasa, or another function than the one it replaces."""


def check_rasa_version(found: str | None = None) -> None:
    found = found or rasa.__version__
    if found != RASA_VERSION:
        raise PatchRefusedError(
            f"Rasa {found} is installed, but the Rasa server's patches (rasa_server/patches) are written "
            f"for Rasa {RASA_VERSION}: install the locked version (make install) or review every patch first"
        )


def _function(value: Any) -> Any:
    return value.__func__ if isinstance(value, (staticmethod, classmethod)) else value


def _name(value: Any) -> str:
    function = _function(value)
    return f"{getattr(function, '__module__', '?')}.{getattr(function, '__qualname__', type(value).__name__)}"


def replace(owner: type, name: str, expected: str, make: Callable[[Any], Any], static: bool = False) -> None:
    """Sets the class attribute ``owner.name`` to ``make(original)`` if it is Rasa's ``expected``
    function (``module.qualname``); nothing if our patch is already there; refuses otherwise."""
    check_rasa_version()
    current = vars(owner).get(name)
    if current is None:
        raise PatchRefusedError(f"{_qualified(owner)}.{name} is missing: expected Rasa's {expected}")
    if getattr(_function(current), _PATCHED, None) == expected:
        return
    if _name(current) != expected:
        raise PatchRefusedError(
            f"{_qualified(owner)}.{name} is {_name(current)}, not Rasa's {expected}: "
            "the patch was written for another function and will not be installed"
        )
    replacement = make(_function(current))
    setattr(_function(replacement), _PATCHED, expected)
    setattr(owner, name, staticmethod(replacement) if static else replacement)


def _qualified(owner: type) -> str:
    return f"{owner.__module__}.{owner.__qualname__}"
