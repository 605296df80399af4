"""docs/ops-guide.md can't rot: its worked example (an "industry" question
worth +10) is replayed on a copy of the project, its error messages are the
real ones, and every `make` target it names exists."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
import yaml

from bot.playbook import load_playbook
from bot.processes.stack import rasa_python
from bot.qualification.answers import Answers
from bot.scoring.policy import load_policy
from bot.scoring.score import score
from bot.settings import PROJECT_ROOT

GUIDE = PROJECT_ROOT / "docs" / "ops-guide.md"
EXAMPLE = re.compile(r"<!-- example: (\S+) -->\s*```yaml\n(.*?)```", re.DOTALL)


def examples() -> List[Tuple[str, Any]]:
    return [(path, yaml.safe_load(block)) for path, block in EXAMPLE.findall(GUIDE.read_text(encoding="utf-8"))]


def merge(into: Any, addition: Any) -> Any:
    """Adds ``addition`` to ``into`` as the guide says: keys merge, lists grow."""
    if isinstance(into, dict) and isinstance(addition, dict):
        merged: Dict[str, Any] = dict(into)
        for key, value in addition.items():
            merged[key] = merge(into[key], value) if key in into else value
        return merged
    if isinstance(into, list) and isinstance(addition, list):
        return into + addition
    return addition


def copy_project(target: Path) -> Path:
    files = subprocess.run(["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True).stdout
    for name in files.splitlines():
        source = PROJECT_ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def apply(project: Path, path: str, addition: Any) -> None:
    file = project / path
    current = yaml.safe_load(file.read_text(encoding="utf-8")) if file.exists() else None
    file.write_text(yaml.safe_dump(merge(current, addition), sort_keys=False, allow_unicode=True), encoding="utf-8")


def run_check(project: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(project)}
    env.pop("CQLBOT_OPS_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "bot.check"], cwd=project, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_project(tmp_path_factory.mktemp("guide"))


def test_the_guide_has_its_four_example_edits() -> None:
    assert [path for path, _ in examples()] == [
        "ops/questions.yml",
        "domain.yml",
        "data/nlu/industry.yml",
        "ops/scoring.yml",
    ]


def test_the_industry_example_checks_validates_and_scores_ten_points(project: Path) -> None:
    (questions, first), *rest = examples()
    apply(project, questions, first)
    halfway = run_check(project)  # the guide's second error example: the question alone is not enough
    assert halfway.returncode == 1
    assert (
        "questions.yml:" in halfway.stderr
        and "questions.9.slot: no response 'utter_ask_industry' in domain.yml" in halfway.stderr
    )
    assert _documented(halfway.stderr, "utter_ask_industry", project)

    for path, addition in rest:
        apply(project, path, addition)
    checked = run_check(project)
    assert checked.returncode == 0, checked.stderr
    assert "ops config OK" in checked.stdout

    rasa = Path(rasa_python()).parent / "rasa"  # the Rasa server's own environment
    validated = subprocess.run(
        [str(rasa), "data", "validate", "--domain", "domain.yml", "--data", "data", "--fail-on-warnings"],
        cwd=project, capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(project)},
    )  # fmt: skip
    assert validated.returncode == 0, validated.stdout[-3000:] + validated.stderr[-3000:]

    playbook = load_playbook(project / "ops" / "questions.yml")
    assert playbook.slots[-1] == "industry"
    policy = load_policy(project / "ops" / "scoring.yml", playbook)
    answers = {
        "company_size": {"min": 120, "max": 120, "label": "120"},
        "role": {"title": "VP Sales", "seniority": "vp"},
    }
    without = score(Answers.of({**answers, "industry": "retail"}), policy)
    fintech = score(Answers.of({**answers, "industry": "We're a fintech startup"}), policy)
    assert fintech.points - without.points == 10
    assert "Industry mentions \u201cfintech\u201d (target industry), +10" in [reason.text for reason in fintech.reasons]


def _documented(stderr: str, marker: str, project: Path) -> bool:
    """The guide quotes this very message (line numbers aside: they depend on
    where in the file the edit went)."""
    line = next(line for line in stderr.splitlines() if marker in line).replace(f"{project}/", "").strip()
    anywhere = re.compile(r"\.yml:\d+:")
    return anywhere.sub(".yml:N:", line) in anywhere.sub(".yml:N:", GUIDE.read_text(encoding="utf-8"))


def test_the_threshold_error_the_guide_quotes_is_the_real_one(tmp_path: Path) -> None:
    project = copy_project(tmp_path)
    scoring = project / "ops" / "scoring.yml"
    scoring.write_text(scoring.read_text().replace("    min_points: 60", "    min_points: 30"), encoding="utf-8")
    checked = run_check(project)
    assert checked.returncode == 1
    assert _documented(checked.stderr, "min_points", project)


def test_every_make_target_the_guide_names_exists() -> None:
    targets = set(re.findall(r"^([a-z][a-z-]*):", (PROJECT_ROOT / "Makefile").read_text(), re.MULTILINE))
    named = set(re.findall(r"`make ([a-z-]+)", GUIDE.read_text(encoding="utf-8")))
    named |= set(re.findall(r"^make ([a-z-]+)", GUIDE.read_text(encoding="utf-8"), re.MULTILINE))
    assert named and named <= targets, named - targets
