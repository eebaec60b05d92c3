"""The stage in Chromium: a host turns on the fake camera and microphone, an attendee's
page receives the video through the server's SFU and decodes it; the host invites the
attendee, who accepts and gets the camera, microphone and screen buttons."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.browser.conftest import Browsing
from tests.live.conftest import db_url_of
from tests.live.support import seed
from tests.servers import Server

DECODED = """() => {
  const video = document.querySelector("#stage-tiles video");
  return video ? video.getVideoPlaybackQuality().totalVideoFrames : -1;
}"""


async def enter(page: Page, event_id: int) -> None:
    await page.goto(f"/events/{event_id}/room")
    await expect(page.locator("#room")).to_have_attribute("data-status", "live")


async def test_a_host_presents_and_an_attendee_sees_the_video(
    browsing: Browsing, server: Server
) -> None:
    seeded = await seed(db_url_of(server), attendees=1)
    ada_person = seeded.attendees[0]
    host = await browsing.page(await browsing.context(seeded.host.cookie))
    ada = await browsing.page(await browsing.context(ada_person.cookie))
    for page in (host, ada):
        await enter(page, seeded.event_id)
    controls = "Your camera, microphone and screen"
    await expect(ada.get_by_role("group", name=controls)).to_be_hidden()
    await expect(ada.get_by_text("Nobody is presenting yet.")).to_be_visible()

    camera = host.get_by_role("button", name="Camera")
    await camera.click()
    await expect(camera).to_have_attribute("aria-pressed", "true")
    await host.get_by_role("button", name="Microphone").click()

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

    # The host invites Ada from the people list; she accepts and may present.
    people = host.get_by_role("region", name="People here")
    await people.get_by_role("button", name=f"Invite to stage {ada_person.name}").click()
    join = ada.get_by_role("button", name="Join the stage")
    await expect(join).to_be_focused()
    await ada.keyboard.press("Enter")
    await expect(ada.get_by_role("group", name=controls)).to_be_visible()
    await expect(ada.get_by_role("button", name="Camera")).to_be_focused()
