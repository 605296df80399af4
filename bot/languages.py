"""The languages the bot speaks, and which one a visitor gets.

The list is the ``language`` slot's values in domain.yml: a language is spoken when the
domain has its text for every response, ops/questions.yml its help texts and data/nlu its
training data (``make check`` names whatever is missing). English is the default and the
fallback of every response. The slot is filled by the Rasa server from the visitor's own text
(``rasa_server.nlu.language``) and, at the start, from the browser's languages (the widget's
metadata): both untrusted, so every reader goes through :func:`language_of`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, List, Mapping, Sequence, Tuple

import yaml
from babel import Locale, UnknownLocaleError

from bot.settings import PROJECT_ROOT

LANGUAGE_SLOT = "language"
DEFAULT_LANGUAGE = "en"
#: A BCP 47 tag as browsers send them ("de-CH", "es-419", "fr"); the first subtag is the language.
_TAG = re.compile(r"^([A-Za-z]{2,3})(?:-[A-Za-z0-9]{1,8})*$")
MAX_TAGS = 10


@lru_cache(maxsize=4)
def supported_languages(domain_path: Path = PROJECT_ROOT / "domain.yml") -> Tuple[str, ...]:
    """The ``language`` slot's values in domain.yml, the default first."""
    domain = yaml.safe_load(domain_path.read_text(encoding="utf-8")) or {}
    values = ((domain.get("slots") or {}).get(LANGUAGE_SLOT) or {}).get("values") or [DEFAULT_LANGUAGE]
    languages = [str(v) for v in values]
    return (DEFAULT_LANGUAGE, *[v for v in languages if v != DEFAULT_LANGUAGE])


def language_of(value: Any) -> str:
    """A slot's (or anyone's) language code if the bot speaks it, else the default."""
    return value if isinstance(value, str) and value in supported_languages() else DEFAULT_LANGUAGE


@lru_cache(maxsize=64)
def language_name(code: str, in_language: str = DEFAULT_LANGUAGE) -> str:
    """A language's name for people ("German"; "Deutsch" in German), from CLDR through Babel;
    the code itself for one CLDR has no name for."""
    try:
        name = Locale.parse(in_language).languages.get(code)
    except (UnknownLocaleError, ValueError):
        name = None
    return str(name or code)


def browser_languages(value: Any) -> List[str]:
    """The widget's ``navigator.languages``: well-formed tags only, at most :data:`MAX_TAGS`."""
    if not isinstance(value, list):
        return []
    return [tag for tag in value[:MAX_TAGS] if isinstance(tag, str) and len(tag) <= 35 and _TAG.match(tag)]


def preferred_language(tags: Iterable[str]) -> str | None:
    """The first of the browser's languages the bot speaks ("de-AT" → "de"), or None."""
    spoken = supported_languages()
    for tag in tags:
        match = _TAG.match(tag)
        if match and match.group(1).lower() in spoken:
            return match.group(1).lower()
    return None


#: Answers that say nothing of the visitor's language: "Lumière Conseil" from a Spanish visitor.
LANGUAGELESS_ANSWERS = frozenset({"full_name", "work_email", "company"})


def language_before_turn(events: Sequence[Mapping[str, Any]]) -> str | None:
    """The conversation's language before the latest message set it anew, or None when the
    latest message did not change it. Events are a tracker's, oldest first."""
    latest_user = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=None)
    if latest_user is None:
        return None

    def is_language(event: Mapping[str, Any]) -> bool:
        return event.get("event") == "slot" and event.get("name") == LANGUAGE_SLOT

    now = [e for e in events[latest_user:] if is_language(e)]
    if not now:
        return None
    before = [e for e in events[:latest_user] if is_language(e)]
    earlier = language_of(before[-1].get("value")) if before else DEFAULT_LANGUAGE
    return earlier if earlier != language_of(now[-1].get("value")) else None
