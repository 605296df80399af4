"""The scoring function on the default policy, by example and by property."""

from __future__ import annotations

from typing import Any, Dict

import pytest
from hypothesis import given
from hypothesis import strategies as st

from answers.normalise import Budget, Seniority
from bot.playbook import load_playbook
from bot.qualification.answers import Answers
from bot.scoring.policy import ScoringPolicy, Tier, load_policy
from bot.scoring.score import company_key, mentions, nurture_resource, score
from bot.settings import PROJECT_ROOT

OPS = PROJECT_ROOT / "ops"
POLICY: ScoringPolicy = load_policy(OPS / "scoring.yml", load_playbook(OPS / "questions.yml"))

#: Seniority levels from least to most senior, as the default policy ranks them.
RANKED = [
    Seniority.OTHER,
    Seniority.INDIVIDUAL_CONTRIBUTOR,
    Seniority.MANAGER,
    Seniority.DIRECTOR,
    Seniority.HEAD,
    Seniority.VP,
    Seniority.C_LEVEL,
]


def answers(
    size: int | None = 600,
    seniority: Seniority = Seniority.VP,
    title: str = "VP of Engineering",
    months: float | None = 2.0,
    budget: Budget = Budget.APPROVED,
    use_case: str = "we miss demo requests",
    email: str = "ana@coral.example",
    kind: str = "work",
    company: str = "Coral Networks",
) -> Dict[str, Any]:
    return {
        "use_case": use_case,
        "full_name": "Ana Silva",
        "work_email": {"address": email, "normalised": email.lower(), "kind": kind},
        "company": company,
        "role": {"title": title, "seniority": seniority.value},
        "company_size": None if size is None else {"min": size, "max": size, "label": f"{size:,}"},
        "timeline": {"earliest": 0, "latest": months, "label": "soon"} if months is not None else None,
        "budget": {"status": budget.value},
        "country": {"country_code": "BR", "name": "Brazil"},
    }


def test_a_vp_at_a_mid_size_company_buying_soon_is_a_cql() -> None:
    result = score(Answers.of(answers()), POLICY)
    assert result.tier is Tier.CQL
    assert result.points == 35 + 30 + 20 + 10 + 5
    texts = [reason.text for reason in result.reasons]
    assert "VP of Engineering \u2192 seniority VP, +30" in texts
    assert any(text.startswith("Use case mentions \u201cdemo requests\u201d") for text in texts)
    assert result.policy_version == POLICY.policy_version


def test_free_mail_costs_ten_points_with_its_reason() -> None:
    result = score(Answers.of(answers(email="ana@gmail.com", kind="free")), POLICY)
    assert result.points == 100 - 10
    assert "Free-mail address, \u221210" in [reason.text for reason in result.reasons]


def test_enough_points_but_a_tiny_company_is_nurture_not_cql() -> None:
    result = score(
        Answers.of(answers(size=8, seniority=Seniority.FOUNDER, title="Founder", use_case="route leads")), POLICY
    )
    assert result.points == 0 + 30 + 20 + 10 + 5
    assert result.points >= POLICY.tiers.cql.min_points
    assert result.tier is Tier.NURTURE
    assert "below 11" in result.reasons[-1].text


def test_unknown_size_cannot_make_a_cql() -> None:
    result = score(Answers.of(answers(size=None, use_case="lead routing")), POLICY)
    assert result.tier is Tier.NURTURE
    assert "Company size unknown, +0" in [reason.text for reason in result.reasons]


def test_a_researching_analyst_is_nurture_and_an_idle_small_team_is_disqualified() -> None:
    analyst = answers(size=2500, seniority=Seniority.INDIVIDUAL_CONTRIBUTOR, title="data analyst", months=None)
    assert score(Answers.of({**analyst, "budget": {"status": "none"}}), POLICY).tier is Tier.NURTURE
    idle = answers(size=5, seniority=Seniority.INDIVIDUAL_CONTRIBUTOR, title="dev", months=None, budget=Budget.NONE)
    assert score(Answers.of(idle), POLICY).tier is Tier.DISQUALIFIED


def test_answers_kept_as_typed_score_nothing_and_say_unknown() -> None:
    raw = {"raw": "n/a", "understood": False}
    result = score(Answers.of({**answers(), "company_size": raw, "role": raw, "timeline": raw, "budget": raw}), POLICY)
    assert result.points == 5
    assert result.tier is Tier.DISQUALIFIED
    assert {"Company size unknown, +0", "Role unknown, +0", "Budget unknown, +0"} <= {r.text for r in result.reasons}


