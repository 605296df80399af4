"""``make route LEAD=...``: how a lead would be routed, and why; a dry run.

``LEAD`` is a JSON object of routing fields (``{"email_domain": "acme.com",
"region": "EMEA", "company_size": 600}``) or a stored lead's id. Prints each
rule and whether it matched, the decision with its reason codes, and for each
candidate AE their bookings this month and next free times. Nothing is
booked or stored.
"""

from __future__ import annotations

import json
import sys
from typing import List

from bot.db import make_engine, make_session_factory
from bot.errors import CqlBotError
from bot.leads.queries import LeadQueries, latest_answers
from bot.qualification.answers import Answers
from bot.routing.lead_fields import routing_lead
from bot.routing.rules import FIELDS, RoutingLead, group_holds
from bot.scheduling.zones import slot_label
from bot.services import Services, get_services

USAGE = (
    'usage: make route LEAD=\'{"email_domain": "acme.com", "region": "EMEA", "company_size": 600}\'  or  LEAD=<lead id>'
)


def lead_from_argument(argument: str, services: Services) -> RoutingLead:
    """The routing fields of ``argument``: a JSON object, or a stored lead's id."""
    text = argument.strip()
    if text.isdigit():
        queries = LeadQueries(make_session_factory(make_engine(services.settings.database_url)))
        lead = queries.lead(int(text))
        if lead is None or lead.get("erased_at"):
            raise ValueError(f"no lead {text} (or it was erased)")
        answers = {question: answer["value"] for question, answer in latest_answers(lead["conversations"]).items()}
        playbook = services.playbook
        return routing_lead(Answers.of(answers, playbook), playbook, services.routing, None, lead["language"])
    try:
        fields = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"LEAD is neither a lead id nor JSON: {exc}") from exc
    if not isinstance(fields, dict):
        raise ValueError("LEAD must be a JSON object of fields")
    unknown = sorted(set(fields) - FIELDS)
    if unknown:
        raise ValueError(f"unknown field(s) {', '.join(unknown)}; fields: {', '.join(sorted(FIELDS))}")
    return RoutingLead(fields)


def explain(lead: RoutingLead, services: Services) -> List[str]:
    """The explanation, line by line."""
    lines = [f"lead: {json.dumps(dict(lead.fields), default=str)}"]
    account = services.routing.owner_of(lead.get("email_domain"))
    lines.append(f"account owner: {account.owner} ({account.domain})" if account else "account owner: none")
    for rule in services.routing.rules:
        lines.append(f"rule {rule.id} -> {rule.team}: {'MATCHES' if group_holds(rule.when, lead) else 'no'}")
    lines.append(f"catch-all -> {services.routing.catch_all.team}")
    now = services.clock.now()
    decision, free = services.scheduler.route(lead)
    lines.append(
        f"decision: team {decision.team}, AE {decision.ae or 'nobody'}{' (account owner)' if decision.pinned else ''}"
    )
    lines.append(f"reasons: {', '.join(decision.reasons)}")
    loads = services.bookings.host_loads(list(decision.candidates))
    for key in decision.candidates:
        ae = services.team.by_key[key]
        times = ", ".join(slot_label(slot.start, ae.timezone) for slot in free.get(key, [])[:3])
        lines.append(
            f"  {key}: weight {ae.weight:g}, {loads[key].month_count} booked this month; next ({ae.timezone}): {times or 'none'}"
        )
    lines.append(f"(dry run at {now:%Y-%m-%d %H:%M} UTC: nothing was booked or stored)")
    return lines


def main(argv: List[str]) -> int:
    if len(argv) != 1 or not argv[0].strip():
        print(USAGE, file=sys.stderr)
        return 2
    try:
        services = get_services()
        for line in explain(lead_from_argument(argv[0], services), services):
            print(line)
    except (ValueError, CqlBotError) as exc:
        print(f"make route: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
