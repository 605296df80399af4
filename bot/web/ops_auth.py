"""Sign-in for the ops pages (``/ops``): a password, then a session kept on the server.

- ``GET /ops/login`` shows the form; ``POST /ops/login`` takes
  ``CQLBOT_OPS_PASSWORD`` or the API token (``CQLBOT_API_TOKEN``), compared in
  constant time.
- **Throttle.** Ten wrong tries from one address within five minutes get 429,
  and so do all tries once a hundred have failed in that window from anywhere
  (a guess spread over many addresses). The address is the socket's, or, when
  ``CQLBOT_TRUSTED_PROXIES`` says how many proxies stand in front, the one the
  outermost of them saw (``X-Forwarded-For``); without that setting the
  header is ignored, so nobody can pick their own address.
- **Sessions** are rows of ``ops_sessions``: the cookie ``cqlbot_ops`` is a
  random id and its HMAC (``CQLBOT_SESSION_SECRET``, a random value of its
  own, generated into ``.env``), and the database keeps only the id's hash.
  A session ends after eight hours whatever the cookie says, at sign-out,
  and when the password that opened it changes. The cookie is ``HttpOnly``,
  ``SameSite=Strict``, ``Path=/ops``, ``Secure`` on HTTPS.
- Every form that changes anything carries the session's CSRF token
  (:func:`check_csrf`); the login form a double-submit token of its own.
- :func:`ops_page` guards a page (redirect to the login); the data behind
  the pages is the token-guarded ``/api``.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import html
import logging
import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps
from typing import Any, Callable, Coroutine, Deque, Dict, Sequence, cast
from urllib.parse import quote, urlsplit

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, redirect
from sqlalchemy import Table, delete, insert, or_, select, update
from sqlalchemy.engine import Engine

from bot.clock import Clock, SystemClock
from bot.env_secrets import SESSION_SECRET
from bot.leads.models import OpsSessionRecord
from bot.settings import Settings
from bot.web.ops_layout import ops_page_html

logger = logging.getLogger(__name__)

SESSION_COOKIE = "cqlbot_ops"
LOGIN_COOKIE = "cqlbot_login"
SESSION_SECONDS = 8 * 3600
MAX_FAILURES = 10
#: Wrong passwords from all addresses together, per window, before every sign-in waits.
MAX_ACCOUNT_FAILURES = 100
FAILURE_WINDOW_SECONDS = 300
MAX_FORM_BYTES = 4096
MAX_COOKIE_CHARS = 200

Handler = Callable[..., Coroutine[Any, Any, HTTPResponse]]
sessions_table = cast(Table, OpsSessionRecord.__table__)


@dataclass(frozen=True)
class OpsSession:
    id_hash: str
    expires: datetime
    csrf: str


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class SessionStore:
    """Opens, reads and ends ops sessions kept in the database."""

    def __init__(
        self, engine: Engine, secret: bytes, clock: Clock | None = None, lifetime_seconds: int = SESSION_SECONDS
    ) -> None:
        self._engine = engine
        self._secret = secret
        self._clock = clock or SystemClock()
        self._lifetime = timedelta(seconds=lifetime_seconds)

    def _sign(self, session_id: str) -> str:
        digest = hmac.new(self._secret, b"session\0" + session_id.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def credential(self, password: bytes) -> str:
        """What a session keeps of the password that opened it: a keyed hash, to notice a change."""
        return hmac.new(self._secret, b"credential\0" + password, hashlib.sha256).hexdigest()

    def issue(self, password: bytes) -> str:
        """A new session for whoever signed in with ``password``; returns the cookie's value."""
        session_id = secrets.token_urlsafe(32)
        now = self._clock.now()
        with self._engine.begin() as connection:
            connection.execute(
                insert(sessions_table).values(
                    id_hash=_hash(session_id), csrf=secrets.token_urlsafe(32), credential=self.credential(password),
                    created_at=now, expires_at=now + self._lifetime,
                )
            )  # fmt: skip
            # Sessions ended long ago go, a few at a time, so the table stays small.
            stale = select(sessions_table.c.id_hash).where(
                or_(sessions_table.c.expires_at < now - timedelta(days=1), sessions_table.c.revoked_at.isnot(None))
            )
            doomed = [row[0] for row in connection.execute(stale.limit(50))]
            if doomed:
                connection.execute(delete(sessions_table).where(sessions_table.c.id_hash.in_(doomed)))
        return f"{session_id}.{self._sign(session_id)}"

    def read(self, cookie: str | None, passwords: Sequence[bytes]) -> OpsSession | None:
        """The session a cookie names, if it is ours, not ended, not past its lifetime
        (whatever the row or cookie claims), and opened with a password still valid."""
        if not cookie or len(cookie) > MAX_COOKIE_CHARS:
            return None
        session_id, _, signature = cookie.partition(".")
        if not session_id or not hmac.compare_digest(self._sign(session_id).encode(), signature.encode()):
            return None
        with self._engine.connect() as connection:
            row = connection.execute(
                select(sessions_table).where(sessions_table.c.id_hash == _hash(session_id))
            ).one_or_none()
        if row is None or row.revoked_at is not None:
            return None
        ends = min(row.expires_at, row.created_at + self._lifetime)
        if self._clock.now() >= ends:
            return None
        if not any(hmac.compare_digest(row.credential, self.credential(p)) for p in passwords):
            return None  # the password that opened it has changed
        return OpsSession(row.id_hash, ends, row.csrf)

    def end(self, session: OpsSession) -> None:
        """Signs the session out: its cookie opens nothing any more."""
        with self._engine.begin() as connection:
            connection.execute(
                update(sessions_table)
                .where(sessions_table.c.id_hash == session.id_hash)
                .values(revoked_at=self._clock.now())
            )


