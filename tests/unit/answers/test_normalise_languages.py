"""The answer parsers on German, Spanish and French answers, as visitors type them: with and
without accents or umlauts, formal and informal. The values are the English ones."""

from __future__ import annotations

import time
from datetime import date

import pytest

from answers.normalise import (
    Budget,
    CompanySize,
    Seniority,
    is_refusal,
    parse_budget,
    parse_company,
    parse_company_size,
    parse_country,
    parse_name,
    parse_role,
    parse_timeline,
)

TODAY = date(2026, 11, 23)  # Q4; 8 days to the end of the month


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # German
        ("etwa 400 Mitarbeiter", CompanySize(400, 400)),
        ("ca. 1.500 Mitarbeitende", CompanySize(1500, 1500)),
        ("rund zweihundert Leute", CompanySize(200, 200)),
        ("etwa fuenfzig Mitarbeiter", CompanySize(50, 50)),
        ("50-100 MA", CompanySize(50, 100)),
        ("zwischen 50 und 100", CompanySize(50, 100)),
        ("50 bis 100 Mitarbeiter", CompanySize(50, 100)),
        ("über 1000", CompanySize(1001, None)),
        ("ueber 1.000 MA", CompanySize(1001, None)),
        ("mehr als 200", CompanySize(201, None)),
        ("unter 10", CompanySize(1, 9)),
        ("weniger als 20 Leute", CompanySize(1, 19)),
        ("wir sind 30 Leute", CompanySize(30, 30)),
        ("ein paar hundert", CompanySize(200, 200)),
        ("zweitausend", CompanySize(2000, 2000)),
        ("2,5 Tsd.", CompanySize(2500, 2500)),
        ("nur ich", CompanySize(1, 1)),
        ("ich alleine", CompanySize(1, 1)),
        ("Einzelunternehmer", CompanySize(1, 1)),
        ("nur eine Person", CompanySize(1, 1)),
        # Spanish
        ("unos 300 empleados", CompanySize(300, 300)),
        ("unas doscientas personas", CompanySize(200, 200)),
        ("entre 50 y 100 personas", CompanySize(50, 100)),
        ("de 10 a 20", CompanySize(10, 20)),
        ("más de mil", CompanySize(1001, None)),
        ("mas de mil", CompanySize(1001, None)),
        ("menos de 20", CompanySize(1, 19)),
        ("somos unos 45", CompanySize(45, 45)),
        ("doscientos cincuenta", CompanySize(250, 250)),
        ("5 mil empleados", CompanySize(5000, 5000)),
        ("1.200 trabajadores", CompanySize(1200, 1200)),
        ("solo 20 personas", CompanySize(20, 20)),
        ("solo somos 5", CompanySize(5, 5)),
        ("solo yo", CompanySize(1, 1)),
        ("autónomo", CompanySize(1, 1)),
        ("una sola persona", CompanySize(1, 1)),
        # French
        ("environ 250 salariés", CompanySize(250, 250)),
        ("environ deux cent cinquante salaries", CompanySize(250, 250)),
        ("1 500 collaborateurs", CompanySize(1500, 1500)),
        ("1\u202f500 collaborateurs", CompanySize(1500, 1500)),  # the narrow no-break space French puts there
        ("50 000 salariés", CompanySize(50000, 50000)),
        ("de 50 à 100 personnes", CompanySize(50, 100)),
        ("entre 50 et 100", CompanySize(50, 100)),
        ("moins de 10", CompanySize(1, 9)),
        ("plus de 500", CompanySize(501, None)),
        ("nous sommes 12", CompanySize(12, 12)),
        ("une centaine de salariés", CompanySize(100, 100)),
        ("une vingtaine", CompanySize(20, 20)),
        ("quelques centaines", CompanySize(300, 300)),
        ("deux mille", CompanySize(2000, 2000)),
        ("juste moi", CompanySize(1, 1)),
        ("moi seule", CompanySize(1, 1)),
        ("auto-entrepreneur", CompanySize(1, 1)),
        ("une seule personne", CompanySize(1, 1)),
    ],
)
def test_company_size_in_other_languages(text: str, expected: CompanySize) -> None:
    assert parse_company_size(text) == expected


