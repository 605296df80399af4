"""Records the action calls Rasa 3.6 makes, and what rasa-sdk 3.6.2 answers to them.

``python -m tests.contract.record`` (Rasa's environment, the model trained)
starts the whole stack with a recording proxy between the Rasa server and
the action server, plays a dozen of our personas through it (every kind of
call we get: the session start, the director, forms and their validation
actions with slot extraction, side questions mid-form, corrections,
knock-outs, consent, booking, other times, a refused offer), then replays
every recorded call against a fresh action server with a stopped clock
(tests/support/action_replay.py) and keeps those answers as the contract.
The contract test replays the same calls with whatever rasa-sdk is installed
and expects the same answers. Run it again only when the actions change on
purpose; the files it writes are in tests/contract/recorded/, and
``recorded.json`` names the rasa-sdk that gave the answers (3.6.2 for the
recording that proved rasa-sdk 3.21 speaks Rasa 3.6's protocol).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import tempfile
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Dict, List

import aiohttp
import rasa_sdk
from aiohttp import web

from bot.migrate import upgrade_database
from bot.processes.local_servers import free_port
from bot.processes.stack import Ports, Stack
from tests.support import visitor_sim
from tests.support.action_replay import replay

HERE = Path(__file__).resolve().parent
RECORDED = HERE / "recorded"
PERSONAS = HERE.parent / "personas"
CHOSEN = [
    "all_in_one_opening", "declines_consent", "side_questions", "reject_first_offer", "zone_typed_as_city",
    "free_mail_then_work_email", "b_ko_open_job_seeker", "b_ko_mid_vendor_pitch", "b_fix_size_down",
    "b_decline_times", "b_open_q_price_small", "b_reject_then_third_slot", "b_open_wave_emoji",
]  # fmt: skip


class RecordingProxy:
    """Forwards the Rasa server's action calls to the action server, keeping each call and answer."""

    def __init__(self, target: str) -> None:
        self.target = target
        self.port = free_port()
        self.calls: List[Dict[str, Any]] = []
        self._ready = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()
        self._ready.wait(10)

    def _serve(self) -> None:
        loop = asyncio.new_event_loop()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/webhook", self._forward)
        runner = web.AppRunner(app)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", self.port).start())
        self._ready.set()
        loop.run_forever()

    async def _forward(self, request: web.Request) -> web.Response:
        body = await request.json()
        headers = {"Authorization": request.headers.get("Authorization", ""), "Content-Type": "application/json"}
        async with aiohttp.ClientSession() as session, session.post(self.target, json=body, headers=headers) as answer:
            raw = await answer.read()
            self.calls.append({"request": body, "status": answer.status, "body": json.loads(raw or b"null")})
            return web.Response(body=raw, status=answer.status, content_type="application/json")


def personas() -> List[Dict[str, Any]]:
    found = {}
    for path in sorted(PERSONAS.glob("*.json")):
        for persona in json.loads(path.read_text(encoding="utf-8")):
            found[persona["id"]] = persona
    return [found[name] for name in CHOSEN]


def write_lines(path: Path, rows: List[Dict[str, Any]]) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, sort_keys=True) + "\n")


def record(workdir: Path) -> List[Dict[str, Any]]:
    env = dict(os.environ)
    env.update({"DATABASE_URL": f"sqlite:///{workdir / 'leads.db'}", "LOG_LEVEL": "WARNING",
                "TRACKER_DATABASE_URL": f"sqlite:///{workdir / 'tracker.db'}"})  # fmt: skip
    upgrade_database(env["DATABASE_URL"])
    ports = Ports(rasa=free_port(), actions=free_port(), web=free_port())
    stack = Stack(ports=ports, env=env, log_dir=workdir)
    proxy = RecordingProxy(f"http://127.0.0.1:{ports.actions}/webhook")
    stack.env["ACTION_ENDPOINT_URL"] = f"http://127.0.0.1:{proxy.port}/webhook"
    stack.start()
    try:
        stack.wait_until_healthy(timeout=300)
        args = argparse.Namespace(
            webhook=f"http://127.0.0.1:{ports.rasa}/webhooks/rest/webhook", api=None, token=None, max_turns=40
        )
        for persona in personas():
            result = visitor_sim.run_persona(persona, args)
            print(f"{persona['id']}: {result['outcome']} ({len(proxy.calls)} calls so far)")
    finally:
        stack.stop()
    return proxy.calls


def main() -> int:
    RECORDED.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cqlbot-contract-") as tmp:
        workdir = Path(tmp)
        calls = record(workdir / "live")
        now = datetime.now(UTC).replace(microsecond=0)
        (workdir / "replay").mkdir()
        answers = replay([call["request"] for call in calls], now, workdir / "replay")
    write_lines(RECORDED / "rasa36_calls.jsonl.gz", [call["request"] for call in calls])
    write_lines(RECORDED / "rasa_sdk362_answers.jsonl.gz", answers)
    (RECORDED / "recorded.json").write_text(
        json.dumps(
            {"now": now.isoformat(), "calls": len(calls), "rasa": "3.6.21", "rasa_sdk": rasa_sdk.__version__}, indent=1
        )
        + "\n",
        encoding="utf-8",
    )
    kinds = sorted({call["request"]["next_action"] for call in calls})
    print(f"{len(calls)} calls of {len(kinds)} actions recorded: {', '.join(kinds)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
