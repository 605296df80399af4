"""The outbox worker: claims due notifications, renders and delivers each,
and records the attempt. Once a minute it also writes the alerts for CQLs
who left the offer without picking a time (:mod:`bot.notifications.abandoned`).
Runs as a task of the web app; survives restarts because every pending row
stays in the database until it is delivered."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta
from typing import Callable

from sanic import Sanic
from sqlalchemy.exc import SQLAlchemyError

from bot.clock import Clock
from bot.metrics import ALERT_FAILURES, ALERTS_DELIVERED, failure_reason
from bot.notifications.abandoned import alert_abandoned_offers
from bot.notifications.erasure import ERASURE_KINDS, ErasureRetry, ScrubsEvents, deliver_erasure
from bot.notifications.messages import Alert
from bot.notifications.notifiers import Notifier, NotifierUnavailable
from bot.notifications.outbox import Outbox, Pending, delivery_via

logger = logging.getLogger(__name__)

#: How often the outbox is polled; an idle poll is one indexed read.
POLL_SECONDS = 0.25
BATCH = 20
#: How often offers left without a pick are looked for.
SWEEP_SECONDS = 60.0


def deliver_due(
    outbox: Outbox,
    render: Callable[[Pending], Alert],
    notifier: Notifier,
    clock: Clock,
    limit: int = 20,
    calendar: ScrubsEvents | None = None,
) -> int:
    """Delivers what is due now (alerts, and erasures when ``calendar`` is given); returns how many were delivered."""
    delivered = 0
    for pending in outbox.claim(clock.now(), limit):
        try:
            if pending.kind in ERASURE_KINDS:
                if calendar is None:
                    raise NotifierUnavailable("no calendar to erase on in this worker")
                where = deliver_erasure(pending, calendar, notifier)
            else:
                where = notifier.send(render(pending))
        except (NotifierUnavailable, ErasureRetry) as exc:
            logger.warning("notification %d not delivered (attempt %d): %s", pending.id, pending.attempts + 1, exc)
            outbox.failed(pending.id, clock.now(), str(exc), pending.attempts)
            ALERT_FAILURES.labels(reason=failure_reason(str(exc))).inc()
            continue
        except Exception as exc:  # one bad row must not stop the others; it is retried and shown
            logger.exception("notification %d could not be rendered or sent", pending.id)
            outbox.failed(pending.id, clock.now(), f"error: {exc.__class__.__name__}", pending.attempts)
            ALERT_FAILURES.labels(reason=failure_reason(f"error: {exc.__class__.__name__}")).inc()
            continue
        outbox.delivered(pending.id, clock.now(), where)
        ALERTS_DELIVERED.labels(via=str(delivery_via(where) or "unknown")[:20]).inc()
        delivered += 1
    return delivered


def _drain(app: Sanic) -> None:
    """Delivers batch after batch until fewer than a full batch was due."""
    services = app.ctx.services
    outbox, render, notifier = app.ctx.outbox, app.ctx.render_alert, app.ctx.notifier
    while deliver_due(outbox, render, notifier, services.clock, BATCH, calendar=services.bookings) >= BATCH:
        pass


def _sweep(app: Sanic) -> None:
    services = app.ctx.services
    quiet_for = timedelta(minutes=services.booking.offer.alert_if_no_pick_after_minutes)
    found = alert_abandoned_offers(app.ctx.engine, services.team, services.clock, quiet_for)
    if found:
        logger.info("%d CQL(s) left the offer without picking a time; their AEs are alerted", found)


async def work_forever(app: Sanic) -> None:
    """Drains the outbox for the life of the web app (started by ``bot.web.app``)."""
    last_sweep = 0.0
    while True:
        try:
            if time.monotonic() - last_sweep >= SWEEP_SECONDS:
                last_sweep = time.monotonic()
                await asyncio.to_thread(_sweep, app)
            await asyncio.to_thread(_drain, app)
        except SQLAlchemyError:
            logger.warning("the outbox could not be read; will retry", exc_info=True)
        except Exception:  # the worker must outlive any one failure
            logger.exception("the outbox worker failed; will retry")
        await asyncio.sleep(POLL_SECONDS)
