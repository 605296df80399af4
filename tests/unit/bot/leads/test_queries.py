"""Reading leads for the API: pages, one lead, and what erasing leaves."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FixedClock
from bot.leads.queries import LeadFilter, LeadQueries, latest_answers
from bot.leads.store import LeadStore, VisitContext
from tests.support.leads import RAJ, complete_conversation, with_email


def queries_for(store: LeadStore) -> LeadQueries:
    return LeadQueries(store._sessions)


def test_pages_go_newest_first_and_end(store: LeadStore, clock: FixedClock) -> None:
    for n in range(5):
        clock.at += timedelta(minutes=1)
        complete_conversation(store, f"s{n}", with_email(RAJ, f"lead{n}@fernhill.example"))
    queries = queries_for(store)
    first, below = queries.page(LeadFilter(limit=2))
    assert [item["email"] for item in first] == ["lead4@fernhill.example", "lead3@fernhill.example"]
    second, below = queries.page(LeadFilter(limit=2, before_id=below))
    third, last = queries.page(LeadFilter(limit=2, before_id=below))
    assert [item["email"] for item in second + third] == [f"lead{n}@fernhill.example" for n in (2, 1, 0)]
    assert last is None


def test_filters_by_email_status_and_creation_time(store: LeadStore, clock: FixedClock) -> None:
    complete_conversation(store, "early", with_email(RAJ, "early@fernhill.example"))
    clock.at += timedelta(days=2)
    student = {**with_email(RAJ, "kim@uni.example"), "use_case": "a school project on chatbots"}
    complete_conversation(store, "student", student)
    queries = queries_for(store)
    assert [i["email"] for i in queries.page(LeadFilter(email="  EARLY@Fernhill.example "))[0]] == [
        "early@fernhill.example"
    ]
    assert [i["email"] for i in queries.page(LeadFilter(status="disqualified"))[0]] == ["kim@uni.example"]
    assert [i["email"] for i in queries.page(LeadFilter(since=clock.at - timedelta(hours=1)))[0]] == ["kim@uni.example"]
    assert queries.page(LeadFilter(status="support"))[0] == []


def test_one_lead_has_every_field_its_history_and_conversations(store: LeadStore) -> None:
    complete_conversation(store, "s1", RAJ, VisitContext(page_url="https://cqlbot.example/", utm={"utm_source": "ads"}))
    lead_id = queries_for(store).page(LeadFilter())[0][0]["id"]
    lead = queries_for(store).lead(lead_id)
    assert lead is not None
    assert {k: lead[k] for k in ("email", "name", "company", "role", "seniority", "company_size", "budget", "status", "score")} == {
        "email": "raj@fernhill.example", "name": "Raj Patel", "company": "Fernhill", "role": "sales lead",
        "seniority": "manager", "company_size": 120, "budget": "approved", "status": "cql", "score": 75,
    }  # fmt: skip
    assert sum(reason["points"] for reason in lead["reasons"]) == 75
    assert [(c["from"], c["to"], c["cause"]) for c in lead["status_history"]] == [("new", "cql", "scored")]
    (conversation,) = lead["conversations"]
    assert conversation["utm"] == {"utm_source": "ads"}
    assert latest_answers(lead["conversations"])["company"]["text"] == "Fernhill"
    assert queries_for(store).lead(lead_id + 1) is None


def test_an_override_is_kept_with_who_made_it(store: LeadStore) -> None:
    complete_conversation(store, "s1", RAJ)
    lead_id = queries_for(store).page(LeadFilter())[0][0]["id"]
    assert store.override_status(lead_id, "nurture", "ana@cqlbot.example")
    assert store.override_status(lead_id, "nurture", "ana@cqlbot.example")  # no second history entry
    history = queries_for(store).lead(lead_id)["status_history"]  # type: ignore[index]
    assert [(c["to"], c["cause"], c["actor"]) for c in history] == [
        ("cql", "scored", None),
        ("nurture", "ae_override", "ana@cqlbot.example"),
    ]
    assert not store.override_status(lead_id + 1, "cql", "ana@cqlbot.example")


def test_erasing_leaves_an_anonymous_tombstone(store: LeadStore, clock: FixedClock) -> None:
    complete_conversation(store, "s1", RAJ, VisitContext(page_url="https://cqlbot.example/?who=raj"))
    complete_conversation(store, "s2", RAJ)
    queries = queries_for(store)
    lead_id = queries.page(LeadFilter())[0][0]["id"]

    erased_at, senders = store.erase(lead_id)  # type: ignore[misc]
    assert erased_at == clock.at
    assert sorted(senders) == ["s1", "s2"]
    lead = queries.lead(lead_id)
    assert lead is not None
    personal = ("email", "name", "company", "role", "seniority", "company_size", "timeline_months", "budget", "country")
    assert all(not lead[key] for key in personal)
    assert lead["reasons"] == []
    assert (lead["status"], lead["score"]) == ("cql", 75)  # the counts stay right
    for conversation in lead["conversations"]:
        assert conversation["page_url"] is None
        assert all(a["raw_text"] is None and a["value"] is None for a in conversation["answers"].values())
        assert all(a["answered_at"] is not None for a in conversation["answers"].values())
    assert queries.page(LeadFilter())[0] == []

    clock.at += timedelta(hours=1)
    assert store.erase(lead_id) == (erased_at, senders)  # again: the same answer, nothing new
    assert not store.override_status(lead_id, "cql", "ana@cqlbot.example")
    assert store.erase(lead_id + 1) is None


def test_the_same_email_after_erasing_starts_a_new_lead(store: LeadStore) -> None:
    complete_conversation(store, "s1", RAJ)
    queries = queries_for(store)
    old_id = queries.page(LeadFilter())[0][0]["id"]
    store.erase(old_id)
    complete_conversation(store, "s2", RAJ)
    (new,) = queries.page(LeadFilter(email="raj@fernhill.example"))[0]
    assert new["id"] != old_id
