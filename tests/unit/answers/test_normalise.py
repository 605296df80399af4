from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from answers.normalise import (
    Budget,
    CompanySize,
    EmailKind,
    Seniority,
    is_refusal,
    parse_budget,
    parse_company,
    parse_company_size,
    parse_country,
    parse_email,
    parse_free_text,
    parse_name,
    parse_role,
    parse_timeline,
)

TODAY = date(2026, 11, 23)  # Q4; 8 days to the end of the month
NASTY = [
    "",
    "   ",
    "x" * 10_000,
    "<script>alert(1)</script>",
    "'; DROP TABLE leads; --",
    "\u0000\u0007\u202e",
    "🙂🙂🙂",
    "ﾟ･✿ヾ╲(｡◕‿◕｡)╱✿･ﾟ",
]
ALL_PARSERS = [
    parse_company_size,
    parse_role,
    lambda text: parse_timeline(text, TODAY),
    parse_budget,
    parse_email,
    parse_name,
    parse_company,
    parse_free_text,
    parse_country,
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("450", CompanySize(450, 450)),
        ("about 450 people", CompanySize(450, 450)),
        ("~600", CompanySize(600, 600)),
        ("~600 ppl", CompanySize(600, 600)),
        ("1,200 employees", CompanySize(1200, 1200)),
        ("1.200 Mitarbeiter", CompanySize(1200, 1200)),
        ("5k", CompanySize(5000, 5000)),
        ("2.5k", CompanySize(2500, 2500)),
        ("2000+", CompanySize(2000, None)),
        ("11-50", CompanySize(11, 50)),
        ("11 to 50 people", CompanySize(11, 50)),
        ("just me", CompanySize(1, 1)),
        ("I'm a freelancer", CompanySize(1, 1)),
        ("we're 30 people", CompanySize(30, 30)),
        ("under 10", CompanySize(1, 9)),
        ("more than 1000", CompanySize(1001, None)),
        ("a dozen", CompanySize(12, 12)),
        ("3,500 employees", CompanySize(3500, 3500)),
        ("１２３", CompanySize(123, 123)),
        ("2 thousand", CompanySize(2000, 2000)),
        ("one-person shop", CompanySize(1, 1)),
    ],
)
def test_company_size_understands_messy_head_counts(text: str, expected: CompanySize) -> None:
    assert parse_company_size(text) == expected


@pytest.mark.parametrize("text", ["n/a", "no idea", "lots", "0", "99999999999", "1 or 2 or 3", "1" * 10_000, *NASTY])
def test_company_size_rejects_what_is_not_a_head_count(text: str) -> None:
    assert parse_company_size(text) is None


def test_company_size_labels_and_estimates() -> None:
    assert CompanySize(11, 50).label == "11-50"
    assert CompanySize(2000, None).label == "2,000+"
    assert CompanySize(11, 50).estimate == 30
    assert CompanySize(2000, None).to_slot() == {"min": 2000, "max": None, "label": "2,000+"}


@pytest.mark.parametrize(
    ("text", "seniority"),
    [
        ("vp sales", Seniority.VP),
        ("VP of Engineering", Seniority.VP),
        ("SVP, Revenue", Seniority.VP),
        ("CRO", Seniority.C_LEVEL),
        ("CFO", Seniority.C_LEVEL),
        ("Chief Revenue Officer", Seniority.C_LEVEL),
        ("Managing Director", Seniority.C_LEVEL),
        ("Head of Growth", Seniority.HEAD),
        ("Director of Product Management", Seniority.DIRECTOR),
        ("Sales Director", Seniority.DIRECTOR),
        ("Co-founder", Seniority.FOUNDER),
        ("owner", Seniority.FOUNDER),
        ("Gerente de Ventas", Seniority.MANAGER),
        ("sales lead", Seniority.MANAGER),
        ("Engineering manager", Seniority.MANAGER),
        ("software engineer", Seniority.INDIVIDUAL_CONTRIBUTOR),
        ("data analyst", Seniority.INDIVIDUAL_CONTRIBUTOR),
        ("SDR", Seniority.INDIVIDUAL_CONTRIBUTOR),
        ("student intern", Seniority.STUDENT),
        ("PhD student", Seniority.STUDENT),
        ("I'm the CTO", Seniority.C_LEVEL),
        ("I’m the CTO", Seniority.C_LEVEL),
        ("vice president of sales", Seniority.VP),
        ("Vice-President Marketing", Seniority.VP),
        ("President", Seniority.C_LEVEL),
        ("Product Owner", Seniority.INDIVIDUAL_CONTRIBUTOR),
        ("Jack of all trades", Seniority.OTHER),
    ],
)
def test_role_maps_titles_to_seniority(text: str, seniority: Seniority) -> None:
    role = parse_role(text)
    assert role is not None
    assert role.seniority is seniority


