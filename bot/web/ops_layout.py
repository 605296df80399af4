"""The frame of every ops page: header, navigation, sign-out, security headers.

Callers pass ``body`` as HTML they built with every stored value escaped.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence, Tuple
from zoneinfo import ZoneInfo

from sanic.response import HTTPResponse
from sanic.response import html as html_response

from bot.web.headers import security_headers

TEMPLATE = Path(__file__).parent / "templates" / "ops.html"
#: The ops pages, in the order of the navigation.
NAV = (("/ops", "Overview"), ("/ops/leads", "Leads"), ("/ops/inbox", "AE inbox"), ("/ops/config", "Configuration"))


@lru_cache(maxsize=1)
def _template() -> str:
    return TEMPLATE.read_text(encoding="utf-8")


def _nav(csrf: str, current: str) -> str:
    current_mark = ' aria-current="page"'
    links = "".join(
        f'<a href="{href}"{current_mark if href == current else ""}>{html.escape(label)}</a>' for href, label in NAV
    )
    signout = (
        '<form method="post" action="/ops/logout" class="signout">'
        f'<input type="hidden" name="csrf" value="{html.escape(csrf, quote=True)}">'
        '<button type="submit">Sign out</button></form>'
    )
    return f'<nav aria-label="Ops pages">{links}{signout}</nav>'


def time_html(moment: datetime | None, zone: str | None = None, pattern: str = "%d %b %Y %H:%M") -> str:
    """A ``<time>`` element: the moment in ``zone`` (UTC by default), machine-readable in UTC."""
    if moment is None:
        return ""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    local = moment.astimezone(ZoneInfo(zone or "UTC"))
    return f'<time datetime="{moment.isoformat()}">{local.strftime(pattern)} {html.escape(zone or "UTC")}</time>'


def select_html(name: str, options: Sequence[Tuple[str, str]], chosen: str | None) -> str:
    """A ``<select>`` of (value, label) pairs with ``chosen`` selected; every text escaped."""
    items = "".join(
        f'<option value="{html.escape(value, quote=True)}"{" selected" if value == (chosen or "") else ""}>'
        f"{html.escape(label)}</option>"
        for value, label in options
    )
    return f'<select name="{html.escape(name, quote=True)}" id="{html.escape(name, quote=True)}">{items}</select>'


def ops_page_html(title: str, body: str, status: int = 200, request: Any = None) -> HTTPResponse:
    """An ops page; with a signed-in ``request``, the navigation and sign-out too."""
    session = getattr(getattr(request, "ctx", None), "ops_session", None)
    nav = _nav(session.csrf, request.path) if session else ""
    page = _template().replace("{{ title }}", html.escape(title)).replace("{{ nav }}", nav).replace("{{ body }}", body)
    headers = {**security_headers("'self'"), "Cache-Control": "no-store"}
    return html_response(page, status=status, headers=headers)
