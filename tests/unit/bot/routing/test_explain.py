"""`make route`: a dry run that explains a routing decision to sales ops."""

from __future__ import annotations

import pytest

from bot.cli.route import explain, lead_from_argument, main
from bot.leads.store import AnswerRecord, VisitContext
from bot.qualification.understand import understand
from bot.services import Services
from tests.conftest import NOW


def test_json_fields_are_explained_rule_by_rule(services: Services) -> None:
    lines = explain(lead_from_argument('{"region": "EMEA", "company_size": 600}', services), services)
    assert "rule emea_enterprise -> enterprise_emea: MATCHES" in lines
    assert "rule americas -> americas: no" in lines
    assert any(line.startswith("decision: team enterprise_emea, AE ") for line in lines)
    assert any(line.startswith("reasons: rule:emea_enterprise, picked:") for line in lines)
    assert services.bookings.host_loads(["lena", "oliver"])["lena"].month_count == 0  # nothing booked


def test_a_stored_lead_is_routed_from_its_answers(services: Services) -> None:
    services.leads.record_consent("v1", VisitContext())
    for slot, text in {
        "work_email": "ingrid@alpenwerk-gruppe.de",
        "country": "Germany",
        "company_size": "3500",
    }.items():
        question = services.playbook.question(slot)
        value = understand(question.parser, text, NOW.date())  # type: ignore[union-attr]
        services.leads.record_answer("v1", AnswerRecord(slot, question.parser.value, text, value, True))  # type: ignore[union-attr]
    lead_id = services.leads.lead_id_for("v1")
    lines = explain(lead_from_argument(str(lead_id), services), services)
    assert "account owner: lena (alpenwerk-gruppe.de)" in lines
    assert "reasons: account_owner, picked:lena" in lines


def test_a_stored_lead_is_routed_in_the_language_it_chatted_in(services: Services) -> None:
    services.leads.record_consent("v-de", VisitContext(language="de"))
    question = services.playbook.question("work_email")
    value = understand(question.parser, "jana@hofmann-werke.example", NOW.date())  # type: ignore[union-attr]
    record = AnswerRecord("work_email", question.parser.value, "jana@hofmann-werke.example", value, True)  # type: ignore[union-attr]
    services.leads.record_turn("v-de", [record], None, "de")
    lead = lead_from_argument(str(services.leads.lead_id_for("v-de")), services)
    assert lead.fields == {"email_domain": "hofmann-werke.example", "language": "de"}
    assert lead_from_argument('{"language": "de"}', services).fields == {"language": "de"}


@pytest.mark.parametrize(
    ("argument", "problem"),
    [
        ("", "usage"),
        ("[1, 2]", "JSON object"),
        ('{"regio": "EMEA"}', "unknown field(s) regio"),
        ("999", "no lead 999"),
        ("{oops", "neither a lead id nor JSON"),
    ],
)
def test_bad_input_gets_a_clear_answer(
    services: Services, capsys: pytest.CaptureFixture[str], argument: str, problem: str
) -> None:
    assert main([argument]) == 2
    assert problem in capsys.readouterr().err
