"""``python -m bot.action_server``: rasa-sdk's action server for the ``actions`` package, locked down.

- It listens on ``ACTIONS_HOST``, 127.0.0.1 unless a multi-host deployment
  says otherwise (``docs/deploy.md``): only the Rasa server calls it.
- Every request must carry ``Authorization: Bearer <ACTION_SERVER_TOKEN>``,
  compared in constant time, or it gets 401 before any action runs. The Rasa
  server sends it (``endpoints.yml``); the token comes from the environment,
  never the command line.
- A conversation whose lead-store write failed is repaired from its tracker
  before its next action, and in the background (:mod:`actions.repairs`).
- ``GET /metrics`` takes the API token instead (a Prometheus scraper's), and
  every ``/webhook`` call is timed by action and status (:mod:`bot.metrics`).
"""

from __future__ import annotations

import argparse
import asyncio
import hmac
import logging
import os
import sys
import time
import warnings
from typing import List

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sanic import Sanic
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse, json, raw

from bot.env_secrets import ACTION_SERVER_TOKEN
from bot.logging_setup import configure_logging
from bot.metrics import ACTION_SECONDS, REGISTRY
from bot.private_files import restrict_umask
from bot.settings import load_settings

ACTIONS_PACKAGE = "actions"
METRICS_PATH = "/metrics"


def bearer_token(request: Request) -> bytes:
    scheme, _, value = (request.headers.get("authorization") or "").partition(" ")
    return value.strip().encode("utf-8", "replace") if scheme.lower() == "bearer" else b""


def action_name(request: Request) -> str:
    """The action a webhook call asks for, as a bounded label (the body was parsed for the call already)."""
    try:
        call = request.json
    except SanicException:
        return "unreadable"
    name = call.get("next_action") if isinstance(call, dict) else None
    return name[:60] if isinstance(name, str) and name else "none"


def secure(app: Sanic, action_token: str, api_token: str | None) -> Sanic:
    """Puts the token check, the action timing and ``/metrics`` on rasa-sdk's ``app``."""
    expected = action_token.encode()
    metrics_token = api_token.encode() if api_token else None

    @app.on_request
    async def authenticate(request: Request) -> HTTPResponse | None:
        wanted = metrics_token if request.path == METRICS_PATH else expected
        if wanted is None or not hmac.compare_digest(bearer_token(request), wanted):
            return json({"error": "unauthorised", "reason": "send Authorization: Bearer <token>"}, status=401)
        if request.path == "/webhook":
            request.ctx.started = time.perf_counter()
        return None

    @app.on_response
    async def observe(request: Request, response: HTTPResponse) -> None:
        started = getattr(request.ctx, "started", None)
        if started is not None:
            ACTION_SECONDS.labels(action=action_name(request), status=str(response.status)).observe(
                time.perf_counter() - started
            )

    @app.get(METRICS_PATH)
    async def metrics(request: Request) -> HTTPResponse:
        return raw(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)

    return app


def create_action_app(action_token: str, api_token: str | None) -> Sanic:
    """rasa-sdk's app for our actions (no CORS: browsers never call it), secured."""
    from rasa_sdk.endpoint import create_app

    from actions.repairs import RepairingExecutor, sweep_forever

    # rasa-sdk warns once per process that Rasa 3.6 and rasa-sdk 3.21 differ in their minor
    # version; tests/contract/ shows the protocol we use is the same.
    warnings.filterwarnings("ignore", message="Your versions of rasa and rasa_sdk might not be compatible")
    executor = RepairingExecutor()
    executor.register_package(ACTIONS_PACKAGE)
    app = create_app(executor, cors_origins="")

    @app.after_server_start
    async def start_repairs(app: Sanic) -> None:
        app.ctx.repairs = asyncio.create_task(sweep_forever())

    @app.before_server_stop
    async def stop_repairs(app: Sanic) -> None:
        app.ctx.repairs.cancel()

    return secure(app, action_token, api_token)


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the action server (its token comes from ACTION_SERVER_TOKEN).")
    parser.add_argument("--port", type=int, default=5055)
    args = parser.parse_args(argv)
    restrict_umask()
    configure_logging()
    token = os.environ.get(ACTION_SERVER_TOKEN)
    if not token:
        logging.getLogger(__name__).error("%s is not set: the action server refuses to start open", ACTION_SERVER_TOKEN)
        return 2
    app = create_action_app(token, load_settings().api_token)
    # One process (no Sanic worker manager): the supervisor or the cluster runs as many as it wants.
    app.run(os.environ.get("ACTIONS_HOST") or "127.0.0.1", args.port, access_log=False, single_process=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
