"""Routing rules (pure) and fair round-robin (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, Dict

import pytest

from bot.playbook import load_playbook
from bot.qualification.answers import Answers
from bot.qualification.understand import understand
from bot.routing.fair import Contender, effective_counts, rank
from bot.routing.lead_fields import routing_lead
from bot.routing.rules import Condition, RoutingConfig, RoutingLead, holds, select_team
from bot.settings import PROJECT_ROOT

TODAY = date(2026, 11, 23)


def cond(field: str, op: str, value: Any) -> Condition:
    return Condition(field=field, op=op, value=value)


@pytest.mark.parametrize(
    ("condition", "fields", "expected"),
    [
        (cond("country", "eq", "germany"), {"country": "Germany"}, True),
        (cond("region", "in", ["emea", "APAC"]), {"region": "EMEA"}, True),
        (cond("region", "not_in", ["EMEA"]), {"region": "APAC"}, True),
        (cond("region", "not_in", ["EMEA"]), {}, False),  # unknown is not "outside EMEA"
        (cond("company_size", "gte", 200), {"company_size": 200}, True),
        (cond("company_size", "lte", 199), {"company_size": 200}, False),
        (cond("company_size", "between", [50, 199]), {"company_size": 120}, True),
        (cond("company_size", "gte", 1), {}, False),  # unknown size never matches
        (cond("use_case", "contains", "Salesforce"), {"use_case": "we route leads from salesforce forms"}, True),
        (cond("use_case", "contains", "ai"), {"use_case": "we maintain our own router"}, False),  # whole words
        (cond("use_case", "contains", "c++ (legacy)"), {"use_case": "our c++ (legacy) stack"}, True),  # no regex
        (cond("email_domain", "eq", "ACME.com"), {"email_domain": "acme.com"}, True),
        (cond("timeline_months", "lte", 3), {"timeline_months": 1.5}, True),
    ],
)
def test_operators(condition: Condition, fields: Dict[str, Any], expected: bool) -> None:
    assert holds(condition, RoutingLead(fields)) is expected


def test_a_huge_hostile_use_case_is_matched_in_bounded_time() -> None:
    text = ("a" * 999 + " ") * 1  # the store caps answers; rules see at most 1,000 characters
    assert holds(cond("use_case", "contains", "a" * 30), RoutingLead({"use_case": text})) is False


ROUTING = RoutingConfig.model_validate(
    {
        "version": 1,
        "regions": {"EMEA": ["DE", "GB"], "APAC": ["IN"]},
        "accounts": [{"domain": "acme.com", "owner": "lena"}],
        "rules": [
            {"id": "big_emea", "when": {"all": [cond("region", "eq", "EMEA").model_dump(), cond("company_size", "gte", 200).model_dump()]}, "team": "emea"},
            {"id": "any_emea", "when": {"any": [cond("region", "eq", "EMEA").model_dump(), {"all": [cond("country_code", "eq", "IE").model_dump()]}]}, "team": "smb_emea"},
        ],
        "catch_all": {"team": "commercial"},
    }
)  # fmt: skip


def test_first_matching_rule_wins_and_the_catch_all_is_last() -> None:
    assert select_team(ROUTING, RoutingLead({"region": "EMEA", "company_size": 500})) == ("emea", "rule:big_emea")
    assert select_team(ROUTING, RoutingLead({"region": "EMEA", "company_size": 20})) == ("smb_emea", "rule:any_emea")
    assert select_team(ROUTING, RoutingLead({"country_code": "IE"})) == ("smb_emea", "rule:any_emea")
    assert select_team(ROUTING, RoutingLead({})) == ("commercial", "catch_all")


def test_account_owner_matches_the_domain_and_its_subdomains() -> None:
    assert ROUTING.owner_of("acme.com").owner == "lena"  # type: ignore[union-attr]
    assert ROUTING.owner_of("eu.acme.com").owner == "lena"  # type: ignore[union-attr]
    assert ROUTING.owner_of("notacme.com") is None


def test_lead_fields_come_from_the_answers_as_understood() -> None:
    playbook = load_playbook(PROJECT_ROOT / "ops" / "questions.yml")
    said = {"work_email": "Ingrid@Alpenwerk-Gruppe.de", "country": "Germany", "company_size": "~3,500 people",
            "role": "CFO", "timeline": "next 8 weeks", "use_case": "route leads", "company": "Alpenwerk"}  # fmt: skip
    answers = {slot: understand(playbook.question(slot).parser, text, TODAY) for slot, text in said.items()}  # type: ignore[union-attr]
    lead = routing_lead(Answers.of(answers), playbook, ROUTING, None)
    assert lead.fields["email_domain"] == "alpenwerk-gruppe.de"
    assert (lead.fields["country_code"], lead.fields["region"]) == ("DE", "EMEA")
    assert lead.fields["company_size"] == 3500
    assert lead.fields["seniority"] == "c_level"
    assert lead.fields["timeline_months"] <= 2
    assert select_team(ROUTING, lead) == ("emea", "rule:big_emea")
    kept_as_typed = routing_lead(
        Answers.of({"company_size": {"raw": "lots", "understood": False}}), playbook, ROUTING, None
    )
    assert "company_size" not in kept_as_typed.fields


# -- fairness ---------------------------------------------------------------------------------

EARLY = datetime(2026, 11, 2, tzinfo=UTC)
LATE = datetime(2026, 11, 20, tzinfo=UTC)


def test_the_ae_furthest_below_their_weighted_share_is_first() -> None:
    team = [Contender("dana", 2, 4, LATE), Contender("marco", 1, 3, EARLY)]
    assert rank(team, TODAY) == ["dana", "marco"]  # dana's share of 8 is 5.33 (has 4); marco's 2.67 (has 3)


def test_ties_go_to_whoever_was_booked_least_recently() -> None:
    assert rank([Contender("a", 1, 2, LATE), Contender("b", 1, 2, EARLY)], TODAY) == ["b", "a"]
    assert rank([Contender("a", 1, 0, None), Contender("b", 1, 0, EARLY)], TODAY) == ["a", "b"]


def test_a_new_ae_gets_a_calibration_credit_and_is_not_flooded() -> None:
    joined = date(2026, 11, 16)  # 15 of the month's 23 days so far had passed
    team = [
        Contender("lena", 1, 10, LATE),
        Contender("oliver", 1, 10, LATE),
        Contender("tom", 1, 0, None, joined=joined),
    ]
    assert effective_counts(team, TODAY)["tom"] == pytest.approx(10 * 15 / 23)
    assert rank(team, TODAY)[0] == "tom"
    # Without the credit tom would take the next 10 bookings; with it he
    # catches up to the teammates' pace for his days, then takes turns.
    counts = {"lena": 10, "oliver": 10, "tom": 0}
    picks = []
    for _ in range(12):
        pick = rank(
            [Contender(k, 1, v, None, joined=joined if k == "tom" else None) for k, v in counts.items()], TODAY
        )[0]
        counts[pick] += 1
        picks.append(pick)
    assert picks[:4] == ["tom"] * 4
    assert picks[4:].count("tom") <= 3 and {"lena", "oliver"} <= set(picks[4:])


def test_weights_shape_the_long_run_split() -> None:
    counts = {"dana": 0, "marco": 0}
    weights = {"dana": 2.0, "marco": 1.0}
    for _ in range(30):
        pick = rank([Contender(k, weights[k], v, None) for k, v in counts.items()], TODAY)[0]
        counts[pick] += 1
    assert counts == {"dana": 20, "marco": 10}
