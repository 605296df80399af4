"""Which offered time a visitor's message picks: a button's payload, or words
("the second one", "Tue 10:00", "the 3pm")."""

from __future__ import annotations

import re
from typing import List
from zoneinfo import ZoneInfo

from bot.scheduling.scheduler import OfferedSlot

#: A button's payload names the offer's number and the slot's start (epoch
#: seconds), so a button left over from an earlier offer never books the
#: slot that now has its number.
_CHOICE = re.compile(r'^/pick_slot\{\s*"slot_choice"\s*:\s*"?(\d{1,2})(?::(\d{9,11}))?"?\s*\}$')
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5, "5th": 5}  # fmt: skip
_TIME = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?\b", re.I)
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Characters of a message read for a pick.
MAX_PICK_CHARS = 200


def choice_payload(slot: OfferedSlot) -> str:
    """The payload of the button that picks ``slot``."""
    return f'/pick_slot{{"slot_choice":"{slot.number}:{int(slot.start.timestamp())}"}}'


def chosen_slot(text: str, offered: List[OfferedSlot], zone: str) -> OfferedSlot | None:
    """The offered slot the visitor picked: the button's number, or typed
    words that name exactly one of them ("the second one", "Tue 10:00")."""
    if not offered:
        return None
    button = _CHOICE.match(text.strip()[:MAX_PICK_CHARS])
    if button:
        number, start = int(button.group(1)), button.group(2)
        return next(
            (s for s in offered if s.number == number and (start is None or int(s.start.timestamp()) == int(start))),
            None,
        )
    low = text[:MAX_PICK_CHARS].lower()
    if low.startswith("/"):
        return None
    words = re.findall(r"[a-z0-9]+", low)
    for word in words:
        if word in _ORDINALS:
            index = _ORDINALS[word]
            return offered[index - 1] if index <= len(offered) else None
    if "last" in words and len(words) <= 4:
        return offered[-1]
    if (
        1 <= len(words) <= 3
        and words[-1].isdigit()
        and 1 <= int(words[-1]) <= len(offered)
        and not _TIME.search(low.replace(words[-1], "", 1) + ":")
    ):
        return offered[int(words[-1]) - 1]
    matches = [s for s in offered if _mentions(low, s, zone)]
    return matches[0] if len(matches) == 1 else None


def _mentions(text: str, slot: OfferedSlot, zone: str) -> bool:
    local = slot.start.astimezone(ZoneInfo(zone))
    named_days = [d for d in _DAYS if re.search(rf"\b{d}", text)]
    if named_days and local.strftime("%a").lower()[:3] not in named_days:
        return False
    for hour_text, minute_text, meridiem in _TIME.findall(text):
        hour, minute = int(hour_text), int(minute_text or 0)
        if meridiem.lower() == "pm" and hour < 12:
            hour += 12
        if meridiem.lower() == "am" and hour == 12:
            hour = 0
        if (hour, minute) == (local.hour, local.minute) or (
            not meridiem and not minute_text and hour + 12 == local.hour
        ):
            return True
    return False
