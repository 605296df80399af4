"""A conversation's answers as one typed value.

A question's slot holds JSON: the visitor's words as text, or a mapping a
parser made (``answers.normalise``), or ``{"raw": ..., "understood": False}``
when an answer was kept as typed. :class:`Answer` reads one such value, and
:class:`Answers` holds every answer of a conversation by question slot and
finds one by the parser that reads it. Scoring, routing, the lead store and
the booking brief read answers only through these, never the slot's keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, Iterator, Mapping, Tuple

from answers.normalise import Seniority
from bot.playbook import Parser, Playbook

#: The keys whose text is the visitor's own words, by parser, first found wins.
_WORDS_KEYS = ("raw", "title", "label", "address", "name")
_SENIORITY_NAMES = frozenset(level.value for level in Seniority)


@dataclass(frozen=True)
class Answer:
    """One question's answer, as its slot holds it (None: not answered)."""

    value: Any = None

    @property
    def given(self) -> bool:
        return self.value is not None

    @property
    def understood(self) -> Mapping[str, Any] | None:
        """What a parser understood, or None (not answered, plain text, or kept as typed)."""
        value = self.value
        return value if isinstance(value, dict) and value.get("understood") is not False else None

    @property
    def was_understood(self) -> bool:
        """False only for an answer kept as typed after two tries."""
        return not (isinstance(self.value, dict) and self.value.get("understood") is False)

    @property
    def text(self) -> str:
        """The visitor's own words, whatever the answer's shape ("" when there are none)."""
        if isinstance(self.value, str):
            return self.value
        if isinstance(self.value, dict):
            for key in _WORDS_KEYS:
                if isinstance(self.value.get(key), str):
                    return str(self.value[key])
        return ""

    def _field(self, key: str) -> Any:
        understood = self.understood
        return understood.get(key) if understood is not None else None

    def _text_field(self, key: str) -> str | None:
        found = self._field(key)
        return found if isinstance(found, str) and found else None

    @property
    def label(self) -> str | None:
        return self._text_field("label")

    @property
    def company_size(self) -> int | None:
        """The head count, the middle of a range, or None."""
        low, high = self._field("min"), self._field("max")
        if not isinstance(low, int):
            return None
        return low if not isinstance(high, int) else (low + high) // 2

    @property
    def timeline_months(self) -> float | None:
        """Months until the visitor means to buy (the later end), None if unknown or open."""
        for key in ("latest", "earliest"):
            months = self._field(key)
            if isinstance(months, (int, float)) and not isinstance(months, bool):
                return float(months)
        return None

    @property
    def timeline_window(self) -> Tuple[float | None, float | None]:
        """Months until the earliest and the latest the visitor means to buy; None where open."""

        def months(key: str) -> float | None:
            found = self._field(key)
            return float(found) if isinstance(found, (int, float)) and not isinstance(found, bool) else None

        return months("earliest"), months("latest")

    @property
    def seniority(self) -> Seniority | None:
        level = self._field("seniority")
        return Seniority(level) if level in _SENIORITY_NAMES else None

    @property
    def role_title(self) -> str | None:
        return self._text_field("title")

    @property
    def budget(self) -> str | None:
        return self._text_field("status")

    @property
    def email_address(self) -> str | None:
        return self._text_field("address")

    @property
    def email_normalised(self) -> str | None:
        return self._text_field("normalised")

    @property
    def email_kind(self) -> str | None:
        return self._text_field("kind")

    @property
    def country_code(self) -> str | None:
        return self._text_field("country_code")

    @property
    def country_name(self) -> str | None:
        return self._text_field("name")


NOT_ANSWERED = Answer()
_PARSER_NAMES = frozenset(parser.value for parser in Parser)


@dataclass(frozen=True)
class Answers:
    """Every answer of one conversation, by question slot; ``parsers`` names the
    parser of each slot the playbook asks, to find an answer by what it is."""

    values: Mapping[str, Any] = field(default_factory=dict)
    parsers: Mapping[str, Parser] = field(default_factory=dict)

    @classmethod
    def of(cls, values: Mapping[str, Any], playbook: Playbook | None = None) -> Answers:
        """The answers in ``values`` (slot → slot value); with ``playbook``, findable by parser."""
        parsers = {q.slot: q.parser for q in playbook.questions} if playbook is not None else {}
        return cls({slot: value for slot, value in values.items() if value is not None}, parsers)

    @classmethod
    def stored(cls, rows: Iterable[Tuple[str, str | None, Any]]) -> Answers:
        """The answers the lead store keeps, as (question slot, parser name, value) rows."""
        values: Dict[str, Any] = {}
        parsers: Dict[str, Parser] = {}
        for slot, parser, value in rows:
            if value is None:
                continue
            values[slot] = value
            if parser in _PARSER_NAMES:
                parsers[slot] = Parser(parser)
        return cls(values, parsers)

    def __getitem__(self, slot: str) -> Answer:
        value = self.values.get(slot)
        return Answer(value) if value is not None else NOT_ANSWERED

    def __contains__(self, slot: object) -> bool:
        return slot in self.values

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def by_parser(self, parser: Parser) -> Answer:
        """The answer to the first question the playbook reads with ``parser``."""
        for slot, slot_parser in self.parsers.items():
            if slot_parser is parser:
                return self[slot]
        return NOT_ANSWERED

    def slots(self) -> Dict[str, Any]:
        """slot → slot value, as the tracker and the lead store keep them."""
        return dict(self.values)
