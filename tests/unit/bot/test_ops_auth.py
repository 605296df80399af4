"""The ops session cookie, the login throttle and the redirect after sign-in."""

from __future__ import annotations

from bot.routing.team import load_team
from bot.settings import PROJECT_ROOT
from bot.web.ops_auth import (
    FAILURE_WINDOW_SECONDS,
    MAX_FAILURES,
    SESSION_SECONDS,
    LoginThrottle,
    SessionCodec,
    _safe_next,
)
from bot.web.slack_actions import _actor


class Ticking:
    def __init__(self, at: float = 1_800_000_000.0) -> None:
        self.at = at

    def __call__(self) -> float:
        return self.at


def test_a_session_reads_back_until_it_expires() -> None:
    clock = Ticking()
    codec = SessionCodec(b"k" * 32, clock)
    value = codec.issue()
    session = codec.read(value)
    assert session is not None and session.expires == int(clock.at) + SESSION_SECONDS and len(session.csrf) >= 32
    clock.at += SESSION_SECONDS + 1
    assert codec.read(value) is None


def test_a_tampered_or_foreign_session_is_refused() -> None:
    codec = SessionCodec(b"k" * 32, Ticking())
    expires, csrf, signature = codec.issue().split(".")
    assert codec.read(f"{int(expires) + 3600}.{csrf}.{signature}") is None  # extended by hand
    assert codec.read(f"{expires}.other.{signature}") is None
    assert SessionCodec(b"x" * 32, Ticking()).read(f"{expires}.{csrf}.{signature}") is None  # another key
    for junk in (None, "", "a.b", "." * 3, "1" * 500):
        assert codec.read(junk) is None


def test_the_throttle_forgets_failures_after_the_window() -> None:
    clock = Ticking(100.0)
    throttle = LoginThrottle(clock)
    for _ in range(MAX_FAILURES):
        assert not throttle.blocked("10.0.0.1")
        throttle.failed("10.0.0.1")
    assert throttle.blocked("10.0.0.1") and not throttle.blocked("10.0.0.2")
    clock.at += FAILURE_WINDOW_SECONDS + 1
    assert not throttle.blocked("10.0.0.1")


def test_after_sign_in_only_an_ops_path_is_followed() -> None:
    assert _safe_next("/ops/inbox?to=ae:lena") == "/ops/inbox?to=ae:lena"
    for foreign in ("https://evil.example/ops", "//evil.example/ops", "/ops\\@evil", "/api/leads", "/ops/login", ""):
        assert _safe_next(foreign) == "/ops"


def test_a_slack_user_known_in_the_team_acts_as_that_ae() -> None:
    team = load_team(PROJECT_ROOT / "ops" / "team.yml")
    lena = team.by_key["lena"]
    with_id = team.copy(update={"aes": [lena.copy(update={"slack_user_id": "U0LENA"})] + team.aes[1:]})
    assert _actor(with_id, {"id": "U0LENA"}) == "ae:lena"
    assert _actor(with_id, {"id": "U0OTHER"}) == "slack:U0OTHER"
    assert _actor(with_id, {"username": "x" * 100}) == "slack:" + "x" * 40
