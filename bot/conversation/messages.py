"""What a visitor's message is, beyond its intent: a question of their own, an instruction
aimed at the bot, a filler like "ok", a knock-out. Pure functions over text, tested on
their own; the form and the director (:mod:`bot.conversation.director`) use them."""

from __future__ import annotations

import re
from typing import Iterable

from answers.instructions import is_instruction
from answers.normalise import clean

__all__ = ["is_instruction"]  # also what a message is; the NLU's guard reads it too

#: A question's opening words, and phrases that ask without a question mark.
_ASKING = re.compile(
    r"^(?:(?:hi|hey|hello|yo|ok|okay|so|and|but|also|btw|well|um+|uh+|hm+|ah+|oh|right|cool|great|nice|thanks|"
    r"quick question|quick q|one more thing|one question|sorry)[,!.:\s-]+){0,3}"
    r"(?:what|what's|whats|how|how's|why|who|whom|whose|when|where|which|do|does|did|can|could|would|will|"
    r"is|are|am|was|were|should|shall|may|might|have|has|any|anything|tell me|explain|i wonder|wondering|"
    r"i'?d like to know|i want to know|i need to know|curious|question)\b",
    re.I,
)
#: Words that acknowledge rather than answer ("ok", "sure thing", "thanks!", "👍").
_FILLER = re.compile(
    r"(?:ok(?:ay)?|k+|kk|sure(?: thing)?|yes|yeah|yep|yup|no|nope|nah|hmm+|uh+|um+|hi|hey|hello|thanks?|thank you|ty|"
    r"cool|great|fine|alright|got it|right|well|so|and|lol|haha|\?+|\.+|!+|-+)",
    re.I,
)


#: A visitor who did not follow the question ("wat?", "huh", "what do you mean?", "sorry, come again?").
_PUZZLED = re.compile(
    r"(?:(?:sorry|um+|uh+|hm+|ok|but|er+)[,.!\s]+)?"
    r"(?:wh?at+|wut|wot|huh|eh|pardon(?: me)?|excuse me|come again|sorry|meaning|say (?:that )?again|"
    r"what(?: do| does)? (?:you|u|that|this|it) mean|what(?:'s| is) that|what(?: do| does) (?:you|u) (?:mean|want)(?: by that)?|"
    r"what(?: are| r) (?:you|u) asking|what (?:should|do) i (?:say|write|answer|put)|what kind of answer|"
    r"i (?:don'?t|do not|dont) (?:understand|get it|follow)|(?:not sure|unsure) what (?:you|u) mean|confused|"
    r"i'?m lost|lost me|not following|i don'?t know what (?:you|u) mean)"
    r"(?:[,.\s]+(?:exactly|sorry|again|please|pls|there))?[\s?!.]*",
    re.I,
)


def is_puzzled(text: str) -> bool:
    """Whether the message says the visitor did not follow the question: no answer, and no
    question of their own beyond "what do you mean?"."""
    return bool(_PUZZLED.fullmatch(clean(text, 100).strip()))


def looks_like_question(text: str) -> bool:
    """Whether the message asks something: a question mark, or a question's opening words."""
    low = clean(text, 300)
    return "?" in low or bool(_ASKING.match(low))


_REQUEST = re.compile(
    r"\b(i want|i wanna|i'?d like|i would like|i need|let me|can i|could i|may i|can we|could we|please|pls|plz)\b",
    re.I,
)
_NAME_WORD = re.compile(r"[A-Z0-9][\w&'’.-]*|&|and|of|the|de|van|von|la|le|y|e|&amp;")


def looks_like_request(text: str) -> bool:
    """Whether the message asks for something in the first person ("I want to talk to a person")."""
    return bool(_REQUEST.search(clean(text, 300)))


_COMPANY_SUFFIX = re.compile(
    r"\b(inc|inc\.|llc|ltd|ltd\.|limited|gmbh|ag|sa|sas|srl|bv|nv|oy|ab|as|plc|corp|corporation|co|co\.|company|"
    r"labs?|group|holdings?|technologies|tech|systems|solutions|software|studios?|partners|industries|ventures|"
    r"consulting|agency|media|networks?|analytics|health|bank|capital|foods?|logistics|robotics|ai)$",
    re.I,
)


def looks_like_company(text: str) -> bool:
    """Whether the message reads as a company's name: a name ending in a company word (Inc, Labs, GmbH)."""
    words = clean(text, 120).strip(" .!").split()
    return (
        1 <= len(words) <= 6
        and "?" not in text
        and bool(_COMPANY_SUFFIX.search(words[-1]))
        and (len(words) > 1 or words[0][:1].isupper())
    )


def looks_like_name(text: str) -> bool:
    """Whether the message reads as a proper name: two to six words, each capitalised (joining
    words aside), no question mark: "Acme Robotics", "Stop Gap Solutions", "Bank of Ireland"."""
    words = clean(text, 120).strip(" .!").split()
    return 2 <= len(words) <= 6 and "?" not in text and all(_NAME_WORD.fullmatch(word) for word in words)


def is_filler(text: str) -> bool:
    """Whether the message is only an acknowledgement: it answers no question."""
    words = [word.strip(".,!?;:") or word for word in re.sub(r"[^\w?.!-]+", " ", clean(text, 100)).split()]
    return bool(words) and len(words) <= 3 and all(_FILLER.fullmatch(word) for word in words)


def mentions_phrase(text: str, phrases: Iterable[str]) -> str | None:
    """The first of ``phrases`` that ``text`` contains as whole words (case-insensitive), or None."""
    low = " " + re.sub(r"[^\w@.+-]+", " ", clean(text, 1000).lower()) + " "
    for phrase in phrases:
        key = " " + re.sub(r"[^\w@.+-]+", " ", phrase.lower()).strip() + " "
        if len(key.strip()) > 2 and key in low:
            return phrase
    return None
