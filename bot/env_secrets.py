"""The deployment's own secrets: generated when unset, kept in ``.env`` (mode 0600), never printed.

- **Kept** (:data:`KEPT_SECRETS`): what must survive a restart and be the
  same in every process and replica: the API token, the key that signs ops
  session cookies, the key that signs visitors' meeting links. ``make run``
  generates each one that is unset into ``.env``, which only its owner can read.
- **Per start** (:data:`PER_START_SECRETS`): what only the processes of one
  start share: the Rasa server's API token and the action server's token.
  The supervisor makes new ones every start unless the environment sets them.

Secrets reach processes through the environment, never their command line
(which every local user can read in the process list).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Dict, List, Mapping, MutableMapping

from bot.private_files import write_private

API_TOKEN = "CQLBOT_API_TOKEN"  # noqa: S105 - variable names, not secrets
SESSION_SECRET = "CQLBOT_SESSION_SECRET"  # noqa: S105
BOOKING_LINK_SECRET = "CQLBOT_BOOKING_LINK_SECRET"  # noqa: S105
RASA_AUTH_TOKEN = "RASA_AUTH_TOKEN"  # noqa: S105
ACTION_SERVER_TOKEN = "ACTION_SERVER_TOKEN"  # noqa: S105

KEPT_SECRETS = (API_TOKEN, SESSION_SECRET, BOOKING_LINK_SECRET)
PER_START_SECRETS = (RASA_AUTH_TOKEN, ACTION_SERVER_TOKEN)


def new_secret() -> str:
    """256 random bits as hex: never starts with '-', so it pastes safely into any command."""
    return secrets.token_hex(32)


def ensure_kept_secrets(env: MutableMapping[str, str], env_file: Path) -> List[str]:
    """Generates each kept secret missing from ``env`` into ``env`` and ``env_file``
    (kept 0600, other lines untouched); returns the names it generated."""
    missing = [name for name in KEPT_SECRETS if not env.get(name)]
    if not missing:
        return []
    lines = env_file.read_text(encoding="utf-8").splitlines() if env_file.exists() else []
    kept = [line for line in lines if line.split("=", 1)[0].strip() not in missing]
    for name in missing:
        env[name] = new_secret()
        kept.append(f"{name}={env[name]}")
    write_private(env_file, "\n".join(kept) + "\n")
    return missing


def with_per_start_secrets(env: Mapping[str, str]) -> Dict[str, str]:
    """``env`` with a fresh value for every secret it lacks (kept ones too, for a
    start that has no ``.env``: a test's stack, say); the processes of one start share them."""
    result = dict(env)
    for name in (*KEPT_SECRETS, *PER_START_SECRETS):
        if not result.get(name):
            result[name] = new_secret()
    return result
