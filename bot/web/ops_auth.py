"""Sign-in for the ops pages (``/ops``): a password, then a signed session cookie.

- ``GET /ops/login`` shows the form; ``POST /ops/login`` takes
  ``CQLBOT_OPS_PASSWORD`` or the API token (``CQLBOT_API_TOKEN``), compared in
  constant time. Ten wrong tries from one address within five minutes get 429.
- The session is a cookie ``cqlbot_ops``: expiry and a CSRF token, signed with
  HMAC-SHA256 (``CQLBOT_SESSION_SECRET``, else a key derived from the API token
  or password), ``HttpOnly``, ``SameSite=Strict``, ``Path=/ops``, ``Secure``
  on HTTPS, valid eight hours. Changing the password or secret ends every session.
- Every form that changes anything carries the session's CSRF token
  (:func:`check_csrf`); the login form a double-submit token of its own.
- :func:`ops_page` guards a page (redirect to the login); the data behind
  the pages is the token-guarded ``/api``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import html
import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from functools import wraps
from typing import Any, Callable, Coroutine, Deque, Dict
from urllib.parse import quote, urlsplit

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, redirect

from bot.settings import Settings
from bot.web.ops_layout import ops_page_html

SESSION_COOKIE = "cqlbot_ops"
LOGIN_COOKIE = "cqlbot_login"
SESSION_SECONDS = 8 * 3600
MAX_FAILURES = 10
FAILURE_WINDOW_SECONDS = 300
MAX_FORM_BYTES = 4096

Handler = Callable[..., Coroutine[Any, Any, HTTPResponse]]


@dataclass(frozen=True)
class OpsSession:
    expires: int
    csrf: str


class SessionCodec:
    """Issues and reads the signed session cookie."""

    def __init__(self, secret: bytes, clock: Callable[[], float] = time.time) -> None:
        self._secret = secret
        self._clock = clock

    def _sign(self, payload: str) -> str:
        digest = hmac.new(self._secret, payload.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def issue(self) -> str:
        payload = f"{int(self._clock()) + SESSION_SECONDS}.{secrets.token_urlsafe(24)}"
        return f"{payload}.{self._sign(payload)}"

    def read(self, value: str | None) -> OpsSession | None:
        if not value or len(value) > 200:
            return None
        payload, _, signature = value.rpartition(".")
        expires, _, csrf = payload.partition(".")
        if not (expires.isdigit() and csrf) or not hmac.compare_digest(self._sign(payload), signature):
            return None
        if int(expires) < self._clock():
            return None
        return OpsSession(int(expires), csrf)


def passwords(settings: Settings) -> list[bytes]:
    """What signs in: the ops password and the API token, whichever are set."""
    return [p.encode() for p in (settings.ops_password, settings.api_token) if p]


def session_secret(settings: Settings) -> bytes | None:
    if settings.session_secret:
        return settings.session_secret.encode()
    known = b"\0".join(passwords(settings))
    return hashlib.sha256(b"cqlbot ops sessions\0" + known).digest() if known else None


class LoginThrottle:
    """Counts wrong passwords per address over a sliding window."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._failures: Dict[str, Deque[float]] = defaultdict(deque)
        self._clock = clock

    def blocked(self, address: str) -> bool:
        failures = self._failures.get(address)
        if not failures:
            return False
        while failures and failures[0] < self._clock() - FAILURE_WINDOW_SECONDS:
            failures.popleft()
        return len(failures) >= MAX_FAILURES

    def failed(self, address: str) -> None:
        if len(self._failures) > 10_000:  # a flood of addresses: forget the oldest state rather than grow
            self._failures.clear()
        self._failures[address].append(self._clock())


def current_session(request: Request) -> OpsSession | None:
    codec: SessionCodec | None = request.app.ctx.ops_sessions
    return codec.read(request.cookies.get(SESSION_COOKIE)) if codec else None


def ops_page(handler: Handler) -> Handler:
    """A page only for signed-in ops people; others are sent to the login."""

    @wraps(handler)
    async def wrapped(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
        session = current_session(request)
        if session is None:
            target = request.path + (f"?{request.query_string}" if request.query_string else "")
            return redirect(f"/ops/login?next={quote(target, safe='')}", status=303)
        request.ctx.ops_session = session
        return await handler(request, *args, **kwargs)

    return wrapped


def form_field(request: Request, name: str) -> str:
    value = (request.form or {}).get(name)
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
    response.cookies[name] = value
    cookie = response.cookies[name]
    cookie["httponly"] = True
    cookie["samesite"] = "Strict"
    cookie["path"] = path
    cookie["max-age"] = max_age
    cookie["secure"] = secure


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
    async def make_codec(app: Sanic, _loop: Any) -> None:
        secret = session_secret(app.ctx.settings)
        app.ctx.ops_sessions = SessionCodec(secret) if secret else None

    @app.get("/ops/login")
    async def login_form(request: Request) -> HTTPResponse:
        if current_session(request):
            return redirect(_safe_next(request.args.get("next") or "/ops"), status=303)
        if app.ctx.ops_sessions is None:
            return ops_page_html("Sign in", "<p>Set CQLBOT_OPS_PASSWORD or CQLBOT_API_TOKEN to sign in.</p>", 503)
        return _login_page(request)

    @app.post("/ops/login")
    async def login(request: Request) -> HTTPResponse:
        settings: Settings = app.ctx.settings
        address = request.remote_addr or request.ip or "unknown"
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
            return _login_page(request, "That password is not right.", 401)
        response = redirect(_safe_next(form_field(request, "next")), status=303)
        secure = _is_https(request, settings)
        _set_cookie(response, SESSION_COOKIE, app.ctx.ops_sessions.issue(), "/ops", SESSION_SECONDS, secure)
        _set_cookie(response, LOGIN_COOKIE, "", "/ops/login", 0, secure)
        return response

    @app.post("/ops/logout")
    @ops_page
    async def logout(request: Request) -> HTTPResponse:
        if not check_csrf(request):
            return ops_page_html("Sign out", "<p>The form expired. Please try again.</p>", 403)
        response = redirect("/ops/login", status=303)
        _set_cookie(response, SESSION_COOKIE, "", "/ops", 0, _is_https(request, app.ctx.settings))
        return response
