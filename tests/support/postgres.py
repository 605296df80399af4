"""A real PostgreSQL server for the tests: ``initdb`` into a temporary folder,
``pg_ctl`` on a free port, one fresh database per test.

Debian's ``postgresql`` package provides the binaries (``.ci/run`` installs
it). PostgreSQL refuses to run as root, so as root the server runs as the
``postgres`` user the package creates.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import List

import psycopg2

from bot.stack import free_port

SUPERUSER = "cqlbot"


def find_bin_dir() -> Path:
    """Where initdb and pg_ctl are: on PATH, or Debian's versioned folder."""
    on_path = shutil.which("initdb")
    if on_path:
        return Path(os.path.realpath(on_path)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not versions:
        raise RuntimeError("PostgreSQL is not installed: apt-get install postgresql (.ci/run does this)")
    return Path(versions[-1]).parent


class PostgresServer:
    """One throwaway server; ``database()`` hands out fresh, empty databases."""

    def __init__(self) -> None:
        self.bin_dir = find_bin_dir()
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="cqlbot-pg-"))
        self.data_dir = self.root / "data"
        self.as_root = os.geteuid() == 0

    def _run(self, *argv: str) -> None:
        command: List[str] = [str(self.bin_dir / argv[0]), *argv[1:]]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed ({result.returncode}): {result.stderr[-2000:]}")

    def start(self) -> None:
        if self.as_root:
            account = pwd.getpwnam("postgres")
            os.chown(self.root, account.pw_uid, account.pw_gid)
        self._run("initdb", "-D", str(self.data_dir), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--no-sync")
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        self._run("pg_ctl", "-D", str(self.data_dir), "-o", options, "-l", str(self.root / "server.log"), "-w", "start")

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def database(self) -> str:
        """Creates an empty database and returns its URL."""
        name = f"t_{uuid.uuid4().hex[:16]}"
        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, dbname="postgres")
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute(f'CREATE DATABASE "{name}"')
        finally:
            connection.close()
        return self.url(name)
