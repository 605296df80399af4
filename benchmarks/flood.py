"""One sender floods the chat while 20 ordinary visitors talk: their turns stay within 2x.

Run with ``make bench-flood``. ``make run``'s three processes start on a
fresh SQLite database. First 20 visitors hold whole conversations at once
(greeting, consent, nine answers, a booking: 12 turns each) with nobody else
on the server: the unloaded turn times. Then 20 more do the same while one
sender, from 8 threads, sends messages as fast as the server answers, with a
1 MB message every 50th: the loaded turn times. Prints both, the flooder's
answers by status and how much of the flood was stored, and fails (exit 1)
when the loaded p95 is over twice the unloaded one.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import urllib.error
import urllib.request
import uuid
from collections import Counter
from pathlib import Path

from sqlalchemy import text

from benchmarks.turns import Level, full_conversation, run_level
from bot.db import make_engine
from bot.migrate import upgrade_database
from bot.processes.local_servers import free_port
from bot.processes.stack import Ports, Stack

BOUND = 2.0


def flood(webhook: str, sender: str, stop: threading.Event, statuses: Counter, lock: threading.Lock) -> None:
    sent = 0
    while not stop.is_set():
        sent += 1
        message = "x" * 1_000_000 if sent % 50 == 0 else f"spam spam spam {sent}"
        body = json.dumps({"sender": sender, "message": message}).encode()
        request = urllib.request.Request(webhook, data=body, headers={"Content-Type": "application/json"})  # noqa: S310 - the bot's own channel
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - the bot's own channel
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except OSError:
            status = 0
        with lock:
            statuses[status] += 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visitors", type=int, default=20)
    parser.add_argument("--flood-threads", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        url = f"sqlite:///{Path(workdir) / 'leads.db'}"
        tracker_url = f"sqlite:///{Path(workdir) / 'tracker.db'}"
        upgrade_database(url)
        env = {**os.environ, "DATABASE_URL": url, "TRACKER_DATABASE_URL": tracker_url, "LOG_LEVEL": "ERROR"}
        stack = Stack(ports=Ports(rasa=free_port(), actions=free_port(), web=free_port()), env=env,
                      log_dir=Path(workdir))  # fmt: skip
        stack.start()
        try:
            stack.wait_until_healthy(timeout=300)
            webhook = f"http://127.0.0.1:{stack.ports.rasa}/webhooks/rest/webhook"
            run_level(webhook, full_conversation, 2, 1)  # warm up
            print(f"{args.visitors} visitors alone:", flush=True)
            alone = run_level(webhook, full_conversation, args.visitors, 1)
            flooder, stop, statuses, lock = (
                f"flood-{uuid.uuid4().hex[:8]}",
                threading.Event(),
                Counter(),
                threading.Lock(),
            )
            threads = [threading.Thread(target=flood, args=(webhook, flooder, stop, statuses, lock), daemon=True)
                       for _ in range(args.flood_threads)]  # fmt: skip
            for thread in threads:
                thread.start()
            print(f"{args.visitors} visitors beside one sender flooding from {args.flood_threads} threads:", flush=True)
            try:
                loaded: Level = run_level(webhook, full_conversation, args.visitors, 1)
            finally:
                stop.set()
                for thread in threads:
                    thread.join()
            with make_engine(tracker_url).connect() as connection:
                stored = connection.execute(
                    text("SELECT count(*), coalesce(max(length(data)), 0) FROM events WHERE sender_id = :s"),
                    {"s": flooder},
                ).one()
        finally:
            stack.stop()
    ratio = loaded.quantile(0.95) / alone.quantile(0.95)
    answered = ", ".join(f"{status or 'no answer'}: {count}" for status, count in sorted(statuses.items()))
    print(f"flooder: {sum(statuses.values())} messages sent ({answered}); {stored[0]} events stored, "
          f"the largest {stored[1]:,} bytes")  # fmt: skip
    print(f"p95 alone {alone.quantile(0.95):.0f} ms, beside the flood {loaded.quantile(0.95):.0f} ms: {ratio:.2f}x "
          f"(bound {BOUND:.0f}x); failed conversations {alone.failures} alone, {loaded.failures} beside the flood")  # fmt: skip
    ok = ratio <= BOUND and loaded.failures == 0
    print("bench-flood:", "the ordinary visitors held up" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
