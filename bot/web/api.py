"""The lead API under /api: list, read, export, erase and override leads.

Every route needs ``Authorization: Bearer <CQLBOT_API_TOKEN>`` (compared in
constant time). Every error is JSON ``{"error": code, "reason": text}`` with
the right 4xx. The contract is ``openapi.yml`` beside this file, served at
/api/openapi.json and fuzzed by the test suite.
"""

from __future__ import annotations

import asyncio
import functools
import hmac
import json
import logging
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import AbstractSet, Any, Callable, Coroutine, Dict, Mapping

import yaml
from sanic import Sanic
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.response import json as json_response

from bot.db import flush_erased_pages
from bot.errors import StoreError
from bot.leads.queries import LeadFilter, LeadQueries, latest_answers
from bot.leads.store import LeadStore
from bot.scoring.policy import Tier

logger = logging.getLogger(__name__)

OPENAPI_PATH = Path(__file__).resolve().parent / "openapi.yml"
LEAD_STATUSES = ("new", *(tier.value for tier in Tier))
MAX_LIMIT = 200
DEFAULT_LIMIT = 50
MAX_EMAIL_CHARS = 320
MAX_BODY_BYTES = 16_384
MAX_ACTOR_CHARS = 200
MAX_NOTE_CHARS = 300
MAX_ID = 2**31 - 1  # the widest id every database stores
LIST_PARAMETERS = frozenset({"email", "status", "since", "limit", "cursor"})


class ApiError(Exception):
    """A request the API refuses, with its status, code and reason."""

    def __init__(self, status: int, code: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.code = code
        self.reason = reason


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


# ASCII-escaped, so no stored text (even a lone surrogate) can fail to encode.
_dumps = functools.partial(json.dumps, default=_json_default)


def api_json(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> HTTPResponse:
    return json_response(body, status=status, headers=dict(headers or {}), dumps=_dumps)


def error_response(status: int, code: str, reason: str, headers: Mapping[str, str] | None = None) -> HTTPResponse:
    extra = {"WWW-Authenticate": 'Bearer realm="cqlbot"'} if status == 401 else {}
    return api_json({"error": code, "reason": reason}, status=status, headers={**extra, **(headers or {})})


# -- parameters ---------------------------------------------------------------


def encode_cursor(lead_id: int) -> str:
    return str(lead_id)


def decode_cursor(cursor: str) -> int:
    """A cursor is the id to list below, as the previous page's next_cursor gave it."""
    if not cursor.isascii() or not cursor.isdigit() or len(cursor) > 10:
        raise ApiError(400, "bad_parameter", "cursor must be the next_cursor of a previous page")
    return int(cursor)


_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})?)?",
    re.ASCII,
)


def parse_since(raw: str) -> datetime:
    """An RFC 3339 date-time or a plain date; without a zone, UTC."""
    match = _RFC3339.fullmatch(raw.strip())
    try:
        if match is None:
            raise ValueError(raw)
        year, month, day, hour, minute, second, fraction, offset = match.groups()
        zone = UTC
        if offset and offset not in ("Z", "z"):
            sign = -1 if offset[0] == "-" else 1
            zone = timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6])))
        return datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0),
            min(int(second or 0), 59),  # a leap second counts as :59
            int((fraction or "0")[:6].ljust(6, "0")), tzinfo=zone,
        )  # fmt: skip
    except ValueError as exc:
        raise ApiError(400, "bad_parameter", "since must be an ISO 8601 date or date-time, e.g. 2026-11-01") from exc


def single_values(query: Mapping[str, list], known: AbstractSet[str]) -> Dict[str, str]:
    """Each query parameter's one value; unknown or repeated ones are refused (400)."""
    unknown = sorted(set(query) - known)
    if unknown:
        raise ApiError(400, "bad_parameter", f"unknown parameter {unknown[0]!r}; known: {', '.join(sorted(known))}")
    for name, values in query.items():
        if len(values) > 1:
            raise ApiError(400, "bad_parameter", f"{name} is given more than once")
    return {name: values[0] for name, values in query.items()}


