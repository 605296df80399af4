"""Pure checks on a visitor's message before and after intent classification.

Kept free of Rasa so they can be tested on their own; the pipeline components
in :mod:`rasa_server.nlu.components` apply them.
"""

from __future__ import annotations

import re
import unicodedata

#: Characters of a message the NLU pipeline looks at; the rest is cut.
MAX_NLU_CHARS = 1000

_THUMBS = {"👍", "👌", "✅", "🙆", "🆗", "✔", "✔️", "👍🏻", "👍🏼", "👍🏽", "👍🏾", "👍🏿"}
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


_SCRIPT = re.compile(r"<(script|style)\b[^>]{0,500}>.{0,5000}?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,500}>")


def text_for_nlu(text: str | None) -> str:
    """The words of a message as the classifier should read them: markup pasted or typed
    into the chat (``<img onerror=...>``, ``<script>``) is not what the visitor says, and
    its tokens ("error", "src") would sway the intent. Cut to :data:`MAX_NLU_CHARS`."""
    text = text or ""
    if "<" in text:
        stripped = " ".join(_TAG.sub(" ", _SCRIPT.sub(" ", text)).split())
        text = stripped or text
    return truncate_for_nlu(text)


def cut_at_word(text: str, limit: int, near: int) -> str:
    """``text``, or its first ``limit`` characters, cut at the last space when it is within ``near`` of the end."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return cut[:space] if space > limit - near else cut


def truncate_for_nlu(text: str | None) -> str:
    """Cuts a message to :data:`MAX_NLU_CHARS`, at a word boundary when one is near."""
    return cut_at_word(text or "", MAX_NLU_CHARS, 100)


def is_thumbs_up(text: str) -> bool:
    return text.strip() in _THUMBS


_WAVES = {"👋", "🙋", "🙋‍♀️", "🙋‍♂️", "🖐", "🖐️", "✋", "🤚"}


def is_wave(text: str) -> bool:
    """A wave (👋, with any skin tone) on its own: a greeting."""
    return bool(text.strip()) and all(
        ch in "".join(_WAVES) or 0x1F3FB <= ord(ch) <= 0x1F3FF or ch.isspace() for ch in text.strip()
    )


#: A whole message that is one head count: "600", "~2k", "50-100 people", "about 300 employees".
_HEADCOUNT = re.compile(
    r"(?:about|around|approx\.?|roughly|~|≈|over|under|maybe)?\s*\d[\d,.]*\s*k?\+?"
    r"(?:\s*(?:-|–|to)\s*\d[\d,.]*\s*k?\+?)?\s*(?:people|employees|staff|ppl|persons|fte|folks|heads)?",
    re.I,
)


#: Words of a request, not of a job title: "talk to a manager" asks for a person.
_ASKS_FOR = re.compile(
    r"\b(talk|speak|chat|want|need|call|contact|reach|someone|somebody|person|human|please|pls|can|could)\b", re.I
)


def is_plain_answer(text: str) -> bool:
    """Whether a short message is plainly an answer to one of the questions, by the answer
    parsers: an email address, a head count, a job title with a seniority, a country."""
    from answers.normalise import EMAIL_PATTERN, parse_country, parse_role

    clean_text = " ".join(text.split())
    words = clean_text.split()
    if not words or len(words) > 6 or "?" in clean_text:
        return False
    if len(words) <= 4 and EMAIL_PATTERN.fullmatch(clean_text.strip(" .")):
        return True
    if _HEADCOUNT.fullmatch(clean_text.strip(" .!")):
        return True
    role = parse_role(clean_text)
    if role is not None and role.seniority.value != "other" and len(words) <= 4 and not _ASKS_FOR.search(clean_text):
        return True
    return len(words) <= 3 and parse_country(clean_text) is not None


def is_emoji_only(text: str) -> bool:
    """True for a message made only of emoji, symbols and spaces (": )" is not)."""
    stripped = "".join(ch for ch in text if not ch.isspace())
    if not stripped:
        return False
    return all(unicodedata.category(ch) in {"So", "Sk", "Cn", "Mn", "Cf"} or ch in "\u200d\ufe0f" for ch in stripped)


def mostly_non_latin(text: str) -> bool:
    """True when most of a message's letters (four or more) are not Latin: Cyrillic, Kana, Han..."""
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) < 4:
        return False
    latin = sum(1 for ch in letters if "LATIN" in unicodedata.name(ch, ""))
    return latin / len(letters) < 0.5


