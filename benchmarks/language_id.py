"""How often the language identifier names a short chat message's language right, names a
wrong one (the costly case: the bot would switch), or leaves it undecided (the conversation
keeps its language), on tests/nlu_eval/langid.yml. Run in the Rasa environment:
``PYTHONPATH=. .venv-rasa/bin/python -m benchmarks.language_id``."""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path
from typing import Dict, List

import yaml

from rasa_server.nlu.language import identify

EVAL_SET = Path(__file__).resolve().parent.parent / "tests" / "nlu_eval" / "langid.yml"
SPOKEN = frozenset({"en", "de", "es", "fr"})


def tally(items: List[Dict[str, str]]) -> Counter:
    counts: Counter = Counter()
    for item in items:
        truth, got = item["lang"], identify(item["text"])
        if truth in SPOKEN:
            counts["spoken"] += 1
            counts["right" if got == truth else "undecided" if got is None else "wrong"] += 1
        elif truth == "und":
            counts["und"] += 1
            counts["und_kept" if got is None else "und_named"] += 1
        else:
            counts["other"] += 1
            counts["other_flagged" if got is not None and got not in SPOKEN else "other_missed"] += 1
    return counts


def main() -> int:
    items = yaml.safe_load(EVAL_SET.read_text(encoding="utf-8"))
    identify("warm up the model")
    start = time.perf_counter()
    counts = tally(items)
    per_message_ms = (time.perf_counter() - start) * 1000 / len(items)
    print(f"{len(items)} messages, {per_message_ms:.3f} ms each")
    print(
        f"spoken languages ({counts['spoken']}): right {counts['right']}, wrong {counts['wrong']}, "
        f"undecided {counts['undecided']}"
    )
    print(f"other languages ({counts['other']}): flagged {counts['other_flagged']}, missed {counts['other_missed']}")
    print(f"no language ({counts['und']}): left undecided {counts['und_kept']}, named {counts['und_named']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
