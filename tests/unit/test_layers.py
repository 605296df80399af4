"""No import runs upward: each package imports only its own layer and the layers below.

From the bottom: libraries that know nothing of the product, the product's
core (settings, database, clock, errors), the domain, the composition root
that wires the domain together, the interfaces (web app, actions, CLIs), and
the processes that run them. Inside the domain, routing decides and
notifications tell people about it: routing never imports notifications.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, List, Tuple

ROOT = Path(__file__).resolve().parents[2]
LAYERS: List[Tuple[str, set]] = [
    ("libraries", {"answers", "calendar_booking", "rasa_server"}),
    ("core", {"bot.errors", "bot.clock", "bot.private_files", "bot.config_files", "bot.env_secrets", "bot.settings",
              "bot.logging_setup", "bot.metrics", "bot.db", "bot.playbook", "bot.languages"}),
    ("domain", {"bot.qualification", "bot.scoring", "bot.conversation", "bot.visit", "bot.leads", "bot.routing",
                "bot.scheduling", "bot.notifications", "bot.dashboard", "bot.translations"}),
    ("composition", {"bot.services", "bot.migrations", "bot.migrate"}),
    ("interfaces", {"bot.web", "actions", "bot.action_server", "bot.check", "bot.rescore", "bot.cli"}),
    ("processes", {"bot.processes"}),
]  # fmt: skip
#: Pairs inside one layer where the first must not import the second.
FORBIDDEN = {("bot.routing", "bot.notifications"), ("bot.scheduling", "bot.notifications")}
PACKAGES = ("bot", "actions", "calendar_booking", "answers", "rasa_server")


def unit_of(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "bot" and len(parts) > 1 else parts[0]


def rank(unit: str) -> int:
    for index, (_name, units) in enumerate(LAYERS):
        if unit in units:
            return index
    raise AssertionError(f"{unit} is in no layer of {__file__}: add it where it belongs")


def imports_of(path: Path) -> List[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
    return [name for name in found if name.split(".")[0] in PACKAGES and name != "bot"]


def upward_imports(root: Path = ROOT) -> Dict[str, List[str]]:
    upward: Dict[str, List[str]] = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            source = unit_of(".".join(path.relative_to(root).with_suffix("").parts))
            if source == "bot.__init__":
                continue
            for name in imports_of(path):
                target = unit_of(name)
                if target != source and (rank(target) > rank(source) or (source, target) in FORBIDDEN):
                    upward.setdefault(str(path.relative_to(root)), []).append(name)
    return upward


def test_no_import_runs_upward() -> None:
    assert upward_imports() == {}


def test_every_unit_of_the_product_has_a_layer() -> None:
    units = {
        unit_of(".".join(p.relative_to(ROOT).with_suffix("").parts))
        for pkg in PACKAGES
        for p in (ROOT / pkg).rglob("*.py")
    }
    for unit in units - {"bot.__init__"}:
        rank(unit)


def test_an_import_from_a_higher_layer_is_seen(tmp_path: Path) -> None:
    files = {
        "bot/notifications/worker.py": "from bot.web.background import run_in_background\n",
        "bot/web/dashboard.py": "def f():\n    from bot.processes.stack import Stack\n",
        "bot/routing/log.py": "from bot.notifications.events import enqueue_request\nfrom bot.leads.models import Lead\n",
        "actions/booking.py": "from bot.services import get_services\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert upward_imports(tmp_path) == {
        "bot/notifications/worker.py": ["bot.web.background"],
        "bot/web/dashboard.py": ["bot.processes.stack"],
        "bot/routing/log.py": ["bot.notifications.events"],
    }
