"""Issue "Moderation and safety" in Chromium: each person in a browser of their own.

An attendee reports a chat message; the moderator sees the report in the room's moderation
panel, deletes the message and mutes its author, who sees until when and finds their
message box disabled; the moderator marks the report handled and the reporter is told.
A block hides a person's messages and questions, across a reload. Then the door: a
community with guidelines shows them before a first join, and "I accept" lets the person
in; a room with a waiting room holds a newcomer until the host admits them; a person the
host removes is told so and may join again; slow mode and the lock are set from the same
panel; a ban holds on reload. Every control is found by its role and accessible name, as a
screen reader would find it.
"""

from __future__ import annotations

from playwright.async_api import Dialog, Locator, Page, expect
from sqlalchemy.ext.asyncio import AsyncSession

from server.store import Store
from server.store.tables import Community, Event, utcnow
from tests.browser.conftest import Browsing
from tests.live.conftest import db_url_of
from tests.live.support import seed
from tests.servers import Server

RUDE = "Only idiots ask such basic questions"
GUIDELINES = "Be kind to beginners.\nNo harassment of any kind."


async def enter(page: Page, event_id: int, status: str = "live") -> None:
    await page.goto(f"/events/{event_id}/room")
    await expect(page.locator("#room")).to_have_attribute("data-status", status)


async def say(page: Page, text: str) -> None:
    await page.get_by_label("Message", exact=True).fill(text)
    await page.keyboard.press("Enter")


def chat_message(page: Page, text: str) -> Locator:
    return page.locator("#chat-messages > li.message").filter(has_text=text)


def moderation(page: Page) -> Locator:
    return page.get_by_role("region", name="Moderation")


def people(page: Page) -> Locator:
    return page.get_by_role("region", name="People here")


def accept_dialogs(page: Page) -> None:
    """Say yes to the page's confirm() questions (delete this message? ban?)."""

    async def accept(dialog: Dialog) -> None:
        await dialog.accept()

    page.on("dialog", accept)


async def set_guidelines(server: Server, event_id: int, text: str) -> None:
    async def write(session: AsyncSession) -> None:
        event = await session.get(Event, event_id)
        assert event is not None
        community = await session.get(Community, event.community_id)
        assert community is not None
        community.guidelines = text
        community.guidelines_updated_at = utcnow()

    store = Store(db_url_of(server))
    try:
        await store.write(write)
    finally:
        await store.close()


