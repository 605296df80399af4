"""The ops dashboard (``/ops``), for signed-in sales ops people.

- ``/ops``: the funnel for a period (7, 30, 90 or 365 days) with conversion
  rates, broken down by UTM source, campaign, landing page or language; drop-off by
  question; this month's meetings per AE against their fair share; the
  score distribution by tier and the knock-outs; speed to lead.
- ``/ops/leads``: the leads, filtered by tier, email and date, 50 a page;
  ``/ops/leads/<id>``: one lead with answers, score and reasons, status
  history, transcript, routing decision, meeting and alert deliveries, and
  buttons to export (download) or erase it (a form with the CSRF token).
- ``/ops/config``: each ops file's validation, the scoring policy's hash, the
  trained model, Slack and Google, and which stored leads the current
  scoring would move (the re-score preview).

Pages are drawn on the server (SVG charts, no script); every stored value is
escaped. The numbers are in :mod:`bot.dashboard.metrics`.
"""

from __future__ import annotations

import asyncio
import html
from datetime import UTC, datetime, timedelta
from typing import Any, Dict, Iterable, List, Sequence
from urllib.parse import urlencode

from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, redirect
from sqlalchemy import select

from bot.check import run_checks
from bot.dashboard import metrics
from bot.dashboard.charts import horizontal_bars, stacked_columns
from bot.languages import DEFAULT_LANGUAGE, language_name, language_of
from bot.leads.models import RoutingDecision
from bot.leads.queries import LeadFilter
from bot.rescore import preview
from bot.settings import DEFAULT_MODEL, PROJECT_ROOT
from bot.web.api import ApiError, erase_lead, export_response, lead_view, parse_lead_filter, parse_lead_id
from bot.web.ops_auth import check_csrf, csrf_input, ops_page
from bot.web.ops_layout import ops_page_html, select_html, time_html

PERIODS = (7, 30, 90, 365)
e = html.escape


