"""Find answers to several questions in one message.

An opening like "Hi, I'm Priya Natarajan, CTO at Quantix Labs (about 300
people), we want a demo this month, priya@quantixlabs.com" answers six
questions at once, and so does one in German, Spanish or French ("Hallo, ich bin
Jana Brückner, Vertriebsleiterin bei der Feldmann Logistik GmbH (ca. 250
Mitarbeiter)", "Hola, soy María López, directora comercial de Grupo Andino",
"Bonjour, je suis Claire Martin, directrice commerciale chez Transports Lemoine").
``find_answers`` returns, per question, the piece of text that answers it, as
typed; the normalisers in :mod:`answers.normalise` then turn each piece into a
value. Only patterns that rarely misfire are used: a question the visitor did
not clearly answer is simply asked, as a wrong name or company is worse than a
question. Only the cue words that find a name, company or role in a sentence are
per language ("ich bin", "soy", "je suis"; "bei", "de", "chez"); whether a piece
is a title, a country or a head count is :mod:`answers.normalise`'s to say.
"""

from __future__ import annotations

import re
import unicodedata
import zoneinfo
from functools import lru_cache
from typing import Dict, List, Tuple

import pycountry

from answers.normalise import (
    EMAIL_PATTERN,
    Seniority,
    clean,
    parse_country,
    seniority_of,
)
from bot.qualification.intro_words import GREETINGS, NOT_COMPANY_WORDS, NOT_NAME_WORDS

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
_BUDGET = re.compile(r"[^,.;]*\b(?:budget|presupuesto)\b[^,.;]*", re.I)
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


# --- German, Spanish and French ------------------------------------------------
# Umlauts and accents are optional in every cue ("Mitarbeiter", "salariés" or "salaries",
# "ungefähr", "ungefaehr" or "ungefahr"); any apostrophe is one.

