"""A local HTTP stand-in for Slack's Web API, for slack-sdk's real WebClient
(``base_url``). It records every call and can be told to fail: HTTP status
codes (429 with Retry-After, 5xx) or Slack error codes."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Tuple
from urllib.parse import parse_qs


class SlackStub:
    def __init__(self) -> None:
        self.calls: List[Tuple[str, Dict[str, Any]]] = []
        self.received_at: List[float] = []  # wall-clock time of each call, in step with ``calls``
        self.delays: Dict[str, float] = {}  # method -> seconds to wait before answering
        self.failures: List[Tuple[str, int, Dict[str, str], Dict[str, Any]]] = []  # (method, status, headers, body)
        self.users = {"lena.hoffmann@cqlbot.example": "U0LENA", "dana.whitfield@cqlbot.example": "U0DANA"}
        self.lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                path, _, query = self.path.partition("?")
                self.reply(path.strip("/").rsplit("/", 1)[-1], {k: v[0] for k, v in parse_qs(query).items()})

            def do_POST(self) -> None:
                method = self.path.split("?")[0].strip("/").rsplit("/", 1)[-1]
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                if "json" in (self.headers.get("Content-Type") or ""):
                    args = json.loads(raw or "{}")
                else:
                    args = {k: v[0] for k, v in parse_qs(raw).items()}
                self.reply(method, args)

            def reply(self, method: str, args: Dict[str, Any]) -> None:
                status, headers, body = stub.answer(method, args, self.headers.get("Authorization", ""))
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/"

    def fail(
        self, method: str, status: int = 200, headers: Dict[str, str] | None = None, body: Dict[str, Any] | None = None
    ) -> None:
        """The next call to ``method`` (or ``*``) fails this way."""
        self.failures.append((method, status, headers or {}, body or {"ok": False, "error": "internal_error"}))

    def answer(self, method: str, args: Dict[str, Any], auth: str) -> Tuple[int, Dict[str, str], Dict[str, Any]]:
        time.sleep(self.delays.get(method, 0.0))
        with self.lock:
            self.calls.append((method, args))
            self.received_at.append(time.time())
            for index, (wanted, status, headers, body) in enumerate(self.failures):
                if wanted in (method, "*"):
                    del self.failures[index]
                    return status, headers, body
        if method == "users.lookupByEmail":
            user = self.users.get(str(args.get("email")))
            return (
                (200, {}, {"ok": True, "user": {"id": user}})
                if user
                else (200, {}, {"ok": False, "error": "users_not_found"})
            )
        if method == "conversations.open":
            return 200, {}, {"ok": True, "channel": {"id": "D" + str(args.get("users", "")).strip("[]\"'")}}
        if method == "chat.update":
            return 200, {}, {"ok": True, "channel": args.get("channel"), "ts": args.get("ts")}
        if method == "chat.postMessage":
            return 200, {}, {"ok": True, "channel": args.get("channel"), "ts": f"{len(self.calls)}.000100"}
        return 200, {}, {"ok": False, "error": "unknown_method"}

    def posts(self) -> List[Dict[str, Any]]:
        return [args for method, args in self.calls if method == "chat.postMessage"]

    def timed_posts(self) -> List[Tuple[float, Dict[str, Any]]]:
        """Each post with when it arrived (wall clock)."""
        with self.lock:
            pairs = list(zip(self.received_at, self.calls, strict=True))
        return [(at, args) for at, (method, args) in pairs if method == "chat.postMessage"]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
