"""docs/ops-guide.md can't rot: its worked example (an "industry" question
worth +10) and its steps to add a language are replayed on copies of the
project, its error messages are the real ones, and every `make` target it
names exists."""

from __future__ import annotations

import json
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
from bot.scoring.score import knockout_of, score
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
    """The project's files as they are on disk: tracked ones and new ones not yet added (a
    tracked file may already import a new one), never what .gitignore leaves out."""
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
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


# -- "Add a language, end to end" ----------------------------------------------------------
#
# The guide's steps for Italian, replayed for a language nobody speaks: "qx" has the shape of
# an ISO 639-1 code but is none (ISO 639-1 has no code in q but Quechua's "qu"), so no library
# special-cases it: Babel has no locale for it and fastText's identifier never names it. It
# takes every fallback a new language can need. Each text it gets is the German one marked
# with MARK, so a chosen text shows whose it is.

NEW = "qx"
MARK = "\u27e6qx\u27e7"
#: Words of the new language: a use case with the first gets the routing playbook; one with
#: the second is a support request (a knock-out).
NEW_WORD, NEW_KNOCKOUT_WORD = "zorbrouting", "zorbticket"


def _yaml(project: Path, path: str) -> Any:
    return yaml.safe_load((project / path).read_text(encoding="utf-8"))


def _write(project: Path, path: str, data: Any) -> None:
    (project / path).parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1000)
    (project / path).write_text(text, encoding="utf-8")


def _marked(text: str) -> str:
    return f"{MARK} {text}"


def _intents(project: Path) -> List[str]:
    return [i if isinstance(i, str) else next(iter(i)) for i in _yaml(project, "domain.yml")["intents"]]


def step_1(project: Path) -> None:
    """`domain.yml`: add `it` to the `language` slot's `values`."""
    domain = _yaml(project, "domain.yml")
    domain["slots"]["language"]["values"].append(NEW)
    _write(project, "domain.yml", domain)


def step_2(project: Path) -> None:
    """`config.yml`: add `it` to `MessageLanguage`'s `languages` and to
    `LogisticRegressionIntents`' `own_model_for`."""
    config = _yaml(project, "config.yml")
    for component in config["pipeline"]:
        if component["name"].endswith(".MessageLanguage"):
            component["languages"].append(NEW)
        if component["name"].endswith(".LogisticRegressionIntents"):
            component["own_model_for"].append(NEW)
    _write(project, "config.yml", config)


def step_3(project: Path) -> None:
    """`domain.yml`, every response: a variant like the German (its conditions too)."""
    domain = _yaml(project, "domain.yml")
    german = {"type": "slot", "name": "language", "value": "de"}
    for variants in domain["responses"].values():
        for variant in [v for v in variants if german in (v.get("condition") or [])]:
            condition = [{**c, "value": NEW} if c == german else c for c in variant["condition"]]
            variants.append({**variant, "condition": condition, "text": _marked(variant["text"])})
    _write(project, "domain.yml", domain)


def step_4(project: Path) -> None:
    """`ops/questions.yml`: under each question's `translations`, an `it:` entry with `why`,
    `hint` and `label`."""
    questions = _yaml(project, "ops/questions.yml")
    for question in questions["questions"]:
        question["translations"][NEW] = {key: _marked(text) for key, text in question["translations"]["de"].items()}
    _write(project, "ops/questions.yml", questions)


def step_5(project: Path) -> None:
    """`ops/scoring.yml`: each resource's `titles` gets `it:`; words of the language in the
    knock-outs' and resources' `words` lists."""
    scoring = _yaml(project, "ops/scoring.yml")
    for resource in scoring["nurture_resources"]["items"]:
        resource["titles"][NEW] = _marked(resource["titles"]["de"])
    scoring["nurture_resources"]["items"][0]["words"].append(NEW_WORD)
    scoring["knockouts"][0]["when"][0]["words_in"]["words"].append(NEW_KNOCKOUT_WORD)
    _write(project, "ops/scoring.yml", scoring)


def step_6(project: Path) -> None:
    """`ops/phrases.yml`: an `it:` text for each phrase."""
    phrases = _yaml(project, "ops/phrases.yml")
    for texts in phrases["phrases"].values():
        texts[NEW] = _marked(texts["de"]) if not texts["de"].startswith(" ") else " " + _marked(texts["de"][1:])
    _write(project, "ops/phrases.yml", phrases)