@pytest.mark.parametrize(
    "text",
    ["keine Angabe", "k.A.", "weiß nicht", "prefiero no decirlo", "ni idea", "je préfère ne pas répondre", "non"],
)
def test_company_size_refused_in_other_languages(text: str) -> None:
    assert parse_company_size(text) is None


@pytest.mark.parametrize(
    ("text", "seniority"),
    [
        # German
        ("Geschäftsführer", Seniority.C_LEVEL),
        ("Geschäftsführerin", Seniority.C_LEVEL),
        ("Geschaeftsfuehrer", Seniority.C_LEVEL),
        ("geschaftsfuhrerin", Seniority.C_LEVEL),
        ("GF", Seniority.C_LEVEL),
        ("Vorstand", Seniority.C_LEVEL),
        ("Vorstandsvorsitzende", Seniority.C_LEVEL),
        ("Mitglied der Geschäftsleitung", Seniority.C_LEVEL),
        ("Inhaber", Seniority.FOUNDER),
        ("Inhaberin", Seniority.FOUNDER),
        ("Gründer", Seniority.FOUNDER),
        ("Gründerin", Seniority.FOUNDER),
        ("Gruender", Seniority.FOUNDER),
        ("Mitgründer", Seniority.FOUNDER),
        ("Vertriebsleiter", Seniority.HEAD),
        ("Vertriebsleiterin", Seniority.HEAD),
        ("Leiter Vertrieb", Seniority.HEAD),
        ("Leiterin Marketing", Seniority.HEAD),
        ("Leitung Marketing", Seniority.HEAD),
        ("Marketingleitung", Seniority.HEAD),
        ("Bereichsleiter", Seniority.MANAGER),
        ("Abteilungsleiterin", Seniority.MANAGER),
        ("Teamleiter", Seniority.MANAGER),
        ("Teamleiterin Vertrieb", Seniority.MANAGER),
        ("Key Account Managerin", Seniority.MANAGER),
        ("Vizepräsident Vertrieb", Seniority.VP),
        ("Sachbearbeiter", Seniority.INDIVIDUAL_CONTRIBUTOR),
        ("Sachbearbeiterin", Seniority.INDIVIDUAL_CONTRIBUTOR),
        ("Referent", Seniority.INDIVIDUAL_CONTRIBUTOR),
        ("Referentin Marketing", Seniority.INDIVIDUAL_CONTRIBUTOR),
        ("Vertriebsmitarbeiter", Seniority.INDIVIDUAL_CONTRIBUTOR),
        ("Softwareentwickler", Seniority.INDIVIDUAL_CONTRIBUTOR),
        ("Werkstudent", Seniority.STUDENT),
        ("Werkstudentin", Seniority.STUDENT),
        ("Praktikant", Seniority.STUDENT),
        ("Praktikantin", Seniority.STUDENT),
        ("Azubi", Seniority.STUDENT),
        ("ich bin Geschäftsführer", Seniority.C_LEVEL),
        # Spanish
        ("Director General", Seniority.C_LEVEL),
        ("Directora General", Seniority.C_LEVEL),
        ("Gerente General", Seniority.C_LEVEL),
        ("CEO", Seniority.C_LEVEL),
        ("Consejero Delegado", Seniority.C_LEVEL),
        ("Presidenta", Seniority.C_LEVEL),
        ("Vicepresidenta de Ventas", Seniority.VP),
        ("Director de Ventas", Seniority.DIRECTOR),
        ("Directora de Ventas", Seniority.DIRECTOR),
        ("Jefe de Marketing", Seniority.HEAD),
        ("Jefa de Marketing", Seniority.HEAD),
        ("jefa de equipo", Seniority.MANAGER),
        ("Responsable de Marketing", Seniority.MANAGER),
        ("Gerente Comercial", Seniority.MANAGER),
        ("dueño", Seniority.FOUNDER),
        ("dueña", Seniority.FOUNDER),
        ("dueno", Seniority.FOUNDER),
        ("fundador", Seniority.FOUNDER),
        ("fundadora", Seniority.FOUNDER),
        ("cofundadora", Seniority.FOUNDER),
        ("ejecutivo de cuentas", Seniority.INDIVIDUAL_CONTRIBUTOR),
        ("ejecutiva de cuentas", Seniority.INDIVIDUAL_CONTRIBUTOR),
        ("analista", Seniority.INDIVIDUAL_CONTRIBUTOR),
        ("diseñadora", Seniority.INDIVIDUAL_CONTRIBUTOR),
        ("practicante", Seniority.STUDENT),
        ("becario", Seniority.STUDENT),
        ("becaria", Seniority.STUDENT),
        ("estudiante", Seniority.STUDENT),
        ("Soy la directora de marketing", Seniority.DIRECTOR),
        # French
        ("PDG", Seniority.C_LEVEL),
        ("DG", Seniority.C_LEVEL),
        ("Directeur général", Seniority.C_LEVEL),
        ("Directrice générale", Seniority.C_LEVEL),
        ("directrice generale", Seniority.C_LEVEL),
        ("Présidente", Seniority.C_LEVEL),
        ("Vice-présidente", Seniority.VP),
        ("Directeur commercial", Seniority.DIRECTOR),
        ("Directrice commerciale", Seniority.DIRECTOR),
        ("DRH", Seniority.DIRECTOR),
        ("DAF", Seniority.DIRECTOR),
        ("directeur marketing", Seniority.DIRECTOR),
        ("Responsable commercial", Seniority.MANAGER),
        ("Responsable marketing", Seniority.MANAGER),
        ("chef d'équipe", Seniority.MANAGER),
        ("chef d’equipe", Seniority.MANAGER),
        ("chef de projet", Seniority.MANAGER),
        ("chef des ventes", Seniority.HEAD),
        ("gérant", Seniority.FOUNDER),
        ("gérante", Seniority.FOUNDER),
        ("gerante", Seniority.FOUNDER),
        ("fondateur", Seniority.FOUNDER),
        ("fondatrice", Seniority.FOUNDER),
        ("co-fondateur", Seniority.FOUNDER),
        ("chargé d'affaires", Seniority.INDIVIDUAL_CONTRIBUTOR),
        ("chargée d'affaires", Seniority.INDIVIDUAL_CONTRIBUTOR),
        ("commercial", Seniority.INDIVIDUAL_CONTRIBUTOR),
        ("commerciale", Seniority.INDIVIDUAL_CONTRIBUTOR),
        ("ingénieur", Seniority.INDIVIDUAL_CONTRIBUTOR),
        ("ingénieure", Seniority.INDIVIDUAL_CONTRIBUTOR),
        ("ingenieure", Seniority.INDIVIDUAL_CONTRIBUTOR),
        ("développeuse", Seniority.INDIVIDUAL_CONTRIBUTOR),
        ("stagiaire", Seniority.STUDENT),
        ("alternant", Seniority.STUDENT),
        ("alternante", Seniority.STUDENT),
        ("étudiant", Seniority.STUDENT),
        ("étudiante", Seniority.STUDENT),
        ("etudiante", Seniority.STUDENT),
        ("je suis la DRH", Seniority.DIRECTOR),
    ],
)
def test_role_in_other_languages(text: str, seniority: Seniority) -> None:
    role = parse_role(text)
    assert role is not None
    assert role.seniority is seniority


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("ich bin Geschäftsführer", "Geschäftsführer"),
        ("Ich arbeite als Entwicklerin", "Entwicklerin"),
        ("Soy la directora de marketing", "directora de marketing"),
        ("je suis la DRH", "DRH"),
        ("mon poste est directeur financier", "directeur financier"),
    ],
)
def test_role_keeps_the_title_as_given_without_the_preamble_in_other_languages(text: str, title: str) -> None:
    role = parse_role(text)
    assert role is not None
    assert role.title == title


