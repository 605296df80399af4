"""Whether every language the bot speaks has all it needs: each response of domain.yml a
text in it, each question of ops/questions.yml its help texts, each phrase the actions fill
in a translation, the NLU the same languages, and data/nlu training data in it."""

from __future__ import annotations

from pathlib import Path
from typing import Any, List

from bot.config_files import line_of, read_yaml
from bot.conversation.phrases import load_phrases
from bot.errors import ConfigError
from bot.languages import DEFAULT_LANGUAGE, LANGUAGE_SLOT, supported_languages
from bot.playbook import Playbook
from bot.scoring.policy import ScoringPolicy

_GUARD = "rasa_server.nlu.components.MessageLanguage"


def other_languages(domain_path: Path) -> List[str]:
    """The languages the bot speaks besides the default (English), which need every text."""
    return [code for code in supported_languages(domain_path) if code != DEFAULT_LANGUAGE]


def _response_languages(variants: Any) -> set[str]:
    """The languages a response's variants are conditioned on."""
    found = set()
    for variant in variants if isinstance(variants, list) else []:
        for condition in (variant or {}).get("condition") or []:
            if isinstance(condition, dict) and condition.get("name") == LANGUAGE_SLOT:
                found.add(str(condition.get("value")))
    return found


def translation_problems(root: Path, playbook: Playbook, playbook_path: Path) -> List[ConfigError]:
    domain_path = root / "domain.yml"
    languages = other_languages(domain_path)
    domain, lines = read_yaml(domain_path)
    problems: List[ConfigError] = []
    for name, variants in ((domain or {}).get("responses") or {}).items():
        have = _response_languages(variants)
        for language in languages:
            if language not in have:
                line = line_of(lines, ("responses", name))
                problems.append(ConfigError(str(domain_path), f"responses.{name}", f"no '{language}' text", line))
    _, playbook_lines = read_yaml(playbook_path)
    for index, question in enumerate(playbook.questions):
        for language in languages:
            if language not in question.translations:
                where = ("questions", index)
                problems.append(
                    ConfigError(
                        str(playbook_path),
                        f"questions.{index}.translations",
                        f"no '{language}' why, hint and label for '{question.slot}'",
                        line_of(playbook_lines, where),
                    )
                )
    problems.extend(_phrase_problems(root / "ops" / "phrases.yml", languages))
    problems.extend(_guard_problems(root / "config.yml", [DEFAULT_LANGUAGE, *languages]))
    for language in languages:
        if not any((root / "data" / "nlu" / language).glob("*.yml")):
            problems.append(
                ConfigError(
                    str(root / "data" / "nlu"), language, f"no training data for '{language}' in data/nlu/{language}/"
                )
            )
    return problems


def _guard_problems(config_path: Path, languages: List[str]) -> List[ConfigError]:
    """The NLU must name the messages of exactly the languages the domain speaks."""
    config, lines = read_yaml(config_path)
    for index, component in enumerate((config or {}).get("pipeline") or []):
        if isinstance(component, dict) and component.get("name") == _GUARD:
            named = [str(code) for code in component.get("languages") or []]
            if sorted(named) != sorted(languages):
                return [
                    ConfigError(
                        str(config_path),
                        f"pipeline.{index}.languages",
                        f"{named} differs from the language slot's values in domain.yml {languages}",
                        line_of(lines, ("pipeline", index, "languages")),
                    )
                ]
            return []
    return [ConfigError(str(config_path), "pipeline", f"no {_GUARD}: nothing names a message's language")]


def resource_problems(policy: ScoringPolicy, scoring_path: Path, domain_path: Path) -> List[ConfigError]:
    """Every nurture resource needs its title in each language the bot speaks."""
    languages = other_languages(domain_path)
    _, lines = read_yaml(scoring_path)
    problems = []
    for index, item in enumerate(policy.nurture_resources.items):
        for language in languages:
            if language not in item.titles:
                problems.append(
                    ConfigError(
                        str(scoring_path),
                        f"nurture_resources.items.{index}.titles",
                        f"no '{language}' title for '{item.id}'",
                        line_of(lines, ("nurture_resources", "items", index)),
                    )
                )
    return problems


def _phrase_problems(path: Path, languages: List[str]) -> List[ConfigError]:
    try:
        phrases = load_phrases(path).phrases
    except ConfigError as exc:
        return [exc]
    _, lines = read_yaml(path)
    return [
        ConfigError(str(path), f"phrases.{key}", f"no '{language}' text", line_of(lines, ("phrases", key)))
        for key, texts in phrases.items()
        for language in languages
        if language not in texts
    ]