def _table(headers: Sequence[str], rows: Iterable[Sequence[Any]], caption: str = "") -> str:
    head = "".join(f'<th scope="col">{e(h)}</th>' for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    cap = f"<caption>{e(caption)}</caption>" if caption else ""
    return f'<div class="table-wrap"><table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>'


def _pct(rate: float | None) -> str:
    return "–" if rate is None else f"{rate:.0%}"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds < 60:
        return f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def _period(request: Request) -> tuple[int, metrics.Period]:
    raw = request.args.get("days") or "30"
    days = int(raw) if raw.isdigit() and int(raw) in PERIODS else 30
    now = datetime.now(UTC)
    return days, metrics.Period(now - timedelta(days=days), now + timedelta(minutes=1))


async def overview_sections(app: Sanic, period: metrics.Period, by: str) -> str:
    """The overview's sections; their queries run at once, each on its own connection."""
    services = app.ctx.services
    now = datetime.now(UTC)
    order = [q.slot for q in services.playbook.questions]

    def read(query: Any, *args: Any) -> Any:
        with app.ctx.engine.connect() as connection:
            return query(connection, *args)

    groups, opens, drop, aes, (bands, knockouts), speed = await asyncio.gather(
        asyncio.to_thread(read, metrics.conversation_groups, period, now),
        asyncio.to_thread(read, metrics.chat_opens, period),
        asyncio.to_thread(read, metrics.drop_off, period, order),
        asyncio.to_thread(read, metrics.meetings_by_ae, services.team, now),
        asyncio.to_thread(read, metrics.score_distribution, period),
        asyncio.to_thread(read, metrics.speed_to_lead, period),
    )
    total = metrics.funnel(groups, opens)
    return "".join(
        [
            _headline(total),
            _funnel_section(total),
            _breakdown_section(metrics.funnel_by(groups, opens, by), by),
            _drop_off_section(drop, services.playbook),
            _aes_section(aes),
            _scores_section(bands, knockouts),
            _speed_section(speed),
        ]
    )


def _headline(total: metrics.Funnel) -> str:
    booked, opened = total.counts["booked"], total.counts["opened"]
    rate = f" · {booked / opened:.1%} of chats opened" if opened else ""
    noun = "meeting" if booked == 1 else "meetings"
    return f'<p class="headline"><strong class="big">{booked}</strong> {noun} booked{rate}</p>'


def _funnel_section(total: metrics.Funnel) -> str:
    rows = [
        (label, total.counts[key], f"{total.counts[key]:,} ({_pct(total.rate(key))})") for key, label in metrics.STAGES
    ]
    chart = horizontal_bars("The funnel: visitors at each step", rows)
    table = _table(
        ["Step", "Visitors", "Of the step before"],
        [(e(label), f"{total.counts[key]:,}", _pct(total.rate(key))) for key, label in metrics.STAGES],
    )
    return f'<section aria-labelledby="funnel"><h2 id="funnel">Funnel</h2>{chart}{table}</section>'


def _breakdown_section(rows: List[tuple[str, metrics.Funnel]], by: str) -> str:
    keys = [key for key, _ in metrics.STAGES]
    name = _language_html if by == "language" else e
    body = [
        [name(group)]
        + [f"{f.counts[k]:,}" for k in keys]
        + [_pct(f.counts["booked"] / f.counts["opened"] if f.counts["opened"] else None)]
        for group, f in rows[:25]
    ]
    table = _table([metrics.BREAKDOWNS[by]] + [label for _, label in metrics.STAGES] + ["Booked / opened"], body)
    more = f"<p>{len(rows) - 25} more not shown.</p>" if len(rows) > 25 else ""
    if by == "language":
        more += (
            "<p>A chat counts as opened in the browser's language (when the bot speaks it), and from"
            " consent on in the language of the conversation, which follows the visitor.</p>"
        )
    return (
        f'<section aria-labelledby="by"><h2 id="by">By {e(metrics.BREAKDOWNS[by].lower())}</h2>{table}{more}</section>'
    )


def _drop_off_section(drop: List[metrics.QuestionDropOff], playbook: Any) -> str:
    def label(slot: str) -> str:
        question = playbook.question(slot)
        return getattr(question, "label", None) or slot.replace("_", " ")

    chart = horizontal_bars(
        "Visitors who left at each question", [(label(q.question), q.left, f"{q.left} left") for q in drop]
    )
    table = _table(
        ["Question", "Asked", "Answered", "Asked again", "Left there", "Median time to answer"],
        [(e(label(q.question)), q.asked, q.answered, q.reasked, q.left, _duration(q.median_seconds)) for q in drop],
    )
    return f'<section aria-labelledby="drop"><h2 id="drop">Drop-off by question</h2>{chart}{table}</section>'


def _aes_section(aes: List[metrics.AeMeetings]) -> str:
    chart = horizontal_bars(
        "Meetings this month per AE; the tick is their fair share",
        [(ae.name, ae.booked, f"{ae.booked} (share {ae.fair_share:g})") for ae in aes],
        marks=[ae.fair_share for ae in aes],
    )
    table = _table(
        [
            "AE",
            "Team",
            "Booked this month",
            "Fair share",
            "Weight",
            "Out of office (days this month)",
            "Reassigned to them",
            "Active",
        ],
        [
            (
                e(ae.name),
                e(ae.team),
                ae.booked,
                f"{ae.fair_share:g}",
                f"{ae.weight:g}",
                ae.out_of_office_days,
                ae.reassigned_to,
                "yes" if ae.active else "no",
            )
            for ae in aes
        ],
    )
    return f'<section aria-labelledby="aes"><h2 id="aes">Meetings by AE</h2>{chart}{table}</section>'


def _scores_section(bands: Dict[str, List[int]], knockouts: Any) -> str:
    columns = [f"{low}+" if low == 100 else f"{low}–{low + 9}" for low in metrics.SCORE_BUCKETS]
    order = [tier for tier in ("cql", "nurture", "disqualified", "support", "new") if tier in bands]
    chart = stacked_columns("Leads by score band and tier", columns, {tier: bands[tier] for tier in order})
    table = _table(["Knock-out", "Leads"], [(e(reason), count) for reason, count in knockouts.most_common()])
    return (
        f'<section aria-labelledby="scores"><h2 id="scores">Score distribution</h2>{chart}'
        f"<h3>Knock-outs</h3>{table if knockouts else '<p>None in this period.</p>'}</section>"
    )


def _speed_section(speed: Dict[str, Any]) -> str:
    def row(label: str, stats: Dict[str, float] | None) -> tuple:
        if not stats:
            return (e(label), "–", "–", 0)
        return (e(label), _duration(stats["p50"]), _duration(stats["p95"]), int(stats["n"]))

    table = _table(
        ["", "p50", "p95", "Count"],
        [
            row("First message → meeting booked", speed["to_booking"]),
            row("Meeting booked → AE alerted", speed["to_alert"]),
        ],
    )
    return f'<section aria-labelledby="speed"><h2 id="speed">Speed to lead</h2>{table}</section>'


# -- leads -------------------------------------------------------------------------


def _lead_row(lead: Dict[str, Any]) -> List[str]:
    meeting = lead.get("meeting") or {}
    return [
        f'<a href="/ops/leads/{int(lead["id"])}">{e(lead.get("name") or lead["email"])}</a>',
        e(lead.get("company") or ""),
        e(lead["status"]),
        e(str(lead["score"]) if lead["score"] is not None else "–"),
        e(f"{meeting.get('ae')} · {meeting['start']:%d %b %H:%M} UTC" if meeting else ""),
        time_html(lead["created_at"]),
    ]


def leads_page_body(app: Sanic, args: Dict[str, List[str]], found: tuple[List[Dict[str, Any]], int | None]) -> str:
    items, continue_below = found
    one = {key: values[0] for key, values in args.items() if values}
    statuses = [("", "Any tier")] + [(s, s) for s in ("new", "cql", "nurture", "disqualified", "support")]
    filters = (
        '<form method="get" action="/ops/leads" class="filters">'
        f'<label for="status">Tier</label>{select_html("status", statuses, one.get("status", ""))}'
        f'<label for="email">Email</label><input id="email" name="email" type="email" value="{e(one.get("email", ""), quote=True)}">'
        f'<label for="since">Since</label><input id="since" name="since" type="date" value="{e(one.get("since", "")[:10], quote=True)}">'
        '<button type="submit">Show</button></form>'
    )
    table = _table(["Lead", "Company", "Tier", "Score", "Meeting", "First seen"], (_lead_row(lead) for lead in items))
    more = ""
    if continue_below:
        query = {k: v for k, v in one.items() if k in ("status", "email", "since") and v} | {
            "before": str(continue_below)
        }
        more = f'<p><a href="/ops/leads?{e(urlencode(query), quote=True)}">Older leads</a></p>'
    return filters + (table if items else "<p>No leads match.</p>") + more


def _routing(app: Sanic, senders: List[str]) -> List[Dict[str, Any]]:
    if not senders:
        return []
    with app.ctx.engine.connect() as connection:
        rows = connection.execute(
            select(RoutingDecision.decided_at, RoutingDecision.team, RoutingDecision.ae_key, RoutingDecision.reasons)
            .where(RoutingDecision.sender_id.in_(senders))
            .order_by(RoutingDecision.id)
        ).all()
    return [dict(row._mapping) for row in rows]


def _language_html(code: str) -> str:
    """The language by its English name, and its code: "German <code>de</code>"."""
    return f"{e(language_name(code))} <code>{e(code)}</code>"


def _answers_table(answers: Dict[str, Dict[str, Any]], glossed: bool) -> str:
    """The answers: the visitor's words, what they were understood as, and (for a lead who
    chatted in another language) the English gloss of that."""
    headers = ["Question", "Their words", "Understood as", *(["In English"] if glossed else []), "When"]
    rows = [
        (
            e(q.replace("_", " ")),
            e(str(a.get("text") or "")),
            e(_understood(a.get("value"))),
            *([e(a.get("gloss") or "")] if glossed else []),
            time_html(a.get("at")),
        )
        for q, a in answers.items()
    ]
    return _table(headers, rows)


def lead_page_body(request: Request, lead: Dict[str, Any], routing: List[Dict[str, Any]]) -> str:
    lead_id = int(lead["id"])
    language = language_of(lead.get("language"))
    facts = [
        ("Email", e(lead["email"])), ("Company", e(lead.get("company") or "")), ("Role", e(lead.get("role") or "")),
        ("Company size", e(str(lead.get("company_size") or ""))), ("Country", e(lead.get("country") or "")),
        ("Language", _language_html(language)),
        ("Tier", f'<strong>{e(lead["status"])}</strong>'), ("Score", e(str(lead.get("score") if lead.get("score") is not None else "–"))),
        ("Accepted by", e(lead.get("accepted_by") or "nobody yet")),
    ]  # fmt: skip
    summary = "<dl class='facts'>" + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts) + "</dl>"
    reasons = "".join(f"<li>{e(str(r.get('text', '')))}</li>" for r in lead.get("reasons") or [])
    answers = _answers_table(lead.get("answers", {}), glossed=language != DEFAULT_LANGUAGE)
    history = _table(
        ["When", "From", "To", "Why", "Who", "Note"],
        [
            (
                time_html(h["at"]),
                e(h["from"] or ""),
                e(h["to"]),
                e(h["cause"]),
                e(h.get("actor") or ""),
                e(h.get("note") or ""),
            )
            for h in lead.get("status_history", [])
        ],
    )
    transcript = "".join(
        f'<li class="{e(line["from"])}"><span class="who">{e(line["from"])}</span> {e(line["text"])}</li>'
        for line in lead.get("transcript", [])
    )
    routes = _table(
        ["When", "Team", "AE", "Reason codes"],
        [
            (
                time_html(r["decided_at"]),
                e(r["team"]),
                e(r["ae_key"] or "–"),
                e(", ".join(map(str, r["reasons"] or []))),
            )
            for r in routing
        ],
    )
    meeting = lead.get("meeting")
    meeting_html = (
        f"<p>{e(meeting['status'])} with {e(meeting['ae'])}: {time_html(meeting['start'])}"
        + (
            f' · <a href="{e(meeting["meet_link"], quote=True)}" rel="noopener">Meet link</a>'
            if meeting.get("meet_link")
            else ""
        )
        + "</p>"
        if meeting
        else "<p>No meeting.</p>"
    )
    alerts = _table(
        ["Alert", "To", "Status", "Attempts", "Delivered", "Via", "Last error"],
        [
            (
                e(n["kind"]),
                e(n["recipient"]),
                e(n["status"]),
                n["attempts"],
                time_html(n.get("delivered_at")),
                e(n.get("via") or ""),
                e(n.get("last_error") or ""),
            )
            for n in lead.get("notifications", [])
        ],
    )
    actions = (
        f'<div class="lead-actions"><a class="cta" href="/ops/leads/{lead_id}/export">Export (JSON)</a>'
        f'<form method="post" action="/ops/leads/{lead_id}/erase" class="erase">{csrf_input(request)}'
        '<label><input type="checkbox" name="confirm" value="yes" required> Erase this lead\'s personal data for good</label>'
        '<button class="cta secondary" type="submit">Erase</button></form></div>'
    )
    return (
        f"{summary}{actions}<section><h2>Why this tier</h2><ul>{reasons or '<li>Not scored yet.</li>'}</ul></section>"
        f"<section><h2>Answers</h2>{answers}</section><section><h2>Meeting</h2>{meeting_html}</section>"
        f"<section><h2>Routing</h2>{routes if routing else '<p>Not routed.</p>'}</section>"
        f"<section><h2>Alerts to AEs</h2>{alerts if lead.get('notifications') else '<p>None.</p>'}</section>"
        f"<section><h2>Status history</h2>{history}</section>"
        f'<section><h2>Transcript</h2><ol class="transcript">{transcript or "<li>Nothing kept.</li>"}</ol></section>'
    )