async def test_report_delete_and_mute(browsing: Browsing, server: Server) -> None:
    seeded = await seed(db_url_of(server), attendees=2)
    author, reporter = seeded.attendees
    ada = await browsing.page(await browsing.context(author.cookie))
    bo = await browsing.page(await browsing.context(reporter.cookie))
    mo = await browsing.page(await browsing.context(seeded.moderator.cookie))
    accept_dialogs(mo)
    for page in (ada, bo, mo):
        await enter(page, seeded.event_id)
    await expect(moderation(mo)).to_be_visible()
    await expect(moderation(bo)).to_be_hidden()
    await expect(moderation(mo).get_by_text("No open reports.")).to_be_visible()

    # Ada is rude; Bo reports the message, with a reason, from the keyboard.
    await say(ada, RUDE)
    await expect(chat_message(bo, RUDE)).to_have_count(1)
    report = bo.get_by_role("button", name=f"Report the message from {author.name}")
    await report.focus()
    await bo.keyboard.press("Enter")
    dialog = bo.get_by_role("dialog", name="Report to the moderators")
    await expect(dialog).to_be_visible()
    await expect(dialog).to_contain_text(RUDE)
    await expect(dialog.get_by_label("Reason")).to_be_focused()
    await bo.keyboard.type("Insults a beginner")
    await dialog.get_by_role("button", name="Send report").click()
    await expect(dialog).to_be_hidden()
    await expect(bo.locator("#safety-news")).to_contain_text("Report sent")
    await expect(report).to_be_focused()

    # The moderator sees it at once, without who sent it.
    reports = moderation(mo).get_by_role("list", name="Open reports")
    filed = reports.get_by_role("listitem", name=f"Chat message by {author.name}")
    await expect(filed).to_have_count(1)
    await expect(filed).to_contain_text("Insults a beginner")
    await expect(filed).to_contain_text(RUDE)
    await expect(filed).not_to_contain_text(reporter.name)
    await expect(moderation(mo).get_by_role("heading", name="Open reports")).to_contain_text("(1)")

    # They delete the message: it goes for everyone.
    await mo.get_by_role("button", name=f"Delete the message from {author.name}").click()
    for page in (ada, bo, mo):
        await expect(chat_message(page, RUDE)).to_have_count(0)

    # And mute its author for 10 minutes, from the people list.
    await people(mo).get_by_text(f"Actions for {author.name}").click()
    tools = people(mo).get_by_role("group", name=f"Moderate {author.name}")
    await tools.get_by_label("Reason").fill("Cool down")
    await tools.get_by_label("Mute for").select_option("10")
    await tools.get_by_role("button", name=f"Mute {author.name}", exact=True).click()
    await expect(tools).to_contain_text("Muted until")
    await expect(moderation(mo).locator("#mod-news")).to_contain_text(f"{author.name} is muted")

    # Ada is told until when, and cannot write.
    await expect(ada.locator("#chat-muted-note")).to_contain_text("A moderator muted you until")
    await expect(ada.get_by_label("Message", exact=True)).to_be_disabled()
    await expect(ada.get_by_label("Your question", exact=True)).to_be_disabled()
    await expect(ada.get_by_role("button", name="Send")).to_be_disabled()
    await expect(bo.get_by_label("Message", exact=True)).to_be_enabled()
    # What stays clickable is refused, and the panel that was refused says why.
    await ada.get_by_role("button", name="Clap").click()
    await expect(ada.locator("#reactions-error")).to_contain_text("A moderator muted you until")

    # The moderator marks the report handled; Bo hears of it.
    await filed.get_by_role("button", name="Mark handled").click()
    await expect(reports.get_by_role("listitem")).to_have_count(0)
    await expect(moderation(mo).get_by_text("No open reports.")).to_be_visible()
    await expect(bo.locator("#safety-news")).to_contain_text("A moderator handled your report")

    # A person can be reported for their name, from the people list; that one is dismissed.
    await people(bo).get_by_text(f"Actions for {author.name}").click()
    await people(bo).get_by_role("button", name=f"Report {author.name}", exact=True).click()
    await expect(dialog).to_be_visible()
    await dialog.get_by_label("Their display name").check()
    await dialog.get_by_label("Reason").fill("An offensive name")
    await dialog.get_by_role("button", name="Send report").click()
    await expect(dialog).to_be_hidden()
    by_name = reports.get_by_role("listitem", name=f"Display name: {author.name}")
    await expect(by_name).to_contain_text("An offensive name")
    await by_name.get_by_role("button", name="Dismiss").click()
    await expect(reports.get_by_role("listitem")).to_have_count(0)

    # The deletion can be undone: the deleted list restores the message to everyone.
    await moderation(mo).get_by_text("Deleted messages", exact=True).click()
    deleted = moderation(mo).get_by_role("list", name="Deleted messages")
    await expect(deleted).to_contain_text(RUDE)
    await deleted.get_by_role("button", name=f"Restore the message from {author.name}").click()
    await expect(chat_message(bo, RUDE)).to_have_count(1)
    await expect(deleted.get_by_role("listitem")).to_have_count(0)

    # Unmuted early, Ada can write again.
    await tools.get_by_role("button", name=f"Unmute {author.name}").click()
    await expect(ada.get_by_label("Message", exact=True)).to_be_enabled()
    await expect(ada.locator("#chat-muted-note")).to_be_hidden()

    # Reported again, the message can be dealt with from the report itself.
    await bo.get_by_role("button", name=f"Report the message from {author.name}").click()
    await dialog.get_by_label("Reason").fill("Still rude")
    await dialog.get_by_role("button", name="Send report").click()
    again = reports.get_by_role("listitem", name=f"Chat message by {author.name}")
    await again.get_by_role("button", name=f"Mute {author.name} for 10 minutes").click()
    await expect(ada.get_by_label("Message", exact=True)).to_be_disabled()
    await again.get_by_role(
        "button", name=f"Delete the reported message from {author.name}"
    ).click()
    await expect(chat_message(bo, RUDE)).to_have_count(0)
    await again.get_by_role("button", name="Mark handled").click()
    await expect(reports.get_by_role("listitem")).to_have_count(0)

    assert browsing.uncaught_errors() == []


