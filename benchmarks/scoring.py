"""Scoring throughput: how many conversations ``score()`` handles per second.

Run with ``make bench-scoring``. Scores a fixed, seeded mix of answer sets
(CQLs, nurture, knock-outs, answers kept as typed) with the default policy
and prints leads per second over several rounds.
"""

from __future__ import annotations

import random
import statistics
import time
from typing import Any, Dict, List

from bot.playbook import load_playbook
from bot.qualification.answers import Answers
from bot.scoring.policy import load_policy
from bot.scoring.score import score
from bot.settings import PROJECT_ROOT

ROUNDS = 5
LEADS_PER_ROUND = 20_000


def _answer_sets(count: int) -> List[Dict[str, Any]]:
    rng = random.Random(42)  # noqa: S311 - a fixed, reproducible mix, not a secret
    use_cases = [
        "we lose inbound leads after hours",
        "route web leads",
        "are you hiring?",
        "just reading up",
        "x" * 400,
    ]
    levels = ["c_level", "vp", "head", "director", "founder", "manager", "individual_contributor", "student", "other"]
    sets = []
    for _ in range(count):
        size = rng.choice([5, 30, 120, 600, 4000])
        sets.append(
            {
                "use_case": rng.choice(use_cases),
                "work_email": {
                    "address": "a@b.example",
                    "normalised": "a@b.example",
                    "kind": rng.choice(["work", "free"]),
                },
                "company": rng.choice(["Coral Networks", "Drift", "Acme Inc."]),
                "role": {"title": "Head of Sales", "seniority": rng.choice(levels)},
                "company_size": {"min": size, "max": size, "label": str(size)},
                "timeline": rng.choice(
                    [{"earliest": 0, "latest": 2, "label": "soon"}, {"raw": "?", "understood": False}]
                ),
                "budget": {"status": rng.choice(["approved", "exploring", "none"])},
            }
        )
    return sets


def main() -> None:
    ops = PROJECT_ROOT / "ops"
    policy = load_policy(ops / "scoring.yml", load_playbook(ops / "questions.yml"))
    answers = [Answers.of(one) for one in _answer_sets(LEADS_PER_ROUND)]
    rates = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        for one in answers:
            score(one, policy)
        rates.append(LEADS_PER_ROUND / (time.perf_counter() - started))
    print(
        f"scoring: {LEADS_PER_ROUND:,} leads x {ROUNDS} rounds, median {statistics.median(rates):,.0f} leads/s "
        f"(min {min(rates):,.0f}, max {max(rates):,.0f})"
    )


if __name__ == "__main__":
    main()
