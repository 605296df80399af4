"""Numbers as visitors write them: "two hundred and fifty", "a couple hundred", "2k", "fifty-ish",
in English, German, Spanish and French ("zweihundert", "más de mil", "une centaine").

The words-to-digits part is `text2num` (``alpha2digit``, MIT, maintained, eight
languages); what is ours is the shapes a sales chat adds on top: vague
quantities ("a couple hundred", "ein paar hundert", "quelques milliers", "a dozen"),
hedges ("fifty-ish", "500 or so"), fractions of a unit ("one and a half thousand"),
a lone unit ("a hundred"), round numbers ("une vingtaine", "un centenar") and a count
of a unit ("5 mil", "2 thousand").

Callers do not say which language a text is in: it is read in English (or the
``language`` asked for), then in each other language the bot speaks whose number
words it holds ("zweihundert" is German, "trescientos" Spanish).
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from functools import lru_cache
from typing import Dict, Iterable, List

from text_to_num import alpha2digit, find_numbers

#: The languages a text's numbers are read in: the ones the bot speaks.
LANGUAGES = ("en", "de", "es", "fr")


def _unaccented(text: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def _alternation(words: Iterable[str]) -> str:
    """A regular expression matching any of ``words``, the longest first."""
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


def _typed_either_way(table: Dict[str, int]) -> Dict[str, int]:
    """``table`` with each word also as typed without its accents ("un punado de")."""
    return {**table, **{_unaccented(word): value for word, value in table.items()}}


#: Vague counts, per language, as people mean them: "a couple hundred" is about 200.
_VAGUE_WORDS: Dict[str, Dict[str, int]] = {
    "en": {"a couple of": 2, "a couple": 2, "couple of": 2, "couple": 2, "a few": 3, "few": 3, "several": 5,
           "a handful of": 5, "a handful": 5, "dozens of": 24, "a dozen": 12, "dozen": 12, "half a dozen": 6},
    "de": {"ein paar": 2, "paar": 2, "einige": 3, "mehrere": 5, "eine handvoll": 5, "ein halbes dutzend": 6},
    "es": {"un par de": 2, "unos pocos": 3, "unas pocas": 3, "algunos": 3, "algunas": 3, "varios": 5, "varias": 5,
           "un puñado de": 5, "media docena": 6},
    "fr": {"quelques": 3, "plusieurs": 5, "une poignée de": 5, "une demi-douzaine": 6, "des dizaines de": 24},
}  # fmt: skip
_VAGUE_BY_LANGUAGE = {language: _typed_either_way(table) for language, table in _VAGUE_WORDS.items()}
#: The units a vague count goes before, per language: "ein paar hundert", "quelques milliers".
_UNITS_BY_LANGUAGE: Dict[str, Dict[str, int]] = {
    "en": {"hundred": 100, "hundreds": 100, "thousand": 1000, "thousands": 1000, "k": 1000, "million": 1_000_000},
    "de": {"hundert": 100, "tausend": 1000, "k": 1000},
    "es": {"cientos": 100, "centenares": 100, "mil": 1000, "miles": 1000, "millares": 1000, "k": 1000},
    "fr": {"centaines": 100, "milliers": 1000, "mille": 1000, "k": 1000},
}
#: Round numbers as nouns (French and Spanish, and German's dozen): "une vingtaine" is about 20.
_ROUND = {"dizaine": 10, "douzaine": 12, "quinzaine": 15, "vingtaine": 20, "trentaine": 30, "quarantaine": 40,
          "cinquantaine": 50, "soixantaine": 60, "centaine": 100, "millier": 1000, "decena": 10, "docena": 12,
          "veintena": 20, "treintena": 30, "centenar": 100, "centena": 100, "millar": 1000, "dutzend": 12}  # fmt: skip
#: Articles before a round number that make it one of them: "une centaine", "ein Dutzend".
_ONE = ("un", "une", "una", "ein", "eine")

_VAGUE = {word: count for table in _VAGUE_BY_LANGUAGE.values() for word, count in table.items()}
_UNITS = {word: value for table in _UNITS_BY_LANGUAGE.values() for word, value in table.items()}
#: A vague count before a unit of its own language ("a few miles" is no number).
_VAGUE_UNIT = [
    re.compile(rf"\b({_alternation(_VAGUE_BY_LANGUAGE[lang])})\s+({_alternation(_UNITS_BY_LANGUAGE[lang])})\b", re.I)
    for lang in LANGUAGES
]
_HALF = re.compile(
    r"\b(\d+)\s+and\s+a\s+half\s+(hundred|thousand|million)\b|\b(?:one\s+)?and\s+a\s+half\s+(hundred|thousand)\b", re.I
)
#: What a vague count counts, in the four languages: people or spans of time.
_COUNTED = (
    r"of us|people|employees|staff|folks|persons|heads|guys|ppl|fte|days?|weeks?|months?|quarters?|years?"
    r"|leute|personen|mitarbeiter\w*|kollegen|ma|tage?n?|wochen?|monate?n?|jahre?n?"
    r"|personas|empleados|trabajadores|colaboradores|d[ií]as|semanas|meses|trimestres|a[ñn]os"
    r"|personnes|gens|salari[ée]s|employ[ée]s|collaborateurs|jours|semaines|mois|ans|ann[ée]es"
)
_VAGUE_COUNT = re.compile(rf"\b({_alternation(_VAGUE)})(?=\s+(?:(?:de|of|d')\s*)?(?:{_COUNTED})\b|\s*$)", re.I)
_DOZEN = re.compile(r"\bhalf a dozen\b|\b(?:a |one )?dozen\b", re.I)
_LONE_UNIT = re.compile(r"\b(?:an?|one)\s+(100|1000)\b", re.I)
_ROUND_NUMBER = re.compile(rf"\b(?:(\d+)\s*|(?:{_alternation(_ONE)})\s+)?({_alternation(_ROUND)})(?:s|es|e)?\b", re.I)
#: A count of a unit the library leaves apart: "5 mil" (read "5 1000"), "2,5 Tausend", "2 thousand".
_COUNT_OF_UNIT = re.compile(r"\b(\d+(?:[.,]\d{1,2})?)\s+(1000|1000000)\b")
_WORD_HEDGE = re.compile(r"\b([a-z]+)-?ish\b", re.I)
_HEDGE = re.compile(r"\b([a-z]+(?:[- ][a-z]+)?)-?ish\b", re.I)
_HEDGE_DIGITS = re.compile(r"\b(\d[\d,.]*)\s*-?ish\b", re.I)

#: Number words typed without their accents or umlauts, which the library only knows with them.
_ACCENTED = {"fuenf": "fünf", "funf": "fünf", "zwoelf": "zwölf", "zwolf": "zwölf", "veintidos": "veintidós",
             "veintitres": "veintitrés", "veintiseis": "veintiséis", "veintiun": "veintiún", "millon": "millón"}  # fmt: skip
_UNACCENTED = re.compile(rf"\b[^\W\d_]*?(?:{_alternation(_ACCENTED)})[^\W\d_]*", re.I)
#: Words a language's number words include that as often are English words ("once", "sept",
#: "seize", "null") or articles ("un", "eine"): on their own they do not make a text that language.
_NOT_ALONE = frozenset(
    {"once", "dos", "uno", "un", "una", "ein", "eine", "eins", "null", "elf", "une", "six", "sept", "seize", "cent"}
)
#: Words the library reads as numbers in a language where they are none there: Spanish "unos 300"
#: is about 300, not "1 300".
_NOT_NUMBERS = {"es": re.compile(r"\b(un[oa]s)\b", re.I)}
_WORD = re.compile(r"[^\W\d_]+")


def _unit(word: str) -> int:
    return _UNITS[word.lower()]


def words_to_digits(text: str, language: str = "en", small: bool = False) -> str:
    """``text`` with the numbers it writes in words, or in sales shorthand, as digits;
    the rest as it was. ``small``: "one", "two" and vague counts ("a few people") too,
    for an answer that is a number (elsewhere "one of the founders" stays words).
    Read in ``language``, then in each other language the bot speaks whose number words
    the text holds. Never raises: text it cannot read comes back unchanged."""
    if not text:
        return text
    for pattern in _VAGUE_UNIT:
        text = pattern.sub(lambda m: str(_VAGUE[m.group(1).lower()] * _unit(m.group(2))), text)
    if small:
        text = _VAGUE_COUNT.sub(lambda m: str(_VAGUE[m.group(1).lower()]), text)
    text = _DOZEN.sub(lambda m: "6" if m.group(0).lower().startswith("half") else "12", text)
    text = _HALF.sub(_half, text)
    text = _WORD_HEDGE.sub(lambda m: _unhedged(m, language), text)  # "thousand-ish" reads as "thousand"
    text = _UNACCENTED.sub(_accented, text)
    text = _in_language(text, language, small)
    for other in _other_languages(text, language):
        text = _in_language(text, other, small)
    text = _LONE_UNIT.sub(lambda m: m.group(1), text)  # "a 100" (from "a hundred") is 100
    text = _ROUND_NUMBER.sub(_round, text)
    text = _COUNT_OF_UNIT.sub(_count_of_unit, text)
    text = _HEDGE_DIGITS.sub(r"\1", text)
    return _HEDGE.sub(lambda m: _hedged_words(m, language), text)


def _in_language(text: str, language: str, small: bool) -> str:
    """``text`` with the library's digits for its number words in ``language``."""
    not_numbers = _NOT_NUMBERS.get(language)
    pieces = not_numbers.split(text) if not_numbers else [text]  # the words that are none kept apart, as they are
    with contextlib.suppress(ValueError, TypeError):  # the library refused the text: keep what we have
        return "".join(
            piece if i % 2 else (alpha2digit(piece, language, threshold=0) if small else alpha2digit(piece, language))
            for i, piece in enumerate(pieces)
        )
    return text


