"""Issue "Live rooms" in Chromium: two attendees in one room, each in a browser of their own.

They chat (typing, then Enter), raise a hand and clap, and each sees what the other did.
Then one loses the network: while they are away the other keeps talking, and when they are
back the page resumes by itself, without a reload: it shows exactly what was said
meanwhile, in order and once, sends what was written while offline, and its
"Reconnecting…" banner goes away.

How the network is lost: `context.set_offline(True)` makes every new connection fail, but
Chromium leaves an already open WebSocket open. So the test also closes the page's socket
through `drop_sockets` (an init script wraps the page's WebSocket constructor, nothing in
the application changes): from then on the page is exactly where a dropped network leaves
it, and its reconnect attempts keep failing until `set_offline(False)`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from playwright.async_api import Locator, Page, WebSocket, expect

from tests.browser.conftest import Browsing, drop_sockets, make_sockets_droppable
from tests.live.conftest import db_url_of
from tests.live.support import seed
from tests.servers import Server


@dataclass
class Frames:
    """The JSON frames one of the page's WebSockets sent and received."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)


def frames_of(page: Page) -> list[Frames]:
    """Record the frames of every WebSocket `page` opens from now on, one entry per socket."""
    sockets: list[Frames] = []

    def record(into: list[dict[str, Any]], payload: str | bytes) -> None:
        if isinstance(payload, str):
            into.append(json.loads(payload))

    def on_socket(ws: WebSocket) -> None:
        frames = Frames()
        sockets.append(frames)
        ws.on("framesent", lambda payload: record(frames.sent, payload))
        ws.on("framereceived", lambda payload: record(frames.received, payload))

    page.on("websocket", on_socket)
    return sockets


def chat(page: Page) -> Locator:
    """The messages the room delivered (not the ones still being sent)."""
    return page.locator("#chat-messages > li.message")


def chat_bodies(page: Page) -> Locator:
    return page.locator("#chat-messages > li.message .message-body")


async def say(page: Page, text: str) -> None:
    """Type a message and send it with Enter, as a person at a keyboard does."""
    await page.get_by_label("Message", exact=True).click()
    await page.keyboard.type(text)
    await page.keyboard.press("Enter")


async def live(page: Page) -> None:
    await expect(page.locator("#room")).to_have_attribute("data-status", "live")


async def test_room(browsing: Browsing, server: Server) -> None:
    seeded = await seed(db_url_of(server), attendees=2)
    ada_person, bo_person = seeded.attendees
    ada = await browsing.page(await browsing.context(ada_person.cookie))
    bo_context = await browsing.context(bo_person.cookie)
    await make_sockets_droppable(bo_context)
    bo = await browsing.page(bo_context)
    bo_sockets = frames_of(bo)

    for page in (ada, bo):
        await page.goto(f"/events/{seeded.event_id}/room")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Intro to Rust")
    for page in (ada, bo):
        await live(page)
        await expect(page.locator("#room-status")).to_have_text("")
        people = page.get_by_role("region", name="People here")
        await expect(people).to_contain_text(ada_person.name)
        await expect(people).to_contain_text(bo_person.name)

    # Chat: Ada types and presses Enter; Bo sees it, from Ada.
    await say(ada, "Hello from Ada")
    await expect(ada.get_by_label("Message", exact=True)).to_have_value("")
    from_ada = chat(bo).filter(has_text="Hello from Ada")
    await expect(from_ada).to_have_count(1)
    await expect(from_ada).to_contain_text(ada_person.name)

    # Hands: Bo raises his; Ada sees him in the queue.
    hand = bo.get_by_role("button", name="Raise hand")
    await hand.click()
    await expect(hand).to_have_attribute("aria-pressed", "true")
    queue = ada.get_by_role("list", name="Hands in the order they went up")
    await expect(queue.get_by_role("listitem")).to_have_count(1)
    await expect(queue.get_by_role("listitem")).to_contain_text(bo_person.name)
    await expect(ada.get_by_text("No hands raised.")).to_be_hidden()

    # Reactions: Ada claps; Bo's room shows the clap.
    await ada.get_by_role("button", name="Clap").click()
    await expect(bo.get_by_role("button", name="Clap").locator(".reaction-count")).to_have_text(
        "+1"
    )

    # Bo's network drops.
    await bo.evaluate("() => { window.__sameDocument = true; }")
    await bo_context.set_offline(True)
    assert await drop_sockets(bo) == 1
    await expect(bo.locator("#room")).to_have_attribute("data-status", "reconnecting")
    await expect(bo.locator("#room-status")).to_contain_text("Reconnecting…")

    # Meanwhile Ada talks, and Bo writes a message that has to wait for the network.
    meanwhile = ["Did everyone get the slides?", "Chapter 4 is next", "Questions welcome"]
    for text in meanwhile:
        await say(ada, text)
        await expect(chat(ada).filter(has_text=text)).to_have_count(1)
    await say(bo, "Sorry, my wifi")
    await expect(bo.get_by_role("list", name="Messages being sent")).to_contain_text(
        "Sorry, my wifi"
    )
    assert await chat(bo).filter(has_text=meanwhile[0]).count() == 0
    await expect(bo.locator("#room")).to_have_attribute("data-status", "reconnecting")

    # The network is back: Bo's page catches up by itself.
    await bo_context.set_offline(False)
    await live(bo)
    for text in meanwhile:
        await expect(chat(bo).filter(has_text=text)).to_have_count(1)
    await expect(bo.locator("#room-status")).to_have_text("")
    await expect(bo.get_by_role("list", name="Messages being sent").locator("li")).to_have_count(0)
    await expect(chat(ada).filter(has_text="Sorry, my wifi")).to_have_count(1)
    assert await bo.evaluate("() => window.__sameDocument === true"), "the room page reloaded"

    # Both rooms hold the same messages, in the same order, each once.
    expected = ["Hello from Ada", *meanwhile, "Sorry, my wifi"]
    await expect(chat_bodies(ada)).to_have_text(expected)
    await expect(chat_bodies(bo)).to_have_text(expected)

    # It was a resume: the new socket joined with the last seq Bo had seen and was answered
    # with what he missed, not with a fresh snapshot.
    rejoined = [s for s in bo_sockets if any(f.get("op") == "join" for f in s.sent)][-1]
    assert rejoined is not bo_sockets[0]
    join = next(f for f in rejoined.sent if f.get("op") == "join")
    assert isinstance(join.get("since"), int), join
    assert not [f for f in rejoined.received if f.get("type") == "snapshot"], rejoined.received

    assert browsing.uncaught_errors() == []
