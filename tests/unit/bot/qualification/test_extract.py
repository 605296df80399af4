from __future__ import annotations

import pytest

from answers.normalise import Seniority, parse_company, parse_company_size, parse_name, parse_role
from bot.qualification.extract import find_answers


def test_an_opening_answers_six_questions_at_once() -> None:
    found = find_answers(
        "Hi, I'm Priya Natarajan, CTO at Quantix Labs (about 300 people), we want a demo this month, priya@quantixlabs.com"
    )
    assert found == {
        "name": "Priya Natarajan",
        "role": "CTO",
        "company": "Quantix Labs",
        "company_size": "about 300 people",
        "timeline": "this month",
        "email": "priya@quantixlabs.com",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm Raj from Fernhill Tools", {"name": "Raj", "company": "Fernhill Tools"}),
        ("Hi I'm the VP Sales at Acme Corp", {"role": "VP Sales", "company": "Acme Corp"}),
        ("hi, I'm an intern doing a school project", {"role": "intern"}),
        ("we're based in Germany, budget approved", {"country": "Germany", "budget": "budget approved"}),
        ("we have ~600 ppl and need it asap", {"company_size": "~600 ppl", "timeline": "asap"}),
    ],
)
def test_clear_answers_are_found(text: str, expected: dict) -> None:
    assert find_answers(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "we lose inbound leads outside office hours",
        "we work with Salesforce and HubSpot",
        "I'm Head of Growth",  # a title is not a name
        "hello",
        "",
        "<script>alert('x')</script>",
        "x" * 20_000,
    ],
)
def test_nothing_is_guessed_from_ordinary_sentences(text: str) -> None:
    found = find_answers(text)
    assert "name" not in found
    assert "company" not in found


def test_a_title_is_never_taken_for_a_name() -> None:
    assert find_answers("Hi I'm Head of Growth at Acme") == {"role": "Head of Growth", "company": "Acme"}


