"""The whole stack, started as `make run` starts it, on free ports and a
fresh database. Readiness is polled on /healthz, never waited out blindly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from bot.clock import SystemClock
from bot.db import make_engine, make_session_factory
from bot.leads.store import LeadStore
from bot.migrate import upgrade_database
from bot.processes.local_servers import free_port
from bot.processes.stack import Ports, Stack
from bot.settings import DEFAULT_MODEL
from tests.support.slack_stub import SlackStub

API_TOKEN = "integration-token-" + uuid.uuid4().hex
API_AUTH = {"Authorization": f"Bearer {API_TOKEN}"}
SLACK_SIGNING_SECRET = "integration-signing-" + uuid.uuid4().hex


def start_stack(
    workdir: Path, database_url: str, tracker_database_url: str, extra_env: Dict[str, str] | None = None
) -> Stack:
    """The three processes on free ports and the given databases, once healthy."""
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"no trained model at {DEFAULT_MODEL}: run `make model` first")
    env = dict(os.environ)
    env["DATABASE_URL"] = database_url
    env["TRACKER_DATABASE_URL"] = tracker_database_url
    env["LOG_LEVEL"] = "WARNING"
    env["CQLBOT_API_TOKEN"] = API_TOKEN
    env.update(extra_env or {})
    upgrade_database(database_url)
    running = Stack(ports=Ports(rasa=free_port(), actions=free_port(), web=free_port()), env=env, log_dir=workdir)
    running.start()
    try:
        running.wait_until_healthy(timeout=300)
    except Exception:
        running.stop()
        for log in sorted(workdir.glob("*.log")):
            print(f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}")
        raise
    return running


@pytest.fixture(scope="session")
def slack_stub() -> Iterator[SlackStub]:
    """Slack's Web API for the session's stack: every AE alert is delivered here."""
    stub = SlackStub()
    yield stub
    stub.close()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, slack_stub: SlackStub) -> Iterator[Stack]:
    workdir = tmp_path_factory.mktemp("stack")
    slack = {"SLACK_BOT_TOKEN": "xoxb-integration", "SLACK_API_URL": slack_stub.base_url,
             "SLACK_SIGNING_SECRET": SLACK_SIGNING_SECRET}  # fmt: skip
    running = start_stack(workdir, f"sqlite:///{workdir / 'leads.db'}", f"sqlite:///{workdir / 'tracker.db'}", slack)
    yield running
    running.stop()


@pytest.fixture(scope="session")
def lead_store(stack: Stack) -> LeadStore:
    return LeadStore(make_session_factory(make_engine(stack.env["DATABASE_URL"])), SystemClock())


class Visitor:
    """One website visitor talking to the bot over the REST channel."""

    def __init__(self, stack: Stack, metadata: Dict[str, Any] | None = None) -> None:
        self.sender = f"it-{uuid.uuid4().hex[:12]}"
        self.url = f"http://127.0.0.1:{stack.ports.rasa}/webhooks/rest/webhook"
        self.metadata = metadata

    def say(self, text: str) -> List[Dict[str, Any]]:
        payload: Dict[str, Any] = {"sender": self.sender, "message": text}
        if self.metadata:
            payload["metadata"] = self.metadata
        request = urllib.request.Request(
            self.url, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read())

    def texts(self, text: str) -> List[str]:
        return [reply.get("text", "") for reply in self.say(text)]


@pytest.fixture
def visitor(stack: Stack) -> Visitor:
    return Visitor(stack)


@pytest.fixture(scope="session")
def domain_texts() -> Dict[str, str]:
    """The English text of every response in domain.yml, to match replies exactly."""
    return response_texts("en")


def response_texts(language: str) -> Dict[str, str]:
    """The text of every response in domain.yml in ``language`` (its variant with no other
    condition; English: the one with no condition at all)."""
    import yaml

    domain = yaml.safe_load(Path("domain.yml").read_text(encoding="utf-8"))
    wanted = [] if language == "en" else [{"type": "slot", "name": "language", "value": language}]
    texts = {}
    for name, variants in domain["responses"].items():
        chosen = [v for v in variants if (v.get("condition") or []) == wanted]
        if not chosen and wanted:  # a response with conditions of its own: its plainest variant in the language
            chosen = [v for v in variants if wanted[0] in (v.get("condition") or [])]
        texts[name] = (chosen or variants)[-1]["text"]
    return texts


@dataclass
class ApiServer:
    """The web app alone (no Rasa needed for the API), on its own databases."""

    base_url: str
    database_url: str
    tracker_database_url: str
    token: str = API_TOKEN

    @property
    def auth(self) -> Dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@contextmanager
def web_app(workdir: Path, extra_env: Dict[str, str] | None = None) -> Iterator[ApiServer]:
    """The web app alone on its own databases, with ``extra_env`` on top."""
    port = free_port()
    server = ApiServer(
        base_url=f"http://127.0.0.1:{port}",
        database_url=f"sqlite:///{workdir / 'leads.db'}",
        tracker_database_url=f"sqlite:///{workdir / 'tracker.db'}",
    )
    upgrade_database(server.database_url)
    env = dict(os.environ)
    env.update(
        DATABASE_URL=server.database_url, TRACKER_DATABASE_URL=server.tracker_database_url, WEB_PORT=str(port),
        CQLBOT_API_TOKEN=API_TOKEN, LOG_LEVEL="WARNING", RASA_URL="http://127.0.0.1:9", ACTION_SERVER_URL="http://127.0.0.1:9",
        SLACK_SIGNING_SECRET=SLACK_SIGNING_SECRET,
    )  # fmt: skip
    env.update(extra_env or {})
    log = open(workdir / "web.log", "ab")  # noqa: SIM115
    process = subprocess.Popen([sys.executable, "-m", "bot.web"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{server.base_url}/favicon.ico", timeout=2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"the web app did not start: {(workdir / 'web.log').read_text()[-3000:]}"
                    ) from None
                time.sleep(0.2)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=15)
        log.close()


@pytest.fixture(scope="module")
def api_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    """A web app per test module, so one module's erasures don't touch another's leads."""
    with web_app(tmp_path_factory.mktemp("api")) as server:
        yield server
