"""The AE inbox: every alert the outbox holds, as the AE would read it.

- ``GET /ops/inbox`` (signed in; filters ``to`` = ``ae:<key>``/``team:<key>``
  and ``status`` = ``pending``/``delivered``): each alert rendered from the
  lead now (an erased lead shows no personal data), with where and when it
  was delivered, or why it is still pending; and whether Slack is set up.
- ``GET /api/notifications`` (API token): the same as JSON.

Without ``SLACK_BOT_TOKEN`` this is where alerts are read; with Slack it is
the delivery log. Every stored value is HTML-escaped.
"""

from __future__ import annotations

import asyncio
import html
import re
from datetime import UTC, datetime
from typing import Any, Dict, List, Mapping, Tuple
from urllib.parse import urlencode

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.notifications.messages import Alert, company_line, meeting_line, plain_text
from bot.notifications.outbox import DELIVERED, PENDING, as_pending, delivery_via
from bot.routing.team import TeamConfig
from bot.web.api import ApiError, api_json, api_route, single_values
from bot.web.ops_auth import ops_page
from bot.web.ops_layout import ops_page_html, select_html, time_html

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
STATUSES = (PENDING, DELIVERED)
FILTER_PARAMETERS = frozenset({"to", "status", "limit"})
RECIPIENT = re.compile(r"^(ae|team):[a-z][a-z0-9_-]{0,39}$")


def recipient_label(team: TeamConfig, recipient: str) -> str:
    kind, _, key = recipient.partition(":")
    ae = team.by_key.get(key) if kind == "ae" else None
    found = team.team(key) if kind == "team" else None
    return ae.name if ae else f"{found.name} (team)" if found else recipient


def parse_inbox_filter(
    args: Mapping[str, List[str]], blank_is_unset: bool = False
) -> Tuple[str | None, str | None, int]:
    """``to``, ``status`` and ``limit``; ApiError(400) names a bad one. An empty ``to`` or
    ``status`` means all; an empty ``limit`` is the default only from the page's filter
    form, which sends its empty boxes (``blank_is_unset``): the API wants a number."""
    one = single_values(args, FILTER_PARAMETERS)
    to, status = one.get("to") or None, one.get("status") or None
    raw_limit = one.get("limit")
    if raw_limit is None or (raw_limit == "" and blank_is_unset):
        raw_limit = str(DEFAULT_LIMIT)
    if to is not None and not RECIPIENT.match(to):
        raise ApiError(400, "bad_parameter", "to must be ae:<key> or team:<key> (keys from ops/team.yml)")
    if status is not None and status not in STATUSES:
        raise ApiError(400, "bad_parameter", f"status must be one of {', '.join(STATUSES)}")
    if not raw_limit.isascii() or not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT:
        raise ApiError(400, "bad_parameter", f"limit must be a number from 1 to {MAX_LIMIT}")
    return to, status, int(raw_limit)


def recipients_of(team: TeamConfig) -> List[str]:
    return [f"ae:{ae.key}" for ae in team.aes] + [f"team:{t.key}" for t in team.teams]


def inbox_entries(app: Sanic, to: str | None, status: str | None, limit: int) -> List[Tuple[Dict[str, Any], Alert]]:
    """The stored rows, newest first, each with its alert rendered now."""
    rows = app.ctx.outbox.recent(recipient=to, status=status, limit=limit)
    return [(row, app.ctx.render_alert(as_pending(row))) for row in rows]


def entry_json(row: Dict[str, Any], alert: Alert) -> Dict[str, Any]:
    return {
        "id": row["id"], "kind": row["kind"], "recipient": row["recipient"], "lead_id": row["lead_id"],
        "title": alert.title, "text": plain_text(alert), "status": row["status"], "attempts": row["attempts"],
        "last_error": row["last_error"], "created_at": row["created_at"], "delivered_at": row["delivered_at"],
        "delivery": row["delivery"],
    }  # fmt: skip


def _time(moment: datetime | None, zone: str | None) -> str:
    return time_html(moment, zone, "%a %d %b %H:%M")


def _delivery(row: Dict[str, Any], zone: str | None) -> str:
    if row["status"] == DELIVERED:
        where = row["delivery"] or {}
        via = delivery_via(where) or "?"
        fallbacks = where.get("fallbacks") or []
        extra = f" (fell back: {html.escape(', '.join(map(str, fallbacks)))})" if fallbacks else ""
        return f'<span class="badge ok">Delivered</span> {_time(row["delivered_at"], zone)} via {html.escape(str(via))}{extra}'
    error = f" · last error: {html.escape(str(row['last_error']))}" if row["last_error"] else ""
    return f'<span class="badge warn">Pending</span> {int(row["attempts"])} attempt(s){error}'


