"""Find answers to several questions in one message.

An opening like "Hi, I'm Priya Natarajan, CTO at Quantix Labs (about 300
people), we want a demo this month, priya@quantixlabs.com" answers six
questions at once. ``find_answers`` returns, per question, the piece of text
that answers it; the normalisers in :mod:`answers.normalise` then
turn each piece into a value. Only patterns that rarely misfire are used: a
question the visitor did not clearly answer is simply asked.
"""

from __future__ import annotations

import re
from typing import Dict

from answers.normalise import (
    EMAIL_PATTERN,
    Seniority,
    clean,
    parse_country,
    seniority_of,
)

#: Messages longer than this are not searched for extra answers.
MAX_SCAN_CHARS = 1000

_SIZE = re.compile(
    r"(?:(?:~|about|around|approx\.?|approximately|roughly|over|more than|almost|nearly|some|a team of|team of|company of)\s*)?"
    r"\d[\d,.]*\s*k?\+?\s*(?:-|to)?\s*(?:\d[\d,.]*\s*k?\+?)?\s*"
    r"(?:people|employees|staff|persons|ppl|heads|fte|ftes|person|-person|strong|folks)\b",
    re.I,
)
_TIMELINE = re.compile(
    r"\b(asap|as soon as possible|right away|immediately|this (?:week|month|quarter|year)|next (?:week|month|quarter|year)"
    r"|within (?:the next )?\d+ (?:days?|weeks?|months?)|in (?:the next )?\d+(?: to \d+)? (?:weeks?|months?)"
    r"|q[1-4](?: \d{4})?|by (?:the )?end of (?:the )?(?:month|quarter|year)|just (?:researching|browsing|exploring))\b",
    re.I,
)
_BUDGET = re.compile(r"[^,.;]*\bbudget\b[^,.;]*", re.I)
_NAME = re.compile(
    r"\b(?i:i'?m|i am|my name is|my name's|this is|name's)\s+"
    r"([A-Z][\w'’-]+(?:\s+(?:van |de |da |von |al-|el-)?[A-Z][\w'’-]+){0,2})"
)
_ROLE_AT_COMPANY = re.compile(
    r"(?:^|\b(?i:i'?m|i am|as)\s+(?i:an?\s+|the\s+)?)?([A-Za-z][\w &/.-]{1,50}?)\s+(?:at|@|with)\s+"
    r"([A-Z0-9][\w&.'-]*(?:\s+[A-Z0-9][\w&.'-]*){0,3})",
)
_WORK_AT = re.compile(r"\b(?i:i work (?:at|for)|we are|we're|from)\s+([A-Z0-9][\w&.'-]*(?:\s+[A-Z0-9][\w&.'-]*){0,3})")
_I_AM_A = re.compile(
    r"\b(?:i'?m|i am)\s+(?:an?|the)\s+([a-z][\w -]{1,40}?)(?=\s+(?:at|for|doing|working|in|from|and)\b|[,.;!]|$)", re.I
)
_BASED_IN = re.compile(
    r"\b(?:based in|located in|out of|we're in|i'?m in|from)\s+([A-Za-z][\w .'-]{1,40}?)(?=[,.;!)]|$| and )", re.I
)
_SEGMENT_SPLIT = re.compile(r"[,;()\n]|\s[-–—]\s|\.\s")


def _role_level(text: str) -> Seniority | None:
    level = seniority_of(text)
    return None if level in (None, Seniority.OTHER) else level


def find_answers(text: str) -> Dict[str, str]:
    """Returns ``{parser: text answering it}`` for the kinds of question the
    message clearly answers (keys are playbook parser names: name, email,
    company, role, company_size, timeline, budget, country)."""
    text = clean(text, MAX_SCAN_CHARS)
    found: Dict[str, str] = {}
    if m := EMAIL_PATTERN.search(text):
        found["email"] = m.group(0)
    without_email = EMAIL_PATTERN.sub(" ", text)
    if m := _SIZE.search(without_email):
        found["company_size"] = m.group(0).strip()
    if m := _TIMELINE.search(without_email):
        found["timeline"] = m.group(0)
    if m := _BUDGET.search(without_email):
        found["budget"] = m.group(0).strip()
    if (m := _NAME.search(without_email)) and _role_level(m.group(1)) is None:
        found["name"] = m.group(1)
    for segment in _SEGMENT_SPLIT.split(without_email):
        segment = segment.strip()
        m = _ROLE_AT_COMPANY.search(segment)
        if m and _role_level(m.group(1)):
            found.setdefault("role", m.group(1).strip())
            found.setdefault("company", m.group(2).strip())
            continue
        if (m := _I_AM_A.search(segment)) and _role_level(m.group(1)):
            found.setdefault("role", m.group(1).strip())
        if "name" in found and (m := _WORK_AT.search(segment)) and _role_level(m.group(1)) is None:
            found.setdefault("company", m.group(1).strip())
    if (m := _BASED_IN.search(without_email)) and parse_country(m.group(1)) is not None:
        found["country"] = m.group(1)
    return found