#: A number as the four languages write it: "1,200", "1.200", "1 200" (French).
_COUNT = r"(?:\d{1,3}(?: \d{3})+|\d[\d,.]*)"
_SIZE_OTHER = re.compile(
    r"(?:(?:ca\.?|circa|etwa|rund|ungef(?:ä|ae|a)hr|knapp|fast|(?:ü|ue|u)ber|mehr als|um die|gut"
    r"|unos|unas|alrededor de|cerca de|casi|m(?:á|a)s de|aproximadamente|aprox\.?"
    r"|environ|pr(?:è|e)s de|plus de|presque|quelque|(?:à|a) peu pr(?:è|e)s)\s*)?"
    rf"{_COUNT}\s*k?\+?\s*(?:(?:-|–|bis|a|à|y|et)\s*{_COUNT}\s*k?\+?\s*)?"
    r"(?:mitarbeiter(?:innen|in)?|mitarbeitende[n]?|ma|besch(?:ä|ae|a)ftigte[n]?|angestellte[n]?|leute|leit"
    r"|personen|k(?:ö|oe|o)pfe|vollzeitkr(?:ä|ae|a)fte"
    r"|emplead[oa]s|personas|trabajador(?:es|as)|colaborador(?:es|as)"
    r"|salari(?:é|e)e?s|employ(?:é|e)e?s|personnes|collaborat(?:eurs|rices)|etp)\b",
    re.I,
)
#: "somos unos 300", "wir sind 50", "nous sommes 140": a head count without its unit.
_WE_ARE_COUNT = re.compile(
    r"\b(?:wir sind|wir san|somos|nous sommes|on est)\s+"
    r"(?P<count>(?:(?:ca\.?|circa|etwa|rund|ungef(?:ä|ae|a)hr|knapp|(?:ü|ue|u)ber|mehr als|unos|unas|alrededor de"
    r"|cerca de|casi|m(?:á|a)s de|aproximadamente|environ|pr(?:è|e)s de|plus de)\s*)?\d+(?:[.,]\d+)*\+?)"
    r"(?=\s*(?:[,;!)…]|\.(?:\s|\.|$)|$|\s(?:y|und|et)\b))",
    re.I,
)
_TIMELINE_OTHER = re.compile(
    r"\b(so (?:schnell|bald) wie m(?:ö|oe|o)glich|m(?:ö|oe|o)glichst (?:schnell|bald)|schnellstm(?:ö|oe|o)glich|sofort"
    r"|diese[nsm]? (?:woche|monat|quartal|jahr)|(?:n(?:ä|ae|a)chste[nsm]?|kommende[nsm]?) (?:woche|monat|quartal|jahr)"
    r"|(?:in|innerhalb(?: von)?|binnen) (?:den n(?:ä|ae|a)chsten )?\d+ (?:tagen|wochen|monaten)"
    r"|bis (?:zum )?(?:monats|quartals|jahres)ende|bis ende (?:des|dieses) (?:monats|quartals|jahres)"
    r"|cuanto antes|lo (?:antes|m(?:á|a)s pronto) posible|de inmediato"
    r"|est[ea] (?:semana|mes|trimestre|a(?:ñ|n)o)|(?:el|la) (?:pr(?:ó|o)xim[oa]|siguiente) (?:semana|mes|trimestre|a(?:ñ|n)o)"
    r"|(?:el|la) (?:semana|mes|trimestre|a(?:ñ|n)o) que viene|(?:antes de )?fin(?:ales)? de(?:l)? (?:mes|trimestre|a(?:ñ|n)o)"
    r"|(?:en|dentro de) (?:los pr(?:ó|o)ximos )?\d+ (?:d(?:í|i)as|semanas|meses)"
    r"|d(?:è|e)s que possible|au plus (?:vite|t(?:ô|o)t)|le plus (?:vite|t(?:ô|o)t) possible|imm(?:é|e)diatement"
    r"|cette semaine|ce mois(?:-| )?ci|ce trimestre|cette ann(?:é|e)e"
    r"|(?:la semaine|le mois|le trimestre|l['’]ann(?:é|e)e) prochaine?"
    r"|(?:(?:avant|d['’]ici) )?(?:la )?fin (?:du|de) (?:mois|trimestre)(?: prochain)?"
    r"|(?:(?:avant|d['’]ici) )?(?:la )?fin (?:de l['’]|d['’])ann(?:é|e)e"
    r"|(?:dans|d['’]ici|sous) (?:les )?\d+ (?:jours|semaines|mois))\b",
    re.I,
)
_PLACE_OTHER = re.compile(
    r"\b(?:aus|mit sitz in|sitzen in|ans(?:ä|ae|a)ssig in|(?:wir sind|ich bin) in"
    r"|desde|(?:soy|somos|estoy|estamos) (?:de|en|desde)|(?:basad|ubicad)[oa]s? en|con sede en"
    r"|(?:bas|situ|install)(?:é|e)e?s? (?:en|au|aux|à|a)|(?:nous sommes|on est|je suis) (?:en|au|aux))"
    r"\s+([^\W\d_][\w .'’-]{1,40}?)(?=[,.;!?)]|$| and | und | y | et )",
    re.I,
)

