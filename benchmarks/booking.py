"""Booking latency on the running stack (``make run`` first): the turn that
offers times, the click-to-confirmation turn, and every turn of the booking.

Run with ``make bench-booking`` (``ARGS="--visitors 40 --concurrency 8"``).
Each visitor qualifies as a CQL over Rasa's REST channel with a browser time
zone, is offered times, and taps one; visitors in different regions reach
different teams, and the same region competes for the same AEs.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, List, Tuple

PEOPLE = [
    ("Germany", "Europe/Berlin", "3,500"),
    ("United States", "America/Chicago", "800"),
    ("India", "Asia/Kolkata", "250"),
    ("Canada", "America/Toronto", "120"),
    ("France", "Europe/Paris", "1200"),
]


def say(
    webhook: str, sender: str, text: str, metadata: Dict[str, Any] | None = None
) -> Tuple[List[Dict[str, Any]], float]:
    payload: Dict[str, Any] = {"sender": sender, "message": text}
    if metadata:
        payload["metadata"] = metadata
    body, headers = json.dumps(payload).encode(), {"Content-Type": "application/json"}
    request = urllib.request.Request(webhook, data=body, headers=headers)  # noqa: S310 - the bot's own REST channel
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - the bot's own REST channel
        replies = json.loads(response.read())
    return replies, (time.perf_counter() - started) * 1000


def visit(webhook: str, n: int) -> Dict[str, Any]:
    country, zone, size = PEOPLE[n % len(PEOPLE)]
    sender = f"bench-{uuid.uuid4().hex[:10]}"
    tag = uuid.uuid4().hex[:6]
    answers = ["route web leads to the right rep", f"Alex {tag}", f"alex.{tag}@bench-{tag}.example", f"Bench {tag}",
               "VP Sales", size, "next month", "approved", country]  # fmt: skip
    say(webhook, sender, "hi", {"timezone": zone})
    say(webhook, sender, "/give_consent")
    for answer in answers[:-1]:
        say(webhook, sender, answer)
    offer, offer_ms = say(webhook, sender, answers[-1])
    picks = [b["payload"] for r in offer for b in r.get("buttons") or [] if b["payload"].startswith("/pick_slot")]
    if not picks:
        return {"booked": False, "offer_ms": offer_ms, "why": "no times offered"}
    booked, click_ms = say(webhook, sender, picks[0])
    texts = " ".join(r.get("text", "") for r in booked)
    if "You're booked" not in texts:  # taken by a racing visitor: the fresh offer's first time
        picks = [b["payload"] for r in booked for b in r.get("buttons") or [] if b["payload"].startswith("/pick_slot")]
        if picks:
            booked, retry_ms = say(webhook, sender, picks[0])
            texts = " ".join(r.get("text", "") for r in booked)
            click_ms += retry_ms
    return {"booked": "You're booked" in texts, "offer_ms": offer_ms, "click_ms": click_ms, "why": texts[:120],
            "company": f"Bench {tag}", "confirmed_at": time.time()}  # fmt: skip


def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[int(q * (len(ordered) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--webhook", default="http://localhost:5005/webhooks/rest/webhook")
    parser.add_argument("--visitors", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    with ThreadPoolExecutor(args.concurrency) as pool:
        results = list(pool.map(lambda n: visit(args.webhook, n), range(args.visitors)))
    wall = time.perf_counter() - started
    booked = [r for r in results if r["booked"]]
    offers = [r["offer_ms"] for r in results]
    clicks = [r["click_ms"] for r in booked]
    turns = offers + clicks
    print(f"booking: {args.visitors} visitors, {args.concurrency} at a time, {len(booked)} booked, {wall:.1f} s wall")
    print(
        f"  last answer -> times offered (scores, routes, reads calendars): p50 {statistics.median(offers):.0f} ms, p95 {percentile(offers, 0.95):.0f} ms"
    )
    if clicks:
        print(
            f"  click -> confirmation (re-check, reserve, event, confirm): p50 {statistics.median(clicks):.0f} ms, p95 {percentile(clicks, 0.95):.0f} ms"
        )
    print(f"  every booking turn: p50 {statistics.median(turns):.0f} ms, p95 {percentile(turns, 0.95):.0f} ms")
    for result in results:
        if not result["booked"]:
            print(f"  not booked after two taps: {result['why']!r}")


if __name__ == "__main__":
    main()
