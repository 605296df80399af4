"""Instructions aimed at the bot itself: prompt injection, role play, fake system messages.

Never executed, never echoed: the product answers them as ordinary text
(:mod:`bot.conversation.director`), and the NLU's guard labels them out of scope
(:mod:`rasa_server.nlu.components`), so both read them the same way.
"""

from __future__ import annotations

import re

from answers.normalise import clean

#: Instructions aimed at the bot itself (prompt injection, role play): never executed, never echoed.
_INSTRUCTION = re.compile(
    r"\b(ignore|disregard|forget)\b.{0,40}\b(instructions?|prompts?|rules|everything)\b"
    r"|\b(system|initial|hidden|original)\s+(prompt|instructions?|message)\b"
    r"|\byou are now\b|\bact as (an?|the|my)\b|\bpretend (to be|you are)\b|\bjailbreak\b|\bdeveloper mode\b"
    r"|\bdo anything now\b|\brole[- ]?play\b|\bprint (your|the) (prompt|instructions|config)\b"
    r"|^\W*(system|admin|developer|root|assistant)\s*(override|mode|message|note)?\s*:"
    r"|\b(system|admin|god|sudo|debug|developer)\s+(override|mode)\b"
    r"|\b(reveal|dump|leak|print|output|expose)\s+(me\s+)?(your|the|all)?\s*(own\s+|hidden\s+|internal\s+)?"
    r"(config(uration)?|api keys?|secrets?|passwords?|credentials|tokens?|system prompt|database|leads|"
    r"(your|hidden) (instructions|prompt|rules))\b"
    r"|\b(show|give|send)\s+(me\s+)?(every|the list of|a list of|the other|other)\s+(the\s+)?"
    r"(leads|visitors|users|customers'? (data|emails)|api keys|secrets|passwords)\b",
    re.I,
)


def is_instruction(text: str) -> bool:
    """Whether the message tries to instruct the bot ("ignore previous instructions", "act as")."""
    return bool(_INSTRUCTION.search(clean(text, 1000)))
