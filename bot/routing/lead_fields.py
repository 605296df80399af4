"""The routing fields of a lead, from the answers the form collected."""

from __future__ import annotations

from typing import Any, Dict, Mapping

from answers.normalise import normalise_email
from bot.playbook import Parser, Playbook
from bot.routing.rules import RoutingConfig, RoutingLead
from bot.scoring.score import Score, answer_text, company_size_estimate, timeline_months

#: Words of a use case a rule may test; the rest is not needed to route.
MAX_USE_CASE_CHARS = 1000


def _understood(value: Any) -> Dict[str, Any] | None:
    return value if isinstance(value, dict) and value.get("understood") is not False else None


def routing_lead(
    answers: Mapping[str, Any], playbook: Playbook, routing: RoutingConfig, score: Score | None
) -> RoutingLead:
    """Every field ``ops/routing.yml`` may test; a field the visitor did not
    give (or gave in a form we could not read) is left out, so no rule matches it."""
    fields: Dict[str, Any] = {}
    for question in playbook.questions:
        value = answers.get(question.slot)
        if value is None:
            continue
        understood = _understood(value)
        parser = question.parser
        if parser is Parser.EMAIL and understood:
            email = normalise_email(str(understood.get("normalised") or understood.get("address") or ""))
            if "@" in email:
                fields["email_domain"] = email.rsplit("@", 1)[1]
        elif parser is Parser.COUNTRY and understood:
            code = understood.get("country_code")
            if code:
                fields["country_code"] = code
                fields["country"] = understood.get("name")
                region = routing.region_of(code)
                if region:
                    fields["region"] = region
            elif understood.get("name"):
                fields["region"] = understood["name"]
        elif parser is Parser.COMPANY_SIZE:
            size = company_size_estimate(value)
            if size is not None:
                fields["company_size"] = size
        elif parser is Parser.ROLE and understood:
            fields["seniority"] = understood.get("seniority")
        elif parser is Parser.TIMELINE:
            months = timeline_months(value)
            if months is not None:
                fields["timeline_months"] = months
        elif parser is Parser.BUDGET and understood:
            fields["budget"] = understood.get("status")
        elif parser is Parser.COMPANY:
            fields["company"] = answer_text(value)[:200]
        elif question.slot == "use_case":
            fields["use_case"] = answer_text(value)[:MAX_USE_CASE_CHARS]
    if score is not None:
        fields["score"] = score.points
    return RoutingLead({k: v for k, v in fields.items() if v not in (None, "")})
