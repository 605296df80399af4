"""Keeps nothing of visitors who did not consent: a background task of the web
app erases their conversations from Rasa's tracker store once they have been
quiet for ``CQLBOT_UNCONSENTED_RETENTION_MINUTES``.

Rasa writes every message to its tracker store before any action runs, and
re-saves a conversation's events on every turn, so the erasure cannot happen
inside the conversation; it happens here, after it.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

from sanic import Sanic

from bot.errors import StoreError
from bot.leads.transcripts import TranscriptStore
from bot.web.background import run_in_background

logger = logging.getLogger(__name__)

PURGE_EVERY_SECONDS = 300


async def purge_once(transcripts: TranscriptStore, retention: timedelta) -> tuple[int, int]:
    idle_since = datetime.now(UTC) - retention
    conversations, events = await asyncio.to_thread(transcripts.purge_unconsented, idle_since)
    if conversations:
        logger.info("erased %d conversations without consent (%d tracker events)", conversations, events)
    return conversations, events


async def _purge_forever(app: Sanic) -> None:
    retention = timedelta(minutes=app.ctx.settings.unconsented_retention_minutes)
    while True:
        try:
            await purge_once(app.ctx.transcripts, retention)
        except StoreError:
            logger.warning("could not erase conversations without consent; will retry", exc_info=True)
        await asyncio.sleep(PURGE_EVERY_SECONDS)


def setup_retention(app: Sanic) -> None:
    run_in_background(app, "retention_task", _purge_forever)
