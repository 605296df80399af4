"""``make rescore``: what would the current ``ops/scoring.yml`` change?

Applies the policy on disk to every scored lead's stored answers and prints
which leads would change tier, without writing. ``--apply`` writes the new
scores, each tier change recorded with cause ``rescored``.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass
from typing import List, Sequence

from bot.errors import ConfigError
from bot.leads.store import LeadStore
from bot.scoring.policy import ScoringPolicy
from bot.scoring.score import Score, score


@dataclass(frozen=True)
class Change:
    lead_id: int
    email: str
    old_status: str
    new: Score


def preview(store: LeadStore, policy: ScoringPolicy) -> tuple[int, List[Change]]:
    """How many leads were re-scored, and those whose tier would change."""
    seen, changes = 0, []
    for lead_id, email, status, answers in store.scored_leads():
        seen += 1
        result = score(answers, policy)
        if result.tier.value != status:
            changes.append(Change(lead_id, email, status, result))
    return seen, changes


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make rescore", description=__doc__.splitlines()[0])
    parser.add_argument("--apply", action="store_true", help="write the new scores (default: only show them)")
    args = parser.parse_args(argv)
    from bot.services import get_services  # builds from the environment; config errors surface here

    try:
        services = get_services()
    except ConfigError as exc:
        print(f"config error: {exc}", file=sys.stderr)
        return 1
    policy = services.scoring
    seen, changes = preview(services.leads, policy)
    print(f"policy {policy.policy_version}: {seen} scored leads, {len(changes)} would change tier")
    for move, count in sorted(Counter(f"{c.old_status} -> {c.new.tier.value}" for c in changes).items()):
        print(f"  {move}: {count}")
    for change in changes:
        print(
            f"  lead {change.lead_id} {change.email}: {change.old_status} -> {change.new.tier.value} ({change.new.points} points)"
        )
    if args.apply:
        for change in changes:
            services.leads.rescore(change.lead_id, change.new)
        print(f"applied: {len(changes)} leads re-scored")
    elif changes:
        print("nothing written; run `make rescore ARGS=--apply` to apply")
    return 0


if __name__ == "__main__":
    sys.exit(main())
