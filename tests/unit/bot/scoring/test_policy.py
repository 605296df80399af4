"""A bad ops/scoring.yml fails at load, naming file, line and key."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.errors import ConfigError
from bot.playbook import load_playbook
from bot.scoring.policy import Tier, close_response, cross_check_closes, load_policy, policy_version
from bot.settings import PROJECT_ROOT

OPS = PROJECT_ROOT / "ops"
PLAYBOOK = load_playbook(OPS / "questions.yml")
DEFAULT = (OPS / "scoring.yml").read_text(encoding="utf-8")


def _load_edited(tmp_path: Path, old: str, new: str) -> None:
    assert old in DEFAULT, f"the default policy no longer contains {old!r}"
    path = tmp_path / "scoring.yml"
    path.write_text(DEFAULT.replace(old, new, 1), encoding="utf-8")
    load_policy(path, PLAYBOOK)


def test_the_default_policy_loads_with_a_version_hash() -> None:
    policy = load_policy(OPS / "scoring.yml", PLAYBOOK)
    assert policy.policy_version == policy_version(OPS / "scoring.yml")
    assert len(policy.policy_version) == 12
    assert [k.id for k in policy.knockouts] == ["support", "student", "job_seeker", "competitor", "vendor_pitch"]


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        ("  nurture:\n    min_points: 35", "  nurture:\n    min_ponts: 35", "tiers.nurture.min_ponts", "extra fields"),
        ("    min_points: 60", "    min_points: sixty", "tiers.cql.min_points", "integer"),
        ("    min_points: 60", "    min_points: 30", "tiers", "must be above nurture.min_points"),
        ("{min: 11, max: 49, points: 10}", "{min: 11, max: 60, points: 10}", "company_size.bands", "overlap"),
        ("{min: 11, max: 49, points: 10}", "{min: 11, max: 40, points: 10}", "company_size.bands", "gap"),
        ("{min: 1000, points: 40}", "{min: 1000, max: 5000, points: 40}", "company_size.bands", "no max"),
        ("    manager: 20\n", "", "seniority.points", "missing for: manager"),
        ("{within_months: 6, points: 10}", "{within_months: 2, points: 10}", "timeline.bands", "increasing"),
        ("  default: buyers_guide", "  default: ebook", "nurture_resources", "'ebook' is not one of"),
        ("    tier: support", "    tier: cql", "knockouts.0.tier", "cql and nurture come from points"),
        ("budget:\n  question: budget", "budget:\n  question: budgett", "budget.question", "unknown question 'budgett'"),
        ("timeline:\n  question: timeline", "timeline:\n  question: role", "timeline.question", "needs timeline"),
        ("          questions: [use_case]\n          words: [support", "          questions: [usecase]\n          words: [support",
         "knockouts.0.when.0.words_in.questions.0", "unknown question 'usecase'"),
    ],
)  # fmt: skip
def test_mistakes_name_the_file_and_the_key(tmp_path: Path, old: str, new: str, key: str, problem: str) -> None:
    with pytest.raises(ConfigError) as caught:
        _load_edited(tmp_path, old, new)
    error = caught.value
    assert error.source.endswith("scoring.yml")
    assert error.key == key
    assert problem in error.problem
    assert error.line is not None and error.line > 1


def test_a_number_among_keywords_is_a_keyword(tmp_path: Path) -> None:
    path = tmp_path / "scoring.yml"
    path.write_text(
        DEFAULT.replace("words: [inbound, after hours,", "words: [inbound, 365, after hours,", 1), encoding="utf-8"
    )
    policy = load_policy(path, PLAYBOOK)
    assert policy.use_case.keywords[0].words[:3] == ["inbound", "365", "after hours"]


def test_a_changed_file_gets_a_new_version(tmp_path: Path) -> None:
    path = tmp_path / "scoring.yml"
    path.write_text(DEFAULT.replace("    min_points: 60", "    min_points: 70"), encoding="utf-8")
    assert load_policy(path, PLAYBOOK).tiers.cql.min_points == 70
    assert policy_version(path) != policy_version(OPS / "scoring.yml")


def test_each_knockout_names_its_close_and_an_unknown_one_is_caught(tmp_path: Path) -> None:
    policy = load_policy(OPS / "scoring.yml", PLAYBOOK)
    assert close_response(policy, Tier.DISQUALIFIED, "student") == "utter_close_student"
    assert close_response(policy, Tier.DISQUALIFIED, "competitor") == "utter_close_competitor"
    assert close_response(policy, Tier.DISQUALIFIED, "vendor_pitch") == "utter_close_vendor"
    assert close_response(policy, Tier.DISQUALIFIED, None) == "utter_close_disqualified"
    assert close_response(policy, Tier.SUPPORT, "support") == "utter_close_support"
    assert close_response(policy, Tier.CQL, None) == "utter_close_cql"
    responses = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())["responses"]
    assert cross_check_closes(policy, OPS / "scoring.yml", responses) == []

    path = tmp_path / "scoring.yml"
    path.write_text(DEFAULT.replace("close: utter_close_student", "close: utter_close_studnet"), encoding="utf-8")
    (problem,) = cross_check_closes(load_policy(path, PLAYBOOK), path, responses)
    assert problem.key == "knockouts.1.close"
    assert problem.line == DEFAULT.splitlines().index("    close: utter_close_student") + 1
    assert "utter_close_studnet" in str(problem)
    with pytest.raises(ConfigError, match=r"knockouts\.1\.close"):
        _load_edited(tmp_path, "close: utter_close_student", "close: close_student")


@pytest.mark.parametrize(
    ("question", "problem"),
    [("industry", "unknown question 'industry'"), ("company_size", "this section needs text")],
)
def test_keyword_points_need_a_known_free_text_question(tmp_path: Path, question: str, problem: str) -> None:
    section = f"answer_keywords:\n  - question: {question}\n    keywords:\n      - {{label: x, words: [y], points: 5}}"
    with pytest.raises(ConfigError, match=r"answer_keywords\.0\.question") as error:
        _load_edited(tmp_path, "answer_keywords: []", section)
    assert problem in str(error.value)
