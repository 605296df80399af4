"""Start, watch and stop the three processes: Rasa server, action server, web app.

``python -m bot.processes.stack`` is what ``make run`` calls; the integration tests use
:class:`Stack` to start the same commands on their own ports and database.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Callable, Dict, List, Mapping

import yaml

from bot.check import run_checks
from bot.env_secrets import ensure_kept_secrets, with_per_start_secrets
from bot.errors import CqlBotError
from bot.logging_setup import configure_logging
from bot.private_files import private_dir, restrict_umask
from bot.processes.local_servers import RedisServer, poll_until
from bot.processes.supervisor import Supervisor
from bot.settings import DEFAULT_MODEL, PROJECT_ROOT, load_settings

logger = logging.getLogger(__name__)

ENV_FILE = PROJECT_ROOT / ".env"


@dataclass(frozen=True)
class Ports:
    rasa: int = 5005
    actions: int = 5055
    web: int = 8000


def stack_environment(ports: Ports, base: Mapping[str, str]) -> Dict[str, str]:
    """The environment every process of the stack runs with: its ports, where each
    finds the others, and the secrets they share (``base``'s, or new ones for this start)."""
    env = with_per_start_secrets(base)
    env.update(
        {
            "RASA_TELEMETRY_ENABLED": "false",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "TF_CPP_MIN_LOG_LEVEL": env.get("TF_CPP_MIN_LOG_LEVEL", "2"),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")])),
            "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{ports.actions}/webhook",
            "ACTION_SERVER_URL": f"http://127.0.0.1:{ports.actions}",
            "RASA_URL": f"http://127.0.0.1:{ports.rasa}",
            "RASA_PORT": str(ports.rasa),
            "WEB_PORT": str(ports.web),
            # The Rasa server reads its tracker's URL from here, not from our settings.
            "TRACKER_DATABASE_URL": load_settings(env).tracker_database_url,
        }
    )
    return env


def write_endpoints_with_lock_store(path: Path, redis_port: int) -> Path:
    """Writes endpoints.yml with Redis as the lock store (ours: Rasa 3.6's is not atomic, see
    rasa_server/lock_store.py) to ``path``, for more than one Rasa process."""
    endpoints = yaml.safe_load((PROJECT_ROOT / "endpoints.yml").read_text(encoding="utf-8"))
    endpoints["lock_store"] = {"type": "rasa_server.lock_store.AtomicRedisLockStore", "url": "127.0.0.1",
                               "port": redis_port, "db": 1}  # fmt: skip
    path.write_text(yaml.safe_dump(endpoints), encoding="utf-8")
    return path


def rasa_python(env: Mapping[str, str] = os.environ) -> str:
    """The Python of the Rasa server's own environment (``make install`` creates it), which holds
    Rasa 3.6 and nothing of the product's: ``CQLBOT_RASA_PYTHON``, or ``.venv-rasa``'s."""
    python = env.get("CQLBOT_RASA_PYTHON") or str(PROJECT_ROOT / ".venv-rasa" / "bin" / "python")
    if not os.access(python, os.X_OK):
        raise CqlBotError(f"the Rasa server's environment is missing ({python}): run make install")
    return python


def stack_commands(
    ports: Ports, model: Path, endpoints: Path = Path("endpoints.yml"), env: Mapping[str, str] = os.environ
) -> Dict[str, List[str]]:
    """The command line of each process: no secret in any of them (they read theirs from the environment,
    ``env``). The Rasa server runs in its own Python environment; the others in this one."""
    return {
        "actions": [sys.executable, "-m", "bot.action_server", "--port", str(ports.actions)],
        "rasa": [
            rasa_python(env), "-m", "rasa_server", "--model", str(model), "--port", str(ports.rasa),
            "--endpoints", str(endpoints), "--credentials", "credentials.yml",
        ],
        "web": [sys.executable, "-m", "bot.web"],
    }  # fmt: skip


class ProcessGroup:
    """Named child processes, each in a session of its own; ``stop`` ends them and their children."""

    def __init__(self, log_dir: Path | None = None) -> None:
        self.log_dir = log_dir
        self.processes: Dict[str, subprocess.Popen] = {}
        self.commands: Dict[str, tuple[List[str], Dict[str, str]]] = {}
        self.outputs: Dict[str, IO[bytes]] = {}

    def start(self, name: str, argv: List[str], env: Mapping[str, str]) -> None:
        self.commands[name] = (list(argv), dict(env))
        if name in self.outputs:
            self.outputs.pop(name).close()
        output = open(self.log_dir / f"{name}.log", "ab") if self.log_dir else None  # noqa: SIM115
        if output:
            self.outputs[name] = output
        self.processes[name] = subprocess.Popen(
            argv, cwd=PROJECT_ROOT, env=dict(env), stdout=output, stderr=subprocess.STDOUT if output else None,
            start_new_session=True,
        )  # fmt: skip

    def exited(self) -> Dict[str, int]:
        """The processes that have exited, with their exit codes (negative: the signal that ended them)."""
        return {name: code for name, p in self.processes.items() if (code := p.poll()) is not None}

    def restart(self, name: str) -> None:
        """Starts ``name`` again with the command line and environment it first had."""
        argv, env = self.commands[name]
        self.start(name, argv, env)

    def check_running(self) -> None:
        """Raises when one of the processes has exited."""
        for name, code in self.exited().items():
            raise RuntimeError(f"{name} exited with code {code} while starting")

    def stop(self, grace: float = 15.0) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def web_health(port: int) -> dict | None:
    """A web app's /healthz answer, or None while it does not answer."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=3) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return json.loads(exc.read() or b"{}")
    except (urllib.error.URLError, OSError, ValueError):
        return None


def wait_until_healthy(group: ProcessGroup, web_ports: List[int], timeout: float = 240.0) -> None:
    """Polls each web app's /healthz until all say ok; raises if a process dies or time runs out."""
    if not poll_until(lambda: all((web_health(port) or {}).get("ok") for port in web_ports), group.check_running,
                      timeout):  # fmt: skip
        raise TimeoutError(f"not healthy after {timeout:.0f} s: {[web_health(port) for port in web_ports]}")


class Stack:
    """The running processes; stops them all, and their children, on exit.

    With ``rasa_workers`` above 1 the Rasa server runs that many processes on
    its port (Sanic workers: a 2-core machine gives Rasa both cores), which
    needs a shared lock store: the stack starts a private Redis for it.
    """

    def __init__(self, ports: Ports = Ports(), model: Path = DEFAULT_MODEL, env: Mapping[str, str] | None = None,
                 log_dir: Path | None = None, rasa_workers: int = 1) -> None:  # fmt: skip
        self.ports = ports
        self.model = model
        self.env = stack_environment(ports, env or os.environ)
        self.token = self.env["RASA_AUTH_TOKEN"]
        self.group = ProcessGroup(log_dir)
        self.processes = self.group.processes
        self.rasa_workers = rasa_workers
        self.runtime_dir = Path(tempfile.mkdtemp(prefix="cqlbot-stack-")) if rasa_workers > 1 else None
        self.redis = RedisServer(self.runtime_dir) if self.runtime_dir else None

    def start(self) -> None:
        endpoints = Path("endpoints.yml")
        if self.redis and self.runtime_dir:
            self.redis.start()
            endpoints = write_endpoints_with_lock_store(self.runtime_dir / "endpoints.yml", self.redis.port)
        for name, argv in stack_commands(self.ports, self.model, endpoints, self.env).items():
            env = {**self.env, "SANIC_WORKERS": str(self.rasa_workers)} if name == "rasa" else self.env
            self.group.start(name, argv, env)

    def health(self) -> dict | None:
        """The web app's /healthz answer, or None while it does not answer."""
        return web_health(self.ports.web)

    def wait_until_healthy(self, timeout: float = 240.0) -> None:
        wait_until_healthy(self.group, [self.ports.web], timeout)

    def stop(self, grace: float = 15.0) -> None:
        try:
            self.group.stop(grace)
        finally:
            if self.redis:
                self.redis.stop()
            if self.runtime_dir:
                shutil.rmtree(self.runtime_dir, ignore_errors=True)


def config_is_valid() -> bool:
    """Runs ``make check``'s checks; logs each problem (file, line, key) and says whether there were none."""
    problems = run_checks()
    for problem in problems:
        logger.error("config error: %s", problem)
    return not problems


def announce_generated_secrets(env: Dict[str, str], env_file: Path = ENV_FILE) -> None:
    """Generates the deployment's kept secrets that are unset into ``env_file`` (0600), and says
    where they are without printing them (terminals end up in logs)."""
    generated = ensure_kept_secrets(env, env_file)
    if generated:
        print(f"\n  Generated {', '.join(generated)} into {env_file} (readable by you only).\n"
              f"  Sign in to /ops, or send 'Authorization: Bearer <CQLBOT_API_TOKEN>' to /api, with the token there.\n",
              flush=True)  # fmt: skip


class StopRequest:
    """SIGINT and SIGTERM set a flag instead of ending the process, so the children are stopped in order."""

    def __init__(self) -> None:
        self.requested = False
        signal.signal(signal.SIGINT, self._request)
        signal.signal(signal.SIGTERM, self._request)

    def _request(self, _signum: int, _frame: object) -> None:
        self.requested = True

    def wait(self, supervise: Callable[[], None]) -> int:
        """Calls ``supervise`` (which starts again any process that exited) until a stop is requested."""
        while not self.requested:
            supervise()
            time.sleep(0.5)
        return 0


def seed_demo_calendars() -> int:
    """Fills the demo team's local calendars (nothing when Google Calendar is configured)."""
    from bot.cli import seed_demo

    try:
        return seed_demo.main()
    except CqlBotError as exc:
        logger.error("%s", exc)
        return 2


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the Rasa server, the action server and the web app.")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    args = parser.parse_args(argv)
    restrict_umask()
    private_dir(PROJECT_ROOT / "var", tighten_existing=True)  # the default data folder, however old
    configure_logging()
    env = dict(os.environ)
    try:
        ports = Ports(
            rasa=int(env.get("RASA_PORT") or 5005),
            actions=int(env.get("ACTIONS_PORT") or 5055),
            web=int(env.get("WEB_PORT") or 8000),
        )
        rasa_workers = int(env.get("RASA_WORKERS") or 1)
    except ValueError:
        logger.error("environment: RASA_PORT, ACTIONS_PORT and WEB_PORT must be port numbers, RASA_WORKERS a number")
        return 2
    if not 1 <= rasa_workers <= 16:
        logger.error("environment: RASA_WORKERS must be between 1 and 16, not %s", rasa_workers)
        return 2
    if not config_is_valid() or seed_demo_calendars() != 0:
        return 2
    announce_generated_secrets(env)
    stack = Stack(ports=ports, model=args.model, env=env, rasa_workers=rasa_workers)
    stop = StopRequest()
    stack.start()
    try:
        logger.info("starting the Rasa server, the action server and the web app (the model takes a while to load)")
        try:
            stack.wait_until_healthy()
        except (RuntimeError, TimeoutError) as exc:
            logger.error("%s", exc)
            return 1
        print(f"\n  CQL Bot is running: open http://localhost:{ports.web}/  (Ctrl-C stops everything)\n", flush=True)
        return stop.wait(Supervisor(stack.group).tick)
    finally:
        logger.info("stopping")
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