@pytest.mark.parametrize(
    "text", ["keine Angabe", "möchte ich nicht sagen", "prefiero no decirlo", "je préfère ne pas répondre"]
)
def test_role_refused_in_other_languages(text: str) -> None:
    assert parse_role(text) is None


@pytest.mark.parametrize(
    ("text", "earliest", "latest", "label"),
    [
        # German
        ("asap", 0.0, 0.5, "asap"),
        ("so schnell wie möglich", 0.0, 0.5, "asap"),
        ("so schnell wie moeglich", 0.0, 0.5, "asap"),
        ("sofort", 0.0, 0.5, "asap"),
        ("diesen Monat", 0.0, 0.2, "this month"),
        ("nächsten Monat", 0.3, 1.2, "next month"),
        ("naechsten Monat", 0.3, 1.2, "next month"),
        ("nachsten monat", 0.3, 1.2, "next month"),
        ("dieses Quartal", 0.0, 1.2, "this quarter"),
        ("nächstes Quartal", 1.3, 4.2, "next quarter"),
        ("im 1. Quartal", 1.3, 4.2, "Q1 2027"),
        ("Q3/2027", 7.2, 10.2, "Q3 2027"),
        ("bis Jahresende", 0.0, 1.2, "this year"),
        ("Ende des Jahres", 0.0, 1.2, "this year"),
        ("erst nächstes Jahr", 1.3, 13.3, "next year"),
        ("in 3 Monaten", 3.0, 3.0, "in 3 months"),
        ("in drei Monaten", 3.0, 3.0, "in 3 months"),
        ("in einem Monat", 1.0, 1.0, "in 1 month"),
        ("in einem halben Jahr", 6.0, 6.0, "in 6 months"),
        ("innerhalb von 6 Wochen", 0.0, 1.4, "within 6 weeks"),
        ("in den nächsten 3 Monaten", 0.0, 3.0, "within 3 months"),
        ("in 3 bis 6 Monaten", 3.0, 6.0, "3-6 months"),
        ("zwischen 3 und 6 Monaten", 3.0, 6.0, "3-6 months"),
        ("bis März", 0.0, 4.2, "by March 2027"),
        ("bis Maerz", 0.0, 4.2, "by March 2027"),
        ("bald", 0.0, 3.0, "soon"),
        ("zeitnah", 0.0, 3.0, "soon"),
        ("später", 6.0, None, "later"),
        # Spanish
        ("cuanto antes", 0.0, 0.5, "asap"),
        ("lo antes posible", 0.0, 0.5, "asap"),
        ("este mes", 0.0, 0.2, "this month"),
        ("el próximo mes", 0.3, 1.2, "next month"),
        ("el mes que viene", 0.3, 1.2, "next month"),
        ("este trimestre", 0.0, 1.2, "this quarter"),
        ("el próximo trimestre", 1.3, 4.2, "next quarter"),
        ("primer trimestre de 2027", 1.3, 4.2, "Q1 2027"),
        ("antes de fin de año", 0.0, 1.2, "this year"),
        ("antes de fin de ano", 0.0, 1.2, "this year"),
        ("el año que viene", 1.3, 13.3, "next year"),
        ("el proximo ano", 1.3, 13.3, "next year"),
        ("en 3 meses", 3.0, 3.0, "in 3 months"),
        ("en tres meses", 3.0, 3.0, "in 3 months"),
        ("dentro de 6 meses", 6.0, 6.0, "in 6 months"),
        ("en los próximos 2 meses", 0.0, 2.0, "within 2 months"),
        ("de 3 a 6 meses", 3.0, 6.0, "3-6 months"),
        ("en enero de 2027", 0.0, 2.3, "by January 2027"),
        ("pronto", 0.0, 3.0, "soon"),
        ("más adelante", 6.0, None, "later"),
        # French
        ("au plus vite", 0.0, 0.5, "asap"),
        ("dès que possible", 0.0, 0.5, "asap"),
        ("ce mois-ci", 0.0, 0.2, "this month"),
        ("le mois prochain", 0.3, 1.2, "next month"),
        ("ce trimestre", 0.0, 1.2, "this quarter"),
        ("le trimestre prochain", 1.3, 4.2, "next quarter"),
        ("T1 2027", 1.3, 4.2, "Q1 2027"),
        ("1er trimestre", 1.3, 4.2, "Q1 2027"),
        ("d'ici la fin de l'année", 0.0, 1.2, "this year"),
        ("d’ici la fin de l’annee", 0.0, 1.2, "this year"),
        ("l'année prochaine", 1.3, 13.3, "next year"),
        ("l’an prochain", 1.3, 13.3, "next year"),
        ("dans 3 mois", 3.0, 3.0, "in 3 months"),
        ("dans trois mois", 3.0, 3.0, "in 3 months"),
        ("dans un an", 12.0, 12.0, "in 1 year"),
        ("d'ici 3 mois", 0.0, 3.0, "within 3 months"),
        ("dans les 3 prochains mois", 0.0, 3.0, "within 3 months"),
        ("3 à 6 mois", 3.0, 6.0, "3-6 months"),
        ("d'ici juin", 0.0, 7.2, "by June 2027"),
        ("bientôt", 0.0, 3.0, "soon"),
        ("plus tard", 6.0, None, "later"),
    ],
)
def test_timeline_in_other_languages(text: str, earliest: float, latest: float | None, label: str) -> None:
    timeline = parse_timeline(text, TODAY)
    assert timeline is not None
    assert (timeline.earliest, timeline.latest, timeline.label) == (earliest, latest, label)


