"""Corrections of an earlier answer: "actually we're 50, not 500", "sorry, I meant Director",
"wrong email, it's jo@brightpath.io", "typo earlier…".

:func:`find_corrections` says which earlier answers a message corrects, and with what
text; the question's own parser then reads that text. A message is a correction only
when it says so (a marker such as "actually", "sorry", "I meant", "not … but", "typo")
and names something of the kind it corrects.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Collection, Dict

from answers.normalise import EMAIL_PATTERN, clean, parse_company_size, parse_country, parse_name, seniority_of
from answers.numbers import words_to_digits
from bot.qualification.extract import find_answers

_MARKER = re.compile(
    r"\b(actually|sorry|i meant|meant to (?:say|write|type)|typo|mistyped|misspoke|wrote .{1,20} wrong|correction|"
    r"correct(?:ing)? (?:that|myself)|scratch that|my bad|oops|whoops|wrong|instead|rather than|let me (?:fix|correct)|"
    r"to clarify|i mean|not \S+ but|update|wait|hold on|no no|make that)\b|\bnot\s+(?:\d|one|two|three|four|five|six|seven|eight|nine|ten|"
    r"twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|a hundred|hundred|thousand)",
    re.I,
)
#: How alike a new spelling must be to the old one (difflib's ratio): "Jenssen" to "Jensen" is 0.92.
SPELLING_LIKENESS = 0.7
_NUMBER = r"~?\d[\d,.]*\s*(?:k|thousand)?\+?"
#: "50, not 500" / "50 not 500" / "not 500 but 50" / "50 instead of 500": the new number first.
_UNIT = r"(?:people|employees|staff|folks|ppl|persons|heads|fte|of us)"
_NEW_THEN_OLD = re.compile(rf"({_NUMBER})\s*{_UNIT}?\s*,?\s*(?:not|instead of|rather than)\s+{_NUMBER}", re.I)
_OLD_THEN_NEW = re.compile(rf"\bnot\s+{_NUMBER}\s*{_UNIT}?\s*,?\s*(?:but|it'?s|we'?re)\s+({_NUMBER})", re.I)
_PEOPLE = re.compile(rf"({_NUMBER})\s*{_UNIT}\b", re.I)
#: "I meant 6 months", "make that 2 weeks": a span of time, read as "in 6 months".
_SPAN = re.compile(r"\b(\d{1,2})\s*(weeks?|months?)\b", re.I)
#: "sorry, I meant 800", "make that 1.2k", "oops, should be 80": a bare number, no unit of time or money.
_MEANT_NUMBER = re.compile(
    rf"\b(?:i meant|i mean|meant to (?:say|write|type)|make that|should (?:be|have been|read)|it'?s|we'?re|we are|"
    rf"it was|actually|oops|sorry|typo)[\s,:-]+(?:actually[\s,]+|about[\s,]+|around[\s,]+)?({_NUMBER})(?![\w%$€£])"
    r"(?!\s*(?:months?|weeks?|days?|years?|yrs?|q[1-4]|quarters?|dollars?|euros?|pounds?|usd|eur|gbp|\$|€|£|budget|per|/))",
    re.I,
)
_MEANT_ROLE = re.compile(
    r"\b(?:i meant|i mean|meant to say|i'?m|i am|it'?s|my (?:role|title) is)\s+(?:actually\s+)?(?:an?\s+|the\s+)?"
    r"(.{2,50}?)(?:,|\.|;| not | rather| instead|$)",
    re.I,
)
_NAME = re.compile(
    r"\b(?i:name is(?: spelled| spelt)?|name'?s|spelled|spelt|call me|it'?s)\s+([A-Za-z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)"
)
_BASED = re.compile(
    r"\b(?:we'?re in|we are in|based in|i'?m in|located in|from|it'?s)\s+([A-Za-z][\w .'-]{1,40}?)(?=[,.;!]|$| not | and )",
    re.I,
)


#: "actually it's Mara Jenssen", "sorry, Jenssen with two s": a name after a correction's words.
_RESPELLED = re.compile(
    r"\b(?:(?:it'?s|its|i'?m|i am|i meant|meant|actually|sorry|typo|oops|spelled|spelt)[\s,:-]+)+"
    r"([A-Za-z][\w'’-]+(?:\s+[A-Za-z][\w'’-]+){0,2})",
    re.I,
)


def _similar(a: str, b: str) -> bool:
    return SequenceMatcher(None, a.casefold(), b.casefold()).ratio() >= SPELLING_LIKENESS


def _respelled_name(text: str, earlier: str | None) -> str | None:
    """The visitor's name spelled anew ("actually its Mara Jenssen" for "Mara Jensen"; "sorry,
    Jenssen" mends the surname alone), when the message does not say "name": only a spelling
    close to the name given before counts, so "actually it's Acme" is no name."""
    old = parse_name(earlier)
    if not old:
        return None
    old_words = old.split()
    for m in _RESPELLED.finditer(text):
        new_words = m.group(1).split()[: len(old_words)]  # "Jenssen with two s": the name, not what follows
        pairs = list(zip(new_words, old_words, strict=False))
        if len(new_words) == len(old_words) and all(_similar(a, b) for a, b in pairs):
            if any(a.casefold() != b.casefold() for a, b in pairs):
                return " ".join(new_words)
            continue  # the same name again
        close = [i for i, o in enumerate(old_words) if _similar(new_words[0], o)]
        if len(close) == 1 and new_words[0].casefold() != old_words[close[0]].casefold():
            return " ".join(new_words[0] if i == close[0] else o for i, o in enumerate(old_words))
    return None


def _bare_head_count(digits: str, asked: str | None) -> re.Match[str] | None:
    """A bare number corrected ("sorry, I meant 800"): the head count, unless it is money, or
    the answer to the question on the table (a budget; a few months for the timeline)."""
    if asked in ("company_size", "budget") or re.search(r"[$€£]|\bbudget\b", digits):
        return None
    m = _MEANT_NUMBER.search(digits)
    size = parse_company_size(m.group(1)) if m else None
    if m is None or size is None or (asked == "timeline" and size.minimum < 25):
        return None
    return m


def is_correction(text: str) -> bool:
    """Whether the message says it corrects something."""
    return bool(_MARKER.search(clean(text, 500)))


def find_corrections(
    text: str, answered: Collection[str], asked: str | None = None, earlier_name: str | None = None
) -> Dict[str, str]:
    """``{parser: text}`` for each earlier answer (of a parser in ``answered``) this
    message corrects, each text for that parser to read; empty for any other message.
    A bare number ("sorry, I meant 800") corrects the head count unless the question on
    the table (of parser ``asked``) takes a number itself: then it is that answer.
    ``earlier_name``, the name given before, lets a new spelling of it correct it unnamed."""
    low = clean(text, 500)
    if not is_correction(low):
        return {}
    digits = words_to_digits(low, small=True)
    found: Dict[str, str] = {}
    if "email" in answered and (m := EMAIL_PATTERN.search(low)):
        found["email"] = m.group(0)
    size = (
        _NEW_THEN_OLD.search(digits)
        or _OLD_THEN_NEW.search(digits)
        or _PEOPLE.search(digits)
        or _bare_head_count(digits, asked)
    )
    if "company_size" in answered and size:
        found["company_size"] = size.group(1).strip(" ,.")
    without_email = EMAIL_PATTERN.sub(" ", low)
    if "role" in answered and (m := _MEANT_ROLE.search(without_email)):
        candidate = m.group(1).strip()
        if seniority_of(candidate) is not None and not re.search(r"\d", candidate):
            found["role"] = candidate
    if "country" in answered and (m := _BASED.search(without_email)):
        words = m.group(1).split()
        place = next(
            (" ".join(words[:n]) for n in range(len(words), 0, -1) if parse_country(" ".join(words[:n]))), None
        )
        if place:
            found["country"] = place
    if "name" in answered and re.search(r"\bname\b|\bspel", low, re.I) and (m := _NAME.search(without_email)):
        found["name"] = m.group(1)
    elif "name" in answered and (respelled := _respelled_name(without_email, earlier_name)):
        found["name"] = respelled
    for parser, piece in find_answers(without_email).items():
        if parser in answered and parser not in found and parser in ("timeline", "budget", "company"):
            found[parser] = piece
    if "timeline" in answered and "timeline" not in found and (m := _SPAN.search(digits)):
        found["timeline"] = f"in {m.group(1)} {m.group(2)}"  # "sorry, I meant 6 months"
    return found
