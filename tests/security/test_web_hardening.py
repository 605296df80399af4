"""The web app against hostile requests: a crafted Host, caches, malformed Slack calls,
ops sessions that outlive their sign-out or password, and a login throttle behind a proxy."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Dict, Iterator
from urllib.parse import urlencode

import pytest
import requests
from slack_sdk.signature import SignatureVerifier

from tests.integration.test_ops_inbox import login_form, post_login
from tests.support.stack import API_AUTH, SLACK_SIGNING_SECRET, ApiServer, web_app

PASSWORD = "an ops password"
SESSION_SECRET = "a session secret of this test " + "x" * 16


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiServer]:
    env = {"CQLBOT_OPS_PASSWORD": PASSWORD, "CQLBOT_SESSION_SECRET": SESSION_SECRET}
    with web_app(tmp_path_factory.mktemp("hardening"), env) as running:
        yield running


def test_a_crafted_host_header_changes_neither_the_page_nor_its_policy(server: ApiServer) -> None:
    for host in ("evil.example", "evil.example:5005; script-src *", "x' onerror='alert(1)"):
        page = requests.get(f"{server.base_url}/", headers={"Host": host}, timeout=10)
        assert page.status_code == 200
        assert (
            "evil" not in page.headers["Content-Security-Policy"]
            and "onerror" not in page.headers["Content-Security-Policy"]
        )
        assert "evil" not in page.text and "onerror" not in page.text
        assert 'data-server="http://127.0.0.1:9"' in page.text  # the configured Rasa address


def test_nothing_with_lead_data_may_be_cached(server: ApiServer) -> None:
    for path, headers in (
        ("/api/leads", API_AUTH), ("/api/leads/1/export", API_AUTH), ("/api/notifications", API_AUTH),
        ("/ops/login", {}), ("/meetings/forged.token", {}), ("/healthz", {}), ("/api/leads", {}),
    ):  # fmt: skip
        answer = requests.get(server.base_url + path, headers=headers, allow_redirects=False, timeout=10)
        assert answer.headers.get("Cache-Control") == "no-store", path
    assert "no-store" not in requests.get(f"{server.base_url}/static/widget.js", timeout=10).headers.get(
        "Cache-Control", ""
    )


def signed(body: str, timestamp: str | None = None) -> Dict[str, str]:
    stamp = timestamp or str(int(time.time()))
    signature = SignatureVerifier(SLACK_SIGNING_SECRET).generate_signature(timestamp=stamp, body=body)
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": str(signature),
            "Content-Type": "application/x-www-form-urlencoded"}  # fmt: skip


def press(value: str) -> str:
    payload = {"type": "block_actions", "user": {"id": "U0LENA"}, "actions": [{"action_id": "accept", "value": value}],
               "container": {}, "message": {"blocks": []}}  # fmt: skip
    return urlencode({"payload": json.dumps(payload)})


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Slack-Request-Timestamp": "", "X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Request-Timestamp": "9" * 400, "X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=zz"},
        {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "é" * 10},
    ],
)
def test_an_unsigned_or_malformed_slack_request_is_refused(server: ApiServer, headers: Dict[str, str]) -> None:
    answer = requests.post(f"{server.base_url}/slack/actions", data=press("1:"), headers=headers, timeout=10)
    assert answer.status_code == 401 and answer.json()["error"] == "unauthorized"


@pytest.mark.parametrize("value", ["9" * 400, "99999999999:", "1:../../etc", "-1:", "1:" + "a" * 40, ":", ""])
def test_a_signed_request_with_values_no_button_of_ours_has_is_a_400(server: ApiServer, value: str) -> None:
    body = press(value) + f"&nonce={time.monotonic_ns()}"
    answer = requests.post(f"{server.base_url}/slack/actions", data=body, headers=signed(body), timeout=10)
    assert answer.status_code == 400, answer.text


def test_signing_out_ends_the_session_for_good(server: ApiServer) -> None:
    session = requests.Session()
    assert post_login(session, server.base_url, PASSWORD).status_code == 303
    cookie = session.cookies.get("cqlbot_ops", path="/ops")
    page = session.get(f"{server.base_url}/ops/inbox", timeout=10)
    assert page.status_code == 200
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    assert (
        session.post(
            f"{server.base_url}/ops/logout", data={"csrf": csrf}, allow_redirects=False, timeout=10
        ).status_code
        == 303
    )
    replay = requests.get(
        f"{server.base_url}/ops/inbox", cookies={"cqlbot_ops": cookie}, allow_redirects=False, timeout=10
    )
    assert replay.status_code == 303 and replay.headers["Location"].startswith("/ops/login")


def test_a_session_survives_a_restart_but_not_a_new_password(tmp_path: Path) -> None:
    env = {"CQLBOT_OPS_PASSWORD": PASSWORD, "CQLBOT_SESSION_SECRET": SESSION_SECRET}
    with web_app(tmp_path, env) as running:
        session = requests.Session()
        assert post_login(session, running.base_url, PASSWORD).status_code == 303
        cookie = session.cookies.get("cqlbot_ops", path="/ops")
    with web_app(tmp_path, env) as running:  # the same database and secret: still signed in
        page = requests.get(
            f"{running.base_url}/ops/inbox", cookies={"cqlbot_ops": cookie}, allow_redirects=False, timeout=10
        )
        assert page.status_code == 200
    with web_app(tmp_path, {**env, "CQLBOT_OPS_PASSWORD": "a new password"}) as running:
        page = requests.get(
            f"{running.base_url}/ops/inbox", cookies={"cqlbot_ops": cookie}, allow_redirects=False, timeout=10
        )
        assert page.status_code == 303


def wrong_passwords(base_url: str, forwarded_for: str, times: int) -> list[int]:
    session = requests.Session()
    statuses = []
    for _ in range(times):
        token = login_form(session, base_url)
        answer = session.post(
            f"{base_url}/ops/login", data={"login_token": token, "password": "wrong"},
            headers={"X-Forwarded-For": forwarded_for}, allow_redirects=False, timeout=10,
        )  # fmt: skip
        statuses.append(answer.status_code)
    return statuses


def test_behind_a_trusted_proxy_one_address_is_throttled_not_everyone(tmp_path: Path) -> None:
    with web_app(tmp_path, {"CQLBOT_OPS_PASSWORD": PASSWORD, "CQLBOT_TRUSTED_PROXIES": "1"}) as running:
        assert wrong_passwords(running.base_url, "203.0.113.5", 11) == [401] * 10 + [429]
        assert wrong_passwords(running.base_url, "198.51.100.7", 1) == [401]  # another office, another count
        session = requests.Session()
        token = login_form(session, running.base_url)
        right = session.post(f"{running.base_url}/ops/login", data={"login_token": token, "password": PASSWORD},
                             headers={"X-Forwarded-For": "198.51.100.7"}, allow_redirects=False, timeout=10)  # fmt: skip
        assert right.status_code == 303


def test_without_a_trusted_proxy_a_forged_forwarded_for_dodges_nothing(tmp_path: Path) -> None:
    with web_app(tmp_path, {"CQLBOT_OPS_PASSWORD": PASSWORD}) as running:
        statuses = [wrong_passwords(running.base_url, f"203.0.113.{n}", 1)[0] for n in range(11)]
        assert statuses == [401] * 10 + [429]


def test_without_a_slack_app_the_slack_address_takes_nothing(tmp_path: Path) -> None:
    with web_app(tmp_path, {"SLACK_SIGNING_SECRET": ""}) as running:
        answer = requests.post(f"{running.base_url}/slack/actions", data=press("1:"), timeout=10)
        assert answer.status_code == 404 and answer.json()["error"] == "not_configured"
