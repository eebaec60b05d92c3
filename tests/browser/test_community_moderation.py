"""The community moderation page in Chromium: real sockets file a report and ban someone,
then a moderator, from the community page, marks the report handled and undoes the ban.
Controls are reached by their roles and names, so the test also proves they are labelled."""

from __future__ import annotations

from contextlib import AsyncExitStack

from playwright.async_api import expect

from tests.browser.conftest import Browsing
from tests.http.moderation_support import ban, report_a_message, seeded_room


async def test_a_moderator_resolves_a_report_and_undoes_a_ban(browsing: Browsing) -> None:
    async with AsyncExitStack() as stack:
        room = await seeded_room(browsing.server, stack)
        filer, report_id = await report_a_message(room)
        banned = room.seeded.attendees[2]
        await ban(room, await room.socket(room.seeded.moderator), banned)

        page = await browsing.page(await browsing.context(room.seeded.moderator.cookie))
        await page.goto(f"/c/{room.slug}")
        await page.get_by_role("link", name="Moderation").click()
        await expect(page.get_by_role("heading", level=1)).to_have_text("Moderation of Rustaceans")

        report = page.locator(f"#report-{report_id}")
        await expect(report.get_by_role("heading")).to_have_text("Message by Learner 1")
        await expect(report).to_contain_text("Only fools ask that.")
        await expect(report).to_contain_text("Insults a beginner")
        await report.get_by_label("Note for the log (optional)").fill("Deleted, warned")
        await report.get_by_role("button", name="Mark handled").click()
        await expect(page.get_by_role("status")).to_contain_text("marked handled")
        await expect(page.locator(f"#report-{report_id}")).to_have_count(0)
        await filer.wait_for(
            lambda: any(
                e["type"] == "report.handled" and e["id"] == report_id for e in filer.events()
            )
        )

        bans = page.get_by_role("table", name="People banned from Rustaceans, newest first")
        await expect(bans).to_contain_text("Harassment after a warning")
        await bans.get_by_role("button", name=f"Undo the ban of {banned.name}").click()
        await expect(page.get_by_role("status")).to_contain_text("The ban is lifted")
        await expect(page.get_by_text("Nobody is banned.")).to_be_visible()

        log = page.get_by_role("table", name="What the staff did")
        for done in ("Handled a report", "Banned from the community", "Lifted a ban"):
            await expect(log.get_by_role("cell", name=done, exact=False)).to_have_count(1)
        await expect(log).to_contain_text("Deleted, warned")
        back = await room.socket(banned)  # let in again
        assert any(f["type"] == "snapshot" for f in back.frames)
        assert browsing.uncaught_errors() == []
