"""Pure checks on a visitor's message before and after intent classification.

Kept free of Rasa so they can be tested on their own; the pipeline components
in :mod:`bot.nlu.components` apply them.
"""

from __future__ import annotations

import re
import unicodedata

#: Characters of a message the NLU pipeline looks at; the rest is cut.
MAX_NLU_CHARS = 1000

_THUMBS = {"👍", "👌", "✅", "🙆", "🆗", "✔", "✔️", "👍🏻", "👍🏼", "👍🏽", "👍🏾", "👍🏿"}
_ENGLISH = frozenset(
    [
        "the",
        "a",
        "an",
        "and",
        "or",
        "is",
        "are",
        "am",
        "i",
        "you",
        "we",
        "it",
        "to",
        "of",
        "in",
        "on",
        "for",
        "with",
        "my",
        "our",
        "this",
        "that",
        "what",
        "how",
        "do",
        "does",
        "can",
        "not",
        "no",
        "yes",
        "be",
        "have",
        "has",
        "at",
        "from",
        "about",
        "your",
        "me",
        "us",
        "they",
        "there",
        "here",
        "want",
        "need",
        "looking",
        "would",
        "like",
        "just",
        "so",
        "but",
    ]
)
_FOREIGN = frozenset(
    # Spanish, Portuguese, French, German, Italian, Dutch function words that English rarely uses
    [
        "el",
        "la",
        "los",
        "las",
        "un",
        "una",
        "unos",
        "y",
        "o",
        "es",
        "son",
        "estoy",
        "soy",
        "quiero",
        "necesito",
        "hola",
        "gracias",
        "por",
        "favor",
        "para",
        "con",
        "que",
        "qué",
        "cómo",
        "em",
        "uma",
        "não",
        "sim",
        "obrigado",
        "olá",
        "você",
        "eu",
        "nós",
        "ele",
        "ela",
        "é",
        "está",
        "estou",
        "quero",
        "preciso",
        "le",
        "les",
        "une",
        "et",
        "est",
        "sont",
        "je",
        "tu",
        "nous",
        "vous",
        "bonjour",
        "merci",
        "oui",
        "non",
        "avec",
        "pour",
        "dans",
        "qui",
        "quoi",
        "comment",
        "suis",
        "der",
        "die",
        "das",
        "und",
        "ist",
        "sind",
        "ich",
        "du",
        "wir",
        "sie",
        "nicht",
        "ja",
        "nein",
        "hallo",
        "danke",
        "bitte",
        "mit",
        "für",
        "auf",
        "wie",
        "was",
        "möchte",
        "il",
        "lo",
        "gli",
        "e",
        "sono",
        "io",
        "ciao",
        "grazie",
        "sì",
        "per",
        "con",
        "che",
        "come",
        "vorrei",
        "de",
        "het",
        "een",
        "en",
        "ik",
        "je",
        "wij",
        "niet",
        "hoi",
        "dank",
    ]
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


def truncate_for_nlu(text: str | None) -> str:
    """Cuts a message to :data:`MAX_NLU_CHARS`, at a word boundary when one is near."""
    text = text or ""
    if len(text) <= MAX_NLU_CHARS:
        return text
    cut = text[:MAX_NLU_CHARS]
    space = cut.rfind(" ")
    return cut[:space] if space > MAX_NLU_CHARS - 100 else cut


def is_thumbs_up(text: str) -> bool:
    return text.strip() in _THUMBS


def is_emoji_only(text: str) -> bool:
    """True for a message made only of emoji, symbols and spaces (": )" is not)."""
    stripped = "".join(ch for ch in text if not ch.isspace())
    if not stripped:
        return False
    return all(unicodedata.category(ch) in {"So", "Sk", "Cn", "Mn", "Cf"} or ch in "\u200d\ufe0f" for ch in stripped)


def looks_non_english(text: str) -> bool:
    """True when a message is clearly written in another language: mostly a
    non-Latin script, or mostly function words of a common European language."""
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) >= 4:
        latin = sum(1 for ch in letters if "LATIN" in unicodedata.name(ch, ""))
        if latin / len(letters) < 0.5:
            return True
    words = [w.lower() for w in _WORD.findall(text)]
    if len(words) < 2:
        return False
    foreign = sum(1 for w in words if w in _FOREIGN and w not in _ENGLISH)
    english = sum(1 for w in words if w in _ENGLISH)
    return foreign >= 2 and foreign > 2 * english
