"""The action server's ``GET /metrics``: token required, every action call timed by action."""

from __future__ import annotations

import requests

from bot.processes.stack import Stack
from tests.support.stack import API_AUTH, Visitor


def test_the_action_server_reports_each_action_call_behind_the_token(stack: Stack, visitor: Visitor) -> None:
    visitor.say("hi")
    visitor.say("/give_consent")
    url = f"http://127.0.0.1:{stack.ports.actions}/metrics"
    refused = requests.get(url, timeout=10)
    assert refused.status_code == 401 and refused.json()["error"] == "unauthorised"
    assert requests.get(url, headers={"Authorization": "Bearer not-the-token"}, timeout=10).status_code == 401
    answer = requests.get(url, headers=API_AUTH, timeout=10)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/plain")
    counts = {
        line.split("{", 1)[1].split("}", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in answer.text.splitlines()
        if line.startswith("cqlbot_action_seconds_count{")
    }
    assert counts.get('action="action_session_start",status="200"', 0) >= 1
    assert counts.get('action="action_record_consent",status="200"', 0) >= 1
    assert "# TYPE cqlbot_calendar_errors_total counter" in answer.text  # declared, though nothing failed