class _Word:
    """A word as ``find_numbers`` takes it (text2num's ``Token``)."""

    __slots__ = ("word",)

    def __init__(self, word: str) -> None:
        self.word = word

    def text(self) -> str:
        return self.word

    def nt_separated(self, previous: object) -> bool:
        return False

    def not_a_number_part(self) -> bool:
        return self.word in _NOT_ALONE


def _other_languages(text: str, language: str) -> List[str]:
    """The languages besides ``language`` that ``text`` writes a number in."""
    words = [_Word(word) for word in _WORD.findall(text.lower())]
    if not words:
        return []
    found = []
    for other in LANGUAGES:
        if other == language:
            continue
        with contextlib.suppress(ValueError, TypeError):
            if any(not number.is_ordinal for number in find_numbers(words, other, 0)):
                found.append(other)
    return found


def _accented(match: re.Match[str]) -> str:
    """ "fuenfzig" → "fünfzig", when that is a number word; any other word as it was."""
    word = match.group(0).lower()
    for plain, accented in _ACCENTED.items():
        word = word.replace(plain, accented)
    return word if _is_number_word(word) else match.group(0)


@lru_cache(maxsize=1024)
def _is_number_word(word: str) -> bool:
    for language in LANGUAGES:
        with contextlib.suppress(ValueError, TypeError):
            if alpha2digit(word, language, threshold=0).strip().isdigit():
                return True
    return False


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


def _round(match: re.Match[str]) -> str:
    """ "une centaine" → "100", "2 milliers" → "2000"."""
    return str(int(match.group(1) or 1) * _ROUND[match.group(2).lower()])


def _count_of_unit(match: re.Match[str]) -> str:
    """ "5 1000" (from "5 mil") → "5000", "2,5 1000" → "2500"."""
    return str(round(float(match.group(1).replace(",", ".")) * int(match.group(2))))


def _hedged_words(match: re.Match[str], language: str) -> str:
    """ "fifty-ish" → "50"; a word that is no number ("smallish") stays as it was."""
    try:
        digits = alpha2digit(match.group(1), language)
    except (ValueError, TypeError):
        return match.group(0)
    return digits if digits.strip().isdigit() else match.group(0)
