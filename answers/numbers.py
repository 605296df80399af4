"""Numbers as visitors write them: "two hundred and fifty", "a couple hundred", "2k", "fifty-ish".

The words-to-digits part is `text2num` (``alpha2digit``, MIT, maintained, eight
languages); what is ours is the shapes a sales chat adds on top: vague
quantities ("a couple hundred", "a few thousand", "a dozen"), hedges
("fifty-ish", "500 or so"), fractions of a unit ("one and a half thousand")
and a lone unit ("a hundred").
"""

from __future__ import annotations

import contextlib
import re

from text_to_num import alpha2digit

#: Vague counts before a unit, as people mean them: "a couple hundred" is about 200.
_VAGUE = {"a couple of": 2, "a couple": 2, "couple of": 2, "couple": 2, "a few": 3, "few": 3, "several": 5,
          "a handful of": 5, "a handful": 5, "dozens of": 24, "a dozen": 12, "dozen": 12, "half a dozen": 6}  # fmt: skip
_UNITS = {"hundred": 100, "thousand": 1000, "k": 1000, "million": 1_000_000}
_VAGUE_UNIT = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, _VAGUE), key=len, reverse=True)) + r")\s+(hundreds?|thousands?|k)\b", re.I
)
_HALF = re.compile(
    r"\b(\d+)\s+and\s+a\s+half\s+(hundred|thousand|million)\b|\b(?:one\s+)?and\s+a\s+half\s+(hundred|thousand)\b", re.I
)
_VAGUE_COUNT = re.compile(
    r"\b("
    + "|".join(sorted(map(re.escape, _VAGUE), key=len, reverse=True))
    + r")(?=\s+(?:of us|people|employees|staff|folks|persons|heads|guys|ppl|fte|days?|weeks?|months?|quarters?|years?)\b|\s*$)",
    re.I,
)
_DOZEN = re.compile(r"\bhalf a dozen\b|\b(?:a |one )?dozen\b", re.I)
_LONE_UNIT = re.compile(r"\b(?:an?|one)\s+(100|1000)\b", re.I)
_WORD_HEDGE = re.compile(r"\b([a-z]+)-?ish\b", re.I)
_HEDGE = re.compile(r"\b([a-z]+(?:[- ][a-z]+)?)-?ish\b", re.I)
_HEDGE_DIGITS = re.compile(r"\b(\d[\d,.]*)\s*-?ish\b", re.I)


def _unit(word: str) -> int:
    return _UNITS[word.lower().rstrip("s")]


def words_to_digits(text: str, language: str = "en", small: bool = False) -> str:
    """``text`` with the numbers it writes in words, or in sales shorthand, as digits;
    the rest as it was. ``small``: "one", "two" and vague counts ("a few people") too,
    for an answer that is a number (elsewhere "one of the founders" stays words).
    Never raises: text it cannot read comes back unchanged."""
    if not text:
        return text
    text = _VAGUE_UNIT.sub(lambda m: str(_VAGUE[m.group(1).lower()] * _unit(m.group(2))), text)
    if small:
        text = _VAGUE_COUNT.sub(lambda m: str(_VAGUE[m.group(1).lower()]), text)
    text = _DOZEN.sub(lambda m: "6" if m.group(0).lower().startswith("half") else "12", text)
    text = _HALF.sub(_half, text)
    text = _WORD_HEDGE.sub(lambda m: _unhedged(m, language), text)  # "thousand-ish" reads as "thousand"
    with contextlib.suppress(ValueError, TypeError):  # the library refused the text: keep what we have
        text = alpha2digit(text, language, threshold=0) if small else alpha2digit(text, language)
    text = _LONE_UNIT.sub(lambda m: m.group(1), text)  # "a 100" (from "a hundred") is 100
    text = _HEDGE_DIGITS.sub(r"\1", text)
    return _HEDGE.sub(lambda m: _hedged_words(m, language), text)


def _unhedged(match: re.Match[str], language: str) -> str:
    try:
        number = alpha2digit(match.group(1), language, threshold=0)
    except (ValueError, TypeError):
        return match.group(0)
    return match.group(1) if number.strip().isdigit() else match.group(0)


def _half(match: re.Match[str]) -> str:
    if match.group(1):
        return str(int((int(match.group(1)) + 0.5) * _unit(match.group(2))))
    return str(int(1.5 * _unit(match.group(3))))


def _hedged_words(match: re.Match[str], language: str) -> str:
    """ "fifty-ish" → "50"; a word that is no number ("smallish") stays as it was."""
    try:
        digits = alpha2digit(match.group(1), language)
    except (ValueError, TypeError):
        return match.group(0)
    return digits if digits.strip().isdigit() else match.group(0)
