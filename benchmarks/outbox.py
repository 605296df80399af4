"""Outbox throughput and booking-to-delivery time.

Run with ``make bench-outbox``.

1. Throughput: 2,000 notifications for seeded bookings are enqueued into a
   fresh SQLite database, then the worker's ``deliver_due`` drains them into
   (a) the local notifier and (b) Slack, via slack-sdk's WebClient against a
   local HTTP stand-in (no network). Prints notifications per second.
2. With ``--database-url`` (e.g. the running demo's ``sqlite:///var/cqlbot.db``):
   the time from a notification's creation (the booking's commit) to its
   delivery, p50/p95 over the delivered rows. The web app's worker polls
   every second.
3. With ``--stack N``: starts the whole stack on a fresh database with Slack
   pointed at the local stand-in, books N meetings one after another over
   the REST channel, and reports the time from the visitor seeing the
   confirmation to the AE's DM and the team's post arriving at "Slack".
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import List

from sqlalchemy import select

from bot.clock import FixedClock
from bot.db import make_engine
from bot.migrate import upgrade_database
from bot.notifications.messages import Alert
from bot.notifications.notifiers import LocalNotifier, Notifier, SlackNotifier, slack_client
from bot.notifications.outbox import Outbox, Pending, enqueue, notifications
from bot.routing.team import load_team
from bot.settings import PROJECT_ROOT
from tests.support.slack_stub import SlackStub

COUNT = 2000
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def fill(url: str) -> Outbox:
    engine = make_engine(url)
    with engine.begin() as connection:
        for n in range(COUNT):
            enqueue(connection, kind="meeting_booked", recipient="ae:lena" if n % 2 else "team:enterprise_emea",
                    event_key=f"bench-{n}", subject={"booking_id": f"b{n}"}, lead_id=None, now=NOW)  # fmt: skip
    return Outbox(engine)


def alert(pending: Pending) -> Alert:
    return Alert(
        kind=pending.kind, recipient=pending.recipient, ae_key="lena", ae_name="Lena Hoffmann", ae_timezone="Europe/Berlin",
        lead_id=None, name="Ingrid Bauer", company="Alpenwerk", score=85, reasons=("CFO → +30", "3,500 people → +40"),
        meeting_start=NOW + timedelta(days=1), meeting_end=NOW + timedelta(days=1, minutes=30),
    )  # fmt: skip


def drain(outbox: Outbox, notifier: Notifier) -> float:
    from bot.notifications.worker import deliver_due

    clock = FixedClock(NOW)
    started = time.perf_counter()
    delivered = 0
    while delivered < COUNT:
        batch = deliver_due(outbox, alert, notifier, clock, limit=100)
        if not batch:
            raise RuntimeError("the outbox stopped delivering")
        delivered += batch
    return COUNT / (time.perf_counter() - started)


def latency(url: str) -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(notifications.c.created_at, notifications.c.delivered_at).where(
                notifications.c.delivered_at.isnot(None)
            )
        ).all()
    waits: List[float] = sorted((r.delivered_at - r.created_at).total_seconds() * 1000 for r in rows)
    if not waits:
        print("no delivered notifications in that database")
        return
    print(f"booking commit -> delivered, {len(waits)} notifications: p50 {statistics.median(waits):.0f} ms, "
          f"p95 {waits[int(0.95 * (len(waits) - 1))]:.0f} ms, max {waits[-1]:.0f} ms")  # fmt: skip


def stack_to_slack(visitors: int) -> None:
    """Confirmation shown to the visitor -> the alert's arrival at the Slack stand-in."""
    from benchmarks.booking import visit
    from bot.processes.local_servers import free_port
    from bot.processes.stack import Ports, Stack

    stub = SlackStub()
    with tempfile.TemporaryDirectory() as workdir:
        url = f"sqlite:///{Path(workdir) / 'leads.db'}"
        upgrade_database(url)
        env = {**os.environ, "DATABASE_URL": url, "TRACKER_DATABASE_URL": f"sqlite:///{Path(workdir) / 'tracker.db'}",
               "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_API_URL": stub.base_url, "LOG_LEVEL": "WARNING"}  # fmt: skip
        stack = Stack(
            ports=Ports(rasa=free_port(), actions=free_port(), web=free_port()), env=env, log_dir=Path(workdir)
        )
        stack.start()
        try:
            stack.wait_until_healthy(timeout=300)
            webhook = f"http://127.0.0.1:{stack.ports.rasa}/webhooks/rest/webhook"
            results = [visit(webhook, n) for n in range(visitors)]
            booked = [r for r in results if r["booked"]]
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and len(stub.posts()) < 2 * len(booked):
                time.sleep(0.1)
        finally:
            stack.stop()
            stub.close()
        latency(url)
        waits = sorted(
            (at - result["confirmed_at"]) * 1000
            for result in booked
            for at, post in stub.timed_posts()
            if f"New meeting booked: {result['company']}" in json.dumps(post.get("blocks"))
        )
    print(f"booking confirmed -> Slack post received, {len(booked)} bookings, {len(waits)} posts (DM + team channel): "
          f"p50 {statistics.median(waits):.0f} ms, p95 {waits[int(0.95 * (len(waits) - 1))]:.0f} ms, "
          f"max {waits[-1]:.0f} ms")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--stack", type=int, default=0, metavar="N", help="book N meetings on a fresh stack")
    args = parser.parse_args()
    if args.stack:
        stack_to_slack(args.stack)
        return
    team = load_team(PROJECT_ROOT / "ops" / "team.yml")
    with tempfile.TemporaryDirectory() as workdir:
        for name in ("local", "slack"):
            url = f"sqlite:///{Path(workdir) / f'{name}.db'}"
            upgrade_database(url)
            outbox = fill(url)
            stub = SlackStub() if name == "slack" else None
            notifier: Notifier = (
                SlackNotifier(slack_client("xoxb-bench", stub.base_url), team) if stub else LocalNotifier()
            )
            rate = drain(outbox, notifier)
            if stub:
                stub.close()
            print(f"outbox -> {name} notifier: {COUNT} notifications, {rate:,.0f} per second")
    if args.database_url:
        latency(args.database_url)


if __name__ == "__main__":
    main()
