"""Throwaway servers on loopback, for the tests and the one-machine cluster.

- :class:`PostgresServer`: ``initdb`` into a temporary folder, ``pg_ctl`` on
  a free port, a fresh database per ``database()``. PostgreSQL refuses to run
  as root, so as root it runs as the ``postgres`` user Debian's package
  creates.
- :class:`RedisServer`: ``redis-server`` on a free port, nothing saved.
- :class:`NginxProxy`: Debian's ``nginx`` with a configuration written for
  the occasion, its pid, logs and temporary files in one folder.

Debian's ``postgresql``, ``redis-server`` and ``nginx`` packages provide the
binaries (``.ci/run`` installs them when missing).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path
from typing import Any, Callable, Dict, List

import sqlalchemy
from sqlalchemy.pool import NullPool

SUPERUSER = "cqlbot"


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def find_bin_dir() -> Path:
    """Where initdb and pg_ctl are: on PATH, or Debian's versioned folder."""
    on_path = shutil.which("initdb")
    if on_path:
        return Path(os.path.realpath(on_path)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if not versions:
        raise RuntimeError(
            "PostgreSQL is not installed: scripts/system_packages.sh test installs it (make test runs it)"
        )
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
        # Through SQLAlchemy: whichever driver this environment has (psycopg 3 in the product's,
        # psycopg2 in the Rasa server's) speaks the same postgresql:// URL.
        engine = sqlalchemy.create_engine(self.url(), isolation_level="AUTOCOMMIT", poolclass=NullPool)
        try:
            with engine.connect() as connection:
                connection.execute(sqlalchemy.text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        return self.url(name)


def poll_until(ready: Callable[[], bool], alive: Callable[[], None], timeout: float, interval: float = 0.5) -> bool:
    """Calls ``ready()`` until it is true (True) or ``timeout`` seconds pass (False); ``alive()``
    raises, ending the wait, when what is awaited has died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive()
        if ready():
            return True
        time.sleep(interval)
    return False


def _answers(connect: Callable[[], Any]) -> bool:
    try:
        connect().close()
        return True
    except OSError:
        return False


def wait_for_port(port: int, process: subprocess.Popen, what: str, timeout: float = 30.0) -> None:
    """Waits until something accepts connections on ``port``; raises if ``process`` exits first."""

    def alive() -> None:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode} while starting")

    if not poll_until(lambda: _answers(lambda: socket.create_connection(("127.0.0.1", port), timeout=1)), alive,
                      timeout, interval=0.1):  # fmt: skip
        raise RuntimeError(f"{what} did not listen on port {port} within {timeout:.0f} s")


def wait_for_url(url: str, alive: Callable[[], None], timeout: float, headers: Dict[str, str] | None = None) -> None:
    """Waits until ``url`` answers (with ``headers``); ``alive()`` raises when what should answer has died."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - our own loopback URL
    if not poll_until(lambda: _answers(lambda: urllib.request.urlopen(request, timeout=2)), alive, timeout):  # noqa: S310
        raise TimeoutError(f"{url.split('?')[0]} did not answer in {timeout:.0f} s")


def _stop(process: subprocess.Popen | None, grace: float = 10.0) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class RedisServer:
    """A Redis server on a free loopback port that keeps nothing on disk."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if not binary:
            raise RuntimeError(
                "Redis is not installed: scripts/system_packages.sh test installs it (make test runs it)"
            )
        log = open(self.workdir / "redis.log", "ab")  # noqa: SIM115 - the server writes it while it runs
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.workdir), "--daemonize", "no"],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for_port(self.port, self.process, "redis-server")

    def stop(self) -> None:
        _stop(self.process)


NGINX_CONF = """\
{user}worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    client_max_body_size 1m;
    proxy_http_version 1.1;
    proxy_read_timeout 120s;
    map $http_upgrade $connection_upgrade {{ default upgrade; "" ""; }}
    proxy_set_header Connection $connection_upgrade;
    proxy_set_header Upgrade $http_upgrade;
    proxy_set_header Host $host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
{upstreams}
{servers}
}}
"""


class NginxProxy:
    """nginx in front of named upstreams: ``routes`` maps a listening port to
    ``{path prefix: upstream name}``; ``upstreams`` maps a name to its
    servers' ports, with ``"<name>:sticky"`` for ``ip_hash`` (socket.io's
    polling needs every request of a visitor on one replica)."""

    def __init__(self, workdir: Path, upstreams: dict, routes: dict) -> None:
        self.root = workdir / "nginx"
        self.upstreams = upstreams
        self.routes = routes
        self.process: subprocess.Popen | None = None

    def config(self) -> str:
        blocks = []
        for name, ports in self.upstreams.items():
            upstream, _, sticky = name.partition(":")
            lines = ["ip_hash;"] if sticky else []
            lines += [f"server 127.0.0.1:{port};" for port in ports] + ["keepalive 64;"]
            blocks.append(f"    upstream {upstream} {{ {' '.join(lines)} }}")
        servers = []
        for port, locations in self.routes.items():
            body = " ".join(f"location {prefix} {{ proxy_pass http://{name}; }}" for prefix, name in locations.items())
            servers.append(f"    server {{ listen 127.0.0.1:{port}; {body} }}")
        user = "user root root;\n" if os.geteuid() == 0 else ""  # workers write temp files in a root-owned folder
        return NGINX_CONF.format(user=user, root=self.root, upstreams="\n".join(blocks), servers="\n".join(servers))

    def start(self) -> None:
        binary = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
        if not binary:
            raise RuntimeError(
                "nginx is not installed: scripts/system_packages.sh test installs it (make test runs it)"
            )
        self.root.mkdir(parents=True, exist_ok=True)
        conf = self.root / "nginx.conf"
        conf.write_text(self.config(), encoding="utf-8")
        check = subprocess.run([binary, "-t", "-p", str(self.root), "-c", str(conf)], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"nginx rejected {conf}: {check.stderr[-1000:]}")
        self.process = subprocess.Popen(
            [binary, "-p", str(self.root), "-c", str(conf), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=open(self.root / "stderr.log", "ab"),  # noqa: SIM115
        )  # fmt: skip
        for port in self.routes:
            wait_for_port(port, self.process, "nginx")

    def stop(self) -> None:
        _stop(self.process)
