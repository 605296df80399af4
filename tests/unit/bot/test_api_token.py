"""`make run` without CQLBOT_API_TOKEN generates one and keeps it in .env."""

from __future__ import annotations

import stat
from pathlib import Path

from bot.stack import ensure_api_token


def test_a_missing_token_is_generated_saved_and_reused(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("DATABASE_URL=\nCQLBOT_API_TOKEN=\nLOG_LEVEL=INFO\n")
    env: dict = {}
    assert ensure_api_token(env, env_file)
    token = env["CQLBOT_API_TOKEN"]
    assert len(token) >= 40
    lines = env_file.read_text().splitlines()
    assert lines == ["DATABASE_URL=", "LOG_LEVEL=INFO", f"CQLBOT_API_TOKEN={token}"]
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    assert not ensure_api_token({"CQLBOT_API_TOKEN": token}, env_file)
    assert env_file.read_text().count("CQLBOT_API_TOKEN") == 1


def test_no_env_file_yet(tmp_path: Path) -> None:
    env: dict = {}
    assert ensure_api_token(env, tmp_path / ".env")
    assert (tmp_path / ".env").read_text() == f"CQLBOT_API_TOKEN={env['CQLBOT_API_TOKEN']}\n"
