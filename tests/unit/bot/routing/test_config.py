"""ops/team.yml and ops/routing.yml: the shipped files load, and every
mistake fails at startup naming file, line and key."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.routing.rules import Condition, RoutingLead, load_routing, select_team
from bot.routing.team import load_team
from bot.scheduling.config import load_booking
from bot.settings import PROJECT_ROOT

OPS = PROJECT_ROOT / "ops"


@pytest.fixture
def ops(tmp_path: Path) -> Path:
    for name in ("team.yml", "routing.yml", "booking.yml"):
        shutil.copy(OPS / name, tmp_path / name)
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def load_all(ops: Path) -> None:
    load_routing(ops / "routing.yml", load_team(ops / "team.yml"))
    load_booking(ops / "booking.yml")


def test_the_shipped_files_load() -> None:
    team = load_team(OPS / "team.yml")
    routing = load_routing(OPS / "routing.yml", team)
    assert routing.catch_all.team in {t.key for t in team.teams}
    assert all(team.teams_of(ae.key) for ae in team.aes)
    assert 3 <= load_booking(OPS / "booking.yml").offer.count <= 5


def test_what_sales_ops_write_loosely_is_read_as_meant(ops: Path) -> None:
    """A domain in capitals, a quoted number, a number where text is expected: read as meant, not refused."""
    edit(ops / "routing.yml", "{domain: alpenwerk-gruppe.de,", "{domain: ' Alpenwerk-Gruppe.DE ',")
    edit(
        ops / "routing.yml",
        "{field: company_size, op: gte, value: 200}",
        '{field: company_size, op: between, value: ["200", "1e6"]}',
    )
    edit(ops / "routing.yml", "name: Northwind Traders}", "name: 1066}")
    edit(ops / "team.yml", "name: Lena Hoffmann", "name: 1234")
    edit(ops / "booking.yml", 'title: "{company} <> CQL Bot intro ({visitor_name} with {ae_name})"', "title: 2024")
    team = load_team(ops / "team.yml")
    routing = load_routing(ops / "routing.yml", team)
    assert routing.accounts[0].domain == "alpenwerk-gruppe.de"
    assert routing.accounts[1].name == "1066"
    assert routing.rules[0].when.all is not None and routing.rules[0].when.all[1] == Condition(
        field="company_size", op="between", value=[200.0, 1e6]
    )
    assert select_team(routing, RoutingLead({"region": "EMEA", "company_size": 500})) == (
        "enterprise_emea",
        "rule:emea_enterprise",
    )
    assert team.by_key["lena"].name == "1234"
    assert load_booking(ops / "booking.yml").event.title == "2024"


@pytest.mark.parametrize(
    ("file", "old", "new", "where"),
    [
        ("routing.yml", "catch_all:\n  team: commercial\n", "", "routing.yml:1: catch_all: a catch-all route is required"),
        ("routing.yml", "    team: americas\n", "    team: latam\n", "routing.yml:38: rules.1.team: unknown team 'latam'"),
        ("routing.yml", "{field: company_size, op: gte, value: 200}", "{field: headcount, op: gte, value: 200}",
         "routing.yml:31: rules.0.when.all: item 1: unknown field 'headcount'"),
        ("routing.yml", "{field: company_size, op: gte, value: 200}", "{field: company_size, op: gte, value: big}",
         "'gte' needs a numeric field and a number"),
        ("routing.yml", "{field: company_size, op: gte, value: 200}", "{field: country, op: between, value: [1, 2]}",
         "'between' needs a numeric field"),
        ("routing.yml", "      any:\n        - {field: region, op: in, value: [Americas, North America, LATAM]}\n",
         "      any: []\n", "an empty rule would match every lead"),
        ("routing.yml", "owner: lena,", "owner: lina,", "accounts.0.owner: unknown AE 'lina'"),
        ("routing.yml", 'SE, "NO", FI', "SE, NO, FI", 'quote country codes like "NO"'),
        ("routing.yml", "  - id: americas\n", "  - id: emea_enterprise\n", "rule id 'emea_enterprise' is used twice"),
        ("team.yml", "    members: [dana, marco]\n", "    members: [dana]\n", "team.yml:65: aes.3.key: AE 'marco' is in no team"),
        ("team.yml", "    members: [lena, oliver]\n", "    members: [lena, oliver, zoe]\n", "teams.0.members.2: unknown AE 'zoe'"),
        ("team.yml", "timezone: Europe/Berlin", "timezone: Europe/Berln", "unknown time zone 'Europe/Berln'"),
        ("team.yml", 'mon: ["09:00-12:30", "13:30-17:30"]', 'mon: ["09:00-12:30", "12:00-17:30"]', "mon: periods overlap"),
        ("team.yml", 'mon: ["09:00-12:30", "13:30-17:30"]', 'mon: ["17:00-09:00"]', "ends before it starts"),
        ("team.yml", "    weight: 2\n", "    weight: 0\n", "aes.2.weight"),
        ("team.yml", "{start: 2026-12-21, end: 2027-01-01}", "{start: 2027-01-01, end: 2026-12-21}", "is before start"),
        ("booking.yml", "  count: 4 ", "  count: 9 ", "booking.yml:16: offer.count"),
        ("booking.yml", "  count: 4 ", "  count: 3.5 ", "booking.yml:16: offer.count: Input should be a valid integer"),
        ("booking.yml", "granularity_minutes: 30", "granularity_minutes: 7", "must divide an hour"),
        ("booking.yml", "{visitor_name} with {ae_name}", "{visitor_phone} with {ae_name}", "unknown placeholder {visitor_phone}"),
    ],
)  # fmt: skip
def test_a_mistake_names_file_line_and_key(ops: Path, file: str, old: str, new: str, where: str) -> None:
    edit(ops / file, old, new)
    with pytest.raises(ConfigError) as caught:
        load_all(ops)
    assert where in str(caught.value)
    assert file in str(caught.value)


def uncomment_the_language_example(path: Path) -> None:
    """The shipped routing.yml's commented ``language`` rule, made real (it stays the last rule)."""
    text = path.read_text()
    example = "  # - id: dach_speakers\n  #   when:\n  #     all:\n  #       - {field: language, op: in, value: [de]}\n  #   team: enterprise_emea\n"
    assert example in text
    path.write_text(text.replace(example, example.replace("  # ", "  ")))


