"""The cluster under load, and what must hold: ``make bench-cluster``.

Starts :class:`bot.processes.cluster.Cluster` (2 Rasa servers, 2 action servers and
2 web apps behind nginx, a throwaway PostgreSQL, Redis as the lock store, a
local Slack stand-in) and drives ``--visitors`` (default 64) conversations at
once over Rasa's REST channel. Each message goes to the *other* Rasa server
than the one before, and each visitor ends with two messages sent at the same
moment to both servers (a double send). Then it checks, and exits 1 if any
check fails:

- **no lost or reordered turns**: each conversation's tracker holds every
  message in the order sent (the double send in either order), every
  message is handled whole before the next starts (each user event follows
  an ``action_listen``), and it holds exactly the bot messages the visitor got;
- **no double booking**: every confirmed visitor has one booking, and no AE
  has two bookings that overlap;
- **round-robin shares**: each AE's meetings are within
  ``max(2, 25%)`` of their weighted fair share in their team;
- **alerts exactly once**: with both web apps' outbox workers running, every
  alert is delivered, and Slack got each exactly once.

Prints turn latency and throughput as well.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import tempfile
import threading
import time
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Dict, List, Tuple

from sqlalchemy import select
from sqlalchemy.engine import Engine

from benchmarks.booking import PEOPLE, say
from benchmarks.turns import Level, answers
from bot.dashboard.metrics import meetings_by_ae
from bot.db import make_engine
from bot.notifications.outbox import notifications
from bot.processes.cluster import Cluster
from bot.routing.team import load_team
from bot.settings import load_settings
from calendar_booking.tables import bookings
from tests.support.slack_stub import SlackStub

BOOKED = "You're booked"


@dataclass
class Visitor:
    sender: str
    sent: List[str] = field(default_factory=list)
    double: Tuple[str, str] = ("thanks!", "bye")
    replies: int = 0
    booked: bool = False
    last_reply: str = ""
    turns: List[float] = field(default_factory=list)


class Driver:
    """Sends each visitor's messages to the Rasa servers in turn."""

    def __init__(self, webhooks: List[str]) -> None:
        self.webhooks = webhooks
        self.lock = threading.Lock()

    def send(self, visitor: Visitor, text: str, metadata: Dict[str, Any] | None = None) -> List[Dict[str, Any]]:
        webhook = self.webhooks[len(visitor.sent) % len(self.webhooks)]
        visitor.sent.append(text)
        replies, ms = say(webhook, visitor.sender, text, metadata)
        visitor.replies += len(replies)
        visitor.turns.append(ms)
        return replies

    def conversation(self, n: int) -> Visitor:
        visitor = Visitor(f"cluster-{uuid.uuid4().hex[:12]}")
        self.send(visitor, "hi", {"timezone": PEOPLE[n % len(PEOPLE)][1]})
        self.send(visitor, "/give_consent")
        replies: List[Dict[str, Any]] = []
        for text in answers(n):
            replies = self.send(visitor, text)
        for attempt in range(3):  # a time taken by a racing visitor brings fresh times: pick again
            picks = [
                b["payload"] for r in replies for b in r.get("buttons") or [] if b["payload"].startswith("/pick_slot")
            ]
            if not picks:
                break
            replies = self.send(visitor, picks[(n + attempt) % len(picks)])  # visitors like different times
            if any(BOOKED in (r.get("text") or "") for r in replies):
                visitor.booked = True
                break
        visitor.last_reply = " ".join(r.get("text") or "" for r in replies)[:160]
        self.double_send(visitor)
        return visitor

    def double_send(self, visitor: Visitor) -> None:
        """Two messages at the same moment, one to each of two servers."""
        results: List[List[Dict[str, Any]]] = []

        def one(text: str, webhook: str) -> None:
            replies, ms = say(webhook, visitor.sender, text)
            with self.lock:
                results.append(replies)
                visitor.turns.append(ms)

        threads = [threading.Thread(target=one, args=(text, self.webhooks[i % len(self.webhooks)]))
                   for i, text in enumerate(visitor.double)]  # fmt: skip
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        visitor.replies += sum(len(r) for r in results)


def tracker(rasa_url: str, token: str, sender: str) -> List[Dict[str, Any]]:
    url = f"{rasa_url}/conversations/{sender}/tracker?include_events=ALL&token={token}"
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback
        return list(json.loads(response.read())["events"])


def check_tracker(events: List[Dict[str, Any]], visitor: Visitor) -> List[str]:
    problems = []
    said = [e.get("text") for e in events if e["event"] == "user"]
    if said[: len(visitor.sent)] != visitor.sent or sorted(said[len(visitor.sent) :]) != sorted(visitor.double):
        problems.append(f"{visitor.sender}: user turns {said} != sent {visitor.sent} + {list(visitor.double)}")
    for index, event in enumerate(events):
        if event["event"] == "user":
            before = [e for e in events[:index] if e["event"] == "action"]
            if not before or before[-1].get("name") != "action_listen":
                problems.append(f"{visitor.sender}: message {event.get('text')!r} started before the one before ended")
    bot = sum(1 for e in events if e["event"] == "bot")
    if bot != visitor.replies:
        problems.append(f"{visitor.sender}: {bot} bot messages stored, {visitor.replies} received")
    return problems


