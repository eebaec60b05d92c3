"""Mentorship end to end in Chromium, through the pages only, each person in a browser of
their own.

Max marks himself open to mentoring Rust on his profile; Lea, a beginner, asks for a mentor
in Rust on the community's mentorship page and sees Max suggested; Max sees her request
among the requests that suit him and accepts it; both find their pair; Lea schedules a
session that starts at once, Max sees it on the pair's page, both say it went well, and Max
enters its private room, which the community's owner cannot. Then Lea ends the mentorship.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta

from playwright.async_api import Page, expect

from tests.browser.conftest import Browsing
from tests.browser.test_community_flow import _create_community, _sign_up


async def _join(page: Page, slug: str, community: str) -> None:
    await page.goto(f"/c/{slug}")
    await page.get_by_role("button", name=f"Join {community}").click()
    await expect(page.get_by_role("status")).to_contain_text(f"Welcome to {community}")


async def _open_mentorship(page: Page, slug: str) -> None:
    await page.goto(f"/c/{slug}")
    await page.get_by_role("link", name="Mentorship").click()
    await expect(page).to_have_url(re.compile(rf"/c/{slug}/mentorship$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Mentorship")


async def test_a_beginner_finds_a_mentor_and_they_schedule_a_session(browsing: Browsing) -> None:
    tag = secrets.token_hex(3)
    slug, community = f"rustmentors-{tag}", f"Rust mentors {tag}"
    lea_name, max_name = f"Lea {tag}", f"Max {tag}"

    owner = await browsing.page()
    await _sign_up(owner, f"Owner {tag}")
    await _create_community(owner, slug, community)

    # Max says on his profile that he is experienced in Rust and open to mentoring it.
    mentor = await browsing.page(await browsing.context())
    await _sign_up(mentor, max_name)
    await mentor.get_by_label("Topic 1", exact=True).fill("rust")
    await mentor.get_by_label("Experience in topic 1", exact=True).select_option("experienced")
    await mentor.get_by_label("Open to mentoring in topic 1", exact=True).check()
    await mentor.get_by_role("button", name="Save profile").click()
    await expect(mentor.get_by_role("status")).to_have_text("Saved.")
    await expect(mentor.get_by_label("Open to mentoring in topic 1", exact=True)).to_be_checked()
    await _join(mentor, slug, community)

    # Lea asks for a mentor.
    learner = await browsing.page(await browsing.context())
    await _sign_up(learner, lea_name)
    await _join(learner, slug, community)
    await _open_mentorship(learner, slug)
    ask = learner.get_by_role("region", name="Ask for a mentor")
    await ask.get_by_label("Interest").fill("rust")
    await ask.get_by_label("A short note for mentors").fill("Lifetimes keep biting me.")
    await ask.get_by_role("button", name="Ask for a mentor").click()
    await expect(learner.get_by_role("status")).to_contain_text("Your request is posted")
    mine = learner.get_by_role("listitem", name="Your request in rust")
    await expect(mine).to_contain_text("Lifetimes keep biting me.")
    await expect(mine.get_by_role("link", name=max_name)).to_be_visible()

    # Max sees the request that suits him, and accepts it.
    await _open_mentorship(mentor, slug)
    request = mentor.get_by_role("listitem", name=f"Request from {lea_name} in rust")
    await expect(request).to_contain_text("Lifetimes keep biting me.")
    await request.get_by_role("button", name="Accept").click()
    await expect(mentor.get_by_role("heading", level=1)).to_have_text(f"rust with {lea_name}")
    await expect(mentor.get_by_role("status")).to_contain_text(f"You are {lea_name}’s mentor")

    # Lea finds the pair on the mentorship page, and schedules a session.
    await _open_mentorship(learner, slug)
    await expect(learner.get_by_role("region", name="Your requests")).to_contain_text(
        "You have no open request."
    )
    pairs = learner.get_by_role("region", name="Your mentorships")
    await pairs.get_by_role("link", name=f"rust with {max_name}").click()
    await expect(learner.get_by_role("heading", level=1)).to_have_text(f"rust with {max_name}")
    # They meet right away: the session began a few minutes ago.
    starts = datetime.now(UTC) - timedelta(minutes=5)
    form = learner.get_by_role("region", name="Schedule a session")
    await form.get_by_label("Title").fill("Lifetimes, slowly")
    await form.get_by_label("Starts").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    await form.get_by_label("Time zone").fill("UTC")
    await form.get_by_role("button", name="Schedule the session").click()
    await expect(learner.get_by_role("status")).to_contain_text("The session is scheduled")
    sessions = learner.get_by_role("region", name="Sessions")
    await expect(sessions.get_by_role("link", name="Lifetimes, slowly")).to_be_visible()

    # Max sees the session on the pair's page and enters its private room.
    await mentor.reload()
    session = mentor.get_by_role("listitem", name="Session Lifetimes, slowly")
    await expect(session).to_be_visible()
    # After (or during) the session, each says how it went.
    await session.get_by_role("button", name="It went well").click()
    await expect(mentor.get_by_role("status")).to_contain_text("your word on the session is saved")
    await expect(session).to_contain_text("You said: it went well.")
    learned = learner.get_by_role("listitem", name="Session Lifetimes, slowly")
    await learned.get_by_role("button", name="It went well").click()
    await expect(learned).to_contain_text("You said: it went well.")

    await session.get_by_role("link", name="Open the room").click()
    await expect(mentor.locator("#room")).to_have_attribute("data-status", "live")

    # The owner of the community, who co-hosts its public rooms, is not let in.
    found = re.search(r"/events/(\d+)/room", mentor.url)
    assert found, mentor.url
    response = await owner.goto(f"/events/{found.group(1)}/room")
    assert response is not None and response.status == 403

    # Lea ends the mentorship, after a second look: the page says so, with nothing to schedule.
    await learner.reload()
    ending = learner.get_by_role("region", name="End this mentorship")
    await ending.get_by_text(f"End the mentorship with {max_name}").click()
    await ending.get_by_role("button", name="End the mentorship").click()
    await expect(learner.get_by_role("status")).to_contain_text("This mentorship ended on")
    await expect(learner.get_by_role("status")).to_contain_text("(you ended it)")
    await expect(learner.get_by_role("region", name="Schedule a session")).to_have_count(0)
    await expect(learner.get_by_role("listitem", name="Session Lifetimes, slowly")).to_be_visible()

    assert browsing.uncaught_errors() == []
