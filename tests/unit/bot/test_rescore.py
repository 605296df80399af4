"""make rescore: previewing a policy change on stored leads, then applying it."""

from __future__ import annotations

from pathlib import Path

from bot.leads.store import AnswerRecord, LeadStore, VisitContext
from bot.playbook import load_playbook
from bot.rescore import preview
from bot.scoring.policy import load_policy
from bot.scoring.score import score
from bot.settings import PROJECT_ROOT

OPS = PROJECT_ROOT / "ops"
PLAYBOOK = load_playbook(OPS / "questions.yml")

ANSWERS = {
    "work_email": {"address": "raj@fernhill.example", "normalised": "raj@fernhill.example", "kind": "work"},
    "role": {"title": "sales lead", "seniority": "manager"},
    "company_size": {"min": 120, "max": 120, "label": "120"},
    "timeline": {"earliest": 0.0, "latest": 1.0, "label": "within 1 month"},
    "budget": {"status": "approved"},
}


def _completed_lead(store: LeadStore) -> None:
    store.record_consent("s1", VisitContext())
    for question, value in ANSWERS.items():
        parser = PLAYBOOK.question(question).parser.value  # type: ignore[union-attr]
        store.record_answer("s1", AnswerRecord(question, parser, "x", value, True))
    store.end_conversation("s1", "completed")
    store.record_score("s1", score(ANSWERS, load_policy(OPS / "scoring.yml", PLAYBOOK)))


def test_a_higher_cql_threshold_is_previewed_then_applied(store: LeadStore, tmp_path: Path) -> None:
    _completed_lead(store)
    default = load_policy(OPS / "scoring.yml", PLAYBOOK)
    assert preview(store, default) == (1, [])

    stricter_file = tmp_path / "scoring.yml"
    stricter_file.write_text((OPS / "scoring.yml").read_text().replace("    min_points: 60", "    min_points: 90"))
    stricter = load_policy(stricter_file, PLAYBOOK)
    seen, changes = preview(store, stricter)
    assert seen == 1
    assert [(c.old_status, c.new.tier.value, c.new.points) for c in changes] == [("cql", "nurture", 75)]
    assert store.conversation_record("s1")["lead"]["status"] == "cql"  # type: ignore[index]  # preview writes nothing

    store.rescore(changes[0].lead_id, changes[0].new)
    lead = store.conversation_record("s1")["lead"]  # type: ignore[index]
    assert lead["status"] == "nurture"
    assert lead["policy_version"] == stricter.policy_version
    assert [(c["from"], c["to"], c["cause"]) for c in lead["status_history"]] == [
        ("new", "cql", "scored"),
        ("cql", "nurture", "rescored"),
    ]
    assert preview(store, stricter) == (1, [])
