"""``GET /metrics`` on the web app (API token required): the registry of
:mod:`bot.metrics`, with the outbox backlog and bookings read at scrape time,
and every request timed by route."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, raw
from sqlalchemy import func, select

from bot.metrics import ALERTS_PENDING, BOOKINGS, OLDEST_PENDING, REGISTRY, REQUEST_SECONDS
from bot.web.api import api_route
from calendar_booking.tables import bookings


def _refresh(app: Sanic) -> None:
    pending, oldest_seconds = app.ctx.outbox.backlog(datetime.now(UTC))
    ALERTS_PENDING.set(pending)
    OLDEST_PENDING.set(oldest_seconds)
    with app.ctx.engine.connect() as connection:
        for status, count in connection.execute(select(bookings.c.status, func.count()).group_by(bookings.c.status)):
            BOOKINGS.labels(status=status).set(count)


def setup_metrics(app: Sanic) -> None:
    @app.on_request
    async def start_timer(request: Request) -> None:
        request.ctx.started = time.perf_counter()

    @app.on_response
    async def observe(request: Request, response: HTTPResponse) -> None:
        started = getattr(request.ctx, "started", None)
        if started is not None:
            route = request.route.name.rsplit(".", 1)[-1] if request.route else "unmatched"
            REQUEST_SECONDS.labels(route=route, status=str(response.status)).observe(time.perf_counter() - started)

    @app.get("/metrics")
    @api_route
    async def metrics(request: Request) -> HTTPResponse:
        await asyncio.to_thread(_refresh, app)
        return raw(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)