def _understood(value: Any) -> str:
    if isinstance(value, dict):
        for key in ("label", "title", "name", "address", "status", "raw"):
            if value.get(key):
                return str(value[key])
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return "" if value is None else str(value)


# -- config ------------------------------------------------------------------------


def config_page_body(app: Sanic) -> str:
    settings, services = app.ctx.settings, app.ctx.services
    problems = run_checks(PROJECT_ROOT)  # the ops folder the web app runs with, against this domain.yml
    files = sorted(p.name for p in settings.ops_dir.glob("*.yml"))
    by_file: Dict[str, List[str]] = {}
    for problem in problems:
        by_file.setdefault(str(problem).split(":", 1)[0].rsplit("/", 1)[-1], []).append(str(problem))
    rows = [
        (
            e(f"ops/{name}"),
            "<span class='badge warn'>problem</span> " + "<br>".join(e(p) for p in by_file[name])
            if name in by_file
            else "<span class='badge ok'>valid</span>",
        )
        for name in files
    ]
    model = DEFAULT_MODEL
    model_line = (
        f"{e(model.name)}, {model.stat().st_size / 1e6:.1f} MB, trained "
        + time_html(datetime.fromtimestamp(model.stat().st_mtime, UTC))
        if model.exists()
        else "no trained model: run <code>make model</code>"
    )
    scanned, changes = preview(app.ctx.lead_store, services.scoring)
    moves = _table(
        ["Lead", "Tier now", "Would be", "Would score"],
        [(f'<a href="/ops/leads/{c.lead_id}">{e(c.email)}</a>', e(c.old_status), e(c.new.tier.value), c.new.points)
         for c in changes[:50]],
    )  # fmt: skip
    health = [
        ("Slack", "connected (alerts as DMs and channel posts)" if settings.slack_bot_token else "not set: alerts stay in the AE inbox"),
        ("Slack buttons", "signature checked" if settings.slack_signing_secret else "SLACK_SIGNING_SECRET not set: buttons are refused"),
        ("Calendar", "Google Calendar" if (settings.google_service_account_file or settings.google_oauth_client_id) else "local calendar (in the database)"),
    ]  # fmt: skip
    return (
        f"<section><h2>Ops files</h2>{_table(['File', 'Status'], rows)}"
        f"<p>Scoring policy version: <code>{e(services.scoring.policy_version)}</code></p></section>"
        f"<section><h2>Model</h2><p>{model_line}</p></section>"
        f"<section><h2>Connections</h2>{_table(['', ''], [(e(a), e(b)) for a, b in health])}</section>"
        f"<section><h2>Re-score preview</h2><p>{scanned} scored leads read; the current ops/scoring.yml moves "
        f"{len(changes)}. <code>make rescore ARGS=--apply</code> writes it.</p>{moves if changes else ''}</section>"
    )