def step_7(project: Path) -> None:
    """`data/nlu/it/`: training examples for every intent; a separate evaluation set in
    `tests/nlu_eval/heldout_it.yml`."""
    intents = _intents(project)
    nlu = [{"intent": intent, "examples": "".join(f"- zorb {intent} {n}\n" for n in range(3))} for intent in intents]
    _write(project, f"data/nlu/{NEW}/visitors.yml", {"version": "3.1", "nlu": nlu})
    heldout = [{"text": f"zorb {intent} held out", "intent": intent, "kind": "opening", "asked": None, "answers": {}}
               for intent in intents]  # fmt: skip
    _write(project, f"tests/nlu_eval/heldout_{NEW}.yml", heldout)


STEPS = [step_1, step_2, step_3, step_4, step_5, step_6, step_7]
#: What `make check` names while a step is still to do (step 1 makes the language spoken).
STEP_FILES = {2: "config.yml", 3: "domain.yml", 4: "ops/questions.yml", 5: "ops/scoring.yml",
              6: "ops/phrases.yml", 7: "data/nlu"}  # fmt: skip
_PROBLEM = re.compile(r"^config error: (?P<source>.+?)(?::(?P<line>\d+))?: (?P<key>[^\s:]+): (?P<problem>.+)$")


def problems(project: Path, stderr: str) -> List[Dict[str, Any]]:
    """`make check`'s complaints: each one's file (relative to the project), line, key and problem."""
    found = []
    for line in stderr.splitlines():
        match = _PROBLEM.match(line)
        assert match, line
        source = Path(match["source"]).relative_to(project).as_posix()
        found.append({**match.groupdict(), "source": source, "line": int(match["line"]) if match["line"] else None})
    return found


def _points_at_what_it_names(project: Path, problem: Dict[str, Any]) -> bool:
    """The line a complaint gives is where what it names is: the response, phrase, question
    (its slot) or resource (its id). A key whose value is a block (a response's variants) is
    given by the block's first line (bot.config_files), so its name is on the line above."""
    named = re.search(r"for '([^']+)'", problem["problem"])
    what = re.compile(rf"\b{re.escape(named.group(1) if named else problem['key'].split('.')[-1])}\b")
    lines = (project / problem["source"]).read_text(encoding="utf-8").splitlines()
    line = problem["line"] - 1
    return bool(
        what.search(lines[line]) or (line and lines[line - 1].rstrip().endswith(":") and what.search(lines[line - 1]))
    )


def test_the_guide_names_the_steps_the_replay_follows() -> None:
    guide = GUIDE.read_text(encoding="utf-8")
    section = guide[guide.index("### Add a language, end to end") :].split("\n## ", 1)[0]
    numbered = re.findall(r"^(\d)\. `([^`]+)`", section, re.MULTILINE)
    assert [(int(n), path) for n, path in numbered] == [
        (1, "domain.yml"), (2, "config.yml"), (3, "domain.yml"), (4, "ops/questions.yml"),
        (5, "ops/scoring.yml"), (6, "ops/phrases.yml"), (7, "data/nlu/it/"),
    ]  # fmt: skip
    assert re.search(r"^8\. Run `make check`", section, re.MULTILINE)


def test_each_language_step_leaves_the_check_naming_what_is_missing_until_it_passes(tmp_path: Path) -> None:
    project = copy_project(tmp_path / "project")
    domain = _yaml(project, "domain.yml")
    counts = {"domain.yml": len(domain["responses"]), "ops/questions.yml": len(_yaml(project, "ops/questions.yml")["questions"]),
              "ops/phrases.yml": len(_yaml(project, "ops/phrases.yml")["phrases"]),
              "ops/scoring.yml": len(_yaml(project, "ops/scoring.yml")["nurture_resources"]["items"]),
              "config.yml": 1, "data/nlu": 1}  # fmt: skip
    for number, step in enumerate(STEPS, start=1):
        step(project)
        checked = run_check(project)
        still = {path for later, path in STEP_FILES.items() if later > number}
        if not still:
            assert checked.returncode == 0, checked.stderr
            assert "ops config OK" in checked.stdout
            break
        assert checked.returncode == 1, f"after step {number}"
        found = problems(project, checked.stderr)
        assert {p["source"] for p in found} == still, f"after step {number}: {checked.stderr}"
        for path in still:
            assert sum(p["source"] == path for p in found) == counts[path], f"after step {number}, {path}"
        for problem in found:
            assert NEW in problem["problem"], problem  # the language
            if problem["source"] == "data/nlu":
                assert problem["key"] == NEW and f"data/nlu/{NEW}/" in problem["problem"]
            else:  # the line, and the key of what is missing there
                assert problem["line"] and _points_at_what_it_names(project, problem), problem


