from __future__ import annotations

from pathlib import Path

import pytest

from bot.check import cross_check_domain
from bot.errors import ConfigError
from bot.playbook import load_playbook
from bot.settings import PROJECT_ROOT

PLAYBOOK = PROJECT_ROOT / "ops" / "questions.yml"
DOMAIN = PROJECT_ROOT / "domain.yml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "questions.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_playbook_asks_the_design_questions_in_order() -> None:
    playbook = load_playbook(PLAYBOOK)
    assert playbook.slots == [
        "use_case", "full_name", "work_email", "company", "role", "company_size", "timeline", "budget", "country",
    ]  # fmt: skip


def test_the_shipped_playbook_matches_the_domain() -> None:
    assert cross_check_domain(load_playbook(PLAYBOOK), PLAYBOOK, DOMAIN) == []


def test_a_typo_in_a_parser_names_file_line_and_key(tmp_path: Path) -> None:
    path = write(tmp_path, PLAYBOOK.read_text().replace("parser: email", "parser: emial"))
    with pytest.raises(ConfigError) as caught:
        load_playbook(path)
    error = caught.value
    assert error.key == "questions.2.parser"
    assert error.line == PLAYBOOK.read_text().splitlines().index("    parser: email") + 1
    assert str(error).startswith(f"{path}:{error.line}: questions.2.parser:")


def test_an_unknown_key_is_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "version: 1\nquestions:\n  - slot: company\n    parser: company\n    why: w\n    hint: h\n    colour: red\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_playbook(path)
    assert caught.value.key == "questions.0.colour"
    assert caught.value.line == 7


def test_a_question_asked_twice_is_refused(tmp_path: Path) -> None:
    question = "  - slot: company\n    parser: company\n    why: w\n    hint: h\n"
    path = write(tmp_path, "version: 1\nquestions:\n" + question + question)
    with pytest.raises(ConfigError, match="asked twice"):
        load_playbook(path)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("questions: []\nversion: 1\n", "questions"),
        ("version: 2\nquestions:\n  - {slot: a, parser: text, why: w, hint: h}\n", "version"),
        ("- just\n- a list\n", "(top level)"),
        ("version: 1\nquestions:\n  - {slot: a, parser: text, why: '', hint: h}\n", "questions.0.why"),
        ("version: 1\nquestions: [\n", "(syntax)"),
    ],
)
def test_malformed_playbooks_fail_with_the_key(tmp_path: Path, text: str, key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_playbook(write(tmp_path, text))
    assert caught.value.key == key


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot be read"):
        load_playbook(tmp_path / "nope.yml")


def test_a_question_without_domain_slot_or_wording_is_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path, PLAYBOOK.read_text() + "  - slot: favourite_colour\n    parser: text\n    why: w\n    hint: h\n"
    )
    problems = cross_check_domain(load_playbook(path), path, DOMAIN)
    assert [p.problem for p in problems] == [
        "no slot 'favourite_colour' in domain.yml",
        "no response 'utter_ask_favourite_colour' in domain.yml",
    ]
    assert all(p.line is not None for p in problems)