def setup_dashboard(app: Sanic) -> None:
    @app.get("/ops")
    @ops_page
    async def overview(request: Request) -> HTTPResponse:
        days, period = _period(request)
        by = request.args.get("by") or "source"
        by = by if by in metrics.BREAKDOWNS else "source"
        sections = await overview_sections(app, period, by)
        form = (
            '<form method="get" action="/ops" class="filters">'
            f'<label for="days">Period</label>{select_html("days", [(str(d), f"Last {d} days") for d in PERIODS], str(days))}'
            f'<label for="by">Break down by</label>{select_html("by", list(metrics.BREAKDOWNS.items()), by)}'
            '<button type="submit">Show</button></form>'
        )
        return ops_page_html("Overview", form + sections, request=request)

    @app.get("/ops/leads")
    @ops_page
    async def leads(request: Request) -> HTTPResponse:
        args = {k: v for k, v in request.get_args(keep_blank_values=False).items()}
        api_args = {k: v for k, v in args.items() if k in ("status", "email", "since")}
        try:
            wanted = parse_lead_filter(api_args)
            before = (args.get("before") or [""])[0]
            if before:
                wanted = LeadFilter(wanted.email, wanted.status, wanted.since, wanted.limit, parse_lead_id(before))
        except ApiError as exc:
            return ops_page_html("Leads", f'<p class="notice">{e(exc.reason)}</p>', 400, request)
        found = await asyncio.to_thread(app.ctx.lead_queries.page, wanted)
        erased = (args.get("erased") or [""])[0]
        notice = f'<p class="notice" role="status">Lead {int(erased)} was erased.</p>' if erased.isdigit() else ""
        return ops_page_html("Leads", notice + leads_page_body(app, args, found), request=request)

    @app.get("/ops/leads/<lead_id:str>")
    @ops_page
    async def lead(request: Request, lead_id: str) -> HTTPResponse:
        try:
            found = await lead_view(app, parse_lead_id(lead_id))
        except ApiError as exc:
            return ops_page_html("Lead", f'<p class="notice">{e(exc.reason)}</p>', exc.status, request)
        routing = await asyncio.to_thread(_routing, app, found.get("senders", []))
        title = f"{found.get('name') or found['email']}" + (f", {found['company']}" if found.get("company") else "")
        return ops_page_html(title, lead_page_body(request, found, routing), request=request)

    @app.get("/ops/leads/<lead_id:str>/export")
    @ops_page
    async def export(request: Request, lead_id: str) -> HTTPResponse:
        try:
            return await export_response(app, parse_lead_id(lead_id))
        except ApiError as exc:
            return ops_page_html("Export", f'<p class="notice">{e(exc.reason)}</p>', exc.status, request)

    @app.post("/ops/leads/<lead_id:str>/erase")
    @ops_page
    async def erase(request: Request, lead_id: str) -> HTTPResponse:
        if not check_csrf(request):
            return ops_page_html(
                "Erase", "<p>The form expired. Please reload the lead and try again.</p>", 403, request
            )
        if (request.form.get("confirm") if request.form else None) != "yes":
            return ops_page_html("Erase", "<p>Tick the box to confirm the erasure.</p>", 400, request)
        try:
            done = await erase_lead(app, parse_lead_id(lead_id))
        except ApiError as exc:
            return ops_page_html("Erase", f'<p class="notice">{e(exc.reason)}</p>', exc.status, request)
        return redirect(f"/ops/leads?erased={int(done['id'])}", status=303)

    @app.get("/ops/config")
    @ops_page
    async def config(request: Request) -> HTTPResponse:
        body = await asyncio.to_thread(config_page_body, app)
        return ops_page_html("Configuration", body, request=request)