def passwords(settings: Settings) -> list[bytes]:
    """What signs in: the ops password and the API token, whichever are set."""
    return [p.encode() for p in (settings.ops_password, settings.api_token) if p]


def session_secret(settings: Settings) -> bytes:
    """The session cookies' key: ``CQLBOT_SESSION_SECRET``, never derived from a password or token.
    Without it, a random key for this process (sessions end when it stops)."""
    if settings.session_secret:
        return settings.session_secret.encode()
    logger.warning("%s is not set: ops sessions end when this web app stops (make run generates one)", SESSION_SECRET)
    return secrets.token_bytes(32)


class LoginThrottle:
    """Counts wrong passwords per address, and in all, over a sliding window."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._failures: Dict[str, Deque[float]] = defaultdict(deque)
        self._all: Deque[float] = deque()
        self._clock = clock

    def _recent(self, failures: Deque[float]) -> int:
        while failures and failures[0] < self._clock() - FAILURE_WINDOW_SECONDS:
            failures.popleft()
        return len(failures)

    def blocked(self, address: str) -> bool:
        if self._recent(self._all) >= MAX_ACCOUNT_FAILURES:
            return True
        failures = self._failures.get(address)
        return bool(failures) and self._recent(failures) >= MAX_FAILURES  # type: ignore[arg-type]

    def failed(self, address: str) -> None:
        if len(self._failures) > 10_000:  # a flood of addresses: forget the oldest state rather than grow
            self._failures.clear()
        now = self._clock()
        self._failures[address].append(now)
        self._all.append(now)


def client_address(request: Request) -> str:
    """The client's address: the socket's, or the trusted proxy's view of it (see the module)."""
    return request.remote_addr or request.ip or "unknown"


async def current_session(request: Request) -> OpsSession | None:
    store: SessionStore | None = request.app.ctx.ops_sessions
    cookie = request.cookies.get(SESSION_COOKIE)
    if store is None or not cookie:
        return None
    return await asyncio.to_thread(store.read, cookie, passwords(request.app.ctx.settings))


