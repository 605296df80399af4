"""HTTP headers every page of the web app sends."""

from __future__ import annotations

from typing import Dict

#: Sent with every response; pages add their Content-Security-Policy (below),
#: and the web app gives other responses a ``default-src 'none'`` one.
BASELINE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


def is_static(path: str) -> bool:
    """The widget's files and the favicon: the same for everyone, so caches may keep them."""
    return path.startswith("/static/") or path == "/favicon.ico"


def security_headers(rasa_origin: str) -> Dict[str, str]:
    """Headers sent with every page: no inline script, no framing, no sniffing."""
    websocket_origin = rasa_origin.replace("https://", "wss://").replace("http://", "ws://")
    return {
        "Content-Security-Policy": (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"connect-src 'self' {rasa_origin} {websocket_origin}; "
            "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'"
        ),
        **BASELINE_HEADERS,
    }
