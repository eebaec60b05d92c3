"""Chromium through Playwright (async API): one browser per session, fresh contexts per test.

Debian's Chromium is launched from `STUDYHALL_CHROMIUM` (default /usr/bin/chromium), with a
fake camera and microphone and without the background services that would try to reach the
outside network. Each context gets the server's base URL; every page of a test is watched
for console errors and uncaught exceptions, and when the test fails a screenshot, the HTML
and the console of each page land in the test's tmp dir, named in the summary at the end.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Generator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.async_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Page,
    async_playwright,
    expect,
)

from tests.servers import Server

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    # Host candidates as addresses rather than mDNS names, which the server's ICE (aioice)
    # would have to resolve by multicast.
    "--disable-features=WebRtcHideLocalIpsWithMdns",
]
SESSION_COOKIE = "studyhall_session"
# Generous but event-driven: every wait ends as soon as the page gets there.
TIMEOUT_MS = 20_000

# Chromium's offline emulation (context.set_offline) fails new connections but leaves an open
# WebSocket open, so a test cannot drop a room's socket with it alone. This script, run
# before the page's own, keeps the page's sockets within reach of the test; dropping them
# while offline reproduces what a lost network does to the page: its socket closes, and
# every reconnect attempt fails until the network is back.
DROPPABLE_SOCKETS = """
(() => {
  const Native = window.WebSocket;
  const open = new Set();
  class Tracked extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      open.add(this);
      this.addEventListener("close", () => open.delete(this));
    }
  }
  window.WebSocket = Tracked;
  window.__studyhallTest = {
    dropSockets() {
      const dropped = open.size;
      for (const socket of open) socket.close(4000, "test: the network dropped");
      open.clear();
      return dropped;
    },
  };
})();
"""

_reports = pytest.StashKey[dict[str, pytest.TestReport]]()
_saved: list[Path] = []


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the item, so that a fixture can tell a failed test."""
    report = yield
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _saved:
        terminalreporter.write_sep("=", "browser state of failed tests", red=True)
        for path in _saved:
            terminalreporter.write_line(str(path))


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    path = os.environ.get("STUDYHALL_CHROMIUM", "/usr/bin/chromium")
    if not os.access(path, os.X_OK):
        pytest.fail(
            f"No Chromium at {path}: run scripts/test, which installs it, or set STUDYHALL_CHROMIUM"
        )
    expect.set_options(timeout=TIMEOUT_MS)
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        await launched.close()


@dataclass
class Watched:
    """What a page said while the test ran."""

    page: Page
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class Browsing:
    """Contexts and pages of one test, against one server."""

    def __init__(self, browser: Browser, server: Server) -> None:
        self.browser = browser
        self.server = server
        self.contexts: list[BrowserContext] = []
        self.watched: list[Watched] = []

    async def context(self, session: str | None = None) -> BrowserContext:
        """A fresh browser profile; signed in when given a session token."""
        context = await self.browser.new_context(base_url=self.server.url)
        context.set_default_timeout(TIMEOUT_MS)
        context.on("page", self._watch)
        if session is not None:
            await context.add_cookies(
                [
                    {
                        "name": SESSION_COOKIE,
                        "value": session,
                        "url": self.server.url,
                        "httpOnly": True,
                        "sameSite": "Lax",
                    }
                ]
            )
        self.contexts.append(context)
        return context

    async def page(self, context: BrowserContext | None = None) -> Page:
        """A page in `context`, or in a fresh anonymous one."""
        return await (context or await self.context()).new_page()

    def _watch(self, page: Page) -> None:
        watched = Watched(page)
        self.watched.append(watched)

        def on_console(message: ConsoleMessage) -> None:
            watched.console.append(f"{message.type}: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: watched.errors.append(str(error)))

    def uncaught_errors(self) -> list[str]:
        return [e for w in self.watched for e in w.errors]

    async def save(self, into: Path) -> None:
        """A screenshot, the HTML and the console of every open page."""
        into.mkdir(parents=True, exist_ok=True)
        for n, watched in enumerate(self.watched):
            page = watched.page
            if page.is_closed():
                continue
            stem = into / f"page-{n}"
            try:
                await page.screenshot(path=f"{stem}.png", full_page=True, timeout=5_000)
                Path(f"{stem}.html").write_text(await page.content())
            except Error as err:  # a page that crashed still leaves its console
                Path(f"{stem}.error.txt").write_text(str(err))
            lines = [
                f"url: {page.url}",
                *watched.console,
                *("uncaught: " + e for e in watched.errors),
            ]
            Path(f"{stem}.console.txt").write_text("\n".join(lines) + "\n")
            _saved.append(Path(f"{stem}.png"))

    async def close(self) -> None:
        for context in self.contexts:
            await context.close()


async def make_sockets_droppable(context: BrowserContext) -> None:
    """Let `drop_sockets` reach the WebSockets of pages opened in `context` from now on."""
    await context.add_init_script(DROPPABLE_SOCKETS)


async def drop_sockets(page: Page) -> int:
    """Close every open WebSocket of `page`, as a dropped network would; returns how many."""
    dropped: int = await page.evaluate("() => window.__studyhallTest.dropSockets()")
    return dropped


@pytest.fixture
async def browsing(
    browser: Browser, server: Server, request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[Browsing]:
    session = Browsing(browser, server)
    try:
        yield session
        reports = request.node.stash.get(_reports, {})
        if any(r.failed for r in reports.values()):
            await session.save(tmp_path / "browser")
    finally:
        await session.close()
