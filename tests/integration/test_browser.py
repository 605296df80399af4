"""The widget and the ops dashboard in a real headless Chromium (Debian's
``chromium``), driven by Playwright, against the running stack.

A visitor books a meeting in the widget; reloads mid-conversation and goes
on; loses the network and gets their message through; ops sign in and find
the booking in the funnel and on the lead page; markup typed by a visitor
stays text everywhere; every control has an accessible name; the pages fit
a 360 px phone. With ``CQLBOT_SCREENSHOTS=<folder>`` the key screens are
saved there (``docs/screenshots/`` in the README comes from this).
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path
from typing import Iterator, List

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from bot.processes.stack import Stack
from tests.support.stack import API_TOKEN

CHROMIUM = Path("/usr/bin/chromium")
#: Flags for a closed network and a root user (see the machine notes in docs/benchmarks.md).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]  # fmt: skip
XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
SHOTS = os.environ.get("CQLBOT_SCREENSHOTS")
#: Finds controls with no accessible name: what an axe "button-name"/"label" check reports.
UNLABELLED = """() => Array.from(document.querySelectorAll('button, input:not([type=hidden]), select, textarea, a[href]'))
  .filter(el => el.offsetParent !== null || el.getClientRects().length)
  .filter(el => {
    const named = (el.getAttribute('aria-label') || '').trim() || (el.getAttribute('aria-labelledby') || '').trim()
      || (el.textContent || '').trim() || (el.getAttribute('title') || '').trim()
      || (el.id && document.querySelector('label[for="' + el.id + '"]')) || el.closest('label');
    return !named;
  }).map(el => el.outerHTML.slice(0, 120))"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            "Debian's chromium is not installed: scripts/system_packages.sh test installs it (make test runs it)"
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    made = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Europe/Berlin")
    made.set_default_timeout(30_000)
    yield made
    made.close()


def shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"))


def bot_lines(page: Page) -> List[str]:
    return page.locator(".cqlbot-bot .cqlbot-text").all_inner_texts()


def say(page: Page, text: str) -> List[str]:
    """Types ``text``, sends it, and waits for the bot's next reply; returns every bot line."""
    before = page.locator(".cqlbot-bot").count()
    page.get_by_label("Your message").fill(text)
    page.get_by_label("Your message").press("Enter")
    expect(page.locator(".cqlbot-bot")).not_to_have_count(before)
    page.wait_for_timeout(300)  # a reply may come in two messages
    return bot_lines(page)


def open_chat(page: Page, stack: Stack, query: str = "") -> None:
    page.goto(f"http://127.0.0.1:{stack.ports.web}/{query}")
    page.get_by_role("button", name="Open chat").click()
    page.get_by_role("button", name="Yes, that's fine").click()
    expect(page.locator(".cqlbot-bot .cqlbot-text").last).to_contain_text("What brings you here")


def test_a_visitor_books_a_meeting_in_the_widget_and_ops_see_it(stack: Stack, context: BrowserContext) -> None:
    page = context.new_page()
    email = f"browser.{uuid.uuid4().hex[:8]}@alpenwerk-gruppe.de"
    open_chat(page, stack, "?utm_source=browser-test&utm_campaign=e2e")
    assert page.evaluate(UNLABELLED) == []
    say(page, f"we lose leads at night {XSS}")
    for answer in ["Ingrid Bauer", email, "Alpenwerk Gruppe", "CFO", "~3500 ppl", "asap", "budget approved"]:
        say(page, answer)
    shot(page, "widget-questions")
    page.get_by_label("Your message").fill("Germany")
    page.get_by_label("Your message").press("Enter")
    picker = page.get_by_role("group", name="Pick a time")
    expect(picker).to_be_visible()
    times = picker.locator(".cqlbot-time")
    assert 3 <= times.count() <= 5 and re.fullmatch(r"\d\d:\d\d", times.first.inner_text())
    assert page.locator(".cqlbot-day-name").first.inner_text()  # grouped by day
    times.first.focus()
    page.keyboard.press("ArrowRight")  # keyboard moves between the times
    assert page.evaluate("document.activeElement.classList.contains('cqlbot-time')")
    shot(page, "widget-times")
    chosen = times.first.get_attribute("aria-label")
    times.first.click()
    expect(page.locator(".cqlbot-bot .cqlbot-text").last).to_contain_text("You're booked!")
    assert chosen and chosen in page.locator(".cqlbot-bot .cqlbot-text").last.inner_text()
    assert page.locator(".cqlbot-visitor .cqlbot-text").nth(1).inner_text().endswith(XSS)  # shown as typed, as text
    assert page.evaluate("window.__xss") is None
    shot(page, "widget-booked")

    ops = context.new_page()
    ops.goto(f"http://127.0.0.1:{stack.ports.web}/ops")
    ops.get_by_label("Password or API token").fill(API_TOKEN)
    ops.get_by_role("button", name="Sign in").click()
    expect(ops.get_by_role("heading", name="Overview")).to_be_visible()
    booked = ops.locator("table tr", has_text="Booked a meeting").first.locator("td").nth(1).inner_text()
    assert int(booked.replace(",", "")) >= 1
    expect(ops.locator("table tr", has_text="browser-test")).to_be_visible()  # the UTM source's row
    assert ops.evaluate(UNLABELLED) == []
    shot(ops, "ops-overview")
    ops.goto(f"http://127.0.0.1:{stack.ports.web}/ops/leads?email={email}")
    ops.get_by_role("link", name="Ingrid Bauer").click()
    expect(ops.get_by_role("heading", name="Meeting")).to_be_visible()
    expect(ops.locator("section", has_text="Meeting").locator("p").first).to_contain_text("confirmed with lena")
    expect(ops.locator(".transcript")).to_contain_text(XSS)  # the visitor's markup, as text
    assert ops.evaluate("window.__xss") is None and ops.locator(".transcript img").count() == 0
    shot(ops, "ops-lead")


