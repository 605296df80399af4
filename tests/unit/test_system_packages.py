"""Every program from outside Python that the code or a test runs is one the
set-up script installs or checks for (scripts/system-packages.tsv)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.programs import (
    MANIFEST,
    PROJECT_ROOT,
    ProgramRecorder,
    manifest,
    programs_named_in,
    programs_named_in_files,
)

SOURCES = ("bot", "actions", "calendar_booking", "benchmarks", "tests", "scripts")
SCRIPT = PROJECT_ROOT / "scripts" / "system_packages.sh"


def project_sources() -> list[Path]:
    return [path for folder in SOURCES for path in sorted((PROJECT_ROOT / folder).rglob("*.py"))]


def test_every_program_the_code_names_is_in_the_manifest() -> None:
    provided = manifest()
    named = programs_named_in_files(project_sources())
    unprovided = {program: files for program, files in named.items() if program not in provided}
    assert not unprovided, f"programs with no entry in {MANIFEST.name}: {unprovided}"
    # The scan sees the servers the tests start; a scan that found nothing would prove nothing.
    assert {"initdb", "pg_ctl", "redis-server", "nginx", "chromium", "git"} <= set(named)


def test_every_package_in_the_manifest_gives_a_program_the_code_runs() -> None:
    named = programs_named_in_files(project_sources())
    packages_used = {entry.package for entry in manifest().values() if entry.program in named}
    assert {entry.package for entry in manifest().values()} - {"-"} <= packages_used


def test_the_scan_finds_programs_however_they_are_named() -> None:
    source = """
import shutil, subprocess, asyncio
shutil.which("ffmpeg")
subprocess.run(["convert", "-resize"], check=True)
subprocess.Popen(("tesseract", "in.png"))
asyncio.create_subprocess_exec("pandoc", "-o")
BROWSER = Path("/usr/bin/firefox")
glob.glob("/usr/lib/postgresql/*/bin/psql")
subprocess.run([sys.executable, "-m", "bot.web"])
print("not a program")
"""
    assert programs_named_in(source) == {"ffmpeg", "convert", "tesseract", "pandoc", "firefox", "psql"}


def test_the_recorder_flags_a_started_program_the_manifest_lacks() -> None:
    recorder = ProgramRecorder()
    recorder.install()
    try:
        subprocess.run(["bash", "-c", "exit 0"], check=True)
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        subprocess.run(["git", "--version"], capture_output=True, check=True)
    finally:
        recorder.uninstall()
    without_bash = {program: entry for program, entry in manifest().items() if program != "bash"}
    assert recorder.unprovided(without_bash) == {"bash"}
    assert recorder.unprovided(manifest()) == set()


@pytest.mark.parametrize("command, needed", [("test", {"postgresql", "chromium", "redis-server", "nginx-light"}),
                                              ("cluster", {"postgresql", "redis-server", "nginx-light"})])  # fmt: skip
def test_the_manifest_names_the_packages_each_command_needs(command: str, needed: set) -> None:
    assert {entry.package for entry in manifest().values() if command in entry.needed_by} - {"-"} == needed


def test_without_root_or_sudo_the_script_names_the_packages_and_the_command(tmp_path: Path) -> None:
    """Run as if nothing were installed and there were no way to install it."""
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "system_packages.sh").write_text(SCRIPT.read_text(encoding="utf-8"), encoding="utf-8")
    (scripts / "system-packages.tsv").write_text(
        "# program\tpackage\tneeded by\twhy\nno-such-program-a\tpkg-a\ttest\tx\nno-such-program-b\tpkg-b\tcluster\ty\n",
        encoding="utf-8",
    )
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("id", "sudo"):  # not root, and sudo asks for a password
        tool = bin_dir / name
        tool.write_text("#!/bin/sh\n" + ("echo 1000\n" if name == "id" else "exit 1\n"), encoding="utf-8")
        tool.chmod(0o755)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin"}
    done = subprocess.run(
        ["bash", str(scripts / "system_packages.sh"), "test"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 1
    assert "make test needs these Debian packages, which are not installed: pkg-a" in done.stderr
    assert "sudo apt-get install -y pkg-a\n" in done.stderr and "pkg-b" not in done.stderr
    nothing = subprocess.run(["bash", str(scripts / "system_packages.sh"), "run"], env=env, capture_output=True)
    assert nothing.returncode == 0 and not nothing.stderr


def test_a_malformed_manifest_line_is_named_by_file_and_line(tmp_path: Path) -> None:
    scripts = tmp_path / "scripts"
    scripts.mkdir()
    (scripts / "system_packages.sh").write_text(SCRIPT.read_text(encoding="utf-8"), encoding="utf-8")
    (scripts / "system-packages.tsv").write_text(
        "# program\tpackage\tneeded by\twhy\nnginx nginx-light test\n", encoding="utf-8"
    )
    done = subprocess.run(["bash", str(scripts / "system_packages.sh"), "test"], capture_output=True, text=True)
    assert done.returncode == 2
    assert "scripts/system-packages.tsv:2: expected program, package, needed by and why, tab-separated" in done.stderr
