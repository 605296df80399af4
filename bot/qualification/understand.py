"""One entry point from a playbook parser to a slot value.

``understand`` turns raw answer text into the JSON-able value kept in the
question's slot (and in the lead store); ``kept_as_typed`` is what the bot
keeps when an answer could not be understood twice.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Callable, Dict

from answers import normalise as n
from answers.normalise import Seniority
from bot.playbook import Parser
from bot.qualification.answers import Answer

#: Parsers whose slot holds plain text; the others hold a mapping.
TEXT_PARSERS = frozenset({Parser.TEXT, Parser.NAME, Parser.COMPANY})
#: What is kept for a question asked twice and never answered.
SKIPPED = "(not answered)"


def _structured(value: Any) -> Dict[str, Any] | None:
    return None if value is None else value.to_slot()


_PARSERS: Dict[Parser, Callable[[str, date], Any]] = {
    Parser.TEXT: lambda text, _today: n.parse_free_text(text),
    Parser.NAME: lambda text, _today: n.parse_name(text),
    Parser.COMPANY: lambda text, _today: n.parse_company(text),
    Parser.EMAIL: lambda text, _today: _structured(n.parse_email(text)),
    Parser.ROLE: lambda text, _today: _structured(n.parse_role(text)),
    Parser.COMPANY_SIZE: lambda text, _today: _structured(n.parse_company_size(text)),
    Parser.TIMELINE: lambda text, today: _structured(n.parse_timeline(text, today)),
    Parser.BUDGET: lambda text, _today: None if (b := n.parse_budget(text)) is None else {"status": b.value},
    Parser.COUNTRY: lambda text, _today: _structured(n.parse_country(text)),
}


def understand(parser: Parser, text: str | None, today: date) -> Any:
    """The slot value for ``text``, or None when it does not answer the question."""
    if not isinstance(text, str) or not text.strip():
        return None
    return _PARSERS[parser](text, today)


def kept_as_typed(parser: Parser, text: str | None) -> Any:
    """The value kept for an answer that was not understood twice."""
    raw = n.clean(text, n.MAX_ANSWER_CHARS) or "(no answer)"
    if parser in TEXT_PARSERS:
        return raw
    return {"raw": raw, "understood": False}


def answers_clearly(parser: Parser, value: Any) -> bool:
    """Whether a parsed value shows the text really answers the question: a
    head count, a known title, a timeline... rather than any text at all,
    which every free-text question accepts."""
    if value is None or parser in TEXT_PARSERS:
        return False
    return not (parser is Parser.ROLE and Answer(value).seniority is Seniority.OTHER)
