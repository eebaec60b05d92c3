"""The event pages: the directory, an event, registering and cancelling, a guest's own page,
and a person's registrations. The create and edit forms live in `editing`, calendar files in
`ics`; `routes` gathers all three.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.http.communities.inputs import is_slug
from server.http.context import current_person, studyhall
from server.http.errors import UserError, not_found
from server.http.forms import parse_or_errors, read_input
from server.store import communities, event_directory, qa_archive, registrations
from server.store.calendar import next_meeting, room_is_open
from server.store.event_directory import DirectoryPage, EventDetails
from server.store.tables import utcnow

from . import access, editing, ics, present, room_record
from .inputs import DirectoryFilter, GuestIn

PER_PAGE = 20


def _midnight(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(zone))


async def find_events(request: Request, wanted: DirectoryFilter) -> DirectoryPage:
    """The directory's query: dates are whole days in the viewer's time zone."""
    zone = access.viewer_zone(request)
    community_id = None
    if wanted.community is not None:
        slug = wanted.community
        found = (
            await studyhall(request).store.read(communities.community_by_slug, slug)
            if is_slug(slug)
            else None
        )
        if found is None:
            raise UserError("No community has this address.", field="community")
        community_id = found.id
    return await studyhall(request).store.read(
        event_directory.directory,
        tag=wanted.tag,
        kind=wanted.kind,
        after=None if wanted.starts_from is None else _midnight(wanted.starts_from, zone),
        before=None if wanted.to is None else _midnight(wanted.to + timedelta(days=1), zone),
        community_id=community_id,
        page=wanted.page,
        per_page=PER_PAGE,
    )


async def home_context(request: Request, limit: int = 6) -> dict[str, Any]:
    """What home.html needs to list the next events of every community."""
    found = await studyhall(request).store.read(event_directory.directory, per_page=limit)
    zone = access.viewer_zone(request)
    return {"upcoming": found.events, "zone": zone, **present.helpers()}


async def directory_page(request: Request) -> Response:
    values = dict(request.query_params)
    wanted, errors = parse_or_errors(DirectoryFilter, values)
    found = None
    if wanted is not None:
        try:
            found = await find_events(request, wanted)
        except UserError as err:
            errors = {err.field or "body": err.message}

    def link(to_page: int) -> str:
        return "/events?" + urlencode({**values, "page": to_page})

    return present.page(
        request,
        "events/directory.html",
        422 if errors else 200,
        values=values,
        errors=errors,
        found=found,
        link=link,
        zone=access.viewer_zone(request),
    )


async def _event_context(request: Request, details: EventDetails) -> dict[str, Any]:
    sh, event, now = studyhall(request), details.event, utcnow()
    person = current_person(request)
    role = await access.role(request, event.community_id)
    mine = position = None
    if person is not None:
        mine = await sh.store.read(registrations.registration_of, event.id, person.id)
        if mine is not None:
            position = await sh.store.read(registrations.waitlist_position, mine)
    manager = role in communities.MANAGERS
    speaker = person is not None and any(s.id == person.id for s in details.speakers)
    going = mine is not None and mine.status == "going"
    return {
        "d": details,
        "event": event,
        "zone": access.viewer_zone(request),
        "mine": mine if mine is not None and mine.status != "cancelled" else None,
        "position": position,
        "manager": manager,
        "invite_only": details.community.join_policy != "open" and role is None,
        "registration_open": now < event.series_ends_at,
        "meeting": next_meeting(event, now),
        "seats_left": present.seats_left(event),
        "room_open": room_is_open(event, now),
        # The room admits people with a seat, speakers and managers: others get no dead end.
        "show_room": room_is_open(event, now) and (going or speaker or manager),
        "attendees": (await sh.store.read(registrations.attendees, event.id) if manager else None),
        **await room_record.context(request, event.id),
    }


async def render_event(
    request: Request, details: EventDetails, status: int = 200, **forms: Any
) -> Response:
    """The event page; `forms` carries back what a form sent, with its errors, when refused."""
    context = await _event_context(request, details)
    blank = {
        "guest": {},
        "guest_errors": {},
        "answer_form": None,
        "poll_values": {"kind": "single"},
        "poll_errors": {},
    }
    return present.page(request, "events/event.html", status, **context, **{**blank, **forms})


async def event_page(request: Request) -> Response:
    return await render_event(request, await access.details(request))


async def register_page(request: Request) -> Response:
    event_id = access.event_id_of(request)
    person = current_person(request)
    if person is None:
        return RedirectResponse(f"/sign-in?next=/events/{event_id}", status_code=303)
    with access.refusals():
        mine = await studyhall(request).store.write(
            registrations.register_person, event_id, person.id
        )
    return RedirectResponse(f"/events/{event_id}?done={mine.status}", status_code=303)


async def cancel_page(request: Request) -> Response:
    event_id = access.event_id_of(request)
    person = current_person(request)
    if person is None:
        return RedirectResponse(f"/sign-in?next=/events/{event_id}", status_code=303)
    with access.refusals():
        await studyhall(request).store.write(registrations.cancel_for_person, event_id, person.id)
    return RedirectResponse(f"/events/{event_id}?done=cancelled", status_code=303)


async def guest_page(request: Request) -> Response:
    details = await access.details(request)
    values = await read_input(request)
    data, errors = parse_or_errors(GuestIn, values)
    status = 422
    if data is not None:
        try:
            with access.refusals():
                mine = await studyhall(request).store.write(
                    registrations.register_guest,
                    details.event.id,
                    name=data.name,
                    email=data.email,
                )
        except UserError as err:
            errors, status = {err.field or "body": err.message}, err.status
        else:
            return RedirectResponse(f"/join/{mine.join_token}?done=registered", status_code=303)
    return await render_event(request, details, status, guest=values, guest_errors=errors)


async def join_page(request: Request) -> Response:
    """A guest's own page, reached by their personal link."""
    token = access.token_of(request)
    booking = await studyhall(request).store.read(registrations.booking_by_token, token)
    if booking is None:
        raise not_found("That join link")
    event, now = booking.event, utcnow()
    going = booking.registration.status == "going"
    return present.page(
        request,
        "events/join.html",
        booking=booking,
        event=event,
        token=token,
        join_url=access.join_url(request, token),
        zone=event.timezone,
        meeting=next_meeting(event, now),
        registration_open=now < event.series_ends_at,
        show_room=going and room_is_open(event, now),
    )