def ops_page(handler: Handler) -> Handler:
    """A page only for signed-in ops people; others are sent to the login."""

    @wraps(handler)
    async def wrapped(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
        session = await current_session(request)
        if session is None:
            target = request.path + (f"?{request.query_string}" if request.query_string else "")
            return redirect(f"/ops/login?next={quote(target, safe='')}", status=303)
        request.ctx.ops_session = session
        return await handler(request, *args, **kwargs)

    return wrapped


def form_field(request: Request, name: str) -> str:
    value = request.form.get(name) if request.form else None
    return str(value) if value is not None else ""


def check_csrf(request: Request) -> bool:
    """The form's ``csrf`` field matches the session's token."""
    session: OpsSession | None = getattr(request.ctx, "ops_session", None)
    sent = form_field(request, "csrf")
    return bool(session and sent and hmac.compare_digest(sent.encode(), session.csrf.encode()))


def csrf_input(request: Request) -> str:
    session: OpsSession = request.ctx.ops_session
    return f'<input type="hidden" name="csrf" value="{html.escape(session.csrf, quote=True)}">'


def _safe_next(raw: str) -> str:
    """Only a path under /ops: never another site (no open redirect)."""
    parts = urlsplit(raw)
    if parts.scheme or parts.netloc or not raw.startswith("/ops") or raw.startswith("/ops/login") or "\\" in raw:
        return "/ops"
    return raw


def _is_https(request: Request, settings: Settings) -> bool:
    return request.scheme == "https" or settings.public_url.startswith("https://")


def _set_cookie(response: HTTPResponse, name: str, value: str, path: str, max_age: int, secure: bool = False) -> None:
    """An HttpOnly, SameSite=Strict cookie; ``max_age=0`` with an empty value clears it."""
    response.add_cookie(name, value, path=path, max_age=max_age, secure=secure, httponly=True, samesite="Strict")


def _login_page(request: Request, message: str = "", status: int = 200) -> HTTPResponse:
    token = secrets.token_urlsafe(16)
    next_path = html.escape(_safe_next(request.args.get("next") or form_field(request, "next")), quote=True)
    notice = f'<p class="notice" role="alert">{html.escape(message)}</p>' if message else ""
    body = f"""{notice}
<form method="post" action="/ops/login" class="login">
  <input type="hidden" name="login_token" value="{token}">
  <input type="hidden" name="next" value="{next_path}">
  <label for="password">Password or API token</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required autofocus>
  <button class="cta" type="submit">Sign in</button>
</form>"""
    response = ops_page_html("Sign in", body, status=status)
    _set_cookie(response, LOGIN_COOKIE, token, "/ops/login", 1800, _is_https(request, request.app.ctx.settings))
    return response


def setup_ops_auth(app: Sanic) -> None:
    app.ctx.login_throttle = LoginThrottle()

    @app.before_server_start
    async def open_sessions(app: Sanic) -> None:
        settings: Settings = app.ctx.settings
        app.ctx.ops_sessions = SessionStore(app.ctx.engine, session_secret(settings)) if passwords(settings) else None

    @app.get("/ops/login")
    async def login_form(request: Request) -> HTTPResponse:
        if await current_session(request):
            return redirect(_safe_next(request.args.get("next") or "/ops"), status=303)
        if app.ctx.ops_sessions is None:
            return ops_page_html("Sign in", "<p>Set CQLBOT_OPS_PASSWORD or CQLBOT_API_TOKEN to sign in.</p>", 503)
        return _login_page(request)

    @app.post("/ops/login")
    async def login(request: Request) -> HTTPResponse:
        settings: Settings = app.ctx.settings
        address = client_address(request)
        if app.ctx.ops_sessions is None:
            return ops_page_html("Sign in", "<p>Set CQLBOT_OPS_PASSWORD or CQLBOT_API_TOKEN to sign in.</p>", 503)
        if len(request.body or b"") > MAX_FORM_BYTES:
            return _login_page(request, "That form was too large.", 413)
        if app.ctx.login_throttle.blocked(address):
            return _login_page(request, "Too many wrong passwords. Wait five minutes and try again.", 429)
        sent_token, cookie_token = form_field(request, "login_token"), request.cookies.get(LOGIN_COOKIE) or ""
        if not sent_token or not hmac.compare_digest(sent_token.encode(), cookie_token.encode()):
            return _login_page(request, "The form expired. Please sign in again.", 403)
        password = form_field(request, "password").encode()
        if not any(hmac.compare_digest(password, known) for known in passwords(settings)):
            app.ctx.login_throttle.failed(address)
            logger.warning("a wrong ops password from %s", address[:64])
            return _login_page(request, "That password is not right.", 401)
        cookie = await asyncio.to_thread(app.ctx.ops_sessions.issue, password)
        response = redirect(_safe_next(form_field(request, "next")), status=303)
        secure = _is_https(request, settings)
        _set_cookie(response, SESSION_COOKIE, cookie, "/ops", SESSION_SECONDS, secure)
        _set_cookie(response, LOGIN_COOKIE, "", "/ops/login", 0, secure)
        return response

    @app.post("/ops/logout")
    @ops_page
    async def logout(request: Request) -> HTTPResponse:
        if not check_csrf(request):
            return ops_page_html("Sign out", "<p>The form expired. Please try again.</p>", 403)
        await asyncio.to_thread(app.ctx.ops_sessions.end, request.ctx.ops_session)
        response = redirect("/ops/login", status=303)
        _set_cookie(response, SESSION_COOKIE, "", "/ops", 0, _is_https(request, app.ctx.settings))
        return response
