"""The Rasa server's package imports nothing from the rest of the product, and
the answer parsers it shares with the product import nothing of ours at all."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Set

ROOT = Path(__file__).resolve().parents[3]
#: Our own top-level packages: every folder of the project with Python in it.
OURS = {path.parent.name for path in ROOT.glob("*/__init__.py")}


def imported_top_levels(package: str) -> Dict[str, Set[str]]:
    """Each of our top-level packages that ``package`` imports, with the files that import it."""
    found: Dict[str, Set[str]] = {}
    for path in sorted((ROOT / package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in OURS:
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def test_our_packages_are_found() -> None:
    assert {"bot", "actions", "calendar_booking", "rasa_server", "answers"} <= OURS


def test_the_rasa_server_imports_only_itself_and_the_answer_parsers() -> None:
    crossing = {
        top: files for top, files in imported_top_levels("rasa_server").items() if top not in {"rasa_server", "answers"}
    }
    assert not crossing, f"rasa_server imports the rest of the product: {crossing}"


def test_the_answer_parsers_import_nothing_of_ours() -> None:
    crossing = {top: files for top, files in imported_top_levels("answers").items() if top != "answers"}
    assert not crossing, f"answers imports: {crossing}"


def test_the_scan_sees_an_import_that_crosses(tmp_path: Path) -> None:
    source = "import os\nfrom bot.db import make_engine\ndef f():\n    import actions.runtime\n"
    tree = ast.parse(source)
    tops = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    tops |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    assert tops & OURS == {"bot", "actions"}
