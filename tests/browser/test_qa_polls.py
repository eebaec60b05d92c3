"""Issue "Q&A and polls" in Chromium: a host and two attendees, each in a browser of their own.

Ada asks a question, Bo votes it up, the host takes it ("Answer now") and marks it answered;
everyone sees each step. The host creates a poll in the panel, launches it, both attendees
answer, the host watches the results come in and reveals them to the room. Then a quiz: one
right and one wrong answer, closed and revealed, and each attendee sees their own score.
Every control is found by its role and accessible name, as a screen reader would find it.
"""

from __future__ import annotations

from playwright.async_api import Locator, Page, expect

from tests.browser.conftest import Browsing
from tests.live.conftest import db_url_of
from tests.live.support import seed
from tests.servers import Server

QUESTION = "How do lifetimes relate to borrowing?"


def qa_panel(page: Page) -> Locator:
    return page.get_by_role("region", name="Questions")


def polls_panel(page: Page) -> Locator:
    return page.get_by_role("region", name="Polls")


def card(page: Page, question: str) -> Locator:
    """A poll's card, by its question (the card is labelled by it)."""
    return polls_panel(page).get_by_role("article", name=question, exact=True)


async def enter(page: Page, event_id: int) -> None:
    await page.goto(f"/events/{event_id}/room")
    await expect(page.locator("#room")).to_have_attribute("data-status", "live")


async def create_poll(host: Page, kind: str, question: str, options: list[str]) -> None:
    panel = polls_panel(host)
    if not await host.locator("#poll-create-box").evaluate("details => details.open"):
        await panel.get_by_text("Create a poll").click()
    await panel.get_by_label("Kind").select_option(kind)
    await panel.get_by_label("Question", exact=True).fill(question)
    for n, option in enumerate(options, start=1):
        field = panel.get_by_label(f"Option {n}", exact=True)
        if not await field.count():
            await panel.get_by_role("button", name="Add option").click()
        await field.fill(option)
    if kind == "quiz":
        await panel.get_by_label("Correct option").select_option(label=f"Option 1: {options[0]}")
    await panel.get_by_role("button", name="Create poll").click()
    await expect(card(host, question)).to_be_visible()


async def answer(page: Page, question: str, option: str) -> None:
    poll = card(page, question)
    await poll.get_by_role("radio", name=option, exact=True).check()
    await poll.get_by_role("button", name="Submit answer").click()
    await expect(poll).to_contain_text(f"Your answer: {option}")


async def test_questions_polls_and_a_quiz(browsing: Browsing, server: Server) -> None:
    seeded = await seed(db_url_of(server), attendees=2)
    host = await browsing.page(await browsing.context(seeded.host.cookie))
    ada = await browsing.page(await browsing.context(seeded.attendees[0].cookie))
    bo = await browsing.page(await browsing.context(seeded.attendees[1].cookie))
    everyone = (host, ada, bo)
    for page in everyone:
        await enter(page, seeded.event_id)

    # Ada asks, with the keyboard: Ctrl+Enter sends.
    await qa_panel(ada).get_by_role("textbox", name="Your question").fill(QUESTION)
    await qa_panel(ada).get_by_role("textbox", name="Your question").press("Control+Enter")
    queue = {p: p.get_by_role("list", name="Open questions") for p in everyone}
    for page in everyone:
        await expect(queue[page].get_by_role("listitem")).to_contain_text(QUESTION)

    # Bo votes it up; the count moves for everyone and his button says he voted.
    vote = queue[bo].get_by_role("button", name=f"Vote for: {QUESTION}")
    await vote.click()
    await expect(vote).to_have_attribute("aria-pressed", "true")
    for page in everyone:
        await expect(queue[page].locator(".vote-count")).to_have_text("1 vote")

    # The host takes it, then marks it answered; the room sees both.
    await queue[host].get_by_role("button", name="Answer now").click()
    now = {p: p.get_by_role("list", name="Now answering") for p in everyone}
    for page in everyone:
        await expect(now[page]).to_contain_text(QUESTION)
    await now[host].get_by_role("button", name="Mark answered").click()
    for page in everyone:
        await expect(page.get_by_role("list", name="Answered")).to_contain_text(QUESTION)
        await expect(queue[page].get_by_role("listitem")).to_have_count(0)

    # A poll: created, launched, answered by both, results seen live by the host, revealed.
    await create_poll(host, "single", "Which topic next?", ["Traits", "Macros", "Async"])
    await card(host, "Which topic next?").get_by_role("button", name="Launch").click()
    await answer(ada, "Which topic next?", "Async")
    await answer(bo, "Which topic next?", "Async")
    results = card(host, "Which topic next?").get_by_role(
        "group", name="Results: Which topic next?"
    )
    await expect(results).to_contain_text("2 people")
    await expect(card(ada, "Which topic next?").locator(".poll-results")).to_have_count(0)
    await card(host, "Which topic next?").get_by_role("button", name="Reveal results").click()
    for page in (ada, bo):
        shown = card(page, "Which topic next?").get_by_role(
            "group", name="Results: Which topic next?"
        )
        await expect(shown).to_contain_text("2 people")
        await expect(shown).to_contain_text("Async")

    # A quiz: Ada right, Bo wrong; closed, revealed, and each sees their score.
    await create_poll(host, "quiz", "Which keyword borrows mutably?", ["&mut", "&", "mut&"])
    quiz = card(host, "Which keyword borrows mutably?")
    await quiz.get_by_role("button", name="Launch").click()
    await answer(ada, "Which keyword borrows mutably?", "&mut")
    await answer(bo, "Which keyword borrows mutably?", "&")
    await quiz.get_by_role("button", name="Close").click()
    await quiz.get_by_role("button", name="Reveal results").click()
    await expect(card(ada, "Which keyword borrows mutably?")).to_contain_text("You got it right.")
    await expect(card(bo, "Which keyword borrows mutably?")).to_contain_text("Not this time.")
    await expect(polls_panel(ada).locator("#quiz-score")).to_have_text("Your quiz score: 1")
    await expect(polls_panel(bo).locator("#quiz-score")).to_have_text("Your quiz score: 0")

    assert browsing.uncaught_errors() == []