def parse_lead_filter(query: Mapping[str, list]) -> LeadFilter:
    """The list's query parameters, each checked; unknown or repeated ones are refused."""
    one = single_values(query, LIST_PARAMETERS)
    email = one.get("email")
    if email is not None and not 0 < len(email.strip()) <= MAX_EMAIL_CHARS:
        raise ApiError(400, "bad_parameter", f"email must be 1 to {MAX_EMAIL_CHARS} characters")
    status = one.get("status")
    if status is not None and status not in LEAD_STATUSES:
        raise ApiError(400, "bad_parameter", f"status must be one of {', '.join(LEAD_STATUSES)}")
    raw_limit = one.get("limit")
    if raw_limit is not None and (
        not raw_limit.isascii() or not raw_limit.isdigit() or not 1 <= int(raw_limit) <= MAX_LIMIT
    ):
        raise ApiError(400, "bad_parameter", f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return LeadFilter(
        email=email.strip() if email else None,
        status=status,
        since=parse_since(one["since"]) if "since" in one else None,
        limit=int(raw_limit) if raw_limit else DEFAULT_LIMIT,
        before_id=decode_cursor(one["cursor"]) if "cursor" in one else None,
    )


def parse_lead_id(raw: str) -> int:
    digits = raw.lstrip("0")
    if not raw.isascii() or not raw.isdigit() or not digits:
        raise ApiError(400, "bad_parameter", "a lead id is a positive whole number")
    if len(digits) > 10 or int(digits) > MAX_ID:  # checked by length first: int() of 5,000 digits is refused
        raise ApiError(404, "not_found", f"no lead {digits[:20]}")
    return int(digits)


def parse_json_body(request: Request) -> Dict[str, Any]:
    body = request.body or b""
    if len(body) > MAX_BODY_BYTES:
        raise ApiError(413, "too_large", f"the request body is over {MAX_BODY_BYTES} bytes")
    try:
        parsed = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, "bad_json", "the request body is not valid JSON") from exc
    if not isinstance(parsed, dict):
        raise ApiError(400, "bad_json", "the request body must be a JSON object")
    return parsed


def parse_override(body: Dict[str, Any]) -> tuple[str, str, str | None]:
    """``{"status": ..., "actor": ..., "note": ...}``; ``note`` (why) is optional."""
    extra = sorted(set(body) - {"status", "actor", "note"})
    if extra:
        raise ApiError(422, "invalid", f"unknown field {extra[0]!r}; allowed: status, actor, note")
    status, actor, note = body.get("status"), body.get("actor"), body.get("note")
    if status not in LEAD_STATUSES[1:]:
        raise ApiError(422, "invalid", f"status must be one of {', '.join(LEAD_STATUSES[1:])}")
    if not isinstance(actor, str) or not 0 < len(actor.strip()) <= MAX_ACTOR_CHARS:
        raise ApiError(422, "invalid", f"actor (who made the change) must be 1 to {MAX_ACTOR_CHARS} characters")
    if note is not None and (not isinstance(note, str) or len(note) > MAX_NOTE_CHARS):
        raise ApiError(422, "invalid", f"note (why) must be text of at most {MAX_NOTE_CHARS} characters")
    return str(status), actor.strip(), (note.strip() or None) if note else None


# -- authorisation ---------------------------------------------------------------


def check_token(request: Request, expected: str | None) -> None:
    if not expected:
        raise ApiError(401, "unauthorised", "the API is off: set CQLBOT_API_TOKEN")
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "unauthorised", "send Authorization: Bearer <CQLBOT_API_TOKEN>")
    if not hmac.compare_digest(token.strip().encode("utf-8", "replace"), expected.encode("utf-8")):
        raise ApiError(401, "unauthorised", "the token is not valid")


Handler = Callable[..., Coroutine[Any, Any, HTTPResponse]]


def api_route(handler: Handler) -> Handler:
    """Checks the token, then turns ApiError and store failures into JSON."""

    @functools.wraps(handler)
    async def wrapped(request: Request, *args: Any, **kwargs: Any) -> HTTPResponse:
        try:
            check_token(request, request.app.ctx.settings.api_token)
            return await handler(request, *args, **kwargs)
        except ApiError as exc:
            return error_response(exc.status, exc.code, exc.reason)
        except StoreError:
            logger.exception("API %s %s: store unavailable", request.method, request.path)
            return error_response(503, "unavailable", "the database is unavailable; try again shortly")

    return wrapped


# -- routes ---------------------------------------------------------------------------


async def full_lead(app: Sanic, lead_id: int) -> Dict[str, Any]:
    """Everything held on a lead, with each conversation's transcript; ApiError 404 if unknown or erased."""
    lead = await asyncio.to_thread(app.ctx.lead_queries.lead, lead_id)
    if lead is None:
        raise ApiError(404, "not_found", f"no lead {lead_id}")
    if lead["erased_at"] is not None:
        raise ApiError(404, "erased", f"lead {lead_id} was erased at {lead['erased_at'].isoformat()}")
    senders = [conversation["sender_id"] for conversation in lead["conversations"]]
    lead["transcripts"] = await asyncio.to_thread(app.ctx.transcripts.messages, senders)
    return lead


