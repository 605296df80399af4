"""The routing fields of a lead, from the answers the form collected."""

from __future__ import annotations

from typing import Any, Dict

from answers.normalise import normalise_email
from bot.languages import language_of
from bot.playbook import Parser, Playbook
from bot.qualification.answers import Answers
from bot.routing.rules import RoutingConfig, RoutingLead
from bot.scoring.score import Score

#: Words of a use case a rule may test; the rest is not needed to route.
MAX_USE_CASE_CHARS = 1000


def routing_lead(
    answers: Answers, playbook: Playbook, routing: RoutingConfig, score: Score | None, language: str | None = None
) -> RoutingLead:
    """Every field ``ops/routing.yml`` may test; a field the visitor did not
    give (or gave in a form we could not read) is left out, so no rule matches it.
    ``language`` is the conversation's (one the bot speaks, else the default; left out when None)."""
    fields: Dict[str, Any] = {}
    if language is not None:
        fields["language"] = language_of(language)
    for question in playbook.questions:
        answer = answers[question.slot]
        if not answer.given:
            continue
        parser = question.parser
        if parser is Parser.EMAIL:
            email = normalise_email(answer.email_normalised or answer.email_address or "")
            if "@" in email:
                fields["email_domain"] = email.rsplit("@", 1)[1]
        elif parser is Parser.COUNTRY:
            code = answer.country_code
            if code:
                fields["country_code"] = code
                fields["country"] = answer.country_name
                region = routing.region_of(code)
                if region:
                    fields["region"] = region
            elif answer.country_name:
                fields["region"] = answer.country_name
        elif parser is Parser.COMPANY_SIZE:
            fields["company_size"] = answer.company_size
        elif parser is Parser.ROLE:
            fields["seniority"] = answer.seniority.value if answer.seniority else None
        elif parser is Parser.TIMELINE:
            fields["timeline_months"] = answer.timeline_months
        elif parser is Parser.BUDGET:
            fields["budget"] = answer.budget
        elif parser is Parser.COMPANY:
            fields["company"] = answer.text[:200]
        elif question.slot == "use_case":
            fields["use_case"] = answer.text[:MAX_USE_CASE_CHARS]
    if score is not None:
        fields["score"] = score.points
    return RoutingLead({k: v for k, v in fields.items() if v not in (None, "")})
