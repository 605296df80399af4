"""The whole stack on a real PostgreSQL server: one URL serves the lead store
and Rasa's tracker store, as DATABASE_URL=postgresql://... does in production."""

from __future__ import annotations

from typing import Dict, Iterator

import pytest
import requests
from sqlalchemy import inspect, select

from bot.db import make_engine
from bot.processes.local_servers import PostgresServer
from bot.processes.stack import Stack
from calendar_booking.tables import bookings
from tests.integration.test_tiers import VISITORS, converse, starts_like
from tests.support.stack import API_AUTH, Visitor, start_stack


@pytest.fixture(scope="module")
def pg_stack(postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    url = postgres.database()
    running = start_stack(tmp_path_factory.mktemp("pg-stack"), url, url)
    yield running
    running.stop()


def test_a_conversation_is_qualified_stored_read_and_erased_on_postgresql(
    pg_stack: Stack, domain_texts: Dict[str, str]
) -> None:
    assert pg_stack.env["DATABASE_URL"].startswith("postgresql://")
    visitor = Visitor(pg_stack)
    closing = converse(visitor, VISITORS["cql"])
    assert starts_like(closing[0], domain_texts["utter_close_cql"])
    assert starts_like(closing[-1], domain_texts["utter_offer_times"])

    tables = set(inspect(make_engine(pg_stack.env["DATABASE_URL"])).get_table_names())
    assert {"leads", "conversations", "answers", "lead_status_changes", "events"} <= tables  # ours and Rasa's

    base = f"http://127.0.0.1:{pg_stack.ports.web}/api/leads"
    (lead,) = requests.get(base, params={"email": VISITORS["cql"][2]}, headers=API_AUTH, timeout=10).json()["items"]
    assert (lead["status"], lead["company_size"], lead["seniority"]) == ("cql", 600, "vp")
    detail = requests.get(f"{base}/{lead['id']}", headers=API_AUTH, timeout=10).json()
    assert [line["text"] for line in detail["transcript"] if line["from"] == "visitor"][-1] == "Germany"
    assert detail["status_history"][0]["cause"] == "scored"

    offer = visitor.say("/request_demo")  # the times again, with their buttons
    pick = next(b["payload"] for r in offer for b in r.get("buttons") or [] if b["payload"].startswith("/pick_slot"))
    assert "You're booked!" in " ".join(r.get("text", "") for r in visitor.say(pick))
    meeting = requests.get(f"{base}/{lead['id']}", headers=API_AUTH, timeout=10).json()["meeting"]
    assert (meeting["status"], meeting["ae"]) == ("confirmed", "lena")

    erased = requests.delete(f"{base}/{lead['id']}", headers=API_AUTH, timeout=10).json()
    assert erased["tracker_events_deleted"] > 20
    assert requests.get(f"{base}/{lead['id']}", headers=API_AUTH, timeout=10).json()["error"] == "erased"
    with make_engine(pg_stack.env["DATABASE_URL"]).connect() as connection:
        kept = connection.execute(
            select(bookings.c.attendee_email, bookings.c.status).where(bookings.c.id == meeting["id"])
        ).one()
    assert kept == (None, "confirmed")  # the meeting stands; the visitor's address is gone