_SEGMENTS = re.compile(r"[,;()\n!?:…]|\s[-–—]\s|(?<!\bca)(?<!\bDr)(?<!\bMme)\.(?:\s|$)")
_NAME_WORD = r"[^\W\d_][\w'’-]*"
_NEXT_NAME_WORD = re.compile(rf"\s*({_NAME_WORD})(?=[\s.]|$)")
#: What names the speaker: "Mein Name ist" (strong: one word is enough), "ich bin" / "soy" / "je suis"
#: (weak: "ich bin Kunde", "je suis Belge"), "hier ist" / "ici" / "habla" (only where a sentence starts).
_STRONG_CUE = (
    r"ich hei(?:ß|ss|s)e|mein name ist|mein name lautet|me llamo|mi nombre es|je m['’]appelle|mon nom est|moi c['’]est"
)
_WEAK_CUE = r"(?:ich |i )?bin (?:der|die|da)|ich bin|soy|je suis"
_LEAD_CUE = r"hier (?:ist|spricht)|ici|habla|le saluda|les saluda|te escribe|les escribe|c['’]est"
_NAME_CUE = re.compile(
    rf"(?i:(?P<strong>\b(?:{_STRONG_CUE}))|(?P<weak>\b(?:{_WEAK_CUE}))|(?P<lead>^(?:{_LEAD_CUE})))\s+(?={_NAME_WORD})"
)
#: Lower-case words inside a name: "Jan van der Berg", "Karim ben Ali", "Ana da Silva".
_PARTICLES = frozenset({"van", "der", "den", "da", "dos", "di", "ben", "bin", "ibn", "al", "el"})
#: What follows a name before the company: "Lukas Huber hier von Alpenwerk", "Karim Ben Ali de Transports".
_NAME_THEN_COMPANY = re.compile(
    r"^\s*(?i:hier\s+)?(?i:von(?: der| dem| den)?|vom|bei(?: der| dem| den)?|beim|de|del|d['’]|chez|from|at|with)\s*"
)
_NAME_THEN = re.compile(r"^\s*(?:$|(?i:hier|von|vom|bei|beim|aus|und|de|del|d['’]|chez|y|et|en|from|at|with)\b)")
_NAME_HERE = re.compile(rf"^({_NAME_WORD}(?:\s+{_NAME_WORD}){{1,3}})\s+(?i:hier)\b(?=\s*$|\s+(?i:von|vom|bei|aus)\b)")
#: Between a title and its company: "CTO bei Donaupixel", "CEO de Fintech Andina", "DG chez Lemoine".
_ROLE_THEN_COMPANY = re.compile(
    r"\s+(?i:bei(?: der| dem| den| die)?|beim|von(?: der| dem| den)?|vom|del?|d['’]|du|en|chez|aupr(?:è|e)s de)\s*"
    r"(?=[^\W_])"
)
_ROLE_LEAD = re.compile(
    r"^(?i:(?:ich |i )?bin|ich arbeite als|arbeite als|soy|trabajo como|je suis|je travaille (?:comme|en tant que)"
    r"|en tant que|i'?m|i am|as)\s+(?i:(?:der|die|ein|eine|el|la|una?|le|une|the|an?)\s+|l['’])?"
)
#: Where a company follows without a title: "ich arbeite bei", "trabajo en", "je travaille chez"; and
#: after a name, "wir sind", "somos", "nous sommes".
_WORK_AT_OTHER = re.compile(
    r"\b(?i:(?:ich )?arbeite (?:bei|f(?:ü|ue|u)r)(?: der| dem| den)?|trabajo (?:en|para)|trabajamos (?:en|para)"
    r"|je travaille (?:chez|pour)|on travaille chez)\s+"
)
_WE_ARE = re.compile(r"\b(?i:wir sind|somos|nous sommes|on est)\s+(?i:(?:die|der|das)\s+)?")
_COMPANY_ARTICLE = re.compile(r"^(?i:(?:der|die|das|dem|den|el|la|los|las|le|les|the)\s+|l['’](?=[^\W\d_]))")
_COMPANY_WORD = re.compile(r"[\w&+][\w&'’+-]*(?:\.[\w&'’+-]+)*")
_COMPANY_JOINS = frozenset({"de", "del", "y", "und", "et", "&", "of", "and", "des", "du"})


def _fold(text: str) -> str:
    text = text.casefold().replace("’", "'")
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def _capitalised(word: str) -> bool:
    return word[:1].isupper() or word[:1].isdigit()


@lru_cache(maxsize=1)
def _places() -> frozenset[str]:
    """Cities and regions, folded: the time-zone database's cities ("Lima", "Mexico City") and
    ISO 3166-2's subdivisions ("Sevilla", "Bayern"); "soy Juan de Monterrey" names no company."""
    cities = {zone.rsplit("/", 1)[-1].replace("_", " ") for zone in zoneinfo.available_timezones()}
    regions = {subdivision.name for subdivision in pycountry.subdivisions}
    return frozenset(_fold(place) for place in cities | regions)


def _a_place(text: str) -> bool:
    return parse_country(text) is not None or _fold(text) in _places()


def _name_words(text: str) -> Tuple[List[str], int]:
    """The capitalised words a name is made of at the start of ``text``, and where they end."""
    words: List[str] = []
    pending: List[str] = []
    end = position = 0
    while (m := _NEXT_NAME_WORD.match(text, position)) and len(words) + len(pending) < 4:
        position = m.end()
        word = m.group(1)
        if words and word in _PARTICLES:
            pending.append(word)
            continue
        if not _capitalised(word) or _fold(word) in NOT_NAME_WORDS or _role_level(word) is not None:
            break
        words.extend(pending + [word])
        pending = []
        end = position
    return words, end


def _a_name(words: List[str]) -> str | None:
    name = " ".join(words)
    if not words or _role_level(name) is not None or _a_place(name):
        return None
    return name