async def join_cancel_page(request: Request) -> Response:
    token = access.token_of(request)
    with access.refusals():
        await studyhall(request).store.write(registrations.cancel_by_token, token)
    return RedirectResponse(f"/join/{token}?done=cancelled", status_code=303)


async def my_events_page(request: Request) -> Response:
    person = current_person(request)
    if person is None:
        return RedirectResponse("/sign-in?next=/my/events", status_code=303)
    sh = studyhall(request)
    bookings = await sh.store.read(registrations.registrations_of, person.id)
    asked = await sh.store.read(qa_archive.questions_of, f"p{person.id}")
    now = utcnow()
    return present.page(
        request,
        "events/my.html",
        upcoming=[b for b in bookings if b.event.series_ends_at > now],
        past=[b for b in bookings if b.event.series_ends_at <= now],
        asked=asked,
        question_states=room_record.QUESTION_STATES,
        reasons=room_record.REASONS,
        feed_url=f"{sh.settings.public_url}/feeds/{person.feed_token}.ics",
        zone=person.timezone,
    )


routes = [
    *ics.routes,
    Route("/events", directory_page),
    Route("/events/{event_id:int}", event_page),
    Route("/events/{event_id:int}/register", register_page, methods=["POST"]),
    Route("/events/{event_id:int}/cancel", cancel_page, methods=["POST"]),
    Route("/events/{event_id:int}/guests", guest_page, methods=["POST"]),
    Route("/join/{token}", join_page),
    Route("/join/{token}/cancel", join_cancel_page, methods=["POST"]),
    Route("/my/events", my_events_page),
    *editing.routes,
]