# --- German, Spanish and French openings ------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Hallo, ich bin Jana Brückner, Vertriebsleiterin bei der Feldmann Logistik GmbH (ca. 250 Mitarbeiter), "
            "wir wollen noch diesen Monat starten, jana@feldmann-logistik.de",
            {
                "name": "Jana Brückner",
                "role": "Vertriebsleiterin",
                "company": "Feldmann Logistik GmbH",
                "company_size": "ca. 250 Mitarbeiter",
                "timeline": "diesen Monat",
                "email": "jana@feldmann-logistik.de",
            },
        ),
        (
            "Guten Tag, Katrin Weber hier, Vertriebsleiterin bei der Hanse Logistik GmbH, wir sind ca. 350 "
            "Mitarbeiter. Start noch dieses Quartal, Budget ist freigegeben.",
            {
                "name": "Katrin Weber",
                "role": "Vertriebsleiterin",
                "company": "Hanse Logistik GmbH",
                "company_size": "ca. 350 Mitarbeiter",
                "timeline": "dieses Quartal",
                "budget": "Budget ist freigegeben",
            },
        ),
        (
            "Servus! Bin der Lukas Gruber, CTO bei Donaupixel, wir san ca. 85 Leit.",
            {"name": "Lukas Gruber", "role": "CTO", "company": "Donaupixel", "company_size": "ca. 85 Leit"},
        ),
        ("Servus, Lukas Huber hier von Alpenwerk", {"name": "Lukas Huber", "company": "Alpenwerk"}),
        ("Mein Name ist Jana, ich arbeite bei Feldmann", {"name": "Jana", "company": "Feldmann"}),
        ("hallo ich heisse Juergen Mueller", {"name": "Juergen Mueller"}),
        ("Hallo, hier ist Jana Brueckner von der Feldmann GmbH", {"name": "Jana Brueckner", "company": "Feldmann GmbH"}),
        ("Ich bin Geschäftsführer bei Acme Solutions", {"role": "Geschäftsführer", "company": "Acme Solutions"}),
        ("Moin, Leiter Vertrieb bei Nordwind", {"role": "Leiter Vertrieb", "company": "Nordwind"}),
        ("wir sind rund 1.200 Beschaeftigte und wollen so schnell wie moeglich starten",
         {"company_size": "rund 1.200 Beschaeftigte", "timeline": "so schnell wie moeglich"}),
        ("wir sind 50, mit Sitz in Österreich", {"company_size": "50", "country": "Österreich"}),
        ("in den nächsten 3 Monaten", {"timeline": "in den nächsten 3 Monaten"}),
    ],
)  # fmt: skip
def test_a_german_opening_is_read_as_an_english_one(text: str, expected: dict) -> None:
    assert find_answers(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Hola, soy María López, directora comercial de Grupo Andino, somos unos 300… queremos empezar este mes",
            {
                "name": "María López",
                "role": "directora comercial",
                "company": "Grupo Andino",
                "company_size": "unos 300",
                "timeline": "este mes",
            },
        ),
        (
            "Hola, soy Javier Morales, CEO de Fintech Andina (unos 120 empleados), mi correo es "
            "javier.morales@fintechandina.pe, antes de fin de mes, el presupuesto ya está aprobado",
            {
                "name": "Javier Morales",
                "role": "CEO",
                "company": "Fintech Andina",
                "company_size": "unos 120 empleados",
                "timeline": "antes de fin de mes",
                "email": "javier.morales@fintechandina.pe",
                "budget": "el presupuesto ya está aprobado",
            },
        ),
        ("Me llamo Ana Ruiz, trabajo en Textiles del Sur", {"name": "Ana Ruiz", "company": "Textiles del Sur"}),
        ("mi nombre es Pedro, gerente de ventas en Acme", {"name": "Pedro", "role": "gerente de ventas", "company": "Acme"}),
        ("Buenas tardes, habla Lucia Perez de Inversiones Sol", {"name": "Lucia Perez", "company": "Inversiones Sol"}),
        ("soy Director de Marketing de Acme", {"role": "Director de Marketing", "company": "Acme"}),
        ("soy de México y somos más de 500 personas", {"country": "México", "company_size": "más de 500 personas"}),
        ("somos alrededor de 40 colaboradores, lo antes posible",
         {"company_size": "alrededor de 40 colaboradores", "timeline": "lo antes posible"}),
        ("en los proximos 2 meses", {"timeline": "en los proximos 2 meses"}),
    ],
)  # fmt: skip
def test_a_spanish_opening_is_read_as_an_english_one(text: str, expected: dict) -> None:
    assert find_answers(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Bonjour, je suis Claire Martin, directrice commerciale chez Transports Lemoine (140 salariés), "
            "on veut démarrer ce mois-ci",
            {
                "name": "Claire Martin",
                "role": "directrice commerciale",
                "company": "Transports Lemoine",
                "company_size": "140 salariés",
                "timeline": "ce mois-ci",
            },
        ),
        (
            "Bonjour, Julien Mercier, DG de Mercier Transports (environ 500 salariés). On veut un bot avant la fin "
            "du mois prochain, le budget est validé.",
            {
                "name": "Julien Mercier",
                "role": "DG",
                "company": "Mercier Transports",
                "company_size": "environ 500 salariés",
                "timeline": "avant la fin du mois prochain",
                "budget": "le budget est validé",
            },
        ),
        ("Ici Karim Ben Ali de Solutions Atlas", {"name": "Karim Ben Ali", "company": "Solutions Atlas"}),
        ("Je m'appelle Luc, je travaille chez Renault", {"name": "Luc", "company": "Renault"}),
        ("je m’appelle Élodie Durand", {"name": "Élodie Durand"}),
        ("Je suis responsable marketing chez Decathlon", {"role": "responsable marketing", "company": "Decathlon"}),
        ("directeur des ventes d'Alpha Conseil", {"role": "directeur des ventes", "company": "Alpha Conseil"}),
        ("nous sommes 140, basés en Belgique", {"company_size": "140", "country": "Belgique"}),
        ("environ 1 200 collaborateurs, dans 3 mois",
         {"company_size": "environ 1 200 collaborateurs", "timeline": "dans 3 mois"}),
        ("bonjour, je suis Claire Martin, directrice commerciale chez Transports Lemoine (140 salaries)",
         {"name": "Claire Martin", "role": "directrice commerciale", "company": "Transports Lemoine",
          "company_size": "140 salaries"}),
    ],
)  # fmt: skip
def test_a_french_opening_is_read_as_an_english_one(text: str, expected: dict) -> None:
    assert find_answers(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # German
        "ich bin auf der Suche nach einem Chatbot für unsere Website",
        "Ich bin Kunde bei Ihnen und habe eine Frage",
        "ich bin der Meinung, dass unser Formular zu lang ist",
        "Ich bin Teil des Vertriebsteams",
        "Ich bin neu hier",
        "Hallo, ich bin Vertriebsleiterin",
        "Die Website hier ist zu langsam",
        "wir arbeiten mit Salesforce und HubSpot",
        "ich bin aus Hamburg",
        "ich bin bei Ihnen richtig?",
        "Ich bin Deutscher",
        # Spanish
        "soy de México",
        "soy de Monterrey y busco un bot",
        "Soy Cliente de ustedes",
        "soy nuevo en esto",
        "Hola, soy directora comercial",
        "trabajo en Marketing",
        "trabajo en Lima",
        "Soy Mexicano",
        # French
        "je suis intéressé par une démo",
        "Je suis Intéressé",
        "je suis en charge du marketing",
        "Je suis Belge",
        "je suis client chez vous",
        "d'ici Noël ce serait bien",
        "Je suis de Lyon",
        "Bonjour, Claire Martin",
    ],
)
def test_no_name_or_company_is_guessed_in_german_spanish_or_french(text: str) -> None:
    found = find_answers(text)
    assert "name" not in found
    assert "company" not in found


@pytest.mark.parametrize(
    "text",
    [
        "Hallo, ich bin Jana Brückner, Vertriebsleiterin bei der Feldmann Logistik GmbH (ca. 250 Mitarbeiter)",
        "Hola, soy María López, directora comercial de Grupo Andino, somos unos 300",
        "Bonjour, je suis Claire Martin, directrice commerciale chez Transports Lemoine (140 salariés)",
        "Servus! Bin der Lukas Gruber, CTO bei Donaupixel, wir san ca. 85 Leit.",
    ],
)
def test_what_is_found_is_understood_by_the_answer_parsers(text: str) -> None:
    found = find_answers(text)
    assert parse_name(found["name"]) == found["name"]
    assert parse_company(found["company"]) == found["company"]
    role = parse_role(found["role"])
    assert role is not None and role.seniority is not Seniority.OTHER
    assert parse_company_size(found["company_size"]) is not None


def test_a_name_in_a_sentence_of_its_own_needs_a_title_after_it() -> None:
    assert find_answers("Bonjour, Julien Mercier, DG de Mercier Transports")["name"] == "Julien Mercier"
    assert "name" not in find_answers("Bonjour, Julien Mercier, on cherche un outil")


def test_a_single_word_after_a_weak_cue_is_a_name_only_before_its_company() -> None:
    assert find_answers("soy Ana de Textiles Andinos") == {"name": "Ana", "company": "Textiles Andinos"}
    assert find_answers("ich bin Jana") == {"name": "Jana"}
    assert "name" not in find_answers("ich bin Kunde")
    assert "name" not in find_answers("Je suis Client, j'ai une question")
