"""Turn latency and throughput: the full stack against a baseline, side by side.

Run with ``make bench`` (``ARGS="--levels 1 8 --visitors-per-level 2"`` for a
short run). For each load level N (1, 8, 32, 64 visitors at once), N threads
hold whole conversations over Rasa's REST channel, back to back, until
``visitors-per-level × N`` conversations are done, and every turn is timed.

- **full stack**: ``make run``'s three processes on a fresh SQLite database,
  the Rasa server with ``--rasa-workers`` processes (default 2: both cores,
  on a private Redis lock store; ``--rasa-workers 1`` for one process):
  greeting, consent, nine answers (scored, routed, offered times), a tap on
  the first time (booked on the local calendar), 12 turns.
- **baseline**: a minimal Rasa 3.6 form bot built from ``bench/baseline/``
  (the same nine questions, Rasa's suggested pipeline and policies with 20
  epochs, Rasa's SQL tracker store on SQLite, no action server, no business
  logic), 10 turns. It is trained by
  this benchmark when ``bench/baseline`` changed.

The two run one after the other on the same machine, never at once. Prints
p50/p95/p99 per turn and turns per second at each level, and the ratio.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import subprocess
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Sequence

from benchmarks.booking import PEOPLE, say
from bot.migrate import upgrade_database
from bot.processes.local_servers import free_port, wait_for_url
from bot.processes.stack import Ports, Stack, rasa_python
from bot.settings import PROJECT_ROOT

BASELINE_DIR = PROJECT_ROOT / "bench" / "baseline"
MODELS_DIR = PROJECT_ROOT / "bench" / ".models"
LEVELS = (1, 8, 32, 64)


@dataclass
class Level:
    visitors: int
    turns: List[float] = field(default_factory=list)
    wall: float = 0.0
    failures: int = 0

    def quantile(self, q: float) -> float:
        """The turn time at ``q`` (nearest rank; the median averages the middle two)."""
        ordered = sorted(self.turns)
        if not ordered:
            return float("nan")
        if q == 0.5:
            return statistics.median(ordered)
        return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]

    @property
    def throughput(self) -> float:
        return len(self.turns) / self.wall if self.wall else 0.0

    def latencies(self) -> str:
        """``p50 / p95 / p99`` in ms."""
        return " / ".join(f"{self.quantile(q):5.0f}" for q in (0.5, 0.95, 0.99))

    def line(self) -> str:
        if not self.turns:
            return f"{self.visitors:>3} visitors: no turns"
        return (f"{self.visitors:>3} visitors: p50 / p95 / p99 {self.latencies()} ms  {self.throughput:5.1f} turns/s  "
                f"({len(self.turns)} turns, {self.failures} failed)")  # fmt: skip


def answers(n: int) -> List[str]:
    country, _, size = PEOPLE[n % len(PEOPLE)]
    tag = uuid.uuid4().hex[:8]
    return ["route web leads to the right rep", f"Alex {tag}", f"alex.{tag}@bench-{tag}.example", f"Bench {tag}",
            "VP Sales", size, "next month", "approved", country]  # fmt: skip


def full_conversation(webhook: str, n: int) -> List[float]:
    sender, zone = f"bench-{uuid.uuid4().hex[:12]}", PEOPLE[n % len(PEOPLE)][1]
    times = [say(webhook, sender, "hi", {"timezone": zone})[1], say(webhook, sender, "/give_consent")[1]]
    replies: List[Dict[str, Any]] = []
    for text in answers(n):
        replies, ms = say(webhook, sender, text)
        times.append(ms)
    picks = [b["payload"] for r in replies for b in r.get("buttons") or [] if b["payload"].startswith("/pick_slot")]
    if picks:
        times.append(say(webhook, sender, picks[0])[1])
    return times


def baseline_conversation(webhook: str, n: int) -> List[float]:
    sender = f"base-{uuid.uuid4().hex[:12]}"
    return [say(webhook, sender, "hi")[1]] + [say(webhook, sender, text)[1] for text in answers(n)]


def run_level(webhook: str, conversation: Callable[[str, int], List[float]], visitors: int, per_level: int) -> Level:
    """``visitors`` threads hold conversations back to back until ``visitors × per_level`` are done."""
    level, lock, counter = Level(visitors), threading.Lock(), iter(range(visitors * per_level))

    def worker() -> None:
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            try:
                times = conversation(webhook, n)
            except OSError:
                with lock:
                    level.failures += 1
                continue
            with lock:
                level.turns.extend(times)

    started = time.perf_counter()
    with ThreadPoolExecutor(visitors) as pool:
        for _ in range(visitors):
            pool.submit(worker)
    level.wall = time.perf_counter() - started
    print("   ", level.line(), flush=True)
    return level


def drive(
    webhook: str, conversation: Callable[[str, int], List[float]], levels: Sequence[int], per_level: int
) -> List[Level]:
    return [run_level(webhook, conversation, visitors, per_level) for visitors in levels]


def baseline_model() -> Path:
    """The baseline's model, trained when ``bench/baseline`` changed."""
    digest = hashlib.sha256()
    for path in sorted(BASELINE_DIR.rglob("*.yml")):
        digest.update(path.read_bytes())
    model = MODELS_DIR / f"baseline-{digest.hexdigest()[:12]}.tar.gz"
    if not model.exists():
        print("training the baseline (bench/baseline) ...", flush=True)
        subprocess.run(
            [str(Path(rasa_python()).parent / "rasa"), "train", "--config", str(BASELINE_DIR / "config.yml"),
             "--domain", str(BASELINE_DIR / "domain.yml"), "--data", str(BASELINE_DIR / "data"),
             "--out", str(MODELS_DIR), "--fixed-model-name", model.name.removesuffix(".tar.gz")],
            check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
    return model


def group_rss_mib(leader: int) -> float:
    """Resident memory of a process and every process in its group (a Rasa server's workers), in MiB."""
    total_kib = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) != leader:  # the process group id
                continue
            status = (stat.parent / "status").read_text()
        except (OSError, IndexError, ValueError):
            continue
        total_kib += next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0)
    return total_kib / 1024