def test_role_keeps_the_title_as_given_without_the_preamble() -> None:
    role = parse_role("I'm the VP of Engineering.")
    assert role is not None
    assert role.title == "VP of Engineering"
    assert role.to_slot() == {"title": "VP of Engineering", "seniority": "vp"}


@pytest.mark.parametrize("text", ["n/a", "prefer not to say", "12345", "jane@acme.com", "a b c d e f g h i j", *NASTY])
def test_role_rejects_non_titles(text: str) -> None:
    assert parse_role(text) is None


@pytest.mark.parametrize(
    ("text", "earliest", "latest", "label"),
    [
        ("asap", 0.0, 0.5, "asap"),
        ("ASAP please!", 0.0, 0.5, "asap"),
        ("this month", 0.0, 0.2, "this month"),
        ("this quarter", 0.0, 1.2, "this quarter"),
        ("next quarter", 1.3, 4.2, "next quarter"),
        ("Q1", 1.3, 4.2, "Q1 2027"),
        ("Q3 2027", 7.2, 10.2, "Q3 2027"),
        ("in 3 to 6 months", 3.0, 6.0, "3-6 months"),
        ("within 6 weeks", 0.0, 1.4, "within 6 weeks"),
        ("next 8 weeks", 0.0, 1.8, "within 8 weeks"),
        ("1 month", 0.0, 1.0, "within 1 month"),
        ("in 2 months", 2.0, 2.0, "in 2 months"),
        ("around 4 months from now", 4.0, 4.0, "in 4 months"),
        ("a month from today", 1.0, 1.0, "in 1 month"),
        ("next year", 1.3, 13.3, "next year"),
        ("by March", 0.0, 4.2, "by March 2027"),
        ("by the end of the month", 0.0, 0.2, "this month"),
        ("first quarter", 1.3, 4.2, "Q1 2027"),
        ("second quarter of 2027", 4.2, 7.2, "Q2 2027"),
        ("in half a year", 6.0, 6.0, "in 6 months"),
    ],
)
def test_timeline_is_months_from_today(text: str, earliest: float, latest: float, label: str) -> None:
    timeline = parse_timeline(text, TODAY)
    assert timeline is not None
    assert (timeline.earliest, timeline.latest, timeline.label) == (earliest, latest, label)


@pytest.mark.parametrize("text", ["just researching", "not sure, just exploring", "none", "no timeline yet", "TBD"])
def test_timeline_without_a_plan_has_no_months(text: str) -> None:
    timeline = parse_timeline(text, TODAY)
    assert timeline is not None
    assert (timeline.earliest, timeline.latest) == (None, None)


def test_timeline_depends_on_the_clock() -> None:
    q1 = parse_timeline("Q1", date(2026, 2, 10))
    assert q1 is not None
    assert q1.label == "Q1 2026"
    assert q1.earliest == 0.0


@pytest.mark.parametrize("text", ["purple", "Q9", "in 900 years", *NASTY])
def test_timeline_rejects_non_timelines(text: str) -> None:
    assert parse_timeline(text, TODAY) is None


@pytest.mark.parametrize(
    ("text", "budget"),
    [
        ("budget is set aside", Budget.APPROVED),
        ("yes", Budget.APPROVED),
        ("approved", Budget.APPROVED),
        ("around $20k a year", Budget.APPROVED),
        ("still exploring", Budget.EXPLORING),
        ("not yet", Budget.EXPLORING),
        ("no idea", Budget.EXPLORING),
        ("none", Budget.NONE),
        ("no budget", Budget.NONE),
        ("nope", Budget.NONE),
    ],
)
def test_budget(text: str, budget: Budget) -> None:
    assert parse_budget(text) is budget


