"""The events JSON API. Each docstring's YAML is this endpoint's part of /api/openapi.json."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from server.http.context import current_person, require_person, studyhall
from server.http.forms import parse, read_input
from server.store import event_directory, events, registrations
from server.store.event_directory import EventDetails
from server.store.tables import utcnow

from . import access, present
from .inputs import DirectoryFilter, EventIn, GuestIn
from .pages import find_events


async def _event_body(request: Request, details: EventDetails) -> dict[str, Any]:
    sh = studyhall(request)
    manager = await access.is_manager(request, details.event.community_id)
    attendees = await sh.store.read(registrations.attendees, details.event.id) if manager else None
    body = present.event_json(details, utcnow(), attendees)
    person = current_person(request)
    body["your_registration"] = None
    if person is not None:
        mine = await sh.store.read(registrations.registration_of, details.event.id, person.id)
        if mine is not None and mine.status != "cancelled":
            position = await sh.store.read(registrations.waitlist_position, mine)
            body["your_registration"] = present.registration_json(mine, position)
    return body


async def _reread(request: Request, event_id: int) -> EventDetails:
    found = await studyhall(request).store.read(event_directory.event_details, event_id)
    assert found is not None  # just written in a committed transaction
    return found


async def list_events(request: Request) -> Response:
    """
    summary: The event directory, upcoming first; filter by tag, kind, dates and community
    tags: [events]
    parameters:
      - {name: tag, in: query, schema: {type: string}}
      - name: kind
        in: query
        schema: {type: string, enum: [webinar, workshop, conference, study_group, meetup]}
      - name: from
        in: query
        description: First day, YYYY-MM-DD, in the viewer's time zone; default today
        schema: {type: string, format: date}
      - {name: to, in: query, description: Last day, schema: {type: string, format: date}}
      - {name: community, in: query, description: A community's slug, schema: {type: string}}
      - {name: page, in: query, schema: {type: integer, minimum: 1, maximum: 1000}}
    responses:
      200: {description: "{events, page, has_more}"}
      422: {description: A filter is invalid}
    """
    found = await find_events(request, parse(DirectoryFilter, dict(request.query_params)))
    return JSONResponse(
        {
            "events": [present.summary_json(e.event, e.community, e.tags) for e in found.events],
            "page": found.page,
            "has_more": found.has_more,
        }
    )


async def create_event(request: Request) -> Response:
    """
    summary: Create an event in a community (its owners and moderators)
    tags: [events]
    requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/EventIn"}}}}
    responses:
      201: {description: The new event}
      401: {description: Not signed in}
      403: {description: Not an owner or moderator of the community}
      404: {description: No such community}
      415: {description: Not JSON or a form}
      422: {description: A field is invalid}
    """
    community = await access.community(request)
    person = await access.require_manager(request, community.id)
    data = parse(EventIn, await read_input(request))
    with access.refusals():
        event = await studyhall(request).store.write(
            events.create_event, community.id, person.id, data.to_store()
        )
    body = await _event_body(request, await _reread(request, event.id))
    return JSONResponse(body, status_code=201)


async def event(request: Request) -> Response:
    """
    summary: One event; PATCH changes the fields given (owners and moderators)
    description: >
      Managers also get `attendees`, with emails. A PATCH is laid over the event's current
      values and the whole is checked again; times are local to the event's time zone.
    tags: [events]
    requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/EventIn"}}}}
    responses:
      200: {description: The event}
      401: {description: Not signed in (PATCH)}
      403: {description: Not an owner or moderator (PATCH)}
      404: {description: No such event}
      422: {description: A field is invalid}
    """
    details = await access.details(request)
    if request.method == "PATCH":
        await access.require_manager(request, details.event.community_id)
        changes = await read_input(request)
        data = parse(EventIn, {**present.values_of(details), **changes})
        with access.refusals():
            await studyhall(request).store.write(
                events.update_event, details.event.id, data.to_store()
            )
        details = await _reread(request, details.event.id)
    return JSONResponse(await _event_body(request, details))


async def register(request: Request) -> Response:
    """
    summary: Register the signed-in person; a full event puts them on the waitlist
    tags: [registrations]
    responses:
      200: {description: Registered already; nothing changed}
      201: {description: "Registered: status going or waitlisted"}
      401: {description: Not signed in}
      403: {description: The community is invite-only}
      404: {description: No such event}
      409: {description: The event has ended}
    """
    person = require_person(request)
    event_id = access.event_id_of(request)
    sh = studyhall(request)
    before = await sh.store.read(registrations.registration_of, event_id, person.id)
    with access.refusals():
        mine = await sh.store.write(registrations.register_person, event_id, person.id)
    position = await sh.store.read(registrations.waitlist_position, mine)
    again = before is not None and before.status != "cancelled"
    return JSONResponse(
        present.registration_json(mine, position), status_code=200 if again else 201
    )


async def cancel(request: Request) -> Response:
    """
    summary: Cancel the signed-in person's registration; the first on the waitlist moves up
    tags: [registrations]
    responses:
      200: {description: Cancelled}
      401: {description: Not signed in}
      404: {description: No such event, or not registered}
      409: {description: The event has ended}
    """
    person = require_person(request)
    with access.refusals():
        mine = await studyhall(request).store.write(
            registrations.cancel_for_person, access.event_id_of(request), person.id
        )
    return JSONResponse(present.registration_json(mine, None))


async def register_guest(request: Request) -> Response:
    """
    summary: Register a guest without an account; the answer holds their personal join link
    tags: [registrations]
    requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/GuestIn"}}}}
    responses:
      201: {description: "{registration, join_url}"}
      403: {description: The community is invite-only}
      404: {description: No such event}
      409: {description: The email is registered already, or the event has ended}
      422: {description: A field is invalid}
    """
    event_id = access.event_id_of(request)
    data = parse(GuestIn, await read_input(request))
    sh = studyhall(request)
    with access.refusals():
        mine = await sh.store.write(
            registrations.register_guest, event_id, name=data.name, email=data.email
        )
    position = await sh.store.read(registrations.waitlist_position, mine)
    body = {
        "registration": present.registration_json(mine, position),
        "join_url": access.join_url(request, mine.join_token),
    }
    return JSONResponse(body, status_code=201)


async def my_registrations(request: Request) -> Response:
    """
    summary: The signed-in person's registrations (going and waitlisted) and private feed URL
    tags: [registrations]
    responses:
      200: {description: "{registrations, feed_url}"}
      401: {description: Not signed in}
    """
    person = require_person(request)
    sh = studyhall(request)
    bookings = await sh.store.read(registrations.registrations_of, person.id)
    tags = await sh.store.read(event_directory.tags_of, [b.event.id for b in bookings])
    return JSONResponse(
        {
            "registrations": [
                {
                    **present.registration_json(b.registration, b.waitlist_position),
                    "event": present.summary_json(b.event, b.community, tags[b.event.id]),
                }
                for b in bookings
            ],
            "feed_url": f"{sh.settings.public_url}/feeds/{person.feed_token}.ics",
        }
    )


SCHEMAS: dict[str, type[BaseModel]] = {"EventIn": EventIn, "GuestIn": GuestIn}

routes: list[BaseRoute] = [
    Route("/api/events", list_events, methods=["GET"]),
    Route("/api/communities/{slug}/events", create_event, methods=["POST"]),
    Route("/api/events/{event_id:int}", event, methods=["GET", "PATCH"]),
    Route("/api/events/{event_id:int}/registrations", register, methods=["POST"]),
    Route("/api/events/{event_id:int}/registrations/me", cancel, methods=["DELETE"]),
    Route("/api/events/{event_id:int}/guests", register_guest, methods=["POST"]),
    Route("/api/me/registrations", my_registrations, methods=["GET"]),
]