def check_bookings(engine: Engine, visitors: List[Visitor]) -> List[str]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(bookings.c.host_key, bookings.c.start, bookings.c.end, bookings.c.reference).where(
                bookings.c.active_start.isnot(None)
            )
        ).all()
    problems = []
    booked = sum(v.booked for v in visitors)
    if len(rows) != booked:
        problems.append(f"{len(rows)} active bookings for {booked} confirmed visitors")
    references = Counter(row.reference for row in rows)
    problems += [f"lead {ref} has {n} bookings" for ref, n in references.items() if n > 1]
    by_host: Dict[str, List[Any]] = {}
    for row in rows:
        by_host.setdefault(row.host_key, []).append(row)
    for host, mine in by_host.items():
        mine.sort(key=lambda r: r.start)
        problems += [f"{host}: {a.start} overlaps {b.start}" for a, b in itertools.pairwise(mine) if b.start < a.end]
    return problems


def check_shares(engine: Engine) -> Tuple[List[str], List[str]]:
    with engine.connect() as connection:
        shares = meetings_by_ae(connection, load_team(load_settings().ops_dir / "team.yml"), datetime.now(UTC))
    problems, lines = [], []
    for ae in shares:
        tolerance = max(2.0, 0.25 * ae.fair_share)
        lines.append(f"{ae.team:>12} {ae.key:<10} {ae.booked:>3} meetings, fair share {ae.fair_share:5.1f}")
        if ae.active and abs(ae.booked - ae.fair_share) > tolerance:
            problems.append(f"{ae.key}: {ae.booked} meetings against a fair share of {ae.fair_share:.1f}")
    return problems, lines


def check_alerts(engine: Engine, slack: SlackStub, timeout: float = 90.0) -> Tuple[List[str], str]:
    deadline = time.monotonic() + timeout
    while True:
        with engine.connect() as connection:
            rows = connection.execute(select(notifications.c.kind, notifications.c.status)).all()
        waiting = [row for row in rows if row.status != "delivered"]
        if not waiting or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    problems = [f"{len(waiting)} alerts not delivered after {timeout:.0f} s"] if waiting else []
    posts = slack.posts()
    twice = [key for key, n in Counter((p.get("channel"), p.get("text")) for p in posts).items() if n > 1]
    problems += [f"Slack got this twice: {key}" for key in twice]
    if len(posts) != len(rows):
        problems.append(f"{len(rows)} alerts, {len(posts)} Slack posts")
    kinds = Counter(row.kind for row in rows)
    return problems, f"{len(rows)} alerts ({dict(kinds)}), {len(posts)} Slack posts"


@dataclass
class Outcome:
    """What a run found: the problems (none when every check holds) and what it measured."""

    problems: List[str]
    lines: List[str]
    level: Level
    booked: int


def run(visitors: int, replicas: int = 2) -> Outcome:
    """Starts the cluster, drives ``visitors`` conversations at once, checks, stops it."""
    slack = SlackStub()
    for ae in load_team(load_settings().ops_dir / "team.yml").aes:  # every AE has a Slack account: alerts go by DM
        slack.users[ae.email] = f"U{ae.key.upper()}"
    lines: List[str] = []
    with tempfile.TemporaryDirectory(prefix="cqlbot-bench-cluster-") as workdir:
        env = {**os.environ, "LOG_LEVEL": "WARNING", "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_API_URL": slack.base_url,
               "CQLBOT_API_TOKEN": os.environ.get("CQLBOT_API_TOKEN") or uuid.uuid4().hex}  # fmt: skip
        env.pop("DATABASE_URL", None)  # always a throwaway PostgreSQL: the checks read all of it
        cluster = Cluster(Path(workdir), env, replicas=replicas)
        started = time.perf_counter()
        try:
            cluster.start()
            lines.append(f"cluster up in {time.perf_counter() - started:.0f} s: {replicas} of each behind nginx, "
                         "PostgreSQL, Redis lock store")  # fmt: skip
            rasa = [f"http://127.0.0.1:{p.rasa}" for p in cluster.ports.replicas]
            driver = Driver([f"{url}/webhooks/rest/webhook" for url in rasa])
            level = Level(visitors)
            began = time.perf_counter()
            with ThreadPoolExecutor(visitors) as pool:
                done = list(pool.map(driver.conversation, range(visitors)))
            level.wall = time.perf_counter() - began
            level.turns = [ms for v in done for ms in v.turns]
            lines.append(level.line())
            problems = [p for v in done for p in check_tracker(tracker(rasa[0], cluster.token, v.sender), v)]
            lines.append(f"turns: {sum(len(v.sent) + 2 for v in done)} messages in {len(done)} conversations checked")
            engine = make_engine(cluster.database_url)
            problems += check_bookings(engine, done)
            booked = sum(v.booked for v in done)
            lines.append(f"bookings: {booked} of {len(done)} visitors booked")
            lines += [f"  not booked, last reply: {v.last_reply}" for v in done if not v.booked]
            share_problems, shares = check_shares(engine)
            problems += share_problems
            lines += ["round-robin:"] + [f"  {line}" for line in shares]
            alert_problems, summary = check_alerts(engine, slack)
            problems += alert_problems
            lines.append(f"alerts: {summary}")
            engine.dispose()
        finally:
            cluster.stop()
            slack.close()
    return Outcome(problems, lines, level, booked)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=64)
    parser.add_argument("--replicas", type=int, default=2)
    args = parser.parse_args()
    outcome = run(args.visitors, args.replicas)
    print("\n".join(outcome.lines))
    for problem in outcome.problems:
        print("FAIL", problem)
    failed = len(outcome.problems)
    print(f"bench-cluster: {failed} checks failed" if failed else "bench-cluster: all checks passed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
