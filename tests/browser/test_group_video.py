"""Video in a breakout group, in Chromium: two learners sit in one group, both click "Join
video", and each one's page decodes the other's camera (Chromium's fake camera), connected
peer to peer with the server relaying only the signaling. A group of five calls through the
server's SFU instead."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.browser.conftest import Browsing
from tests.live.conftest import db_url_of
from tests.live.support import Client, Someone, ok, seed
from tests.servers import Server

# Each remote tile's video: its size and decoded frames so far (-1 when none is there).
REMOTE_FRAMES = """() => [...document.querySelectorAll("#breakout-video-tiles video")]
  .filter((v) => !v.muted)
  .map((v) => ({width: v.videoWidth, frames: v.getVideoPlaybackQuality().totalVideoFrames}))"""


async def enter(page: Page, event_id: int) -> None:
    await page.goto(f"/events/{event_id}/room")
    await expect(page.locator("#room")).to_have_attribute("data-status", "live")


async def decoding(page: Page, remotes: int = 1) -> None:
    """Wait until each of the `remotes` remote videos decodes frames, and keeps decoding."""
    await page.wait_for_function(
        f"() => {{ const t = ({REMOTE_FRAMES})(); return t.length === {remotes}"
        " && t.every((v) => v.width > 0 && v.frames > 0); }"
    )
    tiles = await page.evaluate(REMOTE_FRAMES)
    least = min(int(t["frames"]) for t in tiles)
    await page.wait_for_function(f"() => ({REMOTE_FRAMES})().every((v) => v.frames > {least + 10})")


async def sees(page: Page, other: Someone) -> None:
    """The page decodes `other`'s camera in a tile named for them, beside one's own."""
    await decoding(page)
    region = page.get_by_role("region", name="Video")
    await expect(region.get_by_label(f"Video of {other.name}")).to_be_visible()
    await expect(region.get_by_label("Your camera")).to_be_visible()


async def test_two_learners_see_each_other_in_their_group(
    browsing: Browsing, server: Server
) -> None:
    seeded = await seed(db_url_of(server), attendees=2)
    host = await Client.open(server.url, seeded.host.cookie)
    await ok(host, "join", room=seeded.event_id)
    pages = [await browsing.page(await browsing.context(a.cookie)) for a in seeded.attendees]
    for page in pages:
        await enter(page, seeded.event_id)
    await ok(host, "breakout.plan", mode="random", minutes=30, groups=[{"name": "Pairs"}])
    await ok(host, "breakout.open")

    for page in pages:
        video = page.get_by_role("region", name="Video")
        await expect(video.get_by_role("button", name="Join video")).to_be_visible()
    for page in pages:
        await (
            page.get_by_role("region", name="Video")
            .get_by_role("button", name="Join video")
            .click()
        )
    for page, other in zip(pages, reversed(seeded.attendees), strict=True):
        await sees(page, other)

    # Muting is a switch, usable from the keyboard, that says its state.
    mic = pages[0].get_by_role("button", name="Mute microphone")
    await mic.focus()
    await pages[0].keyboard.press("Enter")
    await expect(pages[0].get_by_role("button", name="Unmute microphone")).to_have_attribute(
        "aria-pressed", "true"
    )

    # One leaves: the other's tile of them goes; closing the round ends the call.
    await pages[1].get_by_role("button", name="Leave video").click()
    await expect(pages[0].get_by_label(f"Video of {seeded.attendees[1].name}")).to_have_count(0)
    await ok(host, "breakout.close")
    await expect(pages[0].locator("#breakout-video-tiles video")).to_have_count(0)
    assert browsing.uncaught_errors() == []
    await host.close()


async def test_a_group_of_five_calls_through_the_server(browsing: Browsing, server: Server) -> None:
    seeded = await seed(db_url_of(server), attendees=5)
    host = await Client.open(server.url, seeded.host.cookie)
    await ok(host, "join", room=seeded.event_id)
    clients = [await Client.open(server.url, a.cookie) for a in seeded.attendees[2:]]
    for client in clients:
        await ok(client, "join", room=seeded.event_id)
    ada, bo = seeded.attendees[:2]
    pages = [await browsing.page(await browsing.context(p.cookie)) for p in (ada, bo)]
    for page in pages:
        await enter(page, seeded.event_id)
    await ok(host, "breakout.plan", mode="random", minutes=30, groups=[{"name": "Everyone"}])
    await ok(host, "breakout.open")
    for page in pages:
        video = page.get_by_role("region", name="Video")
        await expect(video).to_contain_text("This group has 5 people")
        await expect(video).to_contain_text("through the server")
        await video.get_by_role("button", name="Join video").click()
    for page, other in zip(pages, (bo, ada), strict=True):
        await sees(page, other)

    # One leaves: the other's tile of them goes; the server closed their connections.
    await pages[1].get_by_role("button", name="Leave video").click()
    await expect(pages[0].get_by_label(f"Video of {bo.name}")).to_have_count(0)
    assert browsing.uncaught_errors() == []
    for client in (host, *clients):
        await client.close()


async def test_someone_moved_in_joins_the_call_and_someone_moved_out_leaves_it(
    browsing: Browsing, server: Server
) -> None:
    seeded = await seed(db_url_of(server), attendees=3)
    host = await Client.open(server.url, seeded.host.cookie)
    await ok(host, "join", room=seeded.event_id)
    pages = [await browsing.page(await browsing.context(a.cookie)) for a in seeded.attendees]
    for page in pages:
        await enter(page, seeded.event_id)
    groups = [{"name": "Pairs"}, {"name": "Others"}]
    await ok(host, "breakout.plan", mode="by_hand", minutes=30, groups=groups)
    await ok(host, "breakout.open")
    await host.wait_for(lambda: any(e["type"] == "breakout.opened" for e in host.events()))
    opened = next(e for e in host.events() if e["type"] == "breakout.opened")["round"]
    pairs, others = (g["id"] for g in opened["groups"])
    ids = {m["name"]: m["id"] for g in opened["groups"] for m in g["members"]}
    ada, bo, cy = (ids[a.name] for a in seeded.attendees)
    await ok(host, "breakout.move", group=pairs, member=ada)
    await ok(host, "breakout.move", group=pairs, member=bo)
    await ok(host, "breakout.move", group=others, member=cy)
    for page in pages[:2]:
        await expect(page.locator("#breakout-group-name")).to_have_text("Pairs")
        await page.get_by_role("button", name="Join video").click()
    for page in pages[:2]:
        await decoding(page)

    # Someone moved in mid-call joins it: the two already in it each connect to them.
    await ok(host, "breakout.move", group=pairs, member=cy)
    await expect(pages[2].locator("#breakout-group-name")).to_have_text("Pairs")
    await pages[2].get_by_role("button", name="Join video").click()
    for page in pages:
        await decoding(page, remotes=2)

    # Someone moved out leaves it: their tile goes from the others, their call ends.
    await ok(host, "breakout.move", group=others, member=bo)
    for page in (pages[0], pages[2]):
        await expect(page.get_by_label(f"Video of {seeded.attendees[1].name}")).to_have_count(0)
    await expect(pages[1].locator("#breakout-video-tiles video")).to_have_count(0)
    await expect(pages[1].get_by_role("button", name="Join video")).to_be_visible()
    await decoding(pages[0])
    assert browsing.uncaught_errors() == []
    await host.close()
