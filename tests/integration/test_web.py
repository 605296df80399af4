"""The web app: page, security headers, static files, health."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from bot.processes.stack import Stack


def fetch(stack: Stack, path: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{stack.ports.web}{path}", timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_health_reports_every_process(stack: Stack) -> None:
    status, _, body = fetch(stack, "/healthz")
    health = json.loads(body)
    assert status == 200
    assert health["ok"] is True
    assert set(health["checks"]) == {"web", "rasa", "action_server", "database", "notifications"}
    assert all(check["ok"] for check in health["checks"].values())
    assert isinstance(health["checks"]["notifications"]["pending"], int)  # alerts are reported, not counted


def test_the_page_loads_the_widget_under_a_strict_policy(stack: Stack) -> None:
    status, headers, body = fetch(stack, "/")
    page = body.decode()
    assert status == 200
    assert '<script src="/static/widget.js"' in page
    assert f'data-server="http://127.0.0.1:{stack.ports.rasa}"' in page
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert f"ws://127.0.0.1:{stack.ports.rasa}" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in page.replace('<script src="', "")  # no inline script


def test_static_files_and_the_privacy_page(stack: Stack) -> None:
    for path in (
        "/static/widget.js",
        "/static/widget.css",
        "/static/vendor/socket.io.min.js",
        "/privacy",
        "/favicon.ico",
    ):
        status, _, body = fetch(stack, path)
        assert status == 200, path
        assert body
    assert fetch(stack, "/static/../bot/settings.py")[0] == 404
    assert fetch(stack, "/nope")[0] == 404
