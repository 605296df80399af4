"""The languages the bot speaks, what each needs, and hostile values for the language."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from bot.conversation.phrases import load_phrases, phrase
from bot.languages import language_name, language_of, preferred_language, supported_languages
from bot.playbook import load_playbook
from bot.scheduling.zones import slot_label, time_label
from bot.settings import PROJECT_ROOT
from bot.translations import translation_problems

PLAYBOOK = PROJECT_ROOT / "ops" / "questions.yml"


def test_the_bot_speaks_english_first_then_the_domains_languages() -> None:
    assert supported_languages() == ("en", "de", "es", "fr")


@pytest.mark.parametrize("value", [None, "", "xx", "DE", "de-DE", 7, ["de"], {"value": "de"}, "en; drop table"])
def test_a_language_the_bot_does_not_speak_is_english(value: object) -> None:
    assert language_of(value) == "en"


def test_a_spoken_language_is_kept() -> None:
    assert [language_of(code) for code in ("de", "es", "fr")] == ["de", "es", "fr"]


def test_the_browsers_first_language_the_bot_speaks_wins() -> None:
    assert preferred_language(["de-AT", "en-US"]) == "de"
    assert preferred_language(["pl-PL", "FR-ca", "en"]) == "fr"
    assert preferred_language(["pl", "it"]) is None


def test_the_shipped_files_have_every_text_in_every_language() -> None:
    assert translation_problems(PROJECT_ROOT, load_playbook(PLAYBOOK), PLAYBOOK) == []


def _copy_project(tmp_path: Path) -> Path:
    for name in ("domain.yml", "config.yml", "ops/phrases.yml"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text((PROJECT_ROOT / name).read_text(encoding="utf-8"), encoding="utf-8")
    for language in ("de", "es", "fr"):
        (tmp_path / "data" / "nlu" / language).mkdir(parents=True)
        (tmp_path / "data" / "nlu" / language / "visitors.yml").write_text("nlu: []\n", encoding="utf-8")
    return tmp_path


def test_a_response_missing_a_language_is_named_with_file_line_and_key(tmp_path: Path) -> None:
    root = _copy_project(tmp_path)
    text = (root / "domain.yml").read_text(encoding="utf-8")
    german_greeting = next(line for line in text.splitlines() if line.startswith('      text: "Hallo! Ich bin'))
    lines = text.splitlines()
    at = lines.index(german_greeting)
    del lines[at - 1 : at + 1]  # the condition and the text of utter_greet's German variant
    (root / "domain.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    supported_languages.cache_clear()
    problems = translation_problems(root, load_playbook(PLAYBOOK), PLAYBOOK)
    supported_languages.cache_clear()
    assert [(p.key, p.problem) for p in problems] == [("responses.utter_greet", "no 'de' text")]
    assert problems[0].source.endswith("domain.yml")
    assert lines[problems[0].line - 2].strip() == "utter_greet:"  # the line of its first text


def test_a_question_missing_a_language_and_a_guard_that_disagrees_are_named(tmp_path: Path) -> None:
    root = _copy_project(tmp_path)
    playbook = yaml.safe_load(PLAYBOOK.read_text(encoding="utf-8"))
    del playbook["questions"][4]["translations"]["fr"]
    path = tmp_path / "questions.yml"
    path.write_text(yaml.safe_dump(playbook, allow_unicode=True, sort_keys=False), encoding="utf-8")
    config = (
        (root / "config.yml").read_text(encoding="utf-8").replace("languages: [en, de, es, fr]", "languages: [en, de]")
    )
    (root / "config.yml").write_text(config, encoding="utf-8")
    (root / "data" / "nlu" / "es" / "visitors.yml").unlink()
    phrases = (root / "ops" / "phrases.yml").read_text(encoding="utf-8").replace(", es: Otros horarios", "")
    (root / "ops" / "phrases.yml").write_text(phrases, encoding="utf-8")
    problems = translation_problems(root, load_playbook(path), path)
    assert [(p.key, p.problem) for p in problems] == [
        ("questions.4.translations", "no 'fr' why, hint and label for 'role'"),
        ("phrases.other_times", "no 'es' text"),
        (
            "pipeline.1.languages",
            "['en', 'de'] differs from the language slot's values in domain.yml ['en', 'de', 'es', 'fr']",
        ),
        ("es", "no training data for 'es' in data/nlu/es/"),
    ]
    assert all(p.line for p in problems[:3])


def test_the_questions_help_texts_are_in_the_visitors_language() -> None:
    role = load_playbook(PLAYBOOK).question("role")
    assert role is not None
    assert role.hint_in("en") == role.hint and role.why_in("xx") == role.why
    assert "Head of Sales" in role.hint
    assert role.hint_in("de") != role.hint and role.spoken_in("fr") == "poste"


def test_offered_times_read_as_the_visitors_language_writes_them() -> None:
    start = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    labels = {code: slot_label(start, "Europe/Berlin", code) for code in ("en", "de", "es", "fr")}
    assert labels == {
        "en": "Tue 24 Nov, 10:00",
        "de": "Di., 24. Nov., 10:00",
        "es": "mar, 24 nov, 10:00",
        "fr": "mar. 24 nov., 10:00",
    }
    assert time_label(start, "America/New_York", "fr") == "04:00"


def test_every_phrase_has_every_language_and_falls_back_to_english() -> None:
    assert all(set(texts) >= {"en", "de", "es", "fr"} for texts in load_phrases().phrases.values())
    assert phrase("other_times", "de") == "Andere Zeiten" and phrase("other_times", "xx") == "Other times"


def test_every_resource_needs_its_title_in_every_language(tmp_path: Path) -> None:
    from bot.scoring.policy import load_policy
    from bot.translations import resource_problems

    scoring = PROJECT_ROOT / "ops" / "scoring.yml"
    playbook = load_playbook(PLAYBOOK)
    assert resource_problems(load_policy(scoring, playbook), scoring, PROJECT_ROOT / "domain.yml") == []
    broken = tmp_path / "scoring.yml"
    broken.write_text(
        scoring.read_text(encoding="utf-8").replace("        es: El manual para enrutar los leads entrantes\n", "")
    )
    problems = resource_problems(load_policy(broken, playbook), broken, PROJECT_ROOT / "domain.yml")
    assert [(p.key, p.problem) for p in problems] == [
        ("nurture_resources.items.0.titles", "no 'es' title for 'routing_playbook'")
    ]
    assert load_policy(scoring, playbook).nurture_resources.items[1].title_in("fr").startswith("Après les heures")


def test_the_language_before_the_latest_message_is_known_when_that_message_changed_it() -> None:
    from bot.languages import language_before_turn

    def slot(value: str) -> dict:
        return {"event": "slot", "name": "language", "value": value}

    user = {"event": "user", "text": "x"}
    assert language_before_turn([slot("es"), user, slot("fr")]) == "es"  # "Lumière Conseil" from a Spanish visitor
    assert language_before_turn([user, slot("de")]) == "en"  # the default before
    assert language_before_turn([slot("es"), user, slot("es")]) is None  # unchanged
    assert language_before_turn([slot("fr"), user]) is None and language_before_turn([]) is None
    assert language_before_turn([slot("zz"), user, slot("de")]) == "en"  # a forged value reads as the default


def test_a_language_is_named_for_people_and_an_unknown_code_as_itself() -> None:
    assert [language_name(code) for code in ("en", "de", "es", "fr")] == ["English", "German", "Spanish", "French"]
    assert language_name("de", "de") == "Deutsch"
    assert language_name("qq") == "qq" and language_name("de", "not-a-locale") == "de"
