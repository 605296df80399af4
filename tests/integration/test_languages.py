"""Whole conversations in German, Spanish and French over the REST channel: the bot
follows the visitor's language (or the browser's), asks, understands, scores and offers
times in it, and a visitor can switch."""

from __future__ import annotations

from typing import Dict

import pytest

from bot.leads.store import LeadStore
from bot.processes.stack import Stack
from bot.services import get_services
from tests.support.stack import Visitor, response_texts

CONVERSATIONS = {
    "de": {
        "opening": "Hallo, wir hätten gerne eine Demo",
        "answers": {
            "use_case": "Wir möchten Website-Besucher auch nachts qualifizieren und direkt an den Vertrieb übergeben",
            "full_name": "Jana Krüger",
            "work_email": "jana.krueger@nordlicht-logistik.de",
            "company": "Nordlicht Logistik GmbH",
            "role": "Vertriebsleiterin",
            "company_size": "etwa 400 Mitarbeiter",
            "timeline": "dieses Quartal",
            "budget": "Budget ist freigegeben",
            "country": "Deutschland",
        },
        "country": "DE",
    },
    "es": {
        "opening": "Hola, quiero una demostración por favor",
        "answers": {
            "use_case": "perdemos muchos leads porque nadie responde el chat fuera de horario",
            "full_name": "Lucía Fernández",
            "work_email": "lucia.fernandez@andesoft.com.mx",
            "company": "Andesoft",
            "role": "Directora de Ventas",
            "company_size": "unos 300 empleados",
            "timeline": "este trimestre",
            "budget": "ya tenemos presupuesto aprobado",
            "country": "México",
        },
        "country": "MX",
    },
    "fr": {
        "opening": "Bonjour, je voudrais une démo de votre bot",
        "answers": {
            "use_case": "nos commerciaux perdent trop de temps avec des leads non qualifiés",
            "full_name": "Camille Dubois",
            "work_email": "camille.dubois@lumiere-conseil.fr",
            "company": "Lumière Conseil",
            "role": "Directrice commerciale",
            "company_size": "environ 250 salariés",
            "timeline": "ce trimestre",
            "budget": "le budget est validé",
            "country": "France",
        },
        "country": "FR",
    },
}


def question_asked(texts: list[str], language_texts: Dict[str, str]) -> str | None:
    for slot in CONVERSATIONS["de"]["answers"]:
        if texts and texts[-1] == language_texts[f"utter_ask_{slot}"]:
            return slot
    return None


@pytest.mark.parametrize("language", sorted(CONVERSATIONS))
def test_a_visitor_is_qualified_and_offered_times_in_their_language(
    stack: Stack, lead_store: LeadStore, language: str
) -> None:
    script, said = CONVERSATIONS[language], response_texts(language)
    visitor = Visitor(stack, metadata={"timezone": "Europe/Berlin"})
    replies = visitor.say(str(script["opening"]))
    assert replies[-1]["text"] == said["utter_ask_consent"]
    assert [b["payload"] for b in replies[-1]["buttons"]] == ["/give_consent", "/deny_consent"]
    texts = visitor.texts("/give_consent")
    asked = []
    for _ in range(len(script["answers"]) + 2):
        slot = question_asked(texts, said)
        if slot is None:
            break
        asked.append(slot)
        texts = visitor.texts(str(script["answers"][slot]))
    assert asked == get_services().playbook.slots  # each asked once, each understood
    assert texts[0] == said["utter_close_cql"]
    assert texts[-1].startswith(said["utter_offer_times"].split("{")[0])  # and times to book, in their words
    record = lead_store.conversation_record(visitor.sender)
    assert record is not None and record["lead"]["status"] == "cql"
    assert record["answers"]["country"]["value"]["country_code"] == script["country"]
    assert record["answers"]["role"]["raw_text"] == script["answers"]["role"]  # kept as typed
    assert (record["language"], record["lead"]["language"]) == (language, language)  # for routing and the AE


def test_the_browsers_language_opens_the_conversation_and_a_visitor_can_switch(stack: Stack) -> None:
    german, english = response_texts("de"), response_texts("en")
    visitor = Visitor(stack, metadata={"languages": ["de-AT", "en"], "timezone": "Europe/Vienna"})
    assert visitor.texts("hi")[-1] == german["utter_ask_consent"]  # "hi" has no language: the browser's
    texts = visitor.texts("Dzień dobry, chciałbym demo")  # Polish: not spoken, the language stays
    assert german["utter_non_english"] in texts
    texts = visitor.texts("can we speak English please?")
    assert texts[0] == english["utter_language_switched"]
    assert visitor.texts("/give_consent")[-1] == english["utter_ask_use_case"]
    assert visitor.texts("we lose leads at night")[-1] == english["utter_ask_full_name"]
    texts = visitor.texts("Lumière Conseil Paris")  # a name says nothing of the visitor's language
    assert texts[-1] == english["utter_ask_work_email"]


def test_a_switch_asked_for_at_a_name_or_email_question_is_kept(stack: Stack) -> None:
    french, english = response_texts("fr"), response_texts("en")
    visitor = Visitor(stack, metadata={"languages": ["fr-FR"]})
    visitor.texts("Bonjour, je voudrais une démo")
    visitor.texts("/give_consent")
    assert visitor.texts("on perd des leads le soir et le week-end")[-1] == french["utter_ask_full_name"]
    assert visitor.texts("Claire Martin")[-1] == french["utter_ask_work_email"]
    texts = visitor.texts("Could we do this in English? I'm more comfortable in English")
    assert texts[0] == english["utter_language_switched"]
    assert texts[-1] == english["utter_ask_work_email"]  # the question again, in English
    assert visitor.texts("claire@lemoine-transports.fr")[-1] == english["utter_ask_company"]


def test_a_forged_language_is_english_and_breaks_nothing(stack: Stack, lead_store: LeadStore) -> None:
    english = response_texts("en")
    visitor = Visitor(stack)
    texts = visitor.texts('/greet{"language": "<script>x</script>"}')  # an entity typed as a payload
    assert texts[-1] == english["utter_ask_consent"]
    assert visitor.texts("/give_consent")[-1] == english["utter_ask_use_case"]
    assert lead_store.conversation_language(visitor.sender) == "en"  # stored as the default, never raw