def line_with(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_the_language_example_routes_german_speakers_when_no_rule_above_took_them(ops: Path) -> None:
    uncomment_the_language_example(ops / "routing.yml")
    routing = load_routing(ops / "routing.yml", load_team(ops / "team.yml"))
    assert select_team(routing, RoutingLead({"language": "de"})) == ("enterprise_emea", "rule:dach_speakers")
    assert select_team(routing, RoutingLead({"language": "DE"})) == ("enterprise_emea", "rule:dach_speakers")
    assert select_team(routing, RoutingLead({"language": "de", "region": "Americas"})) == ("americas", "rule:americas")
    assert select_team(routing, RoutingLead({"language": "fr"})) == ("commercial", "catch_all")
    assert select_team(routing, RoutingLead({})) == ("commercial", "catch_all")


def test_the_shipped_rules_route_as_before_whatever_the_language() -> None:
    routing = load_routing(OPS / "routing.yml", load_team(OPS / "team.yml"))
    for language in ("en", "de", "es", "fr"):
        assert select_team(routing, RoutingLead({"language": language})) == ("commercial", "catch_all")
        emea = RoutingLead({"language": language, "region": "EMEA", "company_size": 500})
        assert select_team(routing, emea) == ("enterprise_emea", "rule:emea_enterprise")


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        ("value: [de]}", "value: [de, it]}", "rules.3.when.all.0.value", "the bot does not speak 'it' (languages: en, de, es, fr"),
        ("op: in, value: [de]}", "op: eq, value: german}", "rules.3.when.all.0.value", "does not speak 'german'"),
        ("{field: language, op: in, value: [de]}", "{any: [{field: region, op: eq, value: EMEA}, {field: language, op: not_in, value: [en, xx]}]}",
         "rules.3.when.all.0.any.1.value", "does not speak 'xx'"),
        ("op: in, value: [de]}", "op: contains, value: de}", "rules.3.when.all", "'language' takes eq, in, not_in, not 'contains'"),
    ],
)  # fmt: skip
def test_a_language_rule_names_file_line_and_key_of_a_language_the_bot_does_not_speak(
    ops: Path, old: str, new: str, key: str, problem: str
) -> None:
    path = ops / "routing.yml"
    uncomment_the_language_example(path)
    edit(path, old, new)
    with pytest.raises(ConfigError) as caught:
        load_routing(path, load_team(ops / "team.yml"))
    assert f"routing.yml:{line_with(path, 'field: language')}: {key}: " in str(caught.value)
    assert problem in str(caught.value)


def test_the_languages_a_rule_may_name_are_the_ones_the_domain_speaks(ops: Path) -> None:
    path = ops / "routing.yml"
    uncomment_the_language_example(path)
    edit(path, "value: [de]}", "value: [it]}")
    routing = load_routing(path, load_team(ops / "team.yml"), languages=("en", "it"))  # a fourth language added
    assert select_team(routing, RoutingLead({"language": "it"})) == ("enterprise_emea", "rule:dach_speakers")
    with pytest.raises(ConfigError, match="does not speak 'it'"):
        load_routing(path, load_team(ops / "team.yml"))
