"""Builds stored leads the way a finished conversation does, for tests."""

from __future__ import annotations

from typing import Any, Dict, Mapping

from bot.leads.store import AnswerRecord, LeadStore, VisitContext
from bot.playbook import load_playbook
from bot.qualification.answers import Answers
from bot.scoring.policy import load_policy
from bot.scoring.score import Score, score
from bot.settings import PROJECT_ROOT

OPS = PROJECT_ROOT / "ops"
PLAYBOOK = load_playbook(OPS / "questions.yml")
POLICY = load_policy(OPS / "scoring.yml", PLAYBOOK)

#: A manager at a 120-person company, buying within a month: 75 points, cql.
RAJ: Dict[str, Any] = {
    "full_name": "Raj Patel",
    "work_email": {"address": "raj@fernhill.example", "normalised": "raj@fernhill.example", "kind": "work"},
    "company": "Fernhill",
    "role": {"title": "sales lead", "seniority": "manager"},
    "company_size": {"min": 120, "max": 120, "label": "120"},
    "timeline": {"earliest": 0.0, "latest": 1.0, "label": "within 1 month"},
    "budget": {"status": "approved"},
}


def with_email(answers: Mapping[str, Any], address: str) -> Dict[str, Any]:
    """``answers`` with another work email."""
    return {**answers, "work_email": {"address": address, "normalised": address.lower(), "kind": "work"}}


def complete_conversation(
    store: LeadStore, sender_id: str, answers: Mapping[str, Any] = RAJ, visit: VisitContext | None = None
) -> Score:
    """Consent, every answer (its raw text is the value's text), the end, and the score."""
    store.record_consent(sender_id, visit or VisitContext())
    for question, value in answers.items():
        parser = PLAYBOOK.question(question).parser.value  # type: ignore[union-attr]
        raw = (
            value
            if isinstance(value, str)
            else str(value.get("address") or value.get("title") or value.get("label") or value)
        )
        store.record_answer(sender_id, AnswerRecord(question, parser, raw, value, True))
    store.end_conversation(sender_id, "completed")
    result = score(Answers.of(answers), POLICY)
    store.record_score(sender_id, result)
    return result
