"""The ops sign-in and the AE inbox on the running web app: the local
notifier's alerts, readable by a signed-in person only, with visitor text
rendered inert."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Iterator, Tuple

import pytest
import requests

from bot.clock import SystemClock
from bot.db import make_engine, make_session_factory
from bot.leads.store import LeadStore
from bot.notifications.outbox import enqueue
from tests.support.leads import RAJ, complete_conversation, with_email
from tests.support.stack import API_AUTH, API_TOKEN, ApiServer, web_app

PASSWORD = "correct horse battery"
HOSTILE_NAME = '<script>alert("owned")</script> Raj'
HOSTILE_WORDS = '<img src=x onerror=alert(1)> "cut churn" & more'


@pytest.fixture(scope="module")
def inbox_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Tuple[ApiServer, int]]:
    """A web app whose outbox holds one alert for Lena about a visitor with a hostile name."""
    with web_app(tmp_path_factory.mktemp("inbox"), {"CQLBOT_OPS_PASSWORD": PASSWORD}) as server:
        engine = make_engine(server.database_url)
        store = LeadStore(make_session_factory(engine), SystemClock())
        answers = {**with_email(RAJ, "inbox@fernhill.example"), "full_name": HOSTILE_NAME, "use_case": HOSTILE_WORDS}
        complete_conversation(store, "inbox-1", answers)
        lead_id = store.lead_id_for("inbox-1")
        assert lead_id is not None
        with engine.begin() as connection:
            for recipient in ("ae:lena", "team:enterprise_emea"):
                enqueue(
                    connection, kind="cql_no_meeting", recipient=recipient, event_key="abandoned:inbox-1",
                    subject={"why": "abandoned", "ae_key": "lena"}, lead_id=lead_id, now=datetime.now(UTC),
                )  # fmt: skip
        deadline = time.monotonic() + 15  # the web app's worker delivers to the local inbox
        while time.monotonic() < deadline:
            items = requests.get(f"{server.base_url}/api/notifications", headers=API_AUTH, timeout=10).json()["items"]
            if items and all(item["status"] == "delivered" for item in items):
                break
            time.sleep(0.2)
        yield server, lead_id


def login_form(session: requests.Session, base_url: str, next_path: str = "/ops/inbox") -> str:
    page = session.get(f"{base_url}/ops/login", params={"next": next_path}, timeout=10)
    assert page.status_code == 200
    match = re.search(r'name="login_token" value="([^"]+)"', page.text)
    assert match
    return match.group(1)


def post_login(
    session: requests.Session, base_url: str, password: str = PASSWORD, next_path: str = "/ops/inbox"
) -> requests.Response:
    """Fills in and sends the login form the way a browser does (its token cookie included)."""
    token = login_form(session, base_url)
    data = {"login_token": token, "password": password, "next": next_path}
    return session.post(f"{base_url}/ops/login", data=data, allow_redirects=False, timeout=10)


def sign_in(base_url: str, password: str = PASSWORD) -> requests.Session:
    session = requests.Session()
    answer = post_login(session, base_url, password)
    assert answer.status_code == 303 and answer.headers["Location"] == "/ops/inbox"
    return session


def test_pages_and_data_need_a_session_or_the_token(inbox_server: Tuple[ApiServer, int]) -> None:
    server, _ = inbox_server
    page = requests.get(f"{server.base_url}/ops/inbox", allow_redirects=False, timeout=10)
    assert page.status_code == 303 and page.headers["Location"] == "/ops/login?next=%2Fops%2Finbox"
    assert requests.get(f"{server.base_url}/ops", allow_redirects=False, timeout=10).status_code == 303
    assert requests.get(f"{server.base_url}/api/notifications", timeout=10).status_code == 401
    forged = {"cqlbot_ops": "9999999999.abc.forged"}
    assert (
        requests.get(f"{server.base_url}/ops/inbox", cookies=forged, allow_redirects=False, timeout=10).status_code
        == 303
    )


def test_sign_in_sets_a_strict_http_only_cookie_and_both_secrets_work(inbox_server: Tuple[ApiServer, int]) -> None:
    server, _ = inbox_server
    session = requests.Session()
    answer = post_login(session, server.base_url)
    cookie = next(c for c in answer.headers.get("Set-Cookie", "").split(", ") if "cqlbot_ops=" in c)
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/ops" in cookie and "Max-Age=28800" in cookie
    assert session.get(f"{server.base_url}/ops/inbox", timeout=10).status_code == 200
    assert sign_in(server.base_url, password=API_TOKEN).get(f"{server.base_url}/ops/inbox", timeout=10).ok


def test_a_wrong_password_a_stale_form_and_a_foreign_next_are_refused(inbox_server: Tuple[ApiServer, int]) -> None:
    server, _ = inbox_server
    wrong = post_login(requests.Session(), server.base_url, "guess")
    assert (
        wrong.status_code == 401
        and "That password is not right." in wrong.text
        and "cqlbot_ops=" not in str(wrong.headers)
    )
    no_form_token = requests.post(
        f"{server.base_url}/ops/login", data={"password": PASSWORD}, allow_redirects=False, timeout=10
    )
    assert no_form_token.status_code == 403  # a login posted from another site
    answer = post_login(requests.Session(), server.base_url, next_path="//evil.example/ops")
    assert answer.headers["Location"] == "/ops"


def test_the_inbox_shows_the_alert_with_visitor_text_inert(inbox_server: Tuple[ApiServer, int]) -> None:
    server, lead_id = inbox_server
    session = sign_in(server.base_url)
    page = session.get(f"{server.base_url}/ops/inbox", params={"to": "ae:lena"}, timeout=10)
    assert page.status_code == 200
    assert "Content-Security-Policy" in page.headers and page.headers["Cache-Control"] == "no-store"
    assert page.text.count('class="alert-card delivered"') == 1  # Lena's, not the team's
    assert "Hot lead, no meeting yet: left before picking a time" in page.text
    assert "To Lena Hoffmann" in page.text and f"lead #{lead_id}" in page.text
    assert "&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt; Raj" in page.text
    assert "&lt;img src=x onerror=alert(1)&gt; &quot;cut churn&quot; &amp; more" in page.text
    assert "<script>" not in page.text and "<img" not in page.text
    assert "Delivered" in page.text and "via local" in page.text
    assert "SLACK_BOT_TOKEN is not set" in page.text
    everyone = session.get(f"{server.base_url}/ops/inbox", timeout=10).text
    assert everyone.count('class="alert-card delivered"') == 2
    assert "No alerts yet." in session.get(f"{server.base_url}/ops/inbox", params={"to": "ae:nobody"}, timeout=10).text
    bad = session.get(f"{server.base_url}/ops/inbox", params={"to": "<b>lena</b>"}, timeout=10)
    assert bad.status_code == 400 and "to must be ae:&lt;key&gt; or team:&lt;key&gt;" in bad.text


def test_the_notifications_api_filters_and_refuses_bad_filters(inbox_server: Tuple[ApiServer, int]) -> None:
    server, lead_id = inbox_server
    url = f"{server.base_url}/api/notifications"
    [item] = requests.get(url, params={"to": "team:enterprise_emea"}, headers=API_AUTH, timeout=10).json()["items"]
    assert (item["kind"], item["recipient"], item["lead_id"], item["status"]) == (
        "cql_no_meeting", "team:enterprise_emea", lead_id, "delivered"
    )  # fmt: skip
    assert item["delivery"] == {"channel": "local"} and item["text"].startswith("Hot lead, no meeting yet")
    assert requests.get(url, params={"status": "pending"}, headers=API_AUTH, timeout=10).json()["items"] == []
    everything = requests.get(url, params={"to": "", "status": ""}, headers=API_AUTH, timeout=10)  # empty: all
    assert everything.status_code == 200 and len(everything.json()["items"]) == 2
    bad_filters = ({"status": "lost"}, {"limit": "0"}, {"limit": "201"}, {"limit": ""}, {"limit": "٣"},
                   {"to": "ae:" + "x" * 500}, {"recipient": "x"})  # fmt: skip
    for bad in bad_filters:
        answer = requests.get(url, params=bad, headers=API_AUTH, timeout=10)
        assert answer.status_code == 400 and answer.json()["error"] == "bad_parameter"
    detail = requests.get(f"{server.base_url}/api/leads/{lead_id}", headers=API_AUTH, timeout=10).json()
    assert {n["recipient"]: n["via"] for n in detail["notifications"]} == {
        "ae:lena": "local", "team:enterprise_emea": "local"
    }  # fmt: skip


def test_sign_out_needs_the_csrf_token_and_ends_the_session(inbox_server: Tuple[ApiServer, int]) -> None:
    server, _ = inbox_server
    session = sign_in(server.base_url)
    page = session.get(f"{server.base_url}/ops/inbox", timeout=10).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf
    forged = session.post(f"{server.base_url}/ops/logout", data={"csrf": "nope"}, allow_redirects=False, timeout=10)
    assert forged.status_code == 403
    assert session.get(f"{server.base_url}/ops/inbox", allow_redirects=False, timeout=10).status_code == 200
    out = session.post(f"{server.base_url}/ops/logout", data={"csrf": csrf.group(1)}, allow_redirects=False, timeout=10)
    assert out.status_code == 303 and out.headers["Location"] == "/ops/login"
    assert session.get(f"{server.base_url}/ops/inbox", allow_redirects=False, timeout=10).status_code == 303


def test_ten_wrong_passwords_lock_the_address_out(tmp_path: Path) -> None:
    with web_app(tmp_path, {"CQLBOT_OPS_PASSWORD": "right"}) as server:
        session = requests.Session()
        statuses = []
        for _ in range(11):
            token = login_form(session, server.base_url)
            answer = session.post(
                f"{server.base_url}/ops/login", data={"login_token": token, "password": "wrong"}, timeout=10
            )
            statuses.append(answer.status_code)
        assert statuses == [401] * 10 + [429]
        token = login_form(session, server.base_url)
        right = session.post(
            f"{server.base_url}/ops/login", data={"login_token": token, "password": "right"}, timeout=10
        )
        assert right.status_code == 429  # even the right password waits out the lock


def test_the_dashboard_pages_need_a_session(inbox_server: Tuple[ApiServer, int]) -> None:
    server, lead_id = inbox_server
    for path in ("/ops", "/ops/leads", f"/ops/leads/{lead_id}", f"/ops/leads/{lead_id}/export", "/ops/config"):
        answer = requests.get(f"{server.base_url}{path}", allow_redirects=False, timeout=10)
        assert answer.status_code == 303 and answer.headers["Location"].startswith("/ops/login?next="), path
    erase = requests.post(f"{server.base_url}/ops/leads/{lead_id}/erase", allow_redirects=False, timeout=10)
    assert erase.status_code == 303  # to the login: nothing erased


def test_the_lead_page_shows_the_lead_escaped_and_exports_it(inbox_server: Tuple[ApiServer, int]) -> None:
    server, lead_id = inbox_server
    session = sign_in(server.base_url)
    listing = session.get(f"{server.base_url}/ops/leads", params={"email": "inbox@fernhill.example"}, timeout=10)
    assert f'href="/ops/leads/{lead_id}"' in listing.text and "&lt;script&gt;" in listing.text
    page = session.get(f"{server.base_url}/ops/leads/{lead_id}", timeout=10)
    assert page.status_code == 200 and "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text  # the use case, as text
    assert "cql_no_meeting" in page.text  # the alerts' delivery
    export = session.get(f"{server.base_url}/ops/leads/{lead_id}/export", timeout=10)
    assert export.headers["Content-Disposition"] == f'attachment; filename="lead-{lead_id}.json"'
    assert export.json()["lead"]["email"] == "inbox@fernhill.example"
    assert session.get(f"{server.base_url}/ops/leads/999999", timeout=10).status_code == 404
    assert session.get(f"{server.base_url}/ops/leads/abc", timeout=10).status_code == 400
    assert session.get(f"{server.base_url}/ops/leads", params={"status": "bogus"}, timeout=10).status_code == 400


def test_the_overview_and_config_pages_render(inbox_server: Tuple[ApiServer, int]) -> None:
    session = sign_in(inbox_server[0].base_url)
    overview = session.get(f"{inbox_server[0].base_url}/ops", params={"days": "365", "by": "campaign"}, timeout=10)
    assert overview.status_code == 200 and "<svg" in overview.text and "By utm campaign" in overview.text
    assert 'role="img"' in overview.text and "Qualified (CQL)" in overview.text
    config = session.get(f"{inbox_server[0].base_url}/ops/config", timeout=10)
    assert config.status_code == 200 and config.text.count("badge ok'>valid") >= 4
    assert "Scoring policy version" in config.text


def test_erasing_from_the_lead_page_needs_the_csrf_token_and_a_tick(tmp_path: Path) -> None:
    with web_app(tmp_path, {"CQLBOT_OPS_PASSWORD": PASSWORD}) as server:
        store = LeadStore(make_session_factory(make_engine(server.database_url)), SystemClock())
        complete_conversation(store, "erase-1", with_email(RAJ, "erase.me@fernhill.example"))
        lead_id = store.lead_id_for("erase-1")
        session = sign_in(server.base_url)
        page = session.get(f"{server.base_url}/ops/leads/{lead_id}", timeout=10).text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page)
        assert csrf
        url = f"{server.base_url}/ops/leads/{lead_id}/erase"
        assert session.post(url, data={"csrf": "forged", "confirm": "yes"}, timeout=10).status_code == 403
        assert session.post(url, data={"csrf": csrf.group(1)}, timeout=10).status_code == 400  # not ticked
        assert requests.get(f"{server.base_url}/api/leads/{lead_id}", headers=API_AUTH, timeout=10).status_code == 200
        done = session.post(url, data={"csrf": csrf.group(1), "confirm": "yes"}, allow_redirects=False, timeout=10)
        assert done.status_code == 303 and done.headers["Location"] == f"/ops/leads?erased={lead_id}"
        gone = requests.get(f"{server.base_url}/api/leads/{lead_id}", headers=API_AUTH, timeout=10)
        assert gone.status_code == 404 and gone.json()["error"] == "erased"


def test_every_response_carries_the_baseline_security_headers(inbox_server: Tuple[ApiServer, int]) -> None:
    server, _ = inbox_server
    for path in ("/healthz", "/api/leads", "/ops/login", "/ops", "/static/widget.js", "/no/such/page"):
        answer = requests.get(f"{server.base_url}{path}", allow_redirects=False, timeout=10)
        assert answer.headers["X-Content-Type-Options"] == "nosniff", path
        assert answer.headers["X-Frame-Options"] == "DENY" and answer.headers["Referrer-Policy"], path
        if not path.startswith("/static/"):
            assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"], path


def test_prometheus_metrics_need_the_token_and_report_the_outbox(inbox_server: Tuple[ApiServer, int]) -> None:
    server, _ = inbox_server
    assert requests.get(f"{server.base_url}/metrics", timeout=10).status_code == 401
    answer = requests.get(f"{server.base_url}/metrics", headers=API_AUTH, timeout=10)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/plain")
    lines = answer.text.splitlines()
    assert 'cqlbot_alerts_delivered_total{via="local"} 2.0' in lines  # the two alerts of the fixture
    assert "cqlbot_alerts_pending 0.0" in lines
    assert any(
        line.startswith('cqlbot_http_request_seconds_count{route="notifications_api",status="200"}') for line in lines
    )
