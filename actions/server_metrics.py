"""``GET /metrics`` on the action server (API token required), and every action call timed.

rasa-sdk builds its Sanic app (named ``rasa_sdk``) and then imports this
package, so importing this module adds the route and the timing to that app.
Imported anywhere else (the tests, a script), there is no such app and it adds
nothing. The metrics are :mod:`bot.metrics`'s registry: the action timings and
the calendar errors the booking actions count.
"""

from __future__ import annotations

import time

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sanic import Sanic
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse, raw

from bot.metrics import ACTION_SECONDS, REGISTRY
from bot.settings import load_settings
from bot.web.api import ApiError, check_token, error_response

APP_NAME = "rasa_sdk"  # what rasa_sdk.endpoint.create_app names its app


def action_name(request: Request) -> str:
    """The action a webhook call asks for, as a bounded label (the body was parsed for the call already)."""
    try:
        call = request.json
    except SanicException:
        return "unreadable"
    name = call.get("next_action") if isinstance(call, dict) else None
    return name[:60] if isinstance(name, str) and name else "none"


def attach(app: Sanic) -> None:
    """Times ``/webhook`` by action and serves ``/metrics`` on ``app``."""
    token = load_settings().api_token

    @app.on_request
    async def start_timer(request: Request) -> None:
        if request.path == "/webhook":
            request.ctx.started = time.perf_counter()

    @app.on_response
    async def observe(request: Request, response: HTTPResponse) -> None:
        started = getattr(request.ctx, "started", None)
        if started is not None:
            ACTION_SECONDS.labels(action=action_name(request), status=str(response.status)).observe(
                time.perf_counter() - started
            )

    @app.get("/metrics")
    async def metrics(request: Request) -> HTTPResponse:
        try:
            check_token(request, token)
        except ApiError as exc:
            return error_response(exc.status, exc.code, exc.reason)
        return raw(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)


def attach_to_action_server() -> bool:
    """Attaches to rasa-sdk's app when this process is the action server; True if it did."""
    try:
        app = Sanic.get_app(APP_NAME)
    except SanicException:
        return False
    if not any(route.path == "metrics" for route in app.router.routes):
        attach(app)
    return True
