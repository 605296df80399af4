"""The ops session cookie, the login throttle and the redirect after sign-in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from bot.clock import FixedClock
from bot.db import make_engine
from bot.routing.team import load_team
from bot.settings import PROJECT_ROOT
from bot.web.ops_auth import (
    FAILURE_WINDOW_SECONDS,
    MAX_ACCOUNT_FAILURES,
    MAX_FAILURES,
    SESSION_SECONDS,
    LoginThrottle,
    SessionStore,
    _safe_next,
    sessions_table,
)
from bot.web.slack_actions import _actor
from tests.conftest import NOW

PASSWORD = b"correct horse"


class Ticking:
    def __init__(self, at: float = 1_800_000_000.0) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def store(database_url: str, clock: FixedClock) -> SessionStore:
    return SessionStore(make_engine(database_url), b"k" * 32, clock)


def test_a_session_reads_back_until_it_expires(store: SessionStore, clock: FixedClock) -> None:
    cookie = store.issue(PASSWORD)
    session = store.read(cookie, [PASSWORD])
    assert session is not None and session.expires == NOW + timedelta(seconds=SESSION_SECONDS)
    assert len(session.csrf) >= 32
    clock.at = NOW + timedelta(seconds=SESSION_SECONDS)
    assert store.read(cookie, [PASSWORD]) is None


def test_a_tampered_or_foreign_cookie_is_refused(store: SessionStore, database_url: str, clock: FixedClock) -> None:
    session_id, _, signature = store.issue(PASSWORD).partition(".")
    assert store.read(f"{session_id}x.{signature}", [PASSWORD]) is None
    # The first character carries six whole bits of the signature (the last may carry padding only).
    tampered = ("B" if signature[0] == "A" else "A") + signature[1:]
    assert store.read(f"{session_id}.{tampered}", [PASSWORD]) is None
    other = SessionStore(make_engine(database_url), b"x" * 32, clock)  # another key
    assert other.read(f"{session_id}.{signature}", [PASSWORD]) is None
    for junk in (None, "", "a.b", "." * 3, "1" * 500, "é.é"):
        assert store.read(junk, [PASSWORD]) is None


def test_the_lifetime_is_the_servers_whatever_the_row_says(
    store: SessionStore, database_url: str, clock: FixedClock
) -> None:
    cookie = store.issue(PASSWORD)
    with make_engine(database_url).begin() as connection:  # an expiry stretched by hand, or by a bug
        connection.execute(update(sessions_table).values(expires_at=NOW + timedelta(days=10_000)))
    clock.at = NOW + timedelta(seconds=SESSION_SECONDS + 1)
    assert store.read(cookie, [PASSWORD]) is None


def test_signing_out_ends_the_session_for_good(store: SessionStore) -> None:
    cookie = store.issue(PASSWORD)
    session = store.read(cookie, [PASSWORD])
    assert session is not None
    store.end(session)
    assert store.read(cookie, [PASSWORD]) is None


def test_a_new_password_ends_the_sessions_the_old_one_opened(store: SessionStore) -> None:
    by_password = store.issue(PASSWORD)
    by_token = store.issue(b"the api token")
    assert store.read(by_password, [b"new password", b"the api token"]) is None
    assert store.read(by_token, [b"new password", b"the api token"]) is not None


def test_the_throttle_forgets_failures_after_the_window() -> None:
    clock = Ticking(100.0)
    throttle = LoginThrottle(clock)
    for _ in range(MAX_FAILURES):
        assert not throttle.blocked("10.0.0.1")
        throttle.failed("10.0.0.1")
    assert throttle.blocked("10.0.0.1") and not throttle.blocked("10.0.0.2")
    clock.at += FAILURE_WINDOW_SECONDS + 1
    assert not throttle.blocked("10.0.0.1")


def test_guesses_spread_over_many_addresses_are_throttled_too() -> None:
    clock = Ticking(100.0)
    throttle = LoginThrottle(clock)
    for n in range(MAX_ACCOUNT_FAILURES):
        throttle.failed(f"10.0.{n // 250}.{n % 250}")
    assert throttle.blocked("192.0.2.7")  # a fresh address waits too
    clock.at += FAILURE_WINDOW_SECONDS + 1
    assert not throttle.blocked("192.0.2.7")


def test_after_sign_in_only_an_ops_path_is_followed() -> None:
    assert _safe_next("/ops/inbox?to=ae:lena") == "/ops/inbox?to=ae:lena"
    for foreign in ("https://evil.example/ops", "//evil.example/ops", "/ops\\@evil", "/api/leads", "/ops/login", ""):
        assert _safe_next(foreign) == "/ops"


def test_a_slack_user_known_in_the_team_acts_as_that_ae() -> None:
    team = load_team(PROJECT_ROOT / "ops" / "team.yml")
    lena = team.by_key["lena"]
    with_id = team.model_copy(update={"aes": [lena.model_copy(update={"slack_user_id": "U0LENA"})] + team.aes[1:]})
    assert _actor(with_id, {"id": "U0LENA"}) == "ae:lena"
    assert _actor(with_id, {"id": "U0OTHER"}) == "slack:U0OTHER"
    assert _actor(with_id, {"username": "x" * 100}) == "slack:" + "x" * 40