def alert_card(team: TeamConfig, row: Dict[str, Any], alert: Alert) -> str:
    """One alert as the AE reads it; every value escaped."""
    e = html.escape
    zone = alert.ae_timezone if row["recipient"].startswith("ae:") else None
    who = [f"<strong>{e(alert.name or 'A visitor')}</strong>" + (f", {e(alert.role)}" if alert.role else "")]
    who.append(e(company_line(alert)))
    if alert.email:
        who.append(e(alert.email))
    parts = [
        f'<header><h2>{e(alert.title)}</h2><p class="meta">To {e(recipient_label(team, row["recipient"]))} · '
        f"{_time(row['created_at'], zone)} · lead #{e(str(row['lead_id'] or '–'))}</p></header>",
        f'<p class="who">{"<br>".join(who)}</p>',
    ]
    if alert.score is not None or alert.reasons:
        reasons = "".join(f"<li>{e(r)}</li>" for r in alert.reasons)
        parts.append(f'<div class="why"><strong>Why:</strong> score {e(str(alert.score))}<ul>{reasons}</ul></div>')
    when = meeting_line(alert)
    if when:
        link = f' · <a href="{e(alert.meet_link, quote=True)}" rel="noopener">Meet link</a>' if alert.meet_link else ""
        parts.append(f"<p><strong>Meeting:</strong> {e(when)}{link}</p>")
    if alert.preferred_times:
        parts.append(f"<p><strong>Times that suit them:</strong> {e(alert.preferred_times)}</p>")
    if alert.use_case:
        parts.append(f"<blockquote>{e(alert.use_case)}</blockquote>")
    parts.append(f'<p class="delivery">{_delivery(row, zone)}</p>')
    state = "pending" if row["status"] == PENDING else "delivered"
    return f'<article class="alert-card {state}">{"".join(parts)}</article>'


def _filters(team: TeamConfig, to: str | None, status: str | None) -> str:
    people = [("", "Everyone")] + [(r, recipient_label(team, r)) for r in recipients_of(team)]
    states = [("", "Any"), (PENDING, "Pending"), (DELIVERED, "Delivered")]
    return (
        '<form method="get" action="/ops/inbox" class="filters">'
        f"<label>For {select_html('to', people, to)}</label>"
        f"<label>Status {select_html('status', states, status)}</label>"
        '<button type="submit">Show</button></form>'
    )


def _health_line(app: Sanic, health: Dict[str, Any]) -> str:
    where = (
        "Slack (a DM to the AE and a post in the team's channel)"
        if app.ctx.settings.slack_bot_token
        else ("this inbox only: SLACK_BOT_TOKEN is not set")
    )
    state = f"{int(health.get('pending', 0))} pending"
    if not health.get("ok", True):
        state += f' · <strong class="problem">alerts are stuck: {html.escape(str(health.get("error", "")))}</strong>'
    return f'<p class="notice">Alerts go to {where}. {state}.</p>'


def setup_inbox(app: Sanic) -> None:
    @app.get("/ops/inbox")
    @ops_page
    async def inbox_page(request: Request) -> HTTPResponse:
        team: TeamConfig = app.ctx.services.team
        try:
            to, status, limit = parse_inbox_filter(request.get_args(keep_blank_values=True), blank_is_unset=True)
        except ApiError as exc:
            return ops_page_html("AE inbox", f'<p class="notice">{html.escape(exc.reason)}</p>', 400, request)
        entries = await asyncio.to_thread(inbox_entries, app, to, status, limit)
        health = await asyncio.to_thread(app.ctx.outbox.health, datetime.now(UTC))
        cards = "".join(alert_card(team, row, alert) for row, alert in entries) or "<p>No alerts yet.</p>"
        more = ""
        if len(entries) == limit and limit < MAX_LIMIT:
            query = urlencode({k: v for k, v in (("to", to), ("status", status)) if v} | {"limit": MAX_LIMIT})
            more = f'<p><a href="/ops/inbox?{html.escape(query, quote=True)}">Show up to {MAX_LIMIT}</a></p>'
        body = _health_line(app, health) + _filters(team, to, status) + f'<div class="alerts">{cards}</div>' + more
        return ops_page_html("AE inbox", body, request=request)

    @app.get("/api/notifications")
    @api_route
    async def notifications_api(request: Request) -> HTTPResponse:
        to, status, limit = parse_inbox_filter(request.get_args(keep_blank_values=True))
        entries = await asyncio.to_thread(inbox_entries, app, to, status, limit)
        return api_json({"items": [entry_json(row, alert) for row, alert in entries]})