@pytest.mark.parametrize("left_out", [1, 6])  # the one the check names through another file, and one more
def test_leaving_out_a_language_step_fails_the_check_naming_its_file(tmp_path: Path, left_out: int) -> None:
    project = copy_project(tmp_path / "project")
    for number, step in enumerate(STEPS, start=1):
        if number != left_out:
            step(project)
    checked = run_check(project)
    assert checked.returncode == 1
    named = {p["source"] for p in problems(project, checked.stderr)}
    if left_out == 1:  # the language is not spoken, and the NLU is told of one too many
        assert named == {"config.yml"} and "language slot's values in domain.yml" in checked.stderr
    else:
        assert named == {STEP_FILES[left_out]}, checked.stderr


@pytest.fixture(scope="module")
def speaks_new(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the project that the guide's seven steps taught the new language."""
    project = copy_project(tmp_path_factory.mktemp("language"))
    for step in STEPS:
        step(project)
    return project


def _in(project: Path, *command: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(project)}
    env.pop("CQLBOT_OPS_DIR", None)
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=600)


def test_rasa_answers_every_response_in_the_new_language(speaks_new: Path) -> None:
    run = _in(speaks_new, rasa_python(), "-m", "tests.support.rasa_responses", "domain.yml", NEW, "en")
    assert run.returncode == 0, run.stderr[-3000:]
    chosen = json.loads(run.stdout.splitlines()[-1])
    responses = _yaml(speaks_new, "domain.yml")["responses"]
    assert set(chosen[NEW]) == set(responses)
    assert [name for name, text in chosen[NEW].items() if not text.startswith(MARK)] == []
    assert [name for name, text in chosen["en"].items() if MARK in text] == []


def test_the_actions_speak_the_new_language_and_write_its_dates(speaks_new: Path, tmp_path: Path) -> None:
    run = _in(speaks_new, sys.executable, "-m", "tests.support.spoken_language", NEW, NEW_WORD, str(tmp_path))
    assert run.returncode == 0, run.stderr[-3000:]
    said = json.loads(run.stdout.splitlines()[-1])
    assert said["language_of"] == NEW and said["browser"] == NEW  # a browser asking for it gets it
    [close] = said["close"]
    routing_playbook = _yaml(speaks_new, "ops/scoring.yml")["nurture_resources"]["items"][0]
    assert close["response"] == "utter_close_cql"
    assert close["resource_title"] == routing_playbook["titles"][NEW]  # picked by its word, titled in it
    [offer] = said["offer"]
    assert offer["response"] == "utter_offer_times"
    *times, other, none = [button["title"] for button in offer["buttons"]]
    phrases = _yaml(speaks_new, "ops/phrases.yml")["phrases"]
    assert (other, none) == (phrases["other_times"][NEW], phrases["none_work"][NEW])
    # CLDR has no dates in the new language: they are written as in English, its texts' fallback.
    assert times and all(re.fullmatch(r"[A-Z][a-z]{2} \d{1,2} [A-Z][a-z]{2}, \d\d:\d\d", time) for time in times), times
    assert said["lead_languages"] == [NEW]


def test_the_new_languages_training_data_validates_and_its_evaluation_set_is_found(speaks_new: Path) -> None:
    from benchmarks.nlu_heldout import load_heldout

    rasa = Path(rasa_python()).parent / "rasa"
    # The new language's examples against the whole domain and the rules (`make test` validates
    # all of data/ as it is; all of it again here would take 17 s instead of 7).
    validated = _in(speaks_new, str(rasa), "data", "validate", "--domain", "domain.yml",
                    "--data", f"data/nlu/{NEW}", "data/rules", "--fail-on-warnings")  # fmt: skip
    assert validated.returncode == 0, validated.stdout[-3000:] + validated.stderr[-3000:]
    heldout = load_heldout(speaks_new / "tests" / "nlu_eval", NEW, "heldout")
    assert {item["intent"] for item in heldout} == set(_intents(speaks_new))


def test_the_new_languages_words_count_in_the_knock_outs(speaks_new: Path) -> None:
    playbook = load_playbook(speaks_new / "ops" / "questions.yml")
    policy = load_policy(speaks_new / "ops" / "scoring.yml", playbook)
    assert knockout_of(Answers.of({"use_case": f"zorb {NEW_KNOCKOUT_WORD} zorb"}), policy) == "support"
    assert knockout_of(Answers.of({"use_case": "zorb zorb"}), policy) is None
