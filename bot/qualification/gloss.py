"""An English gloss of what an answer was understood as, for the AE and ops who read a lead
held in another language: "etwa 400 Mitarbeiter" → "400 employees", "Vertriebsleiter" →
"head", "dieses Quartal" → "this quarter (within 1 month)".

The gloss is written from the parsed value only (numbers, levels, codes, the parsers' own
English labels), never from the visitor's words, so it is always English and never carries
their text. Answers with nothing to gloss (a name, a company, an email, a use case in their
words) have none.
"""

from __future__ import annotations

import math
from typing import Any

from answers.normalise import Seniority
from bot.playbook import Parser
from bot.qualification.answers import Answer

#: Each seniority level as an AE says it.
SENIORITY_WORDS = {
    Seniority.C_LEVEL: "C-level",
    Seniority.VP: "VP",
    Seniority.HEAD: "head",
    Seniority.DIRECTOR: "director",
    Seniority.FOUNDER: "founder",
    Seniority.MANAGER: "manager",
    Seniority.INDIVIDUAL_CONTRIBUTOR: "individual contributor",
    Seniority.STUDENT: "student",
    Seniority.OTHER: "title of no known level",
}
BUDGET_WORDS = {"approved": "budget approved", "exploring": "budget being explored", "none": "no budget"}
#: Labels of parse_timeline that already say how long ("within 3 months", "in 6 weeks", "3-6 months").
_SAYS_HOW_LONG = ("within ", "in ")
_UNITS = ("months", "weeks", "years", "days", "month", "week", "year", "day")
NOT_UNDERSTOOD = "not understood"


def _months(count: float) -> str:
    whole = max(1, math.ceil(count - 0.05))  # 2.96 months is "3 months", 0.5 is "1 month"
    return f"{whole} month{'s' if whole != 1 else ''}"


def _timeline(answer: Answer, label: str) -> str:
    """The parser's English label, with how long it leaves when the label does not say."""
    earliest, latest = answer.timeline_window
    if label.startswith(_SAYS_HOW_LONG) or label.endswith(_UNITS):
        return label
    if latest is not None:
        return f"{label} (within {_months(latest)})"
    return f"{label} ({_months(earliest)} or more)" if earliest is not None else label


def gloss(parser: Parser | str | None, value: Any) -> str | None:
    """What ``value`` (a question's slot value, read by ``parser``) was understood as, in
    English; None when there is nothing to gloss."""
    try:
        kind = Parser(parser) if parser is not None else None
    except ValueError:
        return None
    answer = Answer(value)
    if kind is None or not answer.given or kind in (Parser.TEXT, Parser.NAME, Parser.COMPANY, Parser.EMAIL):
        return None
    if not answer.was_understood:
        return NOT_UNDERSTOOD
    if kind is Parser.COMPANY_SIZE:
        label = answer.label
        if answer.company_size is None or not label:
            return None
        return f"{label} {'employee' if label == '1' else 'employees'}"
    if kind is Parser.ROLE:
        return SENIORITY_WORDS[answer.seniority] if answer.seniority else None
    if kind is Parser.TIMELINE:
        return _timeline(answer, answer.label) if answer.label else None
    if kind is Parser.BUDGET:
        return BUDGET_WORDS.get(answer.budget or "")
    if kind is Parser.COUNTRY:
        return answer.country_name
    return None
