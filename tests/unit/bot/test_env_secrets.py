"""`make run` generates the deployment's secrets that are unset into .env (0600), and keeps them."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from bot.env_secrets import KEPT_SECRETS, PER_START_SECRETS, ensure_kept_secrets, with_per_start_secrets


def test_missing_secrets_are_generated_saved_privately_and_reused(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("DATABASE_URL=\nCQLBOT_API_TOKEN=\nLOG_LEVEL=INFO\n")
    env_file.chmod(0o644)  # an old one, left readable
    env: dict = {}
    assert ensure_kept_secrets(env, env_file) == list(KEPT_SECRETS)
    assert all(len(env[name]) == 64 and not env[name].startswith("-") for name in KEPT_SECRETS)
    assert len({env[name] for name in KEPT_SECRETS}) == 3  # each its own value, none derived from another
    lines = env_file.read_text().splitlines()
    assert lines == ["DATABASE_URL=", "LOG_LEVEL=INFO", *(f"{name}={env[name]}" for name in KEPT_SECRETS)]
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert ensure_kept_secrets(dict(env), env_file) == []
    assert env_file.read_text().count("CQLBOT_API_TOKEN") == 1


def test_only_the_missing_ones_are_generated(tmp_path: Path) -> None:
    env = {"CQLBOT_API_TOKEN": "mine"}
    assert ensure_kept_secrets(env, tmp_path / ".env") == ["CQLBOT_SESSION_SECRET", "CQLBOT_BOOKING_LINK_SECRET"]
    assert env["CQLBOT_API_TOKEN"] == "mine"
    assert "CQLBOT_API_TOKEN" not in (tmp_path / ".env").read_text()


def test_the_env_file_is_never_readable_by_others_even_while_written(tmp_path: Path) -> None:
    old = os.umask(0)  # the most permissive umask: the file's mode must not depend on it
    try:
        ensure_kept_secrets({}, tmp_path / ".env")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / ".env").stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [".env"]  # no temporary file left behind


def test_a_start_without_env_file_gets_fresh_secrets_its_processes_share() -> None:
    first = with_per_start_secrets({"RASA_AUTH_TOKEN": "given"})
    second = with_per_start_secrets({})
    assert first["RASA_AUTH_TOKEN"] == "given"
    for name in (*KEPT_SECRETS, *PER_START_SECRETS):
        assert first[name] and second[name]
    assert first["ACTION_SERVER_TOKEN"] != second["ACTION_SERVER_TOKEN"]
