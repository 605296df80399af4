"""Two (or N) of everything on one machine, behind nginx: ``make run-cluster``.

The production topology in miniature (docs/deploy.md): N Rasa servers, N
action servers and N web apps, all stateless, on PostgreSQL (leads, bookings,
outbox and Rasa's tracker store) with Redis as Rasa's lock store, so two Rasa
servers never handle one conversation's messages at once. nginx on loopback
spreads the traffic:

- the **front** port: ``/webhooks`` to the Rasa servers in turn,
  ``/socket.io`` to them by client address (socket.io's polling needs one
  replica per visitor), everything else to the web apps;
- an internal port for the Rasa servers (the web apps' ``RASA_URL``);
- an internal port for the action servers (the Rasa servers' action endpoint).

Every web app runs an outbox worker; they share the outbox through
PostgreSQL's ``SKIP LOCKED`` claims. Without a PostgreSQL ``DATABASE_URL``
the cluster starts a throwaway PostgreSQL of its own. ``benchmarks/cluster.py``
drives it with concurrent visitors and checks what must hold.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping

from sqlalchemy.engine import make_url

from bot.env_secrets import ACTION_SERVER_TOKEN, API_TOKEN, with_per_start_secrets
from bot.logging_setup import configure_logging
from bot.migrate import upgrade_database
from bot.private_files import restrict_umask
from bot.processes.local_servers import NginxProxy, PostgresServer, RedisServer, free_port, wait_for_url
from bot.processes.stack import (
    DEFAULT_MODEL,
    Ports,
    ProcessGroup,
    StopRequest,
    announce_generated_secrets,
    config_is_valid,
    stack_commands,
    stack_environment,
    wait_until_healthy,
    write_endpoints_with_lock_store,
)
from bot.processes.supervisor import Supervisor
from bot.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClusterPorts:
    """Where everything listens: the replicas' own ports and nginx's three."""

    replicas: List[Ports]
    front: int = field(default_factory=free_port)
    rasa: int = field(default_factory=free_port)
    actions: int = field(default_factory=free_port)

    @classmethod
    def free(cls, replicas: int, front: int | None = None) -> ClusterPorts:
        ports = [Ports(rasa=free_port(), actions=free_port(), web=free_port()) for _ in range(replicas)]
        return cls(ports, front=front or free_port())


def nginx_for(ports: ClusterPorts, workdir: Path) -> NginxProxy:
    rasa, actions, web = ([getattr(p, kind) for p in ports.replicas] for kind in ("rasa", "actions", "web"))
    return NginxProxy(
        workdir,
        upstreams={"rasa": rasa, "rasa_sticky:sticky": rasa, "actions": actions, "web": web},
        routes={
            ports.front: {"/webhooks/": "rasa", "/socket.io/": "rasa_sticky", "/": "web"},
            ports.rasa: {"/": "rasa"},
            ports.actions: {"/": "actions"},
        },
    )


class Cluster:
    """PostgreSQL (given or private), Redis, nginx and N replicas of each process."""

    def __init__(self, workdir: Path, env: Mapping[str, str], replicas: int = 2, model: Path = DEFAULT_MODEL,
                 front_port: int | None = None) -> None:  # fmt: skip
        self.workdir = workdir
        self.base_env = with_per_start_secrets(env)  # one set of secrets for every replica
        self.model = model
        self.ports = ClusterPorts.free(replicas, front_port)
        self.token = self.base_env["RASA_AUTH_TOKEN"]
        self.postgres: PostgresServer | None = None
        self.redis = RedisServer(workdir)
        self.nginx = nginx_for(self.ports, workdir)
        self.group = ProcessGroup(workdir)
        self.database_url = ""

    @property
    def front_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.front}"

    def replica_env(self, ports: Ports) -> Dict[str, str]:
        env = stack_environment(ports, self.base_env)
        env.update(
            {
                "DATABASE_URL": self.database_url,
                "TRACKER_DATABASE_URL": self.database_url,
                "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{self.ports.actions}/webhook",
                "ACTION_SERVER_URL": f"http://127.0.0.1:{self.ports.actions}",
                "RASA_URL": f"http://127.0.0.1:{self.ports.rasa}",
                "CQLBOT_PUBLIC_URL": self.base_env.get("CQLBOT_PUBLIC_URL") or self.front_url,
                "CQLBOT_PUBLIC_RASA_URL": self.base_env.get("CQLBOT_PUBLIC_RASA_URL") or self.front_url,
            }
        )
        return env

    def _database(self) -> str:
        given = self.base_env.get("DATABASE_URL", "")
        if given and make_url(given).get_backend_name() == "postgresql":
            return given
        logger.info("no PostgreSQL DATABASE_URL: starting a throwaway PostgreSQL (its data goes when it stops)")
        self.postgres = PostgresServer()
        self.postgres.start()
        return self.postgres.database()

    def start(self, timeout: float = 300.0) -> None:
        self.database_url = self._database()
        upgrade_database(self.database_url)
        self.redis.start()
        endpoints = write_endpoints_with_lock_store(self.workdir / "endpoints.yml", self.redis.port)
        seed = subprocess.run([sys.executable, "-m", "bot.cli.seed_demo"], cwd=PROJECT_ROOT, check=False,
                              env=self.replica_env(self.ports.replicas[0]))  # fmt: skip
        if seed.returncode != 0:
            raise RuntimeError("seeding the demo calendars failed (see above)")
        self.nginx.start()
        for number, ports in enumerate(self.ports.replicas, start=1):
            env = self.replica_env(ports)
            for name, argv in stack_commands(ports, self.model, endpoints, env).items():
                self.group.start(f"{name}-{number}", argv, env)
        deadline = time.monotonic() + timeout
        actions_auth = {"Authorization": f"Bearer {self.base_env[ACTION_SERVER_TOKEN]}"}
        for ports in self.ports.replicas:  # each replica itself: nginx would hide one still loading its model
            for url, headers in ((f"http://127.0.0.1:{ports.rasa}/status?token={self.token}", {}),
                                 (f"http://127.0.0.1:{ports.actions}/health", actions_auth)):  # fmt: skip
                wait_for_url(url, self.group.check_running, max(1.0, deadline - time.monotonic()), headers)
        wait_until_healthy(self.group, [p.web for p in self.ports.replicas], max(1.0, deadline - time.monotonic()))

    def stop(self) -> None:
        try:
            self.group.stop()
        finally:
            self.nginx.stop()
            self.redis.stop()
            if self.postgres:
                self.postgres.stop()


def main(argv: List[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run N of each process behind nginx, on PostgreSQL and Redis.")
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--port", type=int, default=int(os.environ.get("CLUSTER_PORT") or 8080), help="nginx's front")
    args = parser.parse_args(argv)
    restrict_umask()
    configure_logging()
    if not config_is_valid():
        return 2
    env = dict(os.environ)
    announce_generated_secrets(env)
    stop = StopRequest()
    with tempfile.TemporaryDirectory(prefix="cqlbot-cluster-") as workdir:
        cluster = Cluster(Path(workdir), env, replicas=args.replicas, front_port=args.port)
        try:
            cluster.start()
            print(f"\n  CQL Bot cluster ({args.replicas} of each behind nginx): {cluster.front_url}/\n"
                  f"  database {make_url(cluster.database_url).render_as_string(hide_password=True)}, "
                  f"Redis lock store on port {cluster.redis.port}, logs in {workdir}\n"
                  f"  ops pages sign in with {API_TOKEN} or CQLBOT_OPS_PASSWORD.  Ctrl-C stops everything.\n",
                  flush=True)  # fmt: skip
            return stop.wait(Supervisor(cluster.group).tick)
        except (RuntimeError, TimeoutError) as exc:
            logger.error("%s", exc)
            return 1
        finally:
            logger.info("stopping the cluster")
            cluster.stop()


if __name__ == "__main__":
    sys.exit(main())
