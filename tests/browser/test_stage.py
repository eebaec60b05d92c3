"""The stage in Chromium: a host turns on the fake camera and microphone, an attendee's
page receives the video through the server's SFU and decodes it; the host invites the
attendee, who accepts with the keyboard and presents too; the host mutes her microphone
(only she unmutes it) and takes her off the stage. A dropped connection comes back to the
stage by itself."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.browser.conftest import Browsing, drop_sockets, make_sockets_droppable
from tests.live.conftest import db_url_of
from tests.live.support import Seeded, seed
from tests.servers import Server

# Every stage element playing: one that a redraw took out of the page pauses in Chromium.
PLAYING = """() => {
  const media = [...document.querySelectorAll(
    "#stage-tiles video, #stage-large video, #stage-audio audio")];
  return media.length > 0 && media.every((m) => m.srcObject !== null && !m.paused);
}"""

DECODED = """() => {
  const video = document.querySelector("#stage-tiles video");
  return video ? video.getVideoPlaybackQuality().totalVideoFrames : -1;
}"""


async def enter(page: Page, event_id: int) -> None:
    await page.goto(f"/events/{event_id}/room")
    await expect(page.locator("#room")).to_have_attribute("data-status", "live")


async def host_and_attendee(browsing: Browsing, server: Server) -> tuple[Seeded, Page, Page]:
    """A fresh room with its host's page and one attendee's page, both in the room."""
    seeded = await seed(db_url_of(server), attendees=1)
    host = await browsing.page(await browsing.context(seeded.host.cookie))
    ada = await browsing.page(await browsing.context(seeded.attendees[0].cookie))
    for page in (host, ada):
        await enter(page, seeded.event_id)
    return seeded, host, ada


async def test_a_host_presents_and_an_attendee_sees_the_video(
    browsing: Browsing, server: Server
) -> None:
    seeded = await seed(db_url_of(server), attendees=1)
    ada_person = seeded.attendees[0]
    host = await browsing.page(await browsing.context(seeded.host.cookie))
    ada_context = await browsing.context(ada_person.cookie)
    await make_sockets_droppable(ada_context)
    ada = await browsing.page(ada_context)
    for page in (host, ada):
        await enter(page, seeded.event_id)
    controls = "Your camera, microphone and screen"
    await expect(ada.get_by_role("group", name=controls)).to_be_hidden()
    await expect(ada.get_by_text("Nobody is presenting yet.")).to_be_visible()

    camera = host.get_by_role("button", name="Camera", exact=True)
    await camera.click()
    await expect(camera).to_have_attribute("aria-pressed", "true")
    await host.get_by_role("button", name="Microphone", exact=True).click()
    # Once allowed, the devices are there to choose from, by name.
    await expect(host.get_by_label("Camera device").locator("option")).not_to_have_count(0)
    await expect(host.get_by_label("Microphone device").locator("option")).not_to_have_count(0)

    tile = ada.get_by_role("list", name="People presenting").locator("video")
    await expect(tile).to_have_count(1)
    await expect(tile).to_have_attribute("aria-label", f"{seeded.host.name}'s camera")
    await ada.wait_for_function(
        """() => { const v = document.querySelector("#stage-tiles video");
                   return v !== null && v.videoWidth > 0; }"""
    )
    first = int(await ada.evaluate(DECODED))
    await ada.wait_for_function(f"() => ({DECODED})() > {first + 15}")
    assert browsing.uncaught_errors() == []

    # Ada's connection drops; the server closes her media with the socket, and once the
    # page is back in the room it watches the stage again by itself.
    assert await drop_sockets(ada) == 1
    await expect(ada.locator("#room")).to_have_attribute("data-status", "live")
    again = int(await ada.evaluate(DECODED))
    await ada.wait_for_function(f"() => ({DECODED})() > {again + 15}")

    # The host invites Ada from the people list; she accepts and may present.
    people = host.get_by_role("region", name="People here")
    await people.get_by_role("button", name=f"Invite to stage {ada_person.name}").click()
    join = ada.get_by_role("button", name="Join the stage")
    await expect(join).to_be_focused()
    await ada.keyboard.press("Enter")
    await expect(ada.get_by_role("group", name=controls)).to_be_visible()
    await expect(ada.get_by_role("button", name="Camera", exact=True)).to_be_focused()

    await ada.get_by_role("button", name="Camera", exact=True).press("Enter")
    await ada.get_by_role("button", name="Microphone", exact=True).click()
    host_tiles = host.get_by_role("list", name="People presenting").locator("video")
    await expect(host_tiles).to_have_count(2)
    await expect(host_tiles.nth(1)).to_have_attribute("aria-label", f"{ada_person.name}'s camera")

    await people.get_by_role("button", name=f"Mute microphone {ada_person.name}").click()
    note = ada.get_by_text("A host muted your microphone.", exact=False).first
    await expect(note).to_be_visible()
    await expect(host.get_by_text(f"{ada_person.name} (microphone muted)")).to_be_visible()
    await ada.get_by_role("button", name="Unmute").click()
    await expect(ada.locator("#stage-muted-note")).to_be_hidden()
    await expect(host.get_by_text(f"{ada_person.name} (microphone muted)")).to_be_hidden()
    # The stage was drawn again at each step: the host still sees and hears both.
    await host.wait_for_function(PLAYING)
    await ada.wait_for_function(PLAYING)

    await people.get_by_role("button", name=f"Take off the stage {ada_person.name}").click()
    await expect(ada.get_by_role("group", name=controls)).to_be_hidden()
    await expect(host_tiles).to_have_count(1)
    assert browsing.uncaught_errors() == []


async def test_a_shared_screen_shows_large_beside_the_camera(
    browsing: Browsing, server: Server
) -> None:
    seeded, host, ada = await host_and_attendee(browsing, server)
    await host.get_by_role("button", name="Camera", exact=True).click()
    screen = host.get_by_role("button", name="Share screen")
    await screen.click()
    await expect(screen).to_have_attribute("aria-pressed", "true")
    large = ada.locator("#stage-large video")
    await expect(large).to_have_attribute("aria-label", f"{seeded.host.name}'s screen")
    tiles = ada.get_by_role("list", name="People presenting").locator("video")
    await expect(tiles).to_have_attribute("aria-label", f"{seeded.host.name}'s camera")
    await ada.wait_for_function(
        """() => { const v = document.querySelector("#stage-large video");
                   return v !== null && v.videoWidth > 0; }"""
    )
    # Stopping the share takes the large video away for everyone.
    await screen.click()
    await expect(large).to_have_count(0)
    await expect(tiles).to_have_count(1)
    assert browsing.uncaught_errors() == []