@pytest.mark.parametrize(
    ("overrides", "knockout", "tier"),
    [
        ({"seniority": Seniority.STUDENT, "title": "student intern"}, "student", Tier.DISQUALIFIED),
        ({"use_case": "it's for my thesis on chatbots"}, "student", Tier.DISQUALIFIED),
        ({"use_case": "Are you hiring? I'd love to join your team"}, "job_seeker", Tier.DISQUALIFIED),
        ({"email": "sam@drift.com"}, "competitor", Tier.DISQUALIFIED),
        ({"email": "sam@eu.qualified.com"}, "competitor", Tier.DISQUALIFIED),
        ({"company": "Chili Piper, Inc."}, "competitor", Tier.DISQUALIFIED),
        ({"use_case": "Our agency offers SEO services to companies like yours"}, "vendor_pitch", Tier.DISQUALIFIED),
        ({"use_case": "we're a customer and the widget stopped working"}, "support", Tier.SUPPORT),
    ],
)
def test_knockouts_decide_the_tier_whatever_the_points(overrides: Dict[str, Any], knockout: str, tier: Tier) -> None:
    result = score(Answers.of(answers(**overrides)), POLICY)
    assert (result.knockout, result.tier) == (knockout, tier)
    assert result.reasons[0].code == f"knockout:{knockout}"
    assert result.points >= 60  # the points alone would have made a CQL


def test_look_alike_words_and_companies_are_not_knockouts() -> None:
    for use_case in ("we have internal routing rules", "our careering sales team", "studentloans.example is us"):
        assert score(Answers.of(answers(use_case=use_case)), POLICY).knockout is None
    assert (
        score(Answers.of(answers(company="Driftwood Analytics", email="a@driftwood.example")), POLICY).knockout is None
    )


def test_matching_is_whole_words_any_case_and_company_suffixes_are_ignored() -> None:
    assert mentions("We LOSE Leads after   hours", ["after hours"]) == "after hours"
    assert mentions("afterhours", ["after hours"]) is None
    assert company_key("Intercom, Inc.") == company_key("intercom") == "intercom"


def test_nurture_resource_follows_the_use_case_then_the_default() -> None:
    assert nurture_resource(Answers.of(answers(use_case="assign leads by territory")), POLICY).id == "routing_playbook"
    assert nurture_resource(Answers.of(answers(use_case="just curious")), POLICY).id == POLICY.nurture_resources.default


# --- properties ---------------------------------------------------------------

sizes = st.integers(min_value=1, max_value=5_000_000)
levels = st.sampled_from(RANKED)
months = st.one_of(st.none(), st.floats(min_value=0, max_value=60, allow_nan=False))
budgets = st.sampled_from(list(Budget))
texts = st.text(max_size=80)
kinds = st.sampled_from(["work", "free"])


@given(size=sizes, level=levels, month=months, budget=budgets, use_case=texts, kind=kinds)
def test_reasons_always_sum_to_the_points(
    size: int, level: Seniority, month: float | None, budget: Budget, use_case: str, kind: str
) -> None:
    result = score(Answers.of(answers(size, level, level.value, month, budget, use_case, kind=kind)), POLICY)
    assert sum(reason.points for reason in result.reasons) == result.points
    assert all(reason.text for reason in result.reasons)


_TIER_RANK = {Tier.DISQUALIFIED: 0, Tier.NURTURE: 1, Tier.CQL: 2}


@given(small=sizes, large=sizes, level=levels, month=months, budget=budgets)
def test_a_bigger_company_never_scores_lower(
    small: int, large: int, level: Seniority, month: float | None, budget: Budget
) -> None:
    small, large = sorted((small, large))
    low = score(Answers.of(answers(small, level, "x", month, budget, "y")), POLICY)
    high = score(Answers.of(answers(large, level, "x", month, budget, "y")), POLICY)
    assert high.points >= low.points
    assert _TIER_RANK[high.tier] >= _TIER_RANK[low.tier]


@given(junior=levels, senior=levels, size=sizes, month=months, budget=budgets)
def test_a_more_senior_role_never_scores_lower(
    junior: Seniority, senior: Seniority, size: int, month: float | None, budget: Budget
) -> None:
    junior, senior = sorted((junior, senior), key=RANKED.index)
    low = score(Answers.of(answers(size, junior, "x", month, budget, "y")), POLICY)
    high = score(Answers.of(answers(size, senior, "x", month, budget, "y")), POLICY)
    assert high.points >= low.points
    assert _TIER_RANK[high.tier] >= _TIER_RANK[low.tier]


@given(size=sizes, level=levels, month=months, budget=budgets, use_case=texts)
def test_a_knockout_always_wins(
    size: int, level: Seniority, month: float | None, budget: Budget, use_case: str
) -> None:
    result = score(Answers.of(answers(size, level, "x", month, budget, use_case, company="Drift")), POLICY)
    # The first knock-out in ops/scoring.yml that matches decides; a student's or a support
    # request's comes before the competitor's. Whichever it is, no points outweigh it.
    order = [knockout.id for knockout in POLICY.knockouts]
    alone = score(Answers.of(answers(size, level, "x", month, budget, use_case)), POLICY).knockout
    first = alone if alone is not None and order.index(alone) < order.index("competitor") else "competitor"
    assert result.knockout == first
    assert result.tier in (Tier.DISQUALIFIED, Tier.SUPPORT) and result.tier is not Tier.CQL
