"""Video in a breakout group, in Chromium: two learners sit in one group, both click "Join
video", and each one's page decodes the other's camera (Chromium's fake camera), connected
peer to peer with the server relaying only the signaling. A group of five is told that video
that large needs the stage, and gets no button."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.browser.conftest import Browsing
from tests.live.conftest import db_url_of
from tests.live.group_call_support import ok
from tests.live.support import Client, seed
from tests.servers import Server

# Each remote tile's video: its size and decoded frames so far (-1 when none is there).
REMOTE_FRAMES = """() => [...document.querySelectorAll("#breakout-video-tiles video")]
  .filter((v) => !v.muted)
  .map((v) => ({width: v.videoWidth, frames: v.getVideoPlaybackQuality().totalVideoFrames}))"""


async def enter(page: Page, event_id: int) -> None:
    await page.goto(f"/events/{event_id}/room")
    await expect(page.locator("#room")).to_have_attribute("data-status", "live")


async def decoding(page: Page) -> int:
    """Wait until the one remote video decodes frames, and keeps decoding; its frame count."""
    await page.wait_for_function(
        f"() => {{ const t = ({REMOTE_FRAMES})(); return t.length === 1 && t[0].width > 0"
        " && t[0].frames > 0; }"
    )
    tiles = await page.evaluate(REMOTE_FRAMES)
    first = int(tiles[0]["frames"])
    await page.wait_for_function(f"() => ({REMOTE_FRAMES})()[0].frames > {first + 10}")
    return first


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
        await decoding(page)
        region = page.get_by_role("region", name="Video")
        await expect(region.get_by_label(f"Video of {other.name}")).to_be_visible()
        await expect(region.get_by_label("Your camera")).to_be_visible()

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


async def test_a_group_of_five_is_told_video_needs_the_stage(
    browsing: Browsing, server: Server
) -> None:
    seeded = await seed(db_url_of(server), attendees=5)
    host = await Client.open(server.url, seeded.host.cookie)
    await ok(host, "join", room=seeded.event_id)
    clients = [await Client.open(server.url, a.cookie) for a in seeded.attendees[1:]]
    for client in clients:
        await ok(client, "join", room=seeded.event_id)
    page = await browsing.page(await browsing.context(seeded.attendees[0].cookie))
    await enter(page, seeded.event_id)
    await ok(host, "breakout.plan", mode="random", minutes=30, groups=[{"name": "Everyone"}])
    await ok(host, "breakout.open")
    video = page.get_by_role("region", name="Video")
    await expect(video).to_contain_text("this group has 5 people")
    await expect(video).to_contain_text("needs the stage")
    await expect(video.get_by_role("button", name="Join video")).to_be_hidden()
    for client in (host, *clients):
        await client.close()