def test_a_reload_mid_conversation_keeps_the_chat_and_goes_on(stack: Stack, context: BrowserContext) -> None:
    page = context.new_page()
    open_chat(page, stack)
    say(page, "qualify chat leads")
    lines = say(page, "Ana Silva")
    assert "company" not in lines[-1].lower() or "email" in lines[-1].lower()
    shown = page.locator(".cqlbot-msg").count()
    page.reload()
    expect(page.locator(".cqlbot-msg")).to_have_count(shown)  # the transcript is back, the panel open
    expect(page.get_by_label("Your message")).to_be_visible()
    lines = say(page, f"ana.{uuid.uuid4().hex[:6]}@coralnetworks.com.br")
    assert "company" in lines[-1].lower()  # the same conversation: the next question


def test_a_message_typed_offline_is_sent_once_the_network_is_back(stack: Stack, context: BrowserContext) -> None:
    page = context.new_page()
    open_chat(page, stack)
    context.set_offline(True)
    expect(page.locator(".cqlbot-status")).to_contain_text("Reconnecting", timeout=30_000)
    before = page.locator(".cqlbot-bot").count()
    page.get_by_label("Your message").fill("route our website leads")
    page.get_by_label("Your message").press("Enter")
    context.set_offline(False)
    expect(page.locator(".cqlbot-bot")).not_to_have_count(before, timeout=30_000)
    page.wait_for_timeout(500)
    assert "name" in bot_lines(page)[-1].lower()  # the answer arrived and the next question came, once
    assert page.locator(".cqlbot-visitor", has_text="route our website leads").count() == 1


def test_the_pages_fit_a_360_px_phone(stack: Stack, browser: Browser) -> None:
    phone = browser.new_context(viewport={"width": 360, "height": 740}, timezone_id="America/Sao_Paulo")
    try:
        page = phone.new_page()
        open_chat(page, stack)
        box = page.locator(".cqlbot-panel").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 360
        shot(page, "widget-phone")
        page.goto(f"http://127.0.0.1:{stack.ports.web}/ops/login")
        page.get_by_label("Password or API token").fill(API_TOKEN)
        page.get_by_role("button", name="Sign in").click()
        for path in ("/ops", "/ops/leads", "/ops/inbox", "/ops/config"):
            page.goto(f"http://127.0.0.1:{stack.ports.web}{path}")
            assert page.evaluate("document.scrollingElement.scrollWidth") <= 362, path
        shot(page, "ops-phone")
    finally:
        phone.close()


def _response(name: str, language: str) -> dict:
    import yaml

    variants = yaml.safe_load(Path("domain.yml").read_text(encoding="utf-8"))["responses"][name]
    wanted = {"type": "slot", "name": "language", "value": language}
    return next(v for v in variants if wanted in (v.get("condition") or []))


@pytest.mark.parametrize(
    ("locale", "language", "launcher", "message_box"),
    [
        ("de-DE", "de", "Chat öffnen", "Ihre Nachricht"),
        ("es-MX", "es", "Abrir el chat", "Tu mensaje"),
        ("fr-FR", "fr", "Ouvrir le chat", "Votre message"),
    ],
)
def test_a_visitor_books_entirely_in_their_browsers_language(
    stack: Stack, browser: Browser, locale: str, language: str, launcher: str, message_box: str
) -> None:
    from tests.integration.test_languages import CONVERSATIONS

    context = browser.new_context(locale=locale, timezone_id="Europe/Madrid", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{stack.ports.web}/")
        page.get_by_role("button", name=launcher).click()
        consent = _response("utter_ask_consent", language)
        expect(page.locator(".cqlbot-bot .cqlbot-text").last).to_contain_text(consent["text"][:30])
        page.get_by_role("button", name=consent["buttons"][0]["title"]).click()
        question = _response("utter_ask_use_case", language)["text"]
        expect(page.locator(".cqlbot-bot .cqlbot-text").last).to_contain_text(question)
        box = page.get_by_label(message_box)
        answers = dict(CONVERSATIONS[language]["answers"])  # type: ignore[arg-type]
        answers["work_email"] = f"browser.{uuid.uuid4().hex[:8]}.{answers['work_email']}"
        for answer in list(answers.values())[:-1]:
            before = page.locator(".cqlbot-bot").count()
            box.fill(str(answer))
            box.press("Enter")
            expect(page.locator(".cqlbot-bot")).not_to_have_count(before)
            page.wait_for_timeout(300)
        box.fill(str(answers["country"]))
        box.press("Enter")
        times = page.locator(".cqlbot-picker .cqlbot-time")
        expect(times.first).to_be_visible()
        day = page.locator(".cqlbot-day-name").first.inner_text()
        assert day and not re.search(r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b", day)  # the day in the visitor's words
        times.first.click()
        booked = _response("utter_booked", language)["text"].split("{")[0]
        expect(page.locator(".cqlbot-bot .cqlbot-text").last).to_contain_text(booked.strip())
        shot(page, f"widget-booked-{language}")
    finally:
        context.close()
