"""The action server under a fixed clock, and recorded action calls replayed against it.

``python -m tests.support.action_replay --port P --now ISO`` serves our actions
exactly as ``bot.action_server`` does (rasa-sdk's app, our executor, the token
check), on a fresh database, with the clock stopped at ``--now`` and the demo
calendars seeded for that day, so that the same calls always get the same
answers. :func:`replay` starts it and posts the calls in order; the contract
test (tests/contract) compares what it answers with what rasa-sdk 3.6.2 gave.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Dict, Iterable, List

from bot.processes.local_servers import free_port

TOKEN = "contract-action-token"
#: Fixed so that signed links and everything derived from a secret come out the same.
SECRETS = {"CQLBOT_BOOKING_LINK_SECRET": "contract-link-secret", "CQLBOT_SESSION_SECRET": "contract-session-secret",
           "CQLBOT_API_TOKEN": "contract-api-token", "RASA_AUTH_TOKEN": "contract-rasa-token"}  # fmt: skip


def serve(port: int, now: datetime) -> None:
    from bot.action_server import create_action_app
    from bot.clock import FixedClock
    from bot.logging_setup import configure_logging
    from bot.scheduling.demo import seed_demo_calendars
    from bot.services import build_services, install
    from bot.settings import load_settings
    from calendar_booking.local import LocalCalendar

    configure_logging()
    services = build_services(load_settings(), FixedClock(now))
    install(services)
    calendar = services.bookings.calendar
    assert isinstance(calendar, LocalCalendar)
    seed_demo_calendars(
        calendar, services.team.aes, now.date() - timedelta(days=1), services.booking.rules.horizon_days + 3
    )
    app = create_action_app(TOKEN, None)
    # One process, so the stopped clock installed here is the one the actions see.
    app.run("127.0.0.1", port, access_log=False, single_process=True)


def _post(url: str, body: Dict[str, Any]) -> Dict[str, Any]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=60) as answer:
            return {"status": answer.status, "body": json.loads(answer.read() or b"null")}
    except urllib.error.HTTPError as error:
        return {"status": error.code, "body": json.loads(error.read() or b"null")}


def replay(calls: Iterable[Dict[str, Any]], now: datetime, workdir: Path) -> List[Dict[str, Any]]:
    """Each call's answer (status and body), from a fresh action server at ``now``."""
    from bot.migrate import upgrade_database

    database_url = f"sqlite:///{workdir / 'leads.db'}"
    upgrade_database(database_url)
    port = free_port()
    env = {**os.environ, **SECRETS, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING",
           "TRACKER_DATABASE_URL": f"sqlite:///{workdir / 'tracker.db'}", "CQLBOT_PUBLIC_URL": "http://cqlbot.test",
           "ACTION_SERVER_TOKEN": TOKEN, "SLACK_BOT_TOKEN": "", "GOOGLE_SERVICE_ACCOUNT_FILE": ""}  # fmt: skip
    log = open(workdir / "actions.log", "wb")  # noqa: SIM115 - the server writes it while it runs
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.action_replay", "--port", str(port), "--now", now.isoformat()],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        _wait_for(port, process, workdir)
        return [_post(f"http://127.0.0.1:{port}/webhook", call) for call in calls]
    finally:
        process.terminate()
        process.wait(30)
        log.close()


def _wait_for(port: int, process: subprocess.Popen, workdir: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the action server stopped: {(workdir / 'actions.log').read_text()[-3000:]}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2).close()
            return
        except urllib.error.HTTPError:
            return  # it answers (401 without the token): it is up
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise RuntimeError("the action server did not start in 120 s")


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the actions with a stopped clock (contract tests).")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--now", type=datetime.fromisoformat, required=True)
    args = parser.parse_args()
    serve(args.port, args.now)


if __name__ == "__main__":
    main()
