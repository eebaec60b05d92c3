"""Creating and editing an event from the browser; owners and moderators only.

The form is re-rendered with each error next to its field, and the store's own refusals
(a speaker who is not a member, a capacity below the seats taken) land next to theirs too.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.http.context import current_person, studyhall
from server.http.errors import UserError
from server.http.forms import parse_or_errors, read_input
from server.store import communities, events
from server.store.tables import Community, Event

from . import access, present
from .inputs import AGENDA_ROWS, EventIn


def chosen(values: dict[str, Any], name: str) -> list[str]:
    """The ids a form sent for `name`: one value, several, or none."""
    value = values.get(name)
    if value is None or value == "":
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


async def _form(
    request: Request,
    community: Community,
    values: dict[str, Any],
    errors: dict[str, str],
    event: Event | None = None,
    status: int = 200,
) -> Response:
    members = await studyhall(request).store.read(communities.members_of, community.id)
    return present.page(
        request,
        "events/form.html",
        status,
        community=community,
        event=event,
        values=values,
        errors=errors,
        members=members,
        rows=range(AGENDA_ROWS),
        chosen=chosen,
    )


async def _save(
    values: dict[str, Any], save: Callable[[EventIn], Awaitable[Event]]
) -> tuple[Event | None, dict[str, str]]:
    """Validate and run `save(data)`; returns (result, {}) or (None, errors by field)."""
    data, errors = parse_or_errors(EventIn, values)
    if data is None:
        return None, errors
    try:
        with access.refusals():
            return await save(data), {}
    except UserError as err:
        return None, {err.field or "body": err.message}


async def new_page(request: Request) -> Response:
    community = await access.community(request)
    if current_person(request) is None:
        return RedirectResponse(f"/sign-in?next=/c/{community.slug}/events/new", status_code=303)
    person = await access.require_manager(request, community.id)
    if request.method == "GET":
        values = {"kind": "webinar", "timezone": person.timezone, "attendance": "online"}
        return await _form(request, community, values, {})
    values = await read_input(request)

    async def create(data: EventIn) -> Event:
        return await studyhall(request).store.write(
            events.create_event, community.id, person.id, data.to_store()
        )

    event, errors = await _save(values, create)
    if event is None:
        return await _form(request, community, values, errors, status=422)
    return RedirectResponse(f"/events/{event.id}?done=created", status_code=303)


async def edit_page(request: Request) -> Response:
    details = await access.details(request)
    event = details.event
    if current_person(request) is None:
        return RedirectResponse(f"/sign-in?next=/events/{event.id}/edit", status_code=303)
    await access.require_manager(request, event.community_id)
    if request.method == "GET":
        values = present.form_values(present.values_of(details))
        return await _form(request, details.community, values, {}, event)
    values = await read_input(request)

    async def update(data: EventIn) -> Event:
        return await studyhall(request).store.write(events.update_event, event.id, data.to_store())

    saved, errors = await _save(values, update)
    if saved is None:
        return await _form(request, details.community, values, errors, event, status=422)
    return RedirectResponse(f"/events/{event.id}?done=saved", status_code=303)


routes = [
    Route("/c/{slug}/events/new", new_page, methods=["GET", "POST"]),
    Route("/events/{event_id:int}/edit", edit_page, methods=["GET", "POST"]),
]