@pytest.mark.parametrize(
    "text",
    [
        "informiere mich nur",
        "ich informiere mich nur",
        "noch nicht",
        "keine Eile",
        "solo estoy investigando",
        "todavía no",
        "no sé",
        "je me renseigne",
        "on se renseigne",
        "pas encore",
        "je ne sais pas",
    ],
)
def test_timeline_without_a_plan_in_other_languages(text: str) -> None:
    timeline = parse_timeline(text, TODAY)
    assert timeline is not None
    assert (timeline.earliest, timeline.latest, timeline.label) == (None, None, "no timeline")


def test_timeline_from_now_in_other_languages_is_no_asap() -> None:
    timeline = parse_timeline("in 3 Monaten ab heute", TODAY)
    assert timeline is not None
    assert timeline.label == "in 3 months"


@pytest.mark.parametrize(
    ("text", "budget"),
    [
        ("Budget ist freigegeben", Budget.APPROVED),
        ("ja, haben wir", Budget.APPROVED),
        ("ist eingeplant", Budget.APPROVED),
        ("30.000 €", Budget.APPROVED),
        ("wir schauen noch", Budget.EXPLORING),
        ("noch kein Budget", Budget.EXPLORING),
        ("Budget ist noch nicht freigegeben", Budget.EXPLORING),
        ("muss ich noch klaeren", Budget.EXPLORING),
        ("vielleicht", Budget.EXPLORING),
        ("kein Budget", Budget.NONE),
        ("nein", Budget.NONE),
        ("presupuesto aprobado", Budget.APPROVED),
        ("sí, tenemos", Budget.APPROVED),
        ("lo estamos evaluando", Budget.EXPLORING),
        ("todavia no", Budget.EXPLORING),
        ("depende", Budget.EXPLORING),
        ("sin presupuesto", Budget.NONE),
        ("no tenemos presupuesto", Budget.NONE),
        ("budget validé", Budget.APPROVED),
        ("budget valide", Budget.APPROVED),
        ("oui", Budget.APPROVED),
        ("50 000 euros", Budget.APPROVED),
        ("on étudie", Budget.EXPLORING),
        ("on etudie", Budget.EXPLORING),
        ("pas encore", Budget.EXPLORING),
        ("peut-être", Budget.EXPLORING),
        ("pas de budget", Budget.NONE),
        ("on n'a pas de budget", Budget.NONE),
        ("non", Budget.NONE),
    ],
)
def test_budget_in_other_languages(text: str, budget: Budget) -> None:
    assert parse_budget(text) is budget