async def lead_view(app: Sanic, lead_id: int) -> Dict[str, Any]:
    """One lead as the API shows it: latest answers and one transcript, oldest line first."""
    lead = await full_lead(app, lead_id)
    conversations = lead.pop("conversations")
    transcripts_by_sender = lead.pop("transcripts")
    lead["answers"] = latest_answers(conversations)
    lead["senders"] = [conversation["sender_id"] for conversation in conversations]
    lead["transcript"] = sorted(
        (line for lines in transcripts_by_sender.values() for line in lines),
        key=lambda line: line["at"] or datetime.min.replace(tzinfo=UTC),
    )
    return lead


async def export_response(app: Sanic, lead_id: int) -> HTTPResponse:
    """The privacy export of a lead, as a JSON download."""
    lead = await full_lead(app, lead_id)
    transcripts_by_sender = lead.pop("transcripts")
    for conversation in lead["conversations"]:
        conversation["transcript"] = transcripts_by_sender.get(conversation["sender_id"], [])
    disposition = f'attachment; filename="lead-{lead["id"]}.json"'
    return api_json({"exported_at": datetime.now(UTC), "lead": lead}, headers={"Content-Disposition": disposition})


async def erase_lead(app: Sanic, number: int) -> Dict[str, Any]:
    """Erases a lead here and its conversations in Rasa's tracker store; ApiError 404 if unknown."""
    erased = await asyncio.to_thread(app.ctx.lead_store.erase, number)
    if erased is None:
        raise ApiError(404, "not_found", f"no lead {number}")
    erased_at, senders = erased
    deleted = await asyncio.to_thread(app.ctx.transcripts.erase, senders)
    for engine in {id(e): e for e in (app.ctx.engine, app.ctx.tracker_engine)}.values():
        if not await asyncio.to_thread(flush_erased_pages, engine):
            logger.warning(
                "lead %s: a reader held the database log; its erased pages go at the next checkpoint", number
            )
    logger.info("lead %s erased (%d conversations, %d tracker events)", number, len(senders), deleted)
    return {"id": number, "erased_at": erased_at, "conversations": len(senders), "tracker_events_deleted": deleted}


def setup_api(app: Sanic) -> None:
    """Registers /api routes and JSON errors for every /api path."""
    spec = yaml.safe_load(OPENAPI_PATH.read_text(encoding="utf-8"))

    def queries() -> LeadQueries:
        return app.ctx.lead_queries

    def store() -> LeadStore:
        return app.ctx.lead_store

    @app.get("/api/openapi.json")
    @api_route
    async def openapi(request: Request) -> HTTPResponse:
        return api_json(spec)

    @app.get("/api/leads")
    @api_route
    async def list_leads(request: Request) -> HTTPResponse:
        wanted = parse_lead_filter(request.get_args(keep_blank_values=True))
        items, continue_below = await asyncio.to_thread(queries().page, wanted)
        return api_json({"items": items, "next_cursor": encode_cursor(continue_below) if continue_below else None})

    # One route for both methods: sanic-routing 0.7 answers 404, not 405, to other
    # methods when one dynamic path is registered twice.
    @app.route("/api/leads/<lead_id:str>", methods=["GET", "DELETE"])
    @api_route
    async def one_lead(request: Request, lead_id: str) -> HTTPResponse:
        if request.method == "DELETE":
            return api_json(await erase_lead(app, parse_lead_id(lead_id)))
        lead = await lead_view(app, parse_lead_id(lead_id))
        lead.pop("senders")
        return api_json(lead)

    @app.get("/api/leads/<lead_id:str>/export")
    @api_route
    async def export_lead(request: Request, lead_id: str) -> HTTPResponse:
        return await export_response(app, parse_lead_id(lead_id))

    @app.post("/api/leads/<lead_id:str>/status")
    @api_route
    async def override_status(request: Request, lead_id: str) -> HTTPResponse:
        number = parse_lead_id(lead_id)
        status, actor, note = parse_override(parse_json_body(request))
        if not await asyncio.to_thread(store().override_status, number, status, actor, note):
            raise ApiError(404, "not_found", f"no lead {number}")
        lead = await asyncio.to_thread(queries().lead, number)
        assert lead is not None
        lead.pop("conversations")
        return api_json(lead)

    @app.exception(SanicException)
    async def api_errors(request: Request, exception: SanicException) -> HTTPResponse:
        """Sanic's own errors (404, 405, 413...) as JSON on /api paths."""
        status = int(getattr(exception, "status_code", 500) or 500)
        if request is not None and request.path.startswith("/api"):
            code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(status, "bad_request")
            return error_response(status, code, str(exception) or code, getattr(exception, "headers", None))
        return app.error_handler.default(request, exception)