#: A request for a meeting in so many words: "I'd like a demo", "can we book a call", "demo please".
_MEETING_REQUEST = re.compile(
    r"\b(?:want|wanna|like|need|get|see|book|schedule|set ?up|arrange|request|have|organi[sz]e|after|looking for|"
    r"interested in)\s+(?:a|an|the|some|your|quick|short|free|live|product)?\s*"
    r"(?:demo|demonstration|call|meeting|walk ?-?through|trial|presentation|intro call|chat with sales)\b"
    r"|^(?:a\s+)?(?:demo|trial|walkthrough)(?:\s+(?:please|pls|plz|asap|today|now))?[!.?]*$"
    r"|\b(?:demo|call|meeting|walkthrough)\s+(?:please|pls|plz)\b"
    r"|\b(?:talk|speak|chat)\s+(?:to|with)\s+(?:someone\s+(?:in|from)\s+)?(?:sales|your sales team|an? account executive)\b",
    re.I,
)
#: What a visitor asks for when they want to meet: a demo, a trial, a pilot, time on the calendar.
_MEETING_THING = re.compile(
    r"\b(?:demo|(?:offer|do|give|run|any) demos|deom|demonstration|trial|pilot|poc|proof of concept|walk ?-?through|walk (?:me|us) (?:thr?u|through)|"
    r"test drive|tour|onboarding call|discovery call|intro(?:ductory)? (?:call|meeting|chat)|evaluation session|"
    r"(?:call|meeting|zoom|teams call|session|presentation|calendar|time) with (?:you|your|ur|the|someone|sales)|"
    r"on (?:the|your) calendar|book (?:me|us) in|sign(?:ed)? (?:me|us)? ?up|get started|hop on a call|jump on a (?:call|zoom)|"
    r"see it (?:live|in action)|(?:a )?live call|call back|(?:\d+|few) mins? with|show (?:me|us) how it works|"
    r"(?:talk|chat|speak|meet) (?:next week|tomorrow|this week|later this week|today|on (?:mon|tues|wednes|thurs|fri)day))\b",
    re.I,
)
#: Asking in the first person, or asking at all: "can we", "I'd like", "let's", "please", a question mark.
_REQUEST_CUE = re.compile(
    r"\?|\b(?:can|could|may|would|will) (?:i|we|u|you|someone)\b|\b(?:i|we)(?:'d| would)? (?:like|love|want|need)\b|"
    r"\b(?:i'?m|we'?re|i am|we are) (?:interested|keen|ready|looking)\b|\b(?:wanna|let'?s|please|pls|plz|schedule|"
    r"set up|arrange|book|get me|get us|send (?:me|us|over)|request(?:ing)?|how do (?:i|we)|(?:be|is it) possible|"
    r"open to)\b",
    re.I,
)
#: A use case told, not a request: their visitors or leads are the ones who book ("leads should book a
#: demo", "chats with visitors and books meetings"). Only that clause is set aside: a request after it counts.
_THIRD_PARTY = re.compile(
    r"\b(?:visitors?|leads?|prospects?|customers?|clients?|buyers?|they|them|reps?|sdrs?|aes?)\b.{0,50}?"
    r"(?:\b(?:book|schedul|request|ask(?:s|ing)? for|get|take|want|need|sign up for|end up in)\w*\b.{0,25}?"
    r"\b(?:demos?|calls?|meetings?|trials?|walk ?-?throughs?)\b|\bbook\w*\b|\b(?:demo|call|meeting|trial) requests?\b)",
    re.I,
)
#: A meeting already booked, moved or cancelled: no new request.
_CHANGE = re.compile(
    r"\b(?:re-?schedul\w*|move|cancel|push|postpone|rebook|shift|already booked|my (?:demo|meeting|call))\b", re.I
)
_PROPER_WORD = re.compile(r"[A-Z0-9][\w&'’.-]*|&|and|of|the|de|van|von")


def asks_for_meeting(text: str) -> bool:
    """Whether the message asks for a demo, a call or sales in so many words: "I'd like a demo",
    "can we set up a pilot?", "get me on the calendar" (not "our leads should book demos")."""
    flat = " ".join(text.split())[:300]
    if _CHANGE.search(flat):
        return False
    own = _THIRD_PARTY.sub(" ", flat)
    if _MEETING_REQUEST.search(own):
        return True
    return bool(_MEETING_THING.search(own) and _REQUEST_CUE.search(own))


def reads_as_name(text: str) -> bool:
    """Two to six capitalised words and no question: a person's or a company's name."""
    words = text.strip(" .!").split()
    return 2 <= len(words) <= 6 and "?" not in text and all(_PROPER_WORD.fullmatch(word) for word in words)


#: A no for now, in any of the bot's languages: "not now", "jetzt nicht", "ahora no", "pas maintenant".
_NOT_NOW = re.compile(
    r"^(?:no,?\s+)?(?:not (?:right )?now|maybe later|later|another time|"
    r"(?:nein,?\s+)?(?:jetzt|gerade) nicht|vielleicht sp(?:ä|ae)ter|sp(?:ä|ae)ter|"
    r"ahora no|ahorita no|m(?:á|a)s tarde|luego|en otro momento|"
    r"(?:non,?\s+)?pas maintenant|plus tard|une autre fois)(?:,?\s+(?:thanks|danke|gracias|merci))?[.!]*$",
    re.I,
)


def is_not_now(text: str) -> bool:
    """Whether a short message puts the conversation off ("not now", "später", "más tarde")."""
    return bool(_NOT_NOW.match(text.strip()[:60]))