@pytest.mark.parametrize(
    ("text", "code", "name"),
    [
        ("Deutschland", "DE", "Germany"),
        ("Schweiz", "CH", "Switzerland"),
        ("Österreich", "AT", "Austria"),
        ("Oesterreich", "AT", "Austria"),
        ("Osterreich", "AT", "Austria"),
        ("España", "ES", "Spain"),
        ("Espana", "ES", "Spain"),
        ("México", "MX", "Mexico"),
        ("Alemania", "DE", "Germany"),
        ("Suisse", "CH", "Switzerland"),
        ("Belgique", "BE", "Belgium"),
        ("Allemagne", "DE", "Germany"),
        ("aus der Schweiz", "CH", "Switzerland"),
        ("wir sind aus Österreich", "AT", "Austria"),
        ("aus den Niederlanden", "NL", "Netherlands"),
        ("in den USA", "US", "United States"),
        ("Vereinigtes Königreich", "GB", "United Kingdom"),
        ("Großbritannien", "GB", "United Kingdom"),
        ("desde Colombia", "CO", "Colombia"),
        ("somos de México", "MX", "Mexico"),
        ("de los Estados Unidos", "US", "United States"),
        ("EE.UU.", "US", "United States"),
        ("Reino Unido", "GB", "United Kingdom"),
        ("Países Bajos", "NL", "Netherlands"),
        ("en France", "FR", "France"),
        ("nous sommes en Belgique", "BE", "Belgium"),
        ("au Canada", "CA", "Canada"),
        ("aux États-Unis", "US", "United States"),
        ("aux Etats Unis", "US", "United States"),
        ("de l'Allemagne", "DE", "Germany"),
        ("la France", "FR", "France"),
        ("Royaume-Uni", "GB", "United Kingdom"),
        ("Madrid, España", "ES", "Spain"),
        ("Deutschland und Österreich", "DE", "Germany"),
        ("El Salvador", "SV", "El Salvador"),
        ("Europa", None, "Europe"),
        ("Lateinamerika", None, "LATAM"),
        ("Amérique du Nord", None, "North America"),
    ],
)
def test_country_in_other_languages(text: str, code: str | None, name: str) -> None:
    location = parse_country(text)
    assert location is not None
    assert (location.country_code, location.name) == (code, name)