def run_full_stack(levels: Sequence[int], per_level: int, rasa_workers: int = 1) -> List[Level]:
    with tempfile.TemporaryDirectory() as workdir:
        url = f"sqlite:///{Path(workdir) / 'leads.db'}"
        upgrade_database(url)
        env = {**os.environ, "DATABASE_URL": url, "TRACKER_DATABASE_URL": f"sqlite:///{Path(workdir) / 'tracker.db'}",
               "LOG_LEVEL": "WARNING"}  # fmt: skip
        stack = Stack(ports=Ports(rasa=free_port(), actions=free_port(), web=free_port()), env=env,
                      log_dir=Path(workdir), rasa_workers=rasa_workers)  # fmt: skip
        stack.start()
        try:
            stack.wait_until_healthy(timeout=300)
            result = drive(
                f"http://127.0.0.1:{stack.ports.rasa}/webhooks/rest/webhook", full_conversation, levels, per_level
            )
            memory = ", ".join(f"{name} {group_rss_mib(p.pid):,.0f} MiB" for name, p in stack.processes.items())
            print(f"    memory (RSS, with each process's workers) after the run: {memory}", flush=True)
            return result
        finally:
            stack.stop()


def run_baseline(levels: Sequence[int], per_level: int) -> List[Level]:
    model, port = baseline_model(), free_port()
    with tempfile.TemporaryDirectory() as workdir:
        # The same kind of tracker store as the full stack: Rasa's SQL store on a SQLite file.
        endpoints = Path(workdir) / "endpoints.yml"
        endpoints.write_text(f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {Path(workdir) / 'tracker.db'}\n")
        credentials = Path(workdir) / "credentials.yml"  # Rasa's own REST channel, without our limits
        credentials.write_text("rest:\n")
        server = subprocess.Popen(
            [str(Path(rasa_python()).parent / "rasa"), "run", "--model", str(model), "--port", str(port),
             "--credentials", str(credentials), "--endpoints", str(endpoints)],
            cwd=workdir, env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:

            def alive() -> None:
                if server.poll() is not None:
                    raise RuntimeError("the baseline's Rasa server stopped while starting")

            wait_for_url(f"http://127.0.0.1:{port}/", alive, timeout=300)
            return drive(f"http://127.0.0.1:{port}/webhooks/rest/webhook", baseline_conversation, levels, per_level)
        finally:
            server.terminate()
            server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", type=int, nargs="+", default=list(LEVELS))
    parser.add_argument(
        "--visitors-per-level", type=int, default=2, help="conversations per visitor slot at each level"
    )
    parser.add_argument("--rasa-workers", type=int, default=2, help="Rasa server processes (RASA_WORKERS)")
    args = parser.parse_args()
    print(f"full stack (make run with RASA_WORKERS={args.rasa_workers}: Rasa + actions + web app, SQLite, "
          "local calendar):", flush=True)  # fmt: skip
    full = run_full_stack(args.levels, args.visitors_per_level, args.rasa_workers)
    print("baseline (bench/baseline: a Rasa form bot, no business logic):", flush=True)
    base = run_baseline(args.levels, args.visitors_per_level)
    print("\nvisitors | full p50 / p95 / p99 ms | turns/s | baseline p50 / p95 / p99 ms | turns/s | throughput ratio")
    for ours, theirs in zip(full, base, strict=True):
        ratio = ours.throughput / theirs.throughput if theirs.throughput else float("nan")
        print(f"{ours.visitors:>8} | {ours.latencies()} | {ours.throughput:5.1f} | {theirs.latencies()} | "
              f"{theirs.throughput:5.1f} | {ratio:4.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
