"""Brings the lead store level with Rasa's trackers: ``make repair``.

Every lead-store write an action makes can fail (the database locked, full, or
down) while the conversation goes on: Rasa's tracker still records every slot
the actions set. Repair replays a conversation's tracker
(:mod:`bot.leads.replay`) and writes what the store is missing: consent (or
its withdrawal), every answer, the stated knock-out, the outcome, the lead and,
for a conversation that was scored, its score. It is idempotent, so it runs

- automatically, in the action server, for each conversation whose write
  failed (before that conversation's next action, and in the background for a
  visitor who has left: :mod:`actions.repairs`);
- before a booking is refused for want of a lead (a booking never exists
  without its lead: booking reads the store);
- as ``make repair`` (``python -m bot.leads.repair``), over every consented
  conversation, e.g. after a restore from backup or an outage of the action
  server too. It prints what it did and exits 1 when an active booking still
  has no lead.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Dict, Mapping, Sequence

from bot.errors import StoreError
from bot.leads.replay import replay
from bot.leads.store import LeadStore
from bot.leads.transcripts import TranscriptStore
from bot.playbook import Playbook
from bot.scoring.policy import ScoringPolicy
from bot.scoring.score import score

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Repaired:
    """What repairing one conversation changed."""

    restored: bool
    rescored: bool

    @property
    def changed(self) -> bool:
        return self.restored or self.rescored


@dataclass(frozen=True)
class RepairReport:
    checked: int
    restored: int
    rescored: int
    failed: int
    #: Senders with an active booking and still no lead in the store.
    bookings_without_lead: Sequence[str]


class LeadRepair:
    """Replays trackers into the lead store."""

    def __init__(self, leads: LeadStore, transcripts: TranscriptStore, playbook: Playbook, scoring: ScoringPolicy):
        self._leads = leads
        self._transcripts = transcripts
        self._questions = {question.slot: question.parser.value for question in playbook.questions}
        self._scoring = scoring

    def repair(self, sender_id: str, events: Sequence[Mapping[str, Any]] | None = None) -> Repaired:
        """Brings one conversation level with its tracker: ``events`` as an action
        received them (its latest session), or else every session's, read from the tracker store.

        Raises:
            StoreError: the lead store or the tracker store failed; nothing half-written stays.
        """
        if events is None:
            events = self._transcripts.conversation_events(sender_id)
        replayed = replay(sender_id, events, self._questions)
        if replayed is None:
            return Repaired(False, False)
        restored = self._leads.restore(replayed)
        rescored = False
        if replayed.consent is True and replayed.qualified:
            stored = self._leads.stored_conversation(sender_id)
            if stored is not None:
                answers, knockout = stored
                result = score(answers, self._scoring, knockout)
                rescored = self._leads.restore_score(sender_id, result, replayed.ended_at)
        return Repaired(restored, rescored)

    def repair_all(self) -> RepairReport:
        """Repairs every conversation whose tracker holds consent, then every one that
        holds a booking without a lead in the store."""
        checked = restored = rescored = failed = 0
        senders: Dict[str, None] = dict.fromkeys(self._transcripts.consented_senders())
        senders.update(dict.fromkeys(self._leads.bookings_without_lead()))
        for sender in senders:
            checked += 1
            try:
                result = self.repair(sender)
            except StoreError as exc:
                failed += 1
                logger.error("repairing a conversation failed (%s)", exc.__class__.__name__)
                continue
            restored += result.restored
            rescored += result.rescored
        return RepairReport(checked, restored, rescored, failed, self._leads.bookings_without_lead())
