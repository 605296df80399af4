"""How fast ``make repair`` brings a lead store level with Rasa's trackers.

Run with ``make bench-repair`` (``ARGS="--conversations 2000"`` for more).

Writes N qualified conversations into a fresh tracker database with Rasa's own
SQL tracker store, as if every lead-store write of theirs had failed (the lead
store is empty), then times :meth:`bot.leads.repair.LeadRepair.repair_all`
twice: the first run restores each conversation, its lead and its score; the
second finds nothing to do (what a routine ``make repair`` costs). Prints
milliseconds per conversation for both.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import List

from bot.db import make_engine
from bot.leads.repair import LeadRepair
from bot.leads.transcripts import TranscriptStore
from bot.migrate import upgrade_database
from bot.playbook import Playbook
from bot.qualification.understand import understand
from bot.services import build_services
from bot.settings import load_settings
from tests.support.transcripts import Event, action_executed, session_started, slot_set, user_uttered, write_events

#: A qualified visitor's answer to each question, by parser.
ANSWER_BY_PARSER = {
    "text": "we lose inbound leads at night", "name": "Ana Silva", "email": "ana{n}@northwind.example",
    "company": "Northwind", "role": "VP of Sales", "company_size": "about 400 people", "timeline": "this quarter",
    "budget": "yes, it's approved", "country": "Germany",
}  # fmt: skip


def qualified_conversation(playbook: Playbook, n: int, start: float) -> List[Event]:
    events: List[Event] = [session_started(timestamp=start), slot_set("consent", True, timestamp=start + 1)]
    for index, question in enumerate(playbook.questions):
        at = start + 10 * (index + 1)
        text = ANSWER_BY_PARSER[question.parser.value].format(n=n)
        events += [
            slot_set("requested_slot", question.slot, timestamp=at),
            user_uttered(text, timestamp=at + 1),
            slot_set(question.slot, understand(question.parser, text, date(2026, 11, 23)), timestamp=at + 2),
        ]
    end = start + 10 * (len(playbook.questions) + 1)
    return [*events, action_executed("action_submit_qualification", timestamp=end),
            slot_set("qualification_done", True, timestamp=end)]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=500)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-repair-"))
    leads_url, tracker_url = f"sqlite:///{workdir / 'leads.db'}", f"sqlite:///{workdir / 'tracker.db'}"
    upgrade_database(leads_url)
    services = build_services(load_settings({"DATABASE_URL": leads_url, "TRACKER_DATABASE_URL": tracker_url}))
    for n in range(args.conversations):
        write_events(tracker_url, f"bench-{n}", qualified_conversation(services.playbook, n, 1_763_900_000 + n * 1000))
    repair = LeadRepair(services.leads, TranscriptStore(make_engine(tracker_url)), services.playbook, services.scoring)
    for label in ("lost (every write failed)", "level already"):
        started = time.perf_counter()
        report = repair.repair_all()
        seconds = time.perf_counter() - started
        print(f"{label:>26}: {report.checked} conversations, {report.restored} restored, {report.rescored} scored, "
              f"{seconds:.2f} s, {seconds / max(report.checked, 1) * 1000:.1f} ms each")  # fmt: skip


if __name__ == "__main__":
    main()
