"""Our visitors (tests/personas/*.json), played by the visitor simulator over the REST
channel against the running stack: each reaches its expected outcome (booked, a follow-up,
the end) and, where it leaves an email, the expected stored tier. A visitor with a
``language`` is also answered in it throughout, one that said everything in its opening
is not asked it again (``not_asked``), and a booking is shown in the visitor's own time
zone (``expect_zone``).

Every English visitor passes. A German, Spanish or French visitor the bot does not serve
as it should yet is listed in :data:`KNOWN_FAILURES` with the turn it went wrong: a strict
xfail, so a fix shows up as a failure until its line goes; the pass rate per language is
printed with the results."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List

import pytest

from bot.processes.stack import Stack
from bot.settings import PROJECT_ROOT
from tests.support import visitor_sim
from tests.support.stack import API_TOKEN

PERSONA_FILES = sorted((PROJECT_ROOT / "tests" / "personas").glob("*.json"))
LANGUAGES = ("en", "de", "es", "fr")
VISITORS_PER_LANGUAGE = 15  # issue 19: at least 15 of our own in each language

#: Visitors the bot does not serve as a good SDR would yet: the turn it went wrong, as
#: "bot said" → "visitor said" → what happened. English visitors never go here.
KNOWN_FAILURES: Dict[str, str] = {
    # German
    "de_korrektur_ich_meinte_250": "turn 9: 'sorry, ich meinte 250' (asked the timeline) is read as a timeline answer "
    "and gets the timeline hint; the size stays 25: nurture instead of cql",
    "de_konzern_recherche_nurture": "turn 1: 'wir evaluieren gerade verschiedene Chat-Tools für unsere Website' gets "
    "the vendor close (utter_close_vendor): a prospect comparing tools read as a vendor pitch, never qualified",
    # Spanish
    "es_mx_usted_agendar": "turn 9: 'en los próximos dos meses' (asked the timeline) answered with the pricing text, "
    "turn 10: the same answer gets utter_side_again_in_form and the timeline is dropped; turn 11: 'ya está autorizado' "
    "not understood as approved; turns 14-15: 'Ciudad de México' not recognised as a time zone: booked in UTC",
    "es_correccion_quise_decir_300": "turn 10: 'perdón, quise decir 300' (asked the timeline) is read as a timeline "
    "answer and gets the timeline hint; the size stays 30: nurture instead of cql (and once understood, turns 14-15: "
    "'Valencia' is not recognised as a time zone: booked in UTC)",
    "es_navegador_ingles_escribe_espanol": "turns 12-13: 'hora de Miami' not recognised as a time zone: booked in UTC "
    "instead of America/New_York",
    # French
    "fr_qc_allo_clavardage": "turns 12-13: 'Montréal' not recognised as a time zone: booked in UTC instead of "
    "America/Toronto",
    "fr_be_septante_cinq": "turn 1: 'je cherche une solution pour traiter nos demandes de devis plus vite' gets the "
    "vendor close (utter_close_vendor): a prospect read as a vendor pitch, never qualified",
    "fr_ch_hebergement_suisse": "turn 9: 'environ 1'200 collaborateurs' (Swiss thousands separator) not understood, "
    "hint, then kept as typed with no size: nurture instead of cql",
    "fr_lu_questions_prix_pipedrive_pourquoi": "turn 10: 'pourquoi vous me demandez tout ça ?' right after a "
    "Pipedrive question (size on the table) gets the size's why, then the timeline question: the size is never asked "
    "again and stays empty: nurture instead of cql",
    "fr_correction_je_voulais_dire_90": "turn 9: 'pardon, je voulais dire 90, pas 9' (asked the timeline) is read as "
    "a timeline answer and gets the timeline hint; the size stays 9: nurture instead of cql",
    "fr_grand_groupe_se_renseigne_nurture": "turn 1: 'je me renseigne sur les outils de chat pour un benchmark "
    "interne' gets the student/research close (utter_close_student): a 3,000-person prospect never qualified",
}


def personas() -> List[Dict[str, Any]]:
    found = [persona for path in PERSONA_FILES for persona in json.loads(path.read_text(encoding="utf-8"))]
    ids = [p["id"] for p in found]
    assert len(ids) == len(set(ids)), "persona ids must be unique"
    return found


def language_of(persona: Dict[str, Any]) -> str:
    return str(persona.get("language", "en"))


def cases() -> List[Any]:
    return [
        pytest.param(p, id=p["id"], marks=pytest.mark.xfail(strict=True, reason=KNOWN_FAILURES[p["id"]]))
        if p["id"] in KNOWN_FAILURES
        else pytest.param(p, id=p["id"])
        for p in personas()
    ]


def test_there_are_enough_visitors_of_our_own() -> None:
    assert len(personas()) >= 60
    per_language = Counter(language_of(p) for p in personas())
    assert {language: per_language[language] >= VISITORS_PER_LANGUAGE for language in LANGUAGES} == {
        language: True for language in LANGUAGES
    }, per_language


def test_known_failures_name_visitors_in_another_language_than_english() -> None:
    by_id = {p["id"]: p for p in personas()}
    assert [i for i in KNOWN_FAILURES if i not in by_id or language_of(by_id[i]) == "en"] == []


@pytest.fixture(scope="module")
def played(stack: Stack, request: pytest.FixtureRequest) -> Dict[str, Dict[str, Any]]:
    """Every selected visitor's run (all of them unless `-k` picked some)."""
    chosen = {
        item.callspec.params["persona"]["id"]
        for item in request.session.items
        if hasattr(item, "callspec") and "persona" in item.callspec.params
    }
    everyone = personas()
    wanted = [p for p in everyone if p["id"] in chosen] or everyone
    args = argparse.Namespace(
        webhook=f"http://127.0.0.1:{stack.ports.rasa}/webhooks/rest/webhook",
        api=f"http://127.0.0.1:{stack.ports.web}", token=API_TOKEN, max_turns=40,
        catalog=visitor_sim.Catalog.load(PROJECT_ROOT),
    )  # fmt: skip
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda p: visitor_sim.run_persona(p, args), wanted))
    return {result["id"]: result for result in results}


@pytest.mark.parametrize("persona", cases())
def test_each_visitor_reaches_the_expected_outcome(played: Dict[str, Dict[str, Any]], persona: Dict[str, Any]) -> None:
    result = played[persona["id"]]
    transcript = "\n".join(f"> {turn['visitor'][:120]}\n  {' / '.join(turn['bot'])[:300]}" for turn in result["log"])
    assert result["ok"], (
        f"{persona['id']}: {result['outcome']} (expected {persona['expect']}), stored tier {result['lead_status']} "
        f"(expected {persona.get('status')}), resumed {result['resumed']}, "
        f"wrong language {result['wrong_language']}, asked again {result['asked_again']}, "
        f"booked outside the zone {result['booked_zone']}\n{transcript}"
    )


def test_the_pass_rate_per_language_is_the_known_one(
    played: Dict[str, Dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    language = {p["id"]: language_of(p) for p in personas()}
    played_in, passed_in = Counter(), Counter()
    for result in played.values():
        played_in[language[result["id"]]] += 1
        passed_in[language[result["id"]]] += bool(result["ok"])
    with capsys.disabled():
        rates = ", ".join(f"{lang} {passed_in[lang]}/{played_in[lang]}" for lang in LANGUAGES if played_in[lang])
        print(f"\nvisitors passing per language: {rates}")
    failing = sorted(i for i, result in played.items() if not result["ok"])
    assert failing == sorted(i for i in KNOWN_FAILURES if i in played)
