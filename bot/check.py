"""``python -m bot.check``: validate the ops files and the settings, and
cross-check the playbook against domain.yml. Exits non-zero naming the file,
line and key of the first problem in each file, and every text missing in a language
the bot speaks."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List

from bot.config_files import line_of, read_yaml
from bot.errors import ConfigError
from bot.languages import supported_languages
from bot.playbook import Playbook, load_playbook
from bot.routing.rules import load_routing
from bot.routing.team import load_team
from bot.scheduling.config import load_booking
from bot.scoring.policy import cross_check_closes, load_policy
from bot.settings import PROJECT_ROOT, load_settings
from bot.translations import resource_problems, translation_problems


def cross_check_domain(playbook: Playbook, playbook_path: Path, domain_path: Path) -> List[ConfigError]:
    """Every question needs a slot, an ``utter_ask_<slot>`` response and a
    place in the form's ``required_slots`` in the domain."""
    domain, _ = read_yaml(domain_path)
    _, lines = read_yaml(playbook_path)
    slots = (domain or {}).get("slots") or {}
    responses = (domain or {}).get("responses") or {}
    form_slots = (((domain or {}).get("forms") or {}).get("qualification_form") or {}).get("required_slots") or []
    problems = []
    for index, question in enumerate(playbook.questions):
        where = ("questions", index, "slot")
        key = f"questions.{index}.slot"
        if question.slot not in slots:
            problems.append(
                ConfigError(
                    str(playbook_path), key, f"no slot '{question.slot}' in {domain_path.name}", line_of(lines, where)
                )
            )
        elif question.slot not in form_slots:
            problems.append(
                ConfigError(
                    str(playbook_path),
                    key,
                    f"'{question.slot}' is not in qualification_form's required_slots in {domain_path.name}",
                    line_of(lines, where),
                )
            )
        if f"utter_ask_{question.slot}" not in responses:
            problems.append(
                ConfigError(
                    str(playbook_path),
                    key,
                    f"no response 'utter_ask_{question.slot}' in {domain_path.name}",
                    line_of(lines, where),
                )
            )
    return problems


def run_checks(root: Path = PROJECT_ROOT) -> List[ConfigError]:
    problems: List[ConfigError] = []
    try:
        settings = load_settings()
    except ConfigError as exc:
        return [exc]
    playbook_path = settings.ops_dir / "questions.yml"
    try:
        playbook = load_playbook(playbook_path)
    except ConfigError as exc:
        problems.append(exc)
    else:
        problems.extend(cross_check_domain(playbook, playbook_path, root / "domain.yml"))
        problems.extend(translation_problems(root, playbook, playbook_path))
        scoring_path = settings.ops_dir / "scoring.yml"
        try:
            policy = load_policy(scoring_path, playbook)
        except ConfigError as exc:
            problems.append(exc)
        else:
            domain, _ = read_yaml(root / "domain.yml")
            problems.extend(cross_check_closes(policy, scoring_path, ((domain or {}).get("responses") or {})))
            problems.extend(resource_problems(policy, scoring_path, root / "domain.yml"))
    problems.extend(_check_team_and_booking(settings.ops_dir, root / "domain.yml"))
    return problems


def _check_team_and_booking(ops_dir: Path, domain_path: Path) -> List[ConfigError]:
    """ops/team.yml, ops/routing.yml (against the team and the languages the domain speaks)
    and ops/booking.yml."""
    problems: List[ConfigError] = []
    try:
        team = load_team(ops_dir / "team.yml")
    except ConfigError as exc:
        problems.append(exc)
    else:
        try:
            load_routing(ops_dir / "routing.yml", team, supported_languages(domain_path))
        except ConfigError as exc:
            problems.append(exc)
    try:
        load_booking(ops_dir / "booking.yml")
    except ConfigError as exc:
        problems.append(exc)
    return problems


def main() -> int:
    problems = run_checks()
    for problem in problems:
        print(f"config error: {problem}", file=sys.stderr)
    if not problems:
        print("ops config OK")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
