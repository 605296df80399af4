"""Ops dashboard page times on 10,000 leads from the last 30 days.

Run with ``make bench-dashboard``. Seeds a fresh SQLite database (or
``BENCH_DATABASE_URL``) with the API benchmark's leads spread over the last
30 days, 15,000 chat opens, a routing decision for every CQL and a booking
for two in three of them; starts the web app, signs in as ops do, and times
each page sequentially (the overview is the funnel page; target ≤ 500 ms).
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import statistics
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import List

from sqlalchemy import insert, select

from benchmarks.api import LEADS, seed, start_web_app
from bot.db import make_engine
from bot.leads.models import ChatOpen, Conversation, Lead, RoutingDecision
from calendar_booking.tables import bookings

ROUNDS = 30
PAGES = ["/ops", "/ops?days=365&by=landing", "/ops/leads", "/ops/leads?status=cql", "/ops/leads/5000", "/ops/inbox"]


def add_funnel_rows(database_url: str, now: datetime) -> None:
    """Chat opens, routing decisions and bookings, so every funnel step has rows."""
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            insert(ChatOpen.__table__),  # type: ignore[attr-defined]
            [{"opened_at": now - timedelta(minutes=3 * n), "utm_source": ("ads", "newsletter", None)[n % 3],
              "utm_campaign": f"c{n % 7}", "landing_path": ("/", "/pricing", "/demo")[n % 3]} for n in range(15_000)],
        )  # fmt: skip
        cqls = connection.execute(
            select(Conversation.sender_id, Conversation.started_at, Lead.id)
            .join(Lead, Lead.id == Conversation.lead_id)
            .where(Lead.status == "cql")
        ).all()
        connection.execute(
            insert(RoutingDecision.__table__),  # type: ignore[attr-defined]
            [{"sender_id": c.sender_id, "lead_id": c.id, "decided_at": c.started_at, "team": "enterprise_emea",
              "ae_key": "lena", "reasons": ["catch_all", "picked:lena"], "pinned": False} for c in cqls],
        )  # fmt: skip
        rows = []
        for n, c in enumerate(cqls):
            if n % 3 == 2:
                continue
            start = c.started_at + timedelta(days=2)
            rows.append({
                "id": uuid.uuid4().hex, "host_key": ("lena", "oliver")[n % 2], "calendar_id": "bench@cqlbot.example",
                "start": start, "end": start + timedelta(minutes=30), "active_start": start + timedelta(seconds=n),
                "host_timezone": "Europe/Berlin", "status": "confirmed", "reference": c.sender_id,
                "event_id": uuid.uuid4().hex, "created_at": c.started_at + timedelta(minutes=3),
                "updated_at": c.started_at + timedelta(minutes=3),
            })  # fmt: skip
        connection.execute(insert(bookings), rows)


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="cqlbot-bench-dashboard-"))
    database_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{workdir / 'leads.db'}"
    now = datetime.now(UTC)
    started = time.perf_counter()
    seed(database_url, LEADS, start=now - timedelta(days=30), step=timedelta(days=30) / LEADS)
    add_funnel_rows(database_url, now)
    print(f"seeded {LEADS:,} leads, 15,000 chat opens and their bookings in {time.perf_counter() - started:.1f} s")
    server, port, password = start_web_app(database_url, workdir)
    base = f"http://127.0.0.1:{port}"
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    try:
        for _ in range(150):
            try:
                form = browser.open(f"{base}/ops/login", timeout=5).read().decode()
                break
            except OSError:
                time.sleep(0.2)
        token = re.search(r'name="login_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        body = urllib.parse.urlencode({"login_token": token, "password": password, "next": "/ops"}).encode()
        browser.open(f"{base}/ops/login", data=body, timeout=30).read()
        for page in PAGES:
            times: List[float] = []
            size = 0
            for _ in range(ROUNDS):
                begun = time.perf_counter()
                with browser.open(base + page, timeout=60) as response:
                    size = len(response.read())
                    if response.status != 200:
                        raise RuntimeError(f"{page}: HTTP {response.status}")
                times.append((time.perf_counter() - begun) * 1000)
            p95 = statistics.quantiles(times, n=20)[-1]
            print(f"  GET {page:<28} p50 {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms  {size / 1024:5.0f} KB")
    finally:
        server.terminate()
        server.wait(timeout=15)


if __name__ == "__main__":
    main()
