"""The web app (:8000): the demo website with the chat widget, the privacy
page, the health check, the lead API, the visitor's meeting page, Slack's
buttons, and the ops pages behind a sign-in (dashboard, leads, AE inbox, configuration).

Built by :func:`create_app` from ``setup_*`` functions; resources are opened
in ``before_server_start`` and kept on ``app.ctx``.
"""

from __future__ import annotations

import asyncio
import html
import logging
import os
import time
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, Dict

import aiohttp
from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, json
from sanic.response import html as html_response

from bot.clock import SystemClock
from bot.db import make_engine, make_session_factory, write_probe
from bot.leads.queries import LeadQueries
from bot.leads.store import LeadStore
from bot.leads.transcripts import TranscriptStore
from bot.notifications.messages import alert_for
from bot.notifications.notifiers import make_notifier
from bot.notifications.outbox import Outbox
from bot.notifications.worker import work_forever
from bot.services import build_services
from bot.settings import Settings, load_settings
from bot.web.api import setup_api
from bot.web.background import run_in_background
from bot.web.dashboard import setup_dashboard
from bot.web.headers import BASELINE_HEADERS, is_static, security_headers
from bot.web.inbox import setup_inbox
from bot.web.meetings import setup_meetings
from bot.web.metrics import setup_metrics
from bot.web.ops_auth import setup_ops_auth
from bot.web.retention import setup_retention
from bot.web.slack_actions import setup_slack_actions

logger = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parent
STATIC_DIR = WEB_DIR / "static"
TEMPLATES_DIR = WEB_DIR / "templates"
HEALTH_TIMEOUT_SECONDS = 2.0


def setup_pages(app: Sanic) -> None:
    templates = {name: (TEMPLATES_DIR / f"{name}.html").read_text(encoding="utf-8") for name in ("index", "privacy")}

    def render(request: Request, name: str) -> HTTPResponse:
        # Where browsers reach Rasa comes from the settings, never from the request's Host.
        origin = app.ctx.settings.public_rasa_url
        page = templates[name].replace("{{ rasa_url }}", html.escape(origin, quote=True))
        return html_response(page, headers=security_headers(origin))

    @app.get("/")
    async def index(request: Request) -> HTTPResponse:
        return render(request, "index")

    @app.get("/privacy")
    async def privacy(request: Request) -> HTTPResponse:
        return render(request, "privacy")

    app.static("/static", str(STATIC_DIR), name="static")
    app.static("/favicon.ico", str(STATIC_DIR / "favicon.svg"), name="favicon", content_type="image/svg+xml")


async def _probe(
    session: aiohttp.ClientSession,
    url: str,
    params: Dict[str, str] | None = None,
    headers: Dict[str, str] | None = None,
) -> Dict[str, Any]:
    started = time.perf_counter()
    try:
        async with session.get(url, params=params, headers=headers) as response:
            ok = response.status == 200
            detail = None if ok else f"HTTP {response.status}"
    except (TimeoutError, aiohttp.ClientError) as exc:
        ok, detail = False, exc.__class__.__name__
    result: Dict[str, Any] = {"ok": ok, "ms": round((time.perf_counter() - started) * 1000, 1)}
    if detail:
        result["error"] = detail
    return result


def setup_health(app: Sanic) -> None:
    @app.get("/healthz")
    async def healthz(request: Request) -> HTTPResponse:
        """Health of the three processes and the database; 503 if any is down."""
        settings: Settings = app.ctx.settings
        rasa_params = {"token": settings.rasa_auth_token} if settings.rasa_auth_token else None
        rasa_path = "/status" if settings.rasa_auth_token else "/"
        actions_auth = (
            {"Authorization": f"Bearer {settings.action_server_token}"} if settings.action_server_token else {}
        )
        rasa, actions, database = await asyncio.gather(
            _probe(app.ctx.http, settings.rasa_url.rstrip("/") + rasa_path, rasa_params),
            _probe(app.ctx.http, settings.actions_url.rstrip("/") + "/health", headers=actions_auth),
            _database_health_within(app, DATABASE_PROBE_SECONDS),
        )
        checks = {"web": {"ok": True}, "rasa": rasa, "action_server": actions, "database": database}
        healthy = all(check["ok"] for check in checks.values())
        # Alerts are reported, not counted: a Slack outage delays them (nothing is lost) and must not
        # make an orchestrator restart a web app that serves visitors fine.
        try:
            checks["notifications"] = await asyncio.to_thread(app.ctx.outbox.health, datetime.now(UTC))
        except Exception as exc:  # noqa: BLE001 - reported, like the database check
            checks["notifications"] = {"ok": False, "error": exc.__class__.__name__}
        return json({"ok": healthy, "checks": checks}, status=200 if healthy else 503)


