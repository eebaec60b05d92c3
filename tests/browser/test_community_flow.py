"""Issue "Foundation", end to end in Chromium, through the pages only.

Person A signs up, starts a community and plans a webinar in it; person B, in a browser of
their own, signs up, registers, downloads the event's calendar file and finds the event on
/my/events and in their private calendar feed. Fields are reached by their labels and
buttons by their names, so the test also proves that every control it uses is labelled.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from icalendar import Calendar
from playwright.async_api import Page, expect

from tests.browser.conftest import Browsing
from tests.clients import PASSWORD


def _summaries(ics: bytes) -> list[str]:
    calendar = Calendar.from_ical(ics)
    return [str(entry.get("summary")) for entry in calendar.walk("VEVENT")]


async def _sign_up(page: Page, name: str) -> None:
    await page.goto("/")
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign up").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign up")
    await page.get_by_label("Display name").fill(name)
    await page.get_by_label("Email").fill(f"{secrets.token_hex(6)}@example.org")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_label("Time zone").fill("UTC")
    await page.get_by_role("button", name="Create account").click()
    await expect(page).to_have_url(re.compile(r"/profile\?welcome=1$"))
    # Signed in: the header now names the person.
    await expect(page.get_by_role("navigation", name="Main")).to_contain_text(name)


async def _create_community(page: Page, slug: str, name: str) -> None:
    await page.goto("/communities/new")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Start a community")
    await page.get_by_label("Address").fill(slug)
    await page.get_by_label("Name").fill(name)
    await page.get_by_label("Description").fill("We read *Crafting Interpreters* together.")
    await page.get_by_label("Who can join").select_option(label="Anyone signed in")
    await page.get_by_role("button", name="Create community").click()
    await expect(page).to_have_url(re.compile(rf"/c/{slug}(\?.*)?$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text(name)


async def _plan_webinar(page: Page, slug: str, title: str, starts: datetime) -> int:
    await page.get_by_role("link", name="Plan an event").click()
    await expect(page).to_have_url(re.compile(rf"/c/{slug}/events/new$"))
    await page.get_by_label("Kind").select_option(label="Webinar")
    # exact: the agenda's rows are labelled "Title of session 1" and so on.
    await page.get_by_label("Title", exact=True).fill(title)
    await page.get_by_label("Description").fill("Scanning, parsing, **evaluating**.")
    await page.get_by_label("Time zone").fill("UTC")
    await page.get_by_label("Starts", exact=True).fill(starts.strftime("%Y-%m-%dT%H:%M"))
    ends = starts + timedelta(hours=1, minutes=30)
    await page.get_by_label("Ends", exact=True).fill(ends.strftime("%Y-%m-%dT%H:%M"))
    await page.get_by_role("button", name="Create event").click()
    await expect(page).to_have_url(re.compile(r"/events/\d+\?done=created$"))
    await expect(page.get_by_role("status")).to_have_text("The event is created.")
    await expect(page.get_by_role("heading", level=1)).to_have_text(title)
    found = re.search(r"/events/(\d+)", page.url)
    assert found, page.url
    return int(found.group(1))


async def test_community_flow(browsing: Browsing) -> None:
    tag = secrets.token_hex(3)
    slug, community = f"lox-{tag}", f"Lox readers {tag}"
    title = f"Tree-walking interpreters {tag}"
    starts = (datetime.now(UTC) + timedelta(days=3)).replace(hour=18, minute=0)

    # Person A: an organizer.
    a = await browsing.page()
    await _sign_up(a, f"Ada {tag}")
    await _create_community(a, slug, community)
    event_id = await _plan_webinar(a, slug, title, starts)

    # Person B: a learner, in a browser profile of their own.
    b_context = await browsing.context()
    b = await browsing.page(b_context)
    await _sign_up(b, f"Bo {tag}")
    await b.goto(f"/events/{event_id}")
    await expect(b.get_by_role("heading", level=1)).to_have_text(title)
    registration = b.get_by_role("region", name="Registration")
    await registration.get_by_role("button", name="Register").click()
    await expect(b.get_by_role("status")).to_have_text("You are registered: see you there!")
    await expect(registration).to_contain_text("You are going.")
    await expect(registration).to_contain_text("1 going.")

    # The calendar file, as the browser downloads it from the page's link...
    async with b.expect_download() as download_info:
        await b.get_by_role("link", name="Add to calendar").click()
    download = await download_info.value
    assert download.suggested_filename == f"event-{event_id}.ics"
    ics = Path(await download.path()).read_bytes()
    assert b"BEGIN:VEVENT" in ics
    assert _summaries(ics) == [title]
    # ...and with its headers, through the same browser profile's cookies.
    response = await b_context.request.get(f"/events/{event_id}.ics")
    assert response.ok, response.status
    assert response.headers["content-type"].startswith("text/calendar")
    assert _summaries(await response.body()) == [title]

    # B's own events, and the private feed a calendar app would subscribe to.
    await b.get_by_role("navigation", name="Main").get_by_role("link", name="My events").click()
    await expect(b.get_by_role("heading", level=1)).to_have_text("My events")
    card = b.get_by_role("listitem").filter(has=b.get_by_role("link", name=title))
    await expect(card).to_have_count(1)
    await expect(card).to_contain_text("Going")
    await expect(card).to_contain_text(community)
    feed_url = await b.get_by_label("Feed address").input_value()
    assert feed_url.startswith(browsing.server.url + "/feeds/"), feed_url
    # A calendar app sends no cookie: the feed must answer to its address alone.
    anonymous = await browsing.context()
    feed = await anonymous.request.get(feed_url)
    assert feed.ok, feed.status
    assert feed.headers["content-type"].startswith("text/calendar")
    body = await feed.body()
    assert b"BEGIN:VEVENT" in body
    assert title in _summaries(body)

    assert browsing.uncaught_errors() == []