def _company_at(text: str) -> str | None:
    """The company named at the start of ``text``: capitalised words, joined by "de", "y", "&"."""
    words: List[str] = []
    joins: List[str] = []
    for word in _COMPANY_ARTICLE.sub("", text.strip()).split()[:8]:
        if _capitalised(word) and not (words and _fold(word) in NOT_NAME_WORDS):
            words.extend(joins + [word])
            joins = []
        elif words and word.lower() in _COMPANY_JOINS and not joins:
            joins.append(word)
        else:
            break
        if len(words) >= 5 or not _COMPANY_WORD.fullmatch(word):
            break  # "Acme." ends a sentence
    company = " ".join(words).rstrip(".'’-")
    if not company or not _COMPANY_WORD.fullmatch(company.split()[0]):
        return None
    first = _fold(company.split()[0])
    if first in NOT_COMPANY_WORDS or first in NOT_NAME_WORDS or _a_place(company):
        return None
    return company


def _without_greeting(segment: str) -> str:
    words = segment.split()
    for count in (3, 2, 1):
        if len(words) >= count and _fold(" ".join(words[:count])).strip(" ,.!") in GREETINGS:
            return " ".join(words[count:])
    return segment


def _named(segment: str) -> Tuple[str, str] | None:
    """The name a segment says the speaker has, and the text after it."""
    if m := _NAME_HERE.match(segment):
        words, _ = _name_words(m.group(1))
        if len(words) >= 2 and " ".join(words) == m.group(1) and (name := _a_name(words)):
            return name, segment[m.end(1) :]
    for m in _NAME_CUE.finditer(segment):
        words, end = _name_words(segment[m.end() :])
        rest = segment[m.end() + end :]
        if not words or (not m.group("strong") and len(words) == 1 and not _NAME_THEN.match(rest)):
            continue
        if name := _a_name(words):
            return name, rest
    return None


def _role_at_company(segment: str, name: str | None) -> Tuple[str, str] | None:
    """A title and the company it is held at: "Vertriebsleiterin bei der Feldmann Logistik GmbH"."""
    for m in _ROLE_THEN_COMPANY.finditer(segment):
        company = _company_at(segment[m.end() :])
        if company is None:
            continue
        role = segment[: m.start()]
        if name and name in role:
            role = role.split(name, 1)[1]
        role = _ROLE_LEAD.sub("", role.strip(" .!")).strip(" .!")
        if role and len(role.split()) <= 6 and _role_level(role):
            return role, company
    return None


def _find_other(text: str, found: Dict[str, str]) -> None:
    """Adds what a German, Spanish or French opening answers to ``found`` (English is read first)."""
    if "company_size" not in found and (m := _SIZE_OTHER.search(text) or _WE_ARE_COUNT.search(text)):
        found["company_size"] = m.group(0).strip() if m.re is _SIZE_OTHER else m.group("count")
    if "timeline" not in found and (m := _TIMELINE_OTHER.search(text)):
        found["timeline"] = m.group(0)
    if "country" not in found and (m := _PLACE_OTHER.search(text)) and parse_country(m.group(1)) is not None:
        found["country"] = m.group(1)
    segments = [_without_greeting(s.strip()) for s in _SEGMENTS.split(text)]
    segments = [s for s in segments if s]
    name = found.get("name")
    for i, segment in enumerate(segments):
        if name is None and (said := _named(segment)):
            name, rest = said
            found["name"] = name
            if (m := _NAME_THEN_COMPANY.match(rest)) and (company := _company_at(rest[m.end() :])):
                found.setdefault("company", company)
        elif name is None and i == 0 and len(segments) > 1 and _role_at_company(segments[1], None):
            # "Bonjour, Julien Mercier, DG de Mercier Transports": a name alone, then its title
            words, end = _name_words(segment)
            if len(words) >= 2 and end == len(segment) and (bare := _a_name(words)):
                name = found["name"] = bare
        if said := _role_at_company(segment, name):
            found.setdefault("role", said[0])
            found.setdefault("company", said[1])
        elif (m := _WORK_AT_OTHER.search(segment) or (_WE_ARE.search(segment) if name else None)) and (
            company := _company_at(segment[m.end() :])
        ):
            found.setdefault("company", company)


def find_answers(text: str) -> Dict[str, str]:
    """Returns ``{parser: text answering it}`` for the kinds of question the
    message clearly answers (keys are playbook parser names: name, email,
    company, role, company_size, timeline, budget, country), in English, German,
    Spanish or French."""
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
    _find_other(without_email, found)
    return found