@pytest.mark.parametrize(
    ("text", "address", "kind"),
    [
        ("priya@quantixlabs.com", "priya@quantixlabs.com", EmailKind.WORK),
        ("  Me: Raj@FernhillTools.com  ", "Raj@fernhilltools.com", EmailKind.WORK),
        ("jane.doe+sales@gmail.com", "jane.doe+sales@gmail.com", EmailKind.FREE),
        ("someone@mailinator.com", "someone@mailinator.com", EmailKind.DISPOSABLE),
    ],
)
def test_email_is_checked_and_classified(text: str, address: str, kind: EmailKind) -> None:
    email = parse_email(text)
    assert email is not None
    assert (email.address, email.kind) == (address, kind)
    assert email.normalised == address.lower()


@pytest.mark.parametrize("text", ["not an email", "a@b", "jane@", "@acme.com", "jane@@acme.com", *NASTY])
def test_email_rejects_invalid_addresses(text: str) -> None:
    assert parse_email(text) is None


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("raj", "Raj"),
        ("I am Ingrid Bauer", "Ingrid Bauer"),
        ("my name is John", "John"),
        ("Priya Natarajan", "Priya Natarajan"),
        ("José Álvarez", "José Álvarez"),
        ("it's Fatima.", "Fatima"),
    ],
)
def test_name(text: str, name: str) -> None:
    assert parse_name(text) == name


@pytest.mark.parametrize(
    "text", ["no", "n/a", "<b>bold</b>", "jane@acme.com", "R2D2", "one two three four five six", *NASTY]
)
def test_name_rejects_non_names(text: str) -> None:
    assert parse_name(text) is None


@pytest.mark.parametrize(
    ("text", "company"),
    [
        ("Quantix Labs", "Quantix Labs"),
        ("I work at Oakmeadow Bank", "Oakmeadow Bank"),
        ("it's Globex.", "Globex"),
        ("Pixel & Co", "Pixel & Co"),
    ],
)
def test_company(text: str, company: str) -> None:
    assert parse_company(text) == company


@pytest.mark.parametrize(
    ("text", "code", "name"),
    [
        ("Germany", "DE", "Germany"),
        ("india", "IN", "India"),
        ("USA", "US", "United States"),
        ("the UK", "GB", "United Kingdom"),
        ("we're based in France", "FR", "France"),
        ("Deutschland", "DE", "Germany"),
        ("EMEA", None, "EMEA"),
        ("Berlin, Germany", "DE", "Germany"),
        ("u.s.", "US", "United States"),
        ("the states", "US", "United States"),
        ("Curaçao", "CW", "Curaçao"),
        ("Guinea Bissau", "GW", "Guinea-Bissau"),
    ],
)
def test_country_or_region(text: str, code: str | None, name: str) -> None:
    location = parse_country(text)
    assert location is not None
    assert (location.country_code, location.name) == (code, name)


@pytest.mark.parametrize("text", ["Narnia", "not sure", *NASTY])
def test_country_rejects_unknown_places(text: str) -> None:
    assert parse_country(text) is None


@pytest.mark.parametrize("text", ["n/a", "No.", "i don't know", "i don’t know", "prefer not to say", "no comment"])
def test_refusals(text: str) -> None:
    assert is_refusal(text)


@pytest.mark.parametrize("text", ["yes", "Acme", "Priya", "50 people"])
def test_answers_are_no_refusals(text: str) -> None:
    assert not is_refusal(text)


def test_free_text_is_kept_and_cut_at_a_word_boundary() -> None:
    assert parse_free_text("we lose inbound leads outside office hours") == "we lose inbound leads outside office hours"
    long = parse_free_text("leads " * 2000)
    assert long is not None
    assert len(long) <= 501
    assert long.endswith("…")


@pytest.mark.parametrize("parser", ALL_PARSERS)
@pytest.mark.parametrize("text", NASTY)
def test_no_parser_raises_on_hostile_input(parser, text: str) -> None:
    parser(text)  # returning anything is fine; raising is not


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_parsers_never_raise_on_arbitrary_text(text: str) -> None:
    for parser in ALL_PARSERS:
        parser(text)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=4_000_000), st.integers(min_value=0, max_value=4_000_000))
def test_company_size_ranges_are_ordered(low: int, extra: int) -> None:
    size = parse_company_size(f"{low}-{low + extra}")
    if size is not None:
        assert size.minimum <= (size.maximum or size.minimum)
        assert size.minimum == low
