"""The visitor's time zone, from what they type or where they said they are.

``parse_timezone`` understands IANA names ("Europe/Berlin", any case), common
abbreviations ("EST", "ist", "CET"), city names ("London", "sao paulo"),
countries with a single zone ("Germany"), and whole-hour offsets ("UTC+2").
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Dict
from zoneinfo import ZoneInfo, available_timezones

import pycountry
import pytz
from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton, get_datetime_format

from answers.normalise import clean

#: Abbreviations and informal names, each to the zone most visitors mean by it.
ALIASES: Dict[str, str] = {
    "est": "America/New_York", "edt": "America/New_York", "et": "America/New_York", "eastern": "America/New_York",
    "eastern time": "America/New_York", "cst": "America/Chicago", "cdt": "America/Chicago", "ct": "America/Chicago",
    "central": "America/Chicago", "central time": "America/Chicago", "mst": "America/Denver", "mdt": "America/Denver",
    "mountain": "America/Denver", "mountain time": "America/Denver", "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles", "pt": "America/Los_Angeles", "pacific": "America/Los_Angeles",
    "pacific time": "America/Los_Angeles", "akst": "America/Anchorage", "hst": "Pacific/Honolulu",
    "gmt": "Europe/London", "bst": "Europe/London", "uk": "Europe/London", "uk time": "Europe/London",
    "wet": "Europe/Lisbon", "cet": "Europe/Berlin", "cest": "Europe/Berlin", "eet": "Europe/Athens",
    "eest": "Europe/Athens", "msk": "Europe/Moscow", "ist": "Asia/Kolkata", "india": "Asia/Kolkata",
    "pkt": "Asia/Karachi", "sgt": "Asia/Singapore", "hkt": "Asia/Hong_Kong", "jst": "Asia/Tokyo",
    "kst": "Asia/Seoul", "aest": "Australia/Sydney", "aedt": "Australia/Sydney", "acst": "Australia/Adelaide",
    "awst": "Australia/Perth", "nzst": "Pacific/Auckland", "nzdt": "Pacific/Auckland", "brt": "America/Sao_Paulo",
    "art": "America/Argentina/Buenos_Aires", "sast": "Africa/Johannesburg", "gst": "Asia/Dubai",
    "utc": "UTC", "zulu": "UTC", "bangalore": "Asia/Kolkata", "bengaluru": "Asia/Kolkata", "mumbai": "Asia/Kolkata",
    "delhi": "Asia/Kolkata", "new delhi": "Asia/Kolkata", "san francisco": "America/Los_Angeles",
    "sf": "America/Los_Angeles", "seattle": "America/Los_Angeles", "boston": "America/New_York",
    "nyc": "America/New_York", "washington": "America/New_York", "miami": "America/New_York",
    "atlanta": "America/New_York", "austin": "America/Chicago", "dallas": "America/Chicago",
    "houston": "America/Chicago", "munich": "Europe/Berlin", "frankfurt": "Europe/Berlin", "hamburg": "Europe/Berlin",
    "zurich": "Europe/Zurich", "geneva": "Europe/Zurich", "barcelona": "Europe/Madrid", "milan": "Europe/Rome",
    "rio": "America/Sao_Paulo", "rio de janeiro": "America/Sao_Paulo", "beijing": "Asia/Shanghai",
    "melbourne": "Australia/Melbourne", "wellington": "Pacific/Auckland", "tel aviv": "Asia/Jerusalem",
}  # fmt: skip

_OFFSET = re.compile(r"^(?:utc|gmt)\s*([+-])\s*(\d{1,2})(?::?00)?$")
_FILLER = re.compile(
    r"^(?:(?:oh|hmm+|ah|well|sorry|actually|so|ok|okay)[,!.]? |i'?m |i am |we'?re |we are |my time ?zone is "
    r"|time ?zone:? |it'?s |in |on |based in |located in |actually )+"
)
_TRAILING = re.compile(r"(?:[,.!]?\s+(?:actually|please|thanks|thank you|instead|now|time|time ?zone))+$")


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


@lru_cache(maxsize=1)
def _by_name() -> Dict[str, str]:
    """Every IANA zone by its lower-cased full name and by its city."""
    names: Dict[str, str] = {}
    for zone in sorted(_zones()):
        if zone.startswith(("Etc/", "SystemV/", "posix/", "right/")) or "/" not in zone:
            continue
        names.setdefault(zone.lower(), zone)
        names.setdefault(zone.rsplit("/", 1)[1].replace("_", " ").lower(), zone)
    return names


def country_timezone(country_code: str | None, at: datetime | None = None) -> str | None:
    """The zone of a country whose zones all keep one time (Germany, India),
    its main one; None for a country that spans several (Brazil, the US)."""
    if not country_code:
        return None
    zones = [zone for zone in pytz.country_timezones.get(country_code.upper()) or [] if zone in _zones()]
    if not zones:
        return None
    moment = at or datetime.now(UTC)
    offsets = {moment.astimezone(ZoneInfo(zone)).utcoffset() for zone in zones}
    return zones[0] if len(offsets) == 1 else None


def parse_timezone(text: str | None) -> str | None:
    """The IANA zone ``text`` names, or None."""
    low = clean(text, 80).lower().strip(" .!?")
    low = _TRAILING.sub("", _FILLER.sub("", low)).strip(" ,.!")
    if not low:
        return None
    if low in ALIASES:
        return ALIASES[low]
    names = _by_name()
    key = low.replace("_", " ")
    if low in names:
        return names[low]
    if key in names:
        return names[key]
    if low in ("utc", "gmt", "z"):
        return "UTC"
    offset = _OFFSET.match(low.replace(" ", ""))
    if offset:
        hours = int(offset.group(2))
        if hours <= 14:
            # Etc/GMT signs are inverted (POSIX): UTC+2 is Etc/GMT-2.
            return "UTC" if hours == 0 else f"Etc/GMT{'-' if offset.group(1) == '+' else '+'}{hours}"
        return None
    try:
        country = pycountry.countries.lookup(low)
    except LookupError:
        return None
    return country_timezone(country.alpha_2)


#: The locale a language's dates are written in: English days read "Tue 24 Nov", as in Britain.
_LOCALES = {"en": "en_GB"}


@lru_cache(maxsize=32)
def _locale(language: str) -> Locale:
    """Babel's locale for ``language``. A language CLDR has no data for (a code the ops added
    that Babel does not know) gets English dates, as its texts fall back to English: the
    offer must still show its times."""
    try:
        return Locale.parse(_LOCALES.get(language, language))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(_LOCALES["en"])


def zone_label(zone: str, at: datetime) -> str:
    """How the offer names the zone: "Europe/Berlin (CET)"; just the name when
    the abbreviation is only a number."""
    abbreviation = at.astimezone(ZoneInfo(zone)).tzname() or ""
    if zone == "UTC" or not abbreviation or abbreviation[0] in "+-" or abbreviation == zone:
        return zone.replace("_", " ")
    return f"{zone.replace('_', ' ')} ({abbreviation})"


def slot_label(start: datetime, zone: str, language: str = "en") -> str:
    """A slot as the visitor reads it, in their language (CLDR's words and order, by Babel):
    "Tue 24 Nov, 10:00", "Di., 24. Nov., 10:00", "mar, 24 nov, 10:00", "mar. 24 nov., 10:00"."""
    local = start.astimezone(ZoneInfo(zone))
    locale = _locale(language)
    day = format_skeleton("MMMEd", local, locale=locale)
    time = format_skeleton("Hm", local, locale=locale)
    return str(get_datetime_format("medium", locale=locale)).format(time, day)


def time_label(at: datetime, zone: str, language: str = "en") -> str:
    """A time of day in the visitor's language: "10:30"."""
    return format_skeleton("Hm", at.astimezone(ZoneInfo(zone)), locale=_locale(language))
