"""Files only their owner may read: the data folder, the SQLite databases and the secrets file.

Every process of ours sets the umask to 077 first (:func:`restrict_umask`),
so whatever it creates (a database, its ``-wal`` and ``-shm`` files, a log)
is private from the moment it exists. The helpers here also tighten what an
older version left readable, and create files with their mode in the same
call that creates them, never ``chmod`` afterwards.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
#: SQLite's companions of a database file (WAL mode and rollback journal).
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def restrict_umask() -> None:
    """New files and folders of this process (and its children) are its owner's alone."""
    os.umask(0o077)


def private_dir(path: Path, tighten_existing: bool = False) -> Path:
    """Creates ``path`` (and missing parents) as 0700. An existing folder is left as it
    is (it may be /tmp, or shared on purpose) unless ``tighten_existing``: then it
    becomes 0700 too (our own data folder, left 0755 by an older version)."""
    missing = not path.exists()
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    if (missing or tighten_existing) and stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(PRIVATE_DIR_MODE)
    return path


def tighten(path: Path) -> None:
    """Makes an existing file 0600 (nothing when it does not exist)."""
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if mode & 0o077:
        path.chmod(mode & 0o700)


def private_sqlite_file(database: Path) -> None:
    """The folder of a SQLite database created 0700 when missing, the database created
    empty as 0600 when missing (SQLite gives its ``-wal`` and ``-shm`` files the
    database's mode), and every existing file of it tightened to 0600."""
    private_dir(database.parent)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(database, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE))
    for path in (database, *(Path(f"{database}{suffix}") for suffix in SQLITE_COMPANIONS)):
        tighten(path)


def write_private(path: Path, text: str) -> None:
    """Replaces ``path`` with ``text``: written to a 0600 file beside it, then renamed
    over it, so the file is never readable by others, nor ever half-written."""
    if not path.parent.exists():
        private_dir(path.parent)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE)
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
