"""Lead API latency: the web app serving a database of many leads.

Run with ``make bench-api``. Seeds a fresh SQLite database (or the one
``BENCH_DATABASE_URL`` names, e.g. a PostgreSQL database) with LEADS scored
leads, each with one conversation of nine answers, starts ``python -m
bot.web`` on a free port, and times each endpoint sequentially and with
several clients at once. Prints p50/p95 per endpoint and requests per second.
"""

from __future__ import annotations

import concurrent.futures
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Callable, Dict, List, Tuple

from bot.db import make_engine, make_session_factory
from bot.leads.models import Answer, Conversation, Lead, StatusChange
from bot.migrate import upgrade_database
from bot.processes.local_servers import free_port

LEADS = 10_000
REQUESTS = 300
CLIENTS = 8
QUESTIONS = ["use_case", "full_name", "work_email", "company", "role", "company_size", "timeline", "budget", "country"]


def seed(database_url: str, count: int, start: datetime = datetime(2026, 1, 1, tzinfo=UTC),
         step: timedelta = timedelta(minutes=7)) -> None:  # fmt: skip
    """``count`` scored leads from ``start``, one every ``step``, in bulk (the
    store's per-answer writes would take minutes)."""
    upgrade_database(database_url)
    rng = random.Random(7)  # noqa: S311 - a reproducible data set, not a secret
    sessions = make_session_factory(make_engine(database_url))
    with sessions() as session:
        for number in range(count):
            at = start + step * number
            status = rng.choice(["cql", "nurture", "disqualified", "support"])
            lead = Lead(
                email_normalised=f"lead{number}@company{number % 900}.example", email=f"lead{number}@company{number % 900}.example",
                email_kind="work", full_name=f"Visitor {number}", company=f"Company {number % 900}", role_title="Head of Sales",
                seniority="head", company_size=rng.choice([8, 40, 150, 600, 3000]), status=status, score=rng.randint(0, 110),
                reasons=[{"code": "seniority", "text": "Head of Sales \u2192 seniority head, +30", "points": 30}],
                policy_version="0123456789ab", scored_at=at, created_at=at, updated_at=at,
            )  # fmt: skip
            lead.status_changes.append(
                StatusChange(at=at, from_status="new", to_status=status, cause="scored", points=lead.score)
            )
            conversation = Conversation(
                sender_id=f"bench-{number}", started_at=at, last_activity_at=at, ended_at=at, outcome="completed",
                utm={"utm_source": "ads"}, consent_given_at=at, lead=lead,
            )  # fmt: skip
            for question in QUESTIONS:
                conversation.answers.append(
                    Answer(
                        question=question,
                        parser="text",
                        raw_text=f"answer to {question}",
                        value=f"answer to {question}",
                        parsed=True,
                        attempts=1,
                        asked_at=at,
                        answered_at=at,
                    )
                )
            session.add(lead)
            session.add(conversation)
            if number % 1000 == 999:
                session.commit()
        session.commit()


def timed(url: str, token: str) -> float:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310 - loopback
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our own server on loopback
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: HTTP {response.status}")
    return (time.perf_counter() - started) * 1000


def measure(name: str, make_url: Callable[[int], str], token: str, clients: int) -> str:
    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        started = time.perf_counter()
        times: List[float] = list(pool.map(lambda n: timed(make_url(n), token), range(REQUESTS)))
        elapsed = time.perf_counter() - started
    p50 = statistics.median(times)
    p95 = statistics.quantiles(times, n=20)[-1]
    return f"  {name:<28} clients={clients:<2} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  {REQUESTS / elapsed:6.0f} req/s"


def start_web_app(database_url: str, workdir: Path) -> Tuple[subprocess.Popen, int, str]:
    """``python -m bot.web`` on a free port with a fresh API token: the process, its port and the token."""
    token, port = secrets.token_urlsafe(24), free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "TRACKER_DATABASE_URL": f"sqlite:///{workdir / 'tracker.db'}",
           "CQLBOT_API_TOKEN": token, "WEB_PORT": str(port), "LOG_LEVEL": "WARNING"}  # fmt: skip
    return subprocess.Popen([sys.executable, "-m", "bot.web"], env=env), port, token


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="cqlbot-bench-api-"))
    database_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir / 'leads.db'}"
    started = time.perf_counter()
    seed(database_url, LEADS)
    print(f"seeded {LEADS:,} leads in {time.perf_counter() - started:.1f} s ({database_url.split(':')[0]})")
    server, port, token = start_web_app(database_url, workdir)
    base = f"http://127.0.0.1:{port}/api/leads"
    try:
        for _ in range(100):
            try:
                timed(f"{base}?limit=1", token)
                break
            except OSError:
                time.sleep(0.2)
        endpoints: Dict[str, Callable[[int], str]] = {
            "GET /api/leads (50)": lambda n: f"{base}?limit=50",
            "GET /api/leads?status=cql": lambda n: f"{base}?status=cql&limit=50",
            "GET /api/leads?email=": lambda n: (
                f"{base}?email=lead{n * 31 % LEADS}@company{n * 31 % LEADS % 900}.example"
            ),
            "GET /api/leads/{id}": lambda n: f"{base}/{1 + n * 37 % LEADS}",
            "GET /api/leads/{id}/export": lambda n: f"{base}/{1 + n * 37 % LEADS}/export",
        }
        for clients in (1, CLIENTS):
            for name, make_url in endpoints.items():
                print(measure(name, make_url, token, clients))
    finally:
        server.terminate()
        server.wait(timeout=15)


if __name__ == "__main__":
    main()
