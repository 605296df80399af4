"""The widget's session metadata (page, UTM parameters, browser time zone and languages),
checked before anything keeps it: the browser is not trusted."""

from __future__ import annotations

from typing import Any, Dict
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.languages import browser_languages, preferred_language

UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
MAX_URL_CHARS = 2048
MAX_UTM_CHARS = 200

_ZONES = frozenset(available_timezones())


def valid_timezone(name: Any) -> str | None:
    """``name`` if it is an IANA time zone this machine knows, else None."""
    if not isinstance(name, str) or name not in _ZONES:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def valid_page_url(url: Any) -> str | None:
    """An http(s) URL of sensible length, else None."""
    if not isinstance(url, str) or len(url) > MAX_URL_CHARS:
        return None
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


def landing_path(page_url: str | None) -> str | None:
    """The path of the page a chat started on ("/pricing"), without host or query; None without a page."""
    return (urlsplit(page_url).path or "/") if page_url else None


def visit_from_metadata(metadata: Any) -> Dict[str, Any]:
    """Returns ``{"page_url", "utm", "timezone", "language"}`` from the widget's metadata,
    dropping whatever is missing, malformed or oversized."""
    if not isinstance(metadata, dict):
        metadata = {}
    raw_utm = metadata.get("utm")
    utm = {}
    if isinstance(raw_utm, dict):
        for key in UTM_KEYS:
            value = raw_utm.get(key)
            if isinstance(value, str) and value.strip():
                utm[key] = value.strip()[:MAX_UTM_CHARS]
    return {
        "page_url": valid_page_url(metadata.get("page_url")),
        "utm": utm,
        "timezone": valid_timezone(metadata.get("timezone")),
        "language": preferred_language(browser_languages(metadata.get("languages"))),
    }
