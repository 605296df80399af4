"""The process's Prometheus metrics, kept in one registry; the web app serves
them at ``GET /metrics`` (:mod:`bot.web.metrics`).

- ``cqlbot_http_request_seconds{route,status}``: every web request's time;
- ``cqlbot_alerts_delivered_total{via}`` and ``cqlbot_alert_failures_total{reason}``
  (``slack:<error>``, ``error:<type>``…): what the outbox worker did;
- ``cqlbot_alerts_pending`` and ``cqlbot_alert_oldest_pending_seconds``: the
  outbox backlog, and ``cqlbot_bookings{status}``: read from the database at
  scrape time, so every replica reports the same numbers.

The action server serves its own at ``GET /metrics`` (:mod:`bot.action_server`):

- ``cqlbot_action_seconds{action,status}``: every action call's time;
- ``cqlbot_calendar_errors_total{step,error}``: calendar failures while
  offering times or booking, and times taken by someone else meanwhile;
- ``cqlbot_lead_store_failures_total{call}``: lead-store writes and reads that
  failed in the conversation (the chat went on; the tracker still has them).
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry()
REQUEST_SECONDS = Histogram(
    "cqlbot_http_request_seconds", "Time to answer a request", ["route", "status"], registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)  # fmt: skip
ALERTS_DELIVERED = Counter("cqlbot_alerts_delivered", "Alerts delivered", ["via"], registry=REGISTRY)
ALERT_FAILURES = Counter("cqlbot_alert_failures", "Alert delivery attempts that failed", ["reason"], registry=REGISTRY)
ALERTS_PENDING = Gauge("cqlbot_alerts_pending", "Alerts not delivered yet", registry=REGISTRY)
OLDEST_PENDING = Gauge("cqlbot_alert_oldest_pending_seconds", "Age of the oldest undelivered alert", registry=REGISTRY)
BOOKINGS = Gauge("cqlbot_bookings", "Bookings by status", ["status"], registry=REGISTRY)
ACTION_SECONDS = Histogram(
    "cqlbot_action_seconds", "Time to run an action call", ["action", "status"], registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)  # fmt: skip
CALENDAR_ERRORS = Counter(
    "cqlbot_calendar_errors", "Calendar failures in the conversation", ["step", "error"], registry=REGISTRY
)

LEAD_STORE_FAILURES = Counter(
    "cqlbot_lead_store_failures", "Lead-store calls that failed in the conversation", ["call"], registry=REGISTRY
)


def failure_reason(error: str) -> str:
    """A short, bounded label for a delivery error (``slack: token_revoked`` → ``slack:token_revoked``)."""
    kind, _, detail = error.partition(":")
    word = detail.strip().split(" ")[0][:40] if detail.strip() else ""
    return f"{kind.strip()[:20]}:{word}" if word else kind.strip()[:40]
