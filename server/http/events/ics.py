"""Calendar files: one event's .ics, a community's feed and a person's private feed.

One VEVENT per event, UID `event-{id}@<host of PUBLIC_URL>` so that a calendar app updates
the entry it already has. Times are UTC, except a study group's weekly series: that one is
written in the event's own zone (TZID plus its VTIMEZONE), because `RRULE:FREQ=WEEKLY` over a
UTC start would move the local meeting time by an hour at every daylight-saving change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event as VEvent
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.http.context import studyhall
from server.http.errors import not_found
from server.store import accounts, event_directory, registrations
from server.store.tables import Event, utcnow

from . import access

# A feed keeps recent events too, so a calendar does not drop one the day after it happened.
FEED_HISTORY = timedelta(days=90)


def _vevent(event: Event, public_url: str, stamp: datetime, status: str) -> VEvent:
    url = f"{public_url}/events/{event.id}"
    entry = VEvent()
    entry.add("uid", f"event-{event.id}@{urlsplit(public_url).hostname}")
    entry.add("dtstamp", stamp)
    entry.add("summary", event.title)
    if event.kind == "study_group" and (event.weekly_count or 0) > 1:
        zone = ZoneInfo(event.timezone)
        entry.add("dtstart", event.starts_at.astimezone(zone))
        entry.add("dtend", event.ends_at.astimezone(zone))
        entry.add("rrule", {"freq": "weekly", "count": event.weekly_count})
    else:
        entry.add("dtstart", event.starts_at.astimezone(UTC))
        entry.add("dtend", event.ends_at.astimezone(UTC))
    entry.add("url", url)
    entry.add("description", f"{event.description}\n\n{url}".strip())
    entry.add("status", status)
    if event.kind == "meetup":
        entry.add("location", ", ".join(p for p in (event.venue, event.address) if p))
    return entry


def build(
    entries: Iterable[tuple[Event, str]], public_url: str, name: str, now: datetime | None = None
) -> bytes:
    """A VCALENDAR of (event, STATUS) pairs; STATUS is CONFIRMED or TENTATIVE."""
    calendar = Calendar()
    calendar.add("prodid", "-//Studyhall//Events//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    stamp = now or utcnow()
    events = list(entries)
    for event, status in events:
        calendar.add_component(_vevent(event, public_url, stamp, status))
    if events:
        # VTIMEZONE rules only for the years the calendar spans: smaller, and past 2038 too.
        first = min(e.starts_at for e, _ in events).date() - timedelta(days=7)
        last = max(e.series_ends_at for e, _ in events).date() + timedelta(days=7)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    ical: bytes = calendar.to_ical()
    return ical


def _response(body: bytes, filename: str | None = None, private: bool = False) -> Response:
    headers = {"Cache-Control": "private, max-age=300" if private else "public, max-age=300"}
    if filename:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return Response(body, media_type="text/calendar", headers=headers)


async def event_ics(request: Request) -> Response:
    details = await access.details(request)
    sh = studyhall(request)
    body = build([(details.event, "CONFIRMED")], sh.settings.public_url, details.event.title)
    return _response(body, f"event-{details.event.id}.ics")


async def community_ics(request: Request) -> Response:
    community = await access.community(request)
    sh = studyhall(request)
    events = await sh.store.read(
        event_directory.community_calendar, community.id, utcnow() - FEED_HISTORY
    )
    body = build([(e, "CONFIRMED") for e in events], sh.settings.public_url, community.name)
    return _response(body)


async def person_feed(request: Request) -> Response:
    """The registrations of the person whose private feed token is in the URL: calendar apps
    send no cookie, so the token is the key. Waitlisted places show as tentative."""
    sh = studyhall(request)
    person = await sh.store.read(accounts.person_by_feed_token, access.token_of(request))
    if person is None:
        raise not_found("That feed")
    bookings = await sh.store.read(registrations.registrations_of, person.id)
    entries = [
        (b.event, "CONFIRMED" if b.registration.status == "going" else "TENTATIVE")
        for b in bookings
        if b.event.series_ends_at > utcnow() - FEED_HISTORY
    ]
    body = build(entries, sh.settings.public_url, f"Studyhall: {person.display_name}")
    return _response(body, private=True)


routes = [
    Route("/events/{event_id:int}.ics", event_ics),
    Route("/c/{slug}/events.ics", community_ics),
    Route("/feeds/{token}.ics", person_feed),
]
