"""What a visitor speaking ``CODE`` is told, by the project this runs in (a copy that
docs/ops-guide.md's language steps were replayed on: tests/integration/test_ops_guide.py).

``python -m tests.support.spoken_language CODE WORKDIR`` prints JSON: the language a browser
asking for ``CODE`` gets, and what the actions say at the end of the questions (the close,
with its resource) and then at the booking offer (times and buttons), run on the real
services with a fresh SQLite file in ``WORKDIR`` at the tests' fixed "now"; the stored
lead's language."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.booking import ActionAskSlotPick
from actions.conversation import ActionSubmitQualification
from bot.clock import FixedClock
from bot.db import make_engine
from bot.languages import browser_languages, language_of, preferred_language
from bot.leads.models import Lead
from bot.leads.store import AnswerRecord, VisitContext
from bot.migrate import upgrade_database
from bot.qualification.understand import understand
from bot.services import Services, build_services, install
from bot.settings import PROJECT_ROOT, load_settings
from tests.conftest import NOW

#: A CFO at a 3,500-person German company, buying within weeks: a CQL, booked with Lena
#: Hoffmann. ``{word}`` is a word of the new language in the use case.
SAID = dict(use_case="we lose inbound leads after hours, {word}", full_name="Ingrid Bauer",
            work_email="ingrid@alpenwerk-example.de", company="Alpenwerk", role="CFO", company_size="3,500",
            timeline="next 8 weeks", budget="approved", country="Germany")  # fmt: skip
SENDER = "ops-guide-visitor"


def _tracker(slots: Dict[str, Any], active_loop: str | None) -> Tracker:
    import yaml

    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    every: Dict[str, Any] = {name: None for name in domain["slots"]}
    every.update(requested_slot=None, **slots)
    said = {"text": "ok", "intent": {"name": "affirm", "confidence": 0.9}}
    return Tracker(
        sender_id=SENDER, slots=every, latest_message=said, paused=False, followup_action=None,
        events=[{"event": "session_started"}, {"event": "action", "name": "action_listen"},
                {"event": "user", "text": "ok", "parse_data": said}],
        active_loop={"name": active_loop} if active_loop else {}, latest_action_name="action_listen",
    )  # fmt: skip


def _run(action: Action, tracker: Tracker) -> List[Dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, tracker, {}))
    return dispatcher.messages


def spoken(code: str, word: str, workdir: Path) -> Dict[str, Any]:
    database_url = f"sqlite:///{workdir / 'leads.db'}"
    upgrade_database(database_url)
    services: Services = build_services(load_settings({"DATABASE_URL": database_url}), FixedClock(NOW))
    install(services)
    answers: Dict[str, Any] = {}
    services.leads.record_consent(SENDER, VisitContext(language=code))
    for slot, text in SAID.items():
        question = services.playbook.question(slot)
        assert question is not None, slot
        said = text.format(word=word)
        answers[slot] = understand(question.parser, said, NOW.date())
        services.leads.record_answer(SENDER, AnswerRecord(slot, question.parser.value, said, answers[slot], True))
    slots = {**answers, "consent": True, "language": code}
    closed = _run(ActionSubmitQualification(), _tracker(slots, "qualification_form"))
    offered = _run(ActionAskSlotPick(), _tracker({**slots, "qualification_done": True}, "booking_form"))
    with make_engine(database_url).connect() as connection:
        stored = connection.execute(select(Lead.language)).scalars().all()
    return {
        "browser": preferred_language(browser_languages([f"{code}-XX", "en-US"])),
        "language_of": language_of(code),
        "close": closed,
        "offer": offered,
        "lead_languages": stored,
    }


if __name__ == "__main__":
    code, word, workdir = sys.argv[1:]
    print(json.dumps(spoken(code, word, Path(workdir)), ensure_ascii=False, default=str))
