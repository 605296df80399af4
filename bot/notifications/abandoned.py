"""CQLs who were shown times and left without picking one.

The visitor never says goodbye: they close the tab. So the web app's worker
looks, every minute, for conversations whose lead is a CQL, that were routed
(so times were offered), have no booking and no meeting request, and have
been quiet for ``offer.alert_if_no_pick_after_minutes`` (ops/booking.yml).
Each gets one "hot lead, no meeting yet" alert to the routed AE and their
team, written in one transaction; a conversation is never alerted twice,
and one that went quiet more than :data:`LOOK_BACK` ago is left alone (so
a first deploy does not page the team about last month).
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, exists, func, select
from sqlalchemy.engine import Engine

from bot.clock import Clock
from bot.leads.models import Conversation, Lead, MeetingRequest, RoutingDecision
from bot.notifications.events import recipients
from bot.notifications.outbox import enqueue, notifications
from bot.routing.team import TeamConfig
from calendar_booking.tables import bookings

LOOK_BACK = timedelta(days=2)
KIND = "cql_no_meeting"


def alert_abandoned_offers(engine: Engine, team: TeamConfig, clock: Clock, quiet_for: timedelta) -> int:
    """Writes the alerts for offers left without a pick; returns how many conversations."""
    now = clock.now()
    latest_decision = (
        select(RoutingDecision.sender_id, func.max(RoutingDecision.id).label("id"))
        .group_by(RoutingDecision.sender_id)
        .subquery()
    )
    query = (
        select(Conversation.sender_id, Conversation.lead_id, RoutingDecision.team, RoutingDecision.ae_key)
        .join(latest_decision, latest_decision.c.sender_id == Conversation.sender_id)
        .join(RoutingDecision, RoutingDecision.id == latest_decision.c.id)
        .join(Lead, Lead.id == Conversation.lead_id)
        .where(
            Lead.status == "cql",
            Lead.erased_at.is_(None),
            Conversation.consent_withdrawn_at.is_(None),
            Conversation.last_activity_at <= now - quiet_for,
            RoutingDecision.decided_at <= now - quiet_for,
            Conversation.last_activity_at > now - LOOK_BACK,
            ~exists().where(bookings.c.reference == Conversation.sender_id),
            ~exists().where(MeetingRequest.sender_id == Conversation.sender_id),
            ~exists().where(
                and_(
                    notifications.c.lead_id == Conversation.lead_id,
                    notifications.c.kind == KIND,
                    notifications.c.created_at >= Conversation.started_at,
                )
            ),
        )
        .order_by(Conversation.id)
        .limit(200)
    )
    alerted = 0
    with engine.begin() as connection:
        for sender_id, lead_id, team_key, ae_key in connection.execute(query).all():
            for recipient in recipients(team, ae_key, team_key):
                enqueue(
                    connection, kind=KIND, recipient=recipient, event_key=f"abandoned:{sender_id}",
                    subject={"why": "abandoned", "ae_key": ae_key}, lead_id=lead_id, now=now,
                )  # fmt: skip
            alerted += 1
    return alerted
