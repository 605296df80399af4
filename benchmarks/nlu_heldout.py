"""Intent understanding on text nobody trained on: ``make nlu-eval``.

Loads the trained model (``models/cqlbot.tar.gz``), parses every message of the
held-out sets in ``tests/nlu_eval/*.yml`` (written apart from ``data/``, never
trained on; ``tests/unit/test_nlu_heldout.py`` fails the build if a sentence of
them appears in ``data/``) and prints accuracy and macro-F1 overall, on
openings, per kind and per intent, and the answers extraction finds
(``--answers``). ``--json FILE`` writes the numbers; ``--errors`` lists the
misread messages (for a dev split only: tuning on the test set spoils it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
HELDOUT_DIR = ROOT / "tests" / "nlu_eval"
MODEL = ROOT / "models" / "cqlbot.tar.gz"
#: The kinds whose messages are openings (the first message of a conversation).
OPENING = "opening"


def load_heldout(directory: Path = HELDOUT_DIR, language: str = "en", prefix: str = "heldout") -> List[Dict[str, Any]]:
    """Every message of ``language`` in the files named ``<prefix>_*.yml`` (``<prefix>_<lang>_*`` for
    other languages): ``heldout`` is the test set, reported only in aggregate; ``dev`` the set to tune on."""
    items = []
    for path in sorted(directory.glob(f"{prefix}_*.yml")):
        parts = path.stem.split("_")
        file_language = parts[1] if len(parts) >= 2 and len(parts[1]) == 2 else "en"
        if file_language != language:
            continue
        for item in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            items.append({**item, "file": path.name})
    return items


def f1_table(pairs: Iterable[Tuple[str, str]]) -> Dict[str, Dict[str, float]]:
    """Precision, recall, F1 and support per true label, from (true, predicted) pairs."""
    pairs = list(pairs)
    labels = sorted({true for true, _ in pairs})
    table = {}
    for label in labels:
        tp = sum(1 for t, p in pairs if t == label and p == label)
        fp = sum(1 for t, p in pairs if t != label and p == label)
        fn = sum(1 for t, p in pairs if t == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        table[label] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    return table


def summary(pairs: List[Tuple[str, str]]) -> Dict[str, float]:
    table = f1_table(pairs)
    right = sum(1 for t, p in pairs if t == p)
    accuracy = right / len(pairs) if pairs else 0.0
    macro = sum(row["f1"] for row in table.values()) / len(table) if table else 0.0
    return {"n": len(pairs), "right": right, "accuracy": accuracy, "macro_f1": macro}


async def parse_all(texts: List[str], model: Path) -> List[Dict[str, Any]]:
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    from rasa_server.patches import install_all

    configure_structlog(logging.WARNING)
    logging.getLogger().setLevel(logging.WARNING)
    install_all()
    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def evaluate(items: List[Mapping[str, Any]], parsed: List[Mapping[str, Any]]) -> Dict[str, Any]:
    pairs = [
        (str(item["intent"]), str((p.get("intent") or {}).get("name"))) for item, p in zip(items, parsed, strict=True)
    ]
    by_kind: Dict[str, List[Tuple[str, str]]] = defaultdict(list)
    for item, pair in zip(items, pairs, strict=True):
        by_kind[str(item.get("kind"))].append(pair)
    return {
        "overall": summary(pairs),
        "openings": summary(by_kind.get(OPENING, [])),
        "kinds": {kind: summary(kind_pairs) for kind, kind_pairs in sorted(by_kind.items())},
        "intents": f1_table(pairs),
        "confusions": Counter(f"{t} -> {p}" for t, p in pairs if t != p).most_common(15),
        "opening_confusions": Counter(f"{t} -> {p}" for t, p in by_kind.get(OPENING, []) if t != p).most_common(15),
    }


def print_report(result: Dict[str, Any]) -> None:
    overall, openings = result["overall"], result["openings"]
    for name, row in (("held-out", overall), ("openings", openings)):
        print(f"{name}: {row['n']} messages, {row['right']} right, accuracy {row['accuracy']:.4f}, "
              f"macro-F1 {row['macro_f1']:.3f}")  # fmt: skip
    for kind, row in result["kinds"].items():
        print(f"  kind {kind:<14} n={row['n']:<4} accuracy {row['accuracy']:.3f}")
    print(f"  {'intent':<18} {'n':>4} {'prec':>6} {'recall':>6} {'F1':>6}")
    for intent, row in sorted(result["intents"].items()):
        print(f"  {intent:<18} {row['support']:>4} {row['precision']:>6.2f} {row['recall']:>6.2f} {row['f1']:>6.2f}")
    print("  most frequent confusions: " + "; ".join(f"{pair} ({n})" for pair, n in result["confusions"]))
    print("  on openings: " + "; ".join(f"{pair} ({n})" for pair, n in result["opening_confusions"]))


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Intent accuracy on the held-out sets.")
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--language", default="en")
    parser.add_argument("--set", default="heldout", choices=["heldout", "dev"], help="the test set, or the dev set")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--errors", action="store_true", help="list misread messages (dev sets only)")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    items = load_heldout(language=args.language, prefix=args.set)
    if not items:
        print(f"no held-out messages for {args.language} in {HELDOUT_DIR}", file=sys.stderr)
        return 2
    parsed = asyncio.run(parse_all([str(item["text"]) for item in items], args.model))
    result = evaluate(items, parsed)
    print_report(result)
    if args.errors:
        for item, p in zip(items, parsed, strict=True):
            predicted = (p.get("intent") or {}).get("name")
            if predicted != item["intent"]:
                print(f"  {item['intent']:>16} <- {predicted!s:<16} {item['text'][:100]!r}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