@pytest.mark.parametrize(
    "text", ["Nein", "keine Angabe", "prefiero no decirlo", "je préfère ne pas répondre", "Narnia"]
)
def test_country_refused_or_unknown_in_other_languages(text: str) -> None:
    assert parse_country(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "keine Angabe",
        "Keine Angaben.",
        "k.A.",
        "weiß nicht",
        "weiss nicht",
        "keine Ahnung!",
        "möchte ich nicht sagen",
        "lieber nicht",
        "nein",
        "prefiero no decirlo",
        "prefiero no decir",
        "no sé",
        "ni idea",
        "je préfère ne pas répondre",
        "je prefere ne pas repondre",
        "je sais pas",
        "aucune idée",
        "non",
    ],
)
def test_refusals_in_other_languages(text: str) -> None:
    assert is_refusal(text)
    assert parse_name(text) is None
    assert parse_company(text) is None


@pytest.mark.parametrize("text", ["Ana", "Nada", "Paris", "Müller GmbH", "Geschäftsführer"])
def test_names_are_no_refusals(text: str) -> None:
    assert not is_refusal(text)


HOSTILE = ["zweihundert " * 1000, "de " * 3000, "1" * 10_000, "1 " * 5000, "ä" * 10_000, "über " * 2000, "x" * 10_000]


@pytest.mark.parametrize("text", HOSTILE)
def test_parsers_stay_fast_on_long_input(text: str) -> None:
    parsers = [
        parse_company_size,
        parse_role,
        parse_budget,
        parse_country,
        is_refusal,
        lambda t: parse_timeline(t, TODAY),
    ]
    for parser in parsers:
        parser("warm up")  # the catalogs and month names are read once, on first use
        started = time.perf_counter()
        parser(text)
        assert time.perf_counter() - started < 0.05  # a few milliseconds at most; generous for a slow machine