#: A store that takes longer than this to take the probe's write is reported down (a lock held, a disk stuck).
DATABASE_PROBE_SECONDS = 3.0


#: /healthz answers from a probe this recent: anyone may call it, and each probe is a write.
DATABASE_PROBE_REUSE_SECONDS = 1.0


async def _database_health_within(app: Sanic, seconds: float) -> Dict[str, Any]:
    """The latest probe's result if it is under a second old, else a new probe (one at a time)."""
    async with app.ctx.probe_lock:
        cached = getattr(app.ctx, "probe_result", None)
        if cached is not None and time.monotonic() - cached[0] < DATABASE_PROBE_REUSE_SECONDS:
            return cached[1]
        try:
            result = await asyncio.wait_for(asyncio.to_thread(_database_health, app), seconds)
        except TimeoutError:
            result = {"ok": False, "error": f"no write within {seconds:.0f} s"}
        app.ctx.probe_result = (time.monotonic(), result)
        return result


def _database_health(app: Sanic) -> Dict[str, Any]:
    """Whether the lead store takes a write: this process rewrites its own probe row and commits.
    ``SELECT 1`` answered while the store was read-only and every lead write failed."""
    started = time.perf_counter()
    try:
        write_probe(app.ctx.engine, f"web-{os.getpid()}")
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy; the type is reported
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def setup_lifecycle(app: Sanic) -> None:
    @app.before_server_start
    async def open_resources(app: Sanic) -> None:
        settings: Settings = app.ctx.settings
        app.ctx.engine = make_engine(settings.database_url)
        app.ctx.probe_lock = asyncio.Lock()
        app.ctx.tracker_engine = (
            app.ctx.engine
            if settings.tracker_database_url == settings.database_url
            else make_engine(settings.tracker_database_url)
        )
        sessions = make_session_factory(app.ctx.engine)
        app.ctx.lead_store = LeadStore(sessions, SystemClock())
        app.ctx.lead_queries = LeadQueries(sessions)
        app.ctx.transcripts = TranscriptStore(app.ctx.tracker_engine)
        app.ctx.services = build_services(settings)
        app.ctx.outbox = Outbox(app.ctx.engine)
        app.ctx.notifier = make_notifier(settings, app.ctx.services.team)
        app.ctx.render_alert = partial(alert_for, app.ctx.engine, app.ctx.services.team, public_url=settings.public_url)
        app.ctx.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=HEALTH_TIMEOUT_SECONDS))

    @app.after_server_stop
    async def close_resources(app: Sanic) -> None:
        await app.ctx.http.close()
        app.ctx.engine.dispose()
        app.ctx.tracker_engine.dispose()


def setup_baseline_headers(app: Sanic) -> None:
    @app.on_response
    async def baseline_headers(request: Request, response: HTTPResponse) -> None:
        for name, value in BASELINE_HEADERS.items():
            if name not in response.headers:
                response.headers[name] = value
        if is_static(request.path):
            return
        if "Content-Security-Policy" not in response.headers:
            response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
        # Lead data, meeting pages, ops pages, health: no shared cache may keep a copy.
        response.headers["Cache-Control"] = "no-store"


def create_app(settings: Settings | None = None, name: str = "cqlbot") -> Sanic:
    """Builds the web app; ``settings`` default to the environment's."""
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = 1_000_000
    app.ctx.settings = settings or load_settings()
    # X-Forwarded-For is read only when a proxy we trust stands in front (CQLBOT_TRUSTED_PROXIES).
    app.config.PROXIES_COUNT = app.ctx.settings.trusted_proxies or None
    setup_lifecycle(app)
    setup_baseline_headers(app)
    setup_metrics(app)
    setup_pages(app)
    setup_health(app)
    setup_api(app)
    setup_meetings(app)
    setup_slack_actions(app)
    setup_ops_auth(app)
    setup_inbox(app)
    setup_dashboard(app)
    setup_retention(app)
    run_in_background(app, "outbox_task", work_forever)
    return app
