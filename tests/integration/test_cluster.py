"""The two-of-everything cluster (bot.processes.cluster) with a few visitors: ``make bench-cluster``'s checks.

Two Rasa servers on the Redis lock store, two action servers and two web apps
behind nginx, on a throwaway PostgreSQL: every message goes to the other Rasa
server than the one before, and each visitor ends with a double send. The
checks are the benchmark's own (benchmarks/cluster.py); 64 visitors is the
benchmark, a handful here keeps `make test` short.
"""

from __future__ import annotations

from benchmarks.cluster import run


def test_the_cluster_loses_nothing_double_books_nothing_and_alerts_once() -> None:
    outcome = run(visitors=6)
    assert outcome.problems == [], "\n".join(outcome.lines)
    assert outcome.level.failures == 0
    assert outcome.booked >= 4, "\n".join(outcome.lines)  # six visitors, three regions: nearly all book
    assert len(outcome.level.turns) >= 6 * 14  # 12 turns each (a second pick when a time was taken) and the double send
