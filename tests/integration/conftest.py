"""The whole stack, started as `make run` starts it, on free ports and a
fresh database. Readiness is polled on /healthz, never waited out blindly."""

from __future__ import annotations

import json
import os
import socket
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from bot.clock import SystemClock
from bot.db import make_engine, make_session_factory
from bot.leads.store import LeadStore
from bot.migrate import upgrade_database
from bot.stack import DEFAULT_MODEL, Ports, Stack


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not DEFAULT_MODEL.exists():
        pytest.fail(f"no trained model at {DEFAULT_MODEL}: run `make model` first")
    workdir = tmp_path_factory.mktemp("stack")
    env = dict(os.environ)
    env["DATABASE_URL"] = f"sqlite:///{workdir / 'leads.db'}"
    env["TRACKER_DATABASE_URL"] = f"sqlite:///{workdir / 'tracker.db'}"
    env["LOG_LEVEL"] = "WARNING"
    upgrade_database(env["DATABASE_URL"])
    running = Stack(ports=Ports(rasa=free_port(), actions=free_port(), web=free_port()), env=env, log_dir=workdir)
    running.start()
    try:
        running.wait_until_healthy(timeout=300)
    except Exception:
        running.stop()
        for log in sorted(workdir.glob("*.log")):
            print(f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}")
        raise
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
    """The first text of every response in domain.yml, to match replies exactly."""
    import yaml

    domain = yaml.safe_load(Path("domain.yml").read_text())
    return {name: variants[-1]["text"] for name, variants in domain["responses"].items()}
