"""What a running process exposes, read from /proc (Linux): the addresses it listens on, its arguments."""

from __future__ import annotations

import os
import socket
import struct
from pathlib import Path
from typing import Iterable, List, Set, Tuple

LISTEN = "0A"


def group_members(leaders: Iterable[int]) -> List[int]:
    """Every live process in the process groups of ``leaders`` (a stack's processes and their workers)."""
    groups = set()
    for pid in leaders:
        try:
            groups.add(os.getpgid(pid))
        except ProcessLookupError:
            continue
    members = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) in groups:  # pgrp
                members.append(int(entry.name))
    return members


def _socket_inodes(pid: int) -> Set[str]:
    inodes = set()
    try:
        for fd in (Path("/proc") / str(pid) / "fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        pass
    return inodes


def _address(hex_address: str) -> Tuple[str, int]:
    host, port = hex_address.split(":")
    if len(host) == 8:
        ip = socket.inet_ntop(socket.AF_INET, struct.pack("<I", int(host, 16)))
    else:
        raw = b"".join(struct.pack("<I", int(host[i : i + 8], 16)) for i in range(0, 32, 8))
        ip = socket.inet_ntop(socket.AF_INET6, raw)
    return ip, int(port, 16)


def listening(pids: Iterable[int]) -> Set[Tuple[str, int]]:
    """The TCP (address, port) pairs these processes listen on."""
    inodes = set().union(*(_socket_inodes(pid) for pid in pids))
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == LISTEN and fields[9] in inodes:
                found.add(_address(fields[1]))
    return found


def arguments(pid: int) -> str:
    """A process's command line as every local user can read it."""
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""
