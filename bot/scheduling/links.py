"""Signed links to a visitor's meeting: the page to cancel or move it, and its ``.ics``.

A link carries the booking id and an HMAC of it, so nobody can guess or
alter one; there is nothing else to log in with. The key is
``CQLBOT_BOOKING_LINK_SECRET``, a random value of its own (``make run``
generates it into ``.env``), never derived from another secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from bot.settings import Settings

_BOOKING_ID = re.compile(r"^[0-9a-f]{32}$")
_SIGNATURE_CHARS = 32


class MeetingLinks:
    def __init__(self, secret: bytes, public_url: str) -> None:
        self._secret = secret
        self._public_url = public_url.rstrip("/")

    def token(self, booking_id: str) -> str:
        digest = hmac.new(self._secret, booking_id.encode(), hashlib.sha256).digest()
        return f"{booking_id}.{base64.urlsafe_b64encode(digest).decode()[:_SIGNATURE_CHARS]}"

    def booking_id(self, token: str) -> str | None:
        """The booking a token is for, or None for a malformed or forged token."""
        booking_id, _, _signature = token.partition(".")
        if len(token) > 80 or not _BOOKING_ID.match(booking_id):
            return None
        return booking_id if hmac.compare_digest(self.token(booking_id), token) else None

    def manage_url(self, booking_id: str) -> str:
        return f"{self._public_url}/meetings/{self.token(booking_id)}"

    def ics_url(self, booking_id: str) -> str:
        return f"{self.manage_url(booking_id)}/invite.ics"


def meeting_links(settings: Settings) -> MeetingLinks | None:
    """The links of this deployment; None when no key is configured (no links are offered)."""
    if not settings.booking_link_secret:
        return None
    return MeetingLinks(settings.booking_link_secret.encode(), settings.public_url)
