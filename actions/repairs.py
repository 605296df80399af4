"""Conversations whose lead-store write failed, repaired from their trackers.

:func:`actions.runtime.store_call` notes the conversation of every failed
write here. The lead store is brought level with the conversation's tracker
(:mod:`bot.leads.repair`)

- before that conversation's next action runs (:class:`RepairingExecutor`),
  from the tracker the Rasa server sent with the call, so the next answer,
  score or booking finds everything said so far; and
- every ``REPAIR_SWEEP_SECONDS`` (15) in the background, from the tracker
  store, for a visitor who left after the failure.

A conversation stays noted until a repair succeeds. The notes live in this
process: after a restart of the action server, ``make repair`` brings every
conversation level, and a booking refused for want of a lead repairs first.
"""

from __future__ import annotations

import asyncio
import logging
import os
from contextvars import ContextVar
from typing import Any, Dict, Mapping, Sequence

from rasa_sdk.executor import ActionExecutor, ActionExecutorRunResult, CollectingDispatcher

from bot.services import get_services

logger = logging.getLogger(__name__)

#: The conversation whose action is running (set by :class:`RepairingExecutor`).
CURRENT_SENDER: ContextVar[str | None] = ContextVar("current_sender", default=None)
SWEEP_SECONDS_VARIABLE = "REPAIR_SWEEP_SECONDS"
DEFAULT_SWEEP_SECONDS = 15.0
#: Senders noted at once; beyond this the oldest note goes (``make repair`` still finds it).
MAX_PENDING = 10_000

#: How long an action waits for its conversation's repair before it runs anyway.
REPAIR_BEFORE_ACTION_SECONDS = 3.0
#: Conversations repaired per sweep, at most.
SWEEP_BATCH = 200

_pending: Dict[str, None] = {}
#: One repair or action at a time per noted conversation, so a sweep never writes a tracker
#: older than what a running action is writing.
_locks: Dict[str, asyncio.Lock] = {}


def note_failed_write() -> None:
    """Notes that the running action's conversation missed a lead-store write."""
    sender = CURRENT_SENDER.get()
    if sender is None:
        return
    _pending[sender] = None
    while len(_pending) > MAX_PENDING:
        forgotten = next(iter(_pending))
        del _pending[forgotten]
        _locks.pop(forgotten, None)


def pending() -> list[str]:
    return list(_pending)


def _lock(sender_id: str) -> asyncio.Lock:
    return _locks.setdefault(sender_id, asyncio.Lock())


async def repair(sender_id: str, events: Sequence[Mapping[str, Any]] | None = None) -> bool:
    """Repairs one conversation; True once it is level (and no longer noted). Never raises:
    a failure is logged by its type (never the conversation's content) and the note stays."""
    try:
        await asyncio.to_thread(get_services().repair.repair, sender_id, events)
    except Exception as exc:  # noqa: BLE001 - a repair must never fail the visitor's action
        logger.warning("repairing a conversation failed (%s); it stays noted", exc.__class__.__name__)
        return False
    _pending.pop(sender_id, None)
    _locks.pop(sender_id, None)
    return True


async def sweep_once() -> int:
    """Repairs the noted conversations from the tracker store; returns how many are level now."""
    repaired = 0
    for sender in pending()[:SWEEP_BATCH]:
        lock = _lock(sender)
        async with lock:
            if sender in _pending and await repair(sender):
                repaired += 1
    return repaired


async def sweep_forever() -> None:
    """:func:`sweep_once` every ``REPAIR_SWEEP_SECONDS``."""
    interval = float(os.environ.get(SWEEP_SECONDS_VARIABLE) or DEFAULT_SWEEP_SECONDS)
    while True:
        await asyncio.sleep(interval)
        try:
            await sweep_once()
        except Exception as exc:  # noqa: BLE001 - the sweep goes on
            logger.error("the repair sweep failed (%s)", exc.__class__.__name__)


class RepairingExecutor(ActionExecutor):
    """rasa-sdk's executor that repairs a noted conversation before its next action,
    and tells :func:`note_failed_write` whose action is running."""

    async def run(
        self,
        action_call: Dict[str, Any],
        sink: asyncio.Queue[Any] | None = None,
        dispatcher: CollectingDispatcher | None = None,
    ) -> ActionExecutorRunResult | None:
        tracker = action_call.get("tracker")
        sender = tracker.get("sender_id") if isinstance(tracker, dict) else None
        token = CURRENT_SENDER.set(sender if isinstance(sender, str) else None)
        try:
            if not isinstance(sender, str) or sender not in _pending:
                return await super().run(action_call, sink, dispatcher)
            async with _lock(sender):
                events = tracker.get("events") if isinstance(tracker, dict) else None
                try:
                    await asyncio.wait_for(
                        repair(sender, events if isinstance(events, list) else None), REPAIR_BEFORE_ACTION_SECONDS
                    )
                except TimeoutError:
                    logger.warning(
                        "repairing a conversation took over %.0f s; its action runs", REPAIR_BEFORE_ACTION_SECONDS
                    )
                return await super().run(action_call, sink, dispatcher)
        finally:
            CURRENT_SENDER.reset(token)
