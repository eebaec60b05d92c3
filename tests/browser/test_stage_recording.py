"""Recording the stage in Chromium: a host presents and records, the attendee's page says
the stage is being recorded, and after stopping the host finds the file to download."""

from __future__ import annotations

from playwright.async_api import expect

from tests.browser.conftest import Browsing
from tests.browser.test_stage import host_and_attendee
from tests.servers import Server


async def test_a_host_records_the_stage_and_downloads_it(
    browsing: Browsing, server: Server
) -> None:
    seeded, host, ada = await host_and_attendee(browsing, server)
    await expect(ada.get_by_role("button", name="Record the stage")).to_be_hidden()
    await host.get_by_role("button", name="Camera").click()
    await expect(ada.get_by_role("list", name="People presenting").locator("video")).to_have_count(
        1
    )

    record = host.get_by_role("button", name="Record the stage")
    await record.click()
    badge = f"● Recording the stage (started by {seeded.host.name})"
    await expect(ada.get_by_text(badge)).to_be_visible()
    stop = host.get_by_role("button", name="Stop recording")
    await expect(stop).to_have_attribute("aria-pressed", "true")
    await ada.wait_for_timeout(1500)  # a second and a half of the camera on file
    await stop.click()
    await expect(ada.get_by_text(badge)).to_be_hidden()
    await expect(host.get_by_role("button", name="Record the stage")).to_be_visible()

    await host.get_by_role("link", name="Recordings of this event").click()
    files = host.get_by_role("link", name=".webm")
    await expect(files).to_have_count(1)
    href = await files.get_attribute("href")
    assert href is not None
    download = await host.request.get(href)
    assert download.ok and download.headers["content-type"] == "video/webm"
    assert len(await download.body()) > 10_000
    assert browsing.uncaught_errors() == []
