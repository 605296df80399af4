"""make rescore: previewing a policy change on stored leads, then applying it."""

from __future__ import annotations

from pathlib import Path

from bot.leads.store import LeadStore
from bot.rescore import preview
from bot.scoring.policy import load_policy
from bot.settings import PROJECT_ROOT
from tests.support.leads import PLAYBOOK, RAJ, complete_conversation

OPS = PROJECT_ROOT / "ops"


def _completed_lead(store: LeadStore) -> None:
    complete_conversation(store, "s1", RAJ)


def test_a_higher_cql_threshold_is_previewed_then_applied(store: LeadStore, tmp_path: Path) -> None:
    _completed_lead(store)
    default = load_policy(OPS / "scoring.yml", PLAYBOOK)
    assert preview(store, default) == (1, [])

    stricter_file = tmp_path / "scoring.yml"
    stricter_file.write_text((OPS / "scoring.yml").read_text().replace("    min_points: 60", "    min_points: 90"))
    stricter = load_policy(stricter_file, PLAYBOOK)
    seen, changes = preview(store, stricter)
    assert seen == 1
    assert [(c.old_status, c.new.tier.value, c.new.points) for c in changes] == [("cql", "nurture", 75)]
    assert store.conversation_record("s1")["lead"]["status"] == "cql"  # type: ignore[index]  # preview writes nothing

    store.rescore(changes[0].lead_id, changes[0].new)
    lead = store.conversation_record("s1")["lead"]  # type: ignore[index]
    assert lead["status"] == "nurture"
    assert lead["policy_version"] == stricter.policy_version
    assert [(c["from"], c["to"], c["cause"]) for c in lead["status_history"]] == [
        ("new", "cql", "scored"),
        ("cql", "nurture", "rescored"),
    ]
    assert preview(store, stricter) == (1, [])
