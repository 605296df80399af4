"""``python -m rasa_server``: the Rasa server as ``rasa run`` starts it, with three differences.

- **No secret on the command line.** The API token comes from
  ``RASA_AUTH_TOKEN`` in the environment (a process's arguments are readable
  by every local user; its environment only by its owner).
- **Loopback unless told otherwise.** It listens on ``RASA_HOST``
  (127.0.0.1 by default); a deployment that puts it behind a proxy on
  another host sets it explicitly (``docs/deploy.md``).
- **Only the chat channels answer without the token.** Rasa itself guards
  its HTTP API with the token but answers ``/`` and ``/version`` to anyone;
  here every path but the channels' (``/webhooks/`` and ``/socket.io/``)
  needs ``?token=`` or ``Authorization: Bearer``.

Our Rasa extensions (:mod:`rasa_server.patches`) are installed explicitly
before the server starts.
"""

from __future__ import annotations

import argparse
import hmac
import logging
import os
import sys
from typing import Any, List

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, json

logger = logging.getLogger(__name__)

#: The environment variable with the Rasa server's API token.
RASA_AUTH_TOKEN = "RASA_AUTH_TOKEN"  # noqa: S105 - a variable's name, not a secret

#: Paths the widget and REST clients use: the channels, open to visitors.
CHANNEL_PREFIXES = ("/webhooks/", "/socket.io/")


def presented_token(request: Request) -> str:
    """The token a request carries: Rasa's ``?token=`` or an ``Authorization: Bearer`` header."""
    scheme, _, value = (request.headers.get("authorization") or "").partition(" ")
    if scheme.lower() == "bearer" and value:
        return value.strip()
    return str(request.args.get("token") or "")


def token_guard(token: str) -> Any:
    """A request middleware: 401 for anything but the channels without the token."""
    expected = token.encode()

    async def guard(request: Request) -> HTTPResponse | None:
        if request.path.startswith(CHANNEL_PREFIXES):
            return None
        if hmac.compare_digest(presented_token(request).encode("utf-8", "replace"), expected):
            return None
        return json({"error": "unauthorised", "reason": "this path needs the Rasa server's token"}, status=401)

    return guard


def guard_listener(token: str) -> Any:
    """A ``before_server_start`` listener that puts :func:`token_guard` on the app (every worker runs it)."""

    async def install_guard(app: Sanic, _loop: Any) -> None:
        app.register_middleware(token_guard(token), "request")

    return install_guard


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the Rasa server (the token comes from RASA_AUTH_TOKEN).")
    parser.add_argument("--model", required=True)
    parser.add_argument("--port", type=int, default=5005)
    parser.add_argument("--endpoints", default="endpoints.yml")
    parser.add_argument("--credentials", default="credentials.yml")
    args = parser.parse_args(argv)
    os.umask(0o077)  # our files (logs, the tracker's SQLite) are the owner's alone
    token = os.environ.get(RASA_AUTH_TOKEN)
    if not token:
        print(f"{RASA_AUTH_TOKEN} is not set: the Rasa server's API needs a token (make run sets one)", file=sys.stderr)
        return 2

    import rasa.api
    import rasa.utils.io
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    from rasa_server.patches import install_all
    from rasa_server.patches.guard import PatchRefusedError

    level = getattr(logging, (os.environ.get("LOG_LEVEL") or "INFO").upper(), logging.INFO)
    configure_logging_and_warnings(level, warn_only_once=True, filter_repeated_logs=True)
    rasa.utils.io.configure_colored_logging(level)
    configure_structlog(level)
    try:
        install_all()
    except PatchRefusedError as refused:
        print(f"The Rasa server will not start: {refused}", file=sys.stderr)
        return 2
    rasa.api.run(
        model=args.model,
        endpoints=args.endpoints,
        credentials=args.credentials,
        interface=os.environ.get("RASA_HOST") or "127.0.0.1",
        port=args.port,
        cors="*",  # the widget runs on the customer's own site: its origin is not ours
        enable_api=True,
        auth_token=token,
        server_listeners=[(guard_listener(token), "before_server_start")],
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
