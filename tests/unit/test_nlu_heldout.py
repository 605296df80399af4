"""The evaluation sets in tests/nlu_eval are never trained on: no sentence of them is in data/,
and each is well formed (every intent one the domain knows)."""

from __future__ import annotations

import re
from typing import Iterator, Set

import yaml

from benchmarks.nlu_heldout import load_heldout
from bot.settings import PROJECT_ROOT

EVAL_DIR = PROJECT_ROOT / "tests" / "nlu_eval"


def key(text: str) -> str:
    """A sentence as the classifier sees it: case, punctuation and spacing aside (emoji kept)."""
    words = " ".join(re.findall(r"[^\W_]+", text.lower()))
    return words or "".join(text.split())


def training_sentences() -> Iterator[str]:
    for path in sorted((PROJECT_ROOT / "data").rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in document.get("nlu") or []:
            for line in str(item.get("examples") or "").splitlines():
                if line.strip().startswith("- "):
                    yield re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line.strip()[2:])  # an entity's text


def evaluation_items() -> Iterator[dict]:
    for prefix in ("heldout", "dev"):
        for language in {
            p.stem.split("_")[1] if len(p.stem.split("_")[1]) == 2 else "en" for p in EVAL_DIR.glob(f"{prefix}_*.yml")
        }:
            yield from load_heldout(EVAL_DIR, language, prefix)


def test_no_evaluation_sentence_is_in_the_training_data() -> None:
    trained: Set[str] = {key(s) for s in training_sentences()}
    seen = [item["text"] for item in evaluation_items() if key(str(item["text"])) in trained]
    assert seen == [], f"{len(seen)} evaluation sentences are in data/, e.g. {seen[:5]}"


def test_the_evaluation_sets_are_well_formed_and_big_enough() -> None:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    intents = set(domain["intents"])
    items = list(evaluation_items())
    heldout = [i for i in load_heldout(EVAL_DIR, "en", "heldout")]
    assert len(heldout) >= 400
    assert sum(1 for i in heldout if i.get("kind") == "opening") >= 100
    for item in items:
        assert item["intent"] in intents, item
        assert isinstance(item["text"], str) and item["text"].strip(), item
    assert len({key(i["text"]) for i in heldout}) > 0.97 * len(heldout)  # written, not copied