async def test_block_hides_their_messages(browsing: Browsing, server: Server) -> None:
    seeded = await seed(db_url_of(server), attendees=2)
    loud, quiet = seeded.attendees
    ada = await browsing.page(await browsing.context(loud.cookie))
    bo = await browsing.page(await browsing.context(quiet.cookie))
    for page in (ada, bo):
        await enter(page, seeded.event_id)
    await say(ada, "First message")
    await expect(chat_message(bo, "First message")).to_be_visible()

    await ada.get_by_label("Your question", exact=True).fill("Why is the sky blue?")
    await ada.get_by_role("button", name="Ask").click()
    asked = bo.get_by_role("region", name="Questions").locator("li.question")
    await expect(asked.filter(has_text="Why is the sky blue?")).to_have_count(1)
    await expect(
        asked.get_by_role("button", name=f"Report the question from {loud.name}")
    ).to_be_visible()

    await people(bo).get_by_text(f"Actions for {loud.name}").click()
    block = people(bo).get_by_role("button", name=f"Block {loud.name}")
    await block.click()
    await expect(people(bo).get_by_role("button", name=f"Unblock {loud.name}")).to_be_focused()
    await expect(people(bo).get_by_role("listitem").filter(has_text=loud.name)).to_contain_text(
        "Blocked"
    )
    await expect(chat_message(bo, "First message")).to_be_hidden()
    await expect(asked.filter(has_text="Why is the sky blue?")).to_have_count(0)
    await say(ada, "Second message")
    await expect(chat_message(ada, "Second message")).to_be_visible()
    await expect(chat_message(bo, "Second message")).to_have_count(1)
    await expect(chat_message(bo, "Second message")).to_be_hidden()

    # The block is kept with the account: a reload still hides them.
    await bo.reload()
    await expect(bo.locator("#room")).to_have_attribute("data-status", "live")
    await expect(chat_message(bo, "Second message")).to_be_hidden()
    await people(bo).get_by_text(f"Actions for {loud.name}").click()
    await people(bo).get_by_role("button", name=f"Unblock {loud.name}").click()
    await expect(chat_message(bo, "Second message")).to_be_visible()

    assert browsing.uncaught_errors() == []


async def test_guidelines_at_the_door(browsing: Browsing, server: Server) -> None:
    seeded = await seed(db_url_of(server), attendees=1)
    await set_guidelines(server, seeded.event_id, GUIDELINES)
    ada = await browsing.page(await browsing.context(seeded.attendees[0].cookie))

    await enter(ada, seeded.event_id, status="held")
    door = ada.get_by_role("region", name="Community guidelines")
    await expect(door).to_be_visible()
    await expect(door.get_by_role("region", name="The guidelines")).to_have_text(GUIDELINES)
    await expect(ada.get_by_role("region", name="Chat", exact=True)).to_be_hidden()
    await door.get_by_role("button", name="I accept the guidelines").click()
    await expect(ada.locator("#room")).to_have_attribute("data-status", "live")
    await expect(door).to_be_hidden()
    await expect(ada.get_by_role("region", name="Chat", exact=True)).to_be_visible()

    # Accepted once, they stay accepted: the next visit goes straight in.
    await ada.reload()
    await expect(ada.locator("#room")).to_have_attribute("data-status", "live")

    assert browsing.uncaught_errors() == []


