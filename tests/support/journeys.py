"""Whole journeys through the services, for tests: a visitor of Alpenwerk
(Lena's account) qualifies as a CQL, is routed (times offered) and books."""

from __future__ import annotations

from typing import Any, Tuple

from bot.leads.store import AnswerRecord, VisitContext
from bot.qualification.answers import Answers
from bot.qualification.understand import understand
from bot.routing.router import RouteDecision
from bot.routing.rules import RoutingLead
from bot.scheduling.scheduler import LeadBrief
from bot.scoring.score import score
from bot.services import Services
from calendar_booking.port import Attendee
from tests.conftest import NOW

HOSTILE = "<!channel> stop losing <b>leads</b> <https://evil.example|click> & co"


def qualify_and_route(
    services: Services, sender: str = "visitor-1", visit: VisitContext | None = None
) -> Tuple[RouteDecision, Any]:
    """A consented visitor of Alpenwerk (Lena's account) qualifies as a CQL and is routed (times are offered)."""
    services.leads.record_consent(sender, visit or VisitContext())
    said = {"work_email": "ingrid@alpenwerk-gruppe.de", "full_name": "Ingrid Bauer", "company": "Alpenwerk", "role": "CFO",
            "company_size": "3500", "country": "Germany", "use_case": HOSTILE}  # fmt: skip
    answers = {}
    for slot, text in said.items():
        question = services.playbook.question(slot)
        value = understand(question.parser, text, NOW.date())  # type: ignore[union-attr]
        answers[slot] = value
        services.leads.record_answer(sender, AnswerRecord(slot, question.parser.value, text, value, True))  # type: ignore[union-attr]
    services.leads.record_score(sender, score(Answers.of(answers), services.scoring))
    decision, free = services.scheduler.route(RoutingLead({"email_domain": "alpenwerk-gruppe.de"}))
    services.routing_log.record_decision(sender, decision)
    return decision, free


def book_for_lead(services: Services, sender: str = "visitor-1", visit: VisitContext | None = None) -> str:
    """The Alpenwerk CQL books the first time offered."""
    decision, free = qualify_and_route(services, sender, visit)
    offer = services.scheduler.offer(decision, "Europe/Berlin", free=free)
    brief = LeadBrief("Ingrid Bauer", "ingrid@alpenwerk-gruppe.de", "Alpenwerk", 80, "cql", (), "", "")
    booking = services.scheduler.book(
        decision, offer.slots[0], Attendee("ingrid@alpenwerk-gruppe.de"), brief, sender, "Europe/Berlin"
    )
    return booking.id
