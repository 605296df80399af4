"""Which programs from outside Python the project runs, against the ones
``scripts/system_packages.sh`` provides (``scripts/system-packages.tsv``).

Two checks use this: ``tests/unit/test_system_packages.py`` reads the source
for the programs it names (``shutil.which("nginx")``, ``["git", "ls-files"]``
handed to a subprocess, ``/usr/bin/chromium``), and ``tests/conftest.py``
records every program a test session really starts and fails the session if
one is missing from the manifest. Programs of the project's own virtual
environment or folder (Python, Rasa, the project's scripts) need no package.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterable, List, Set

PROJECT_ROOT = Path(__file__).resolve().parents[2]
MANIFEST = PROJECT_ROOT / "scripts" / "system-packages.tsv"
#: Calls that run the program named by their first argument.
_RUNNERS = {"run", "Popen", "call", "check_call", "check_output", "create_subprocess_exec", "_run", "execvp", "execv"}
_SYSTEM_PATH = re.compile(r"^/(?:usr/)?(?:s?bin|lib/postgresql/[^/]+/bin)/([A-Za-z0-9_.+-]+)$")


@dataclass(frozen=True)
class Provided:
    program: str
    package: str  # "-" when no package is installed for it (already on the machine)
    needed_by: frozenset


def manifest(path: Path = MANIFEST) -> Dict[str, Provided]:
    provided = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 4 or not all(field.strip() for field in fields):
            raise ValueError(f"{path}:{number}: expected program, package, needed by and why, tab-separated")
        program, package, needed_by, _why = fields
        provided[program] = Provided(program, package, frozenset(needed_by.split()))
    return provided


def _program_of(node: ast.AST) -> str | None:
    """The program a literal names: a bare name, or the last part of a system path."""
    if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
        return None
    text = node.value
    matched = _SYSTEM_PATH.match(text)
    if matched:
        return matched.group(1)
    return text if re.fullmatch(r"[A-Za-z][A-Za-z0-9_.+-]*", text) else None


def programs_named_in(source: str) -> Set[str]:
    """The programs a Python source names: looked up, started, or given by a system path."""
    found: Set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            matched = _SYSTEM_PATH.match(node.value.replace("*", "x"))
            if matched:
                found.add(matched.group(1))
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        first = node.args[0]
        if name == "which":
            program = _program_of(first)
        elif name in _RUNNERS:
            program = _program_of(first.elts[0] if isinstance(first, (ast.List, ast.Tuple)) and first.elts else first)
        else:
            continue
        if program:
            found.add(program)
    return found


def programs_named_in_files(paths: Iterable[Path]) -> Dict[str, List[str]]:
    """Each program named, with the files that name it."""
    named: Dict[str, List[str]] = {}
    for path in paths:
        for program in programs_named_in(path.read_text(encoding="utf-8")):
            named.setdefault(program, []).append(str(path.relative_to(PROJECT_ROOT)))
    return named


def own_program(path: str) -> bool:
    """A program of the project's own environments: a file in its folder (its two venvs
    among them, as named, before a venv's python resolves to the Python it was made from),
    this Python, or what this Python was made from."""
    named = os.path.abspath(path)
    resolved = os.path.realpath(path)
    roots = {os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix), str(PROJECT_ROOT)}
    return resolved == os.path.realpath(sys.executable) or any(
        candidate.startswith(root + os.sep) for root in roots for candidate in (named, resolved)
    )


class ProgramRecorder:
    """Records the program of every subprocess this process starts."""

    def __init__(self) -> None:
        self.started: Set[str] = set()
        self._original: Any = None

    def install(self) -> None:
        original = self._original = subprocess.Popen.__init__
        recorder = self

        def recording_init(popen: subprocess.Popen, args: Any, *rest: Any, **kwargs: Any) -> None:
            recorder.note(
                kwargs.get("executable") or (args if isinstance(args, (str, bytes, os.PathLike)) else args[0])
            )
            original(popen, args, *rest, **kwargs)

        subprocess.Popen.__init__ = recording_init  # type: ignore[method-assign]

    def uninstall(self) -> None:
        if self._original is not None:
            subprocess.Popen.__init__ = self._original  # type: ignore[method-assign]

    def note(self, program: Any) -> None:
        self.started.add(os.fsdecode(program))

    def unprovided(self, provided: Dict[str, Provided]) -> Set[str]:
        """Programs started that are neither the project's own nor in the manifest."""
        missing = set()
        for program in self.started:
            if os.sep in program and own_program(program):
                continue
            if os.path.basename(program) not in provided:
                missing.add(program)
        return missing