async def test_the_door_run_by_the_host(browsing: Browsing, server: Server) -> None:
    """Waiting room, admit, a removal and admit all, slow mode from the panel, a lock."""
    seeded = await seed(db_url_of(server), attendees=3)
    newcomer, early, late = seeded.attendees
    host = await browsing.page(await browsing.context(seeded.host.cookie))
    bo = await browsing.page(await browsing.context(early.cookie))
    for page in (host, bo):
        await enter(page, seeded.event_id)

    await moderation(host).get_by_label("Waiting room").check()
    await expect(moderation(host).get_by_label("Waiting room")).to_be_checked()

    ada = await browsing.page(await browsing.context(newcomer.cookie))
    await enter(ada, seeded.event_id, status="waiting")
    await expect(ada.get_by_text("Waiting for a host to let you in")).to_be_visible()
    await expect(ada.get_by_role("region", name="Chat", exact=True)).to_be_hidden()

    waiting = moderation(host).get_by_role("list", name="Waiting to join")
    await expect(waiting.get_by_role("listitem")).to_have_count(1)
    await expect(moderation(host).get_by_role("heading", name="Waiting to join")).to_contain_text(
        "(1)"
    )
    await waiting.get_by_role("button", name=f"Admit {newcomer.name}").click()
    await expect(ada.locator("#room")).to_have_attribute("data-status", "live")
    await expect(ada.get_by_role("region", name="Chat", exact=True)).to_be_visible()
    await expect(waiting.get_by_role("listitem")).to_have_count(0)
    await expect(people(host)).to_contain_text(newcomer.name)

    # The host removes Bo: he is told, is not reconnected, and may come back by choice.
    await people(host).get_by_text(f"Actions for {early.name}").click()
    await people(host).get_by_role("button", name=f"Remove {early.name} from the room").click()
    await expect(bo.locator("#room")).to_have_attribute("data-status", "closed")
    await expect(bo.locator("#room-status")).to_contain_text("A moderator removed you")
    await bo.get_by_role("button", name="Join again").click()
    # The waiting room is still on: back through it, let in with "Admit all".
    await expect(bo.locator("#room")).to_have_attribute("data-status", "waiting")
    await expect(waiting.get_by_role("listitem")).to_have_count(1)
    await moderation(host).get_by_role("button", name="Admit all").click()
    await expect(bo.locator("#room")).to_have_attribute("data-status", "live")
    await expect(moderation(host).get_by_role("button", name="Admit all")).to_be_disabled()

    # Slow mode is set from the same panel.
    await moderation(host).get_by_label("Slow mode").select_option("30")
    await expect(bo.locator("#chat-slow-note")).to_have_text(
        "Slow mode: one message every 30 seconds."
    )

    # Locked, the room lets no one new in; those let in before stay.
    await moderation(host).get_by_label("Waiting room").uncheck()
    await moderation(host).get_by_label("Lock room").check()
    await expect(moderation(host).get_by_label("Lock room")).to_be_checked()
    lin = await browsing.page(await browsing.context(late.cookie))
    await enter(lin, seeded.event_id, status="closed")
    await expect(lin.locator("#room-status")).to_contain_text("This room is locked")
    await expect(bo.locator("#room")).to_have_attribute("data-status", "live")

    assert browsing.uncaught_errors() == []


async def test_a_ban_holds(browsing: Browsing, server: Server) -> None:
    seeded = await seed(db_url_of(server), attendees=1)
    banned = seeded.attendees[0]
    host = await browsing.page(await browsing.context(seeded.host.cookie))
    accept_dialogs(host)
    bo = await browsing.page(await browsing.context(banned.cookie))
    for page in (host, bo):
        await enter(page, seeded.event_id)

    await people(host).get_by_text(f"Actions for {banned.name}").click()
    tools = people(host).get_by_role("group", name=f"Moderate {banned.name}")
    ban = tools.get_by_role("button", name=f"Ban {banned.name} from the community")
    await ban.click()
    await expect(people(host).get_by_role("alert")).to_contain_text("A ban needs a reason")
    await expect(tools.get_by_label("Reason")).to_be_focused()
    await host.keyboard.type("Harassment after a warning")
    await tools.get_by_role("button", name=f"Ban {banned.name} from the community").click()

    await expect(bo.locator("#room")).to_have_attribute("data-status", "closed")
    await expect(bo.locator("#room-status")).to_contain_text("You are banned from this community")
    await expect(bo.get_by_role("button", name="Join again")).to_have_count(0)
    await expect(bo.get_by_role("region", name="Chat", exact=True)).to_be_hidden()
    await expect(people(host)).not_to_contain_text(banned.name)

    # A new page is refused at the door too, and does not keep trying.
    await bo.reload()
    await expect(bo.locator("#room")).to_have_attribute("data-status", "closed")
    await expect(bo.locator("#room-status")).to_contain_text("You are banned from this community")

    assert browsing.uncaught_errors() == []
