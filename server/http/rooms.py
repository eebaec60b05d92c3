"""The room page, and the tickets that open a socket without a cookie (guests, other clients)."""

from __future__ import annotations

import json
import secrets

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from server.http.context import current_person, studyhall
from server.http.errors import UserError, not_found
from server.http.forms import read_input
from server.live.endpoint import TICKET_PREFIX
from server.store import room_access
from server.store.tables import Community, Event


async def _page(request: Request, event_id: int, join_token: str | None) -> Response:
    sh = studyhall(request)
    event = await sh.store.read(lambda s: s.get(Event, event_id))
    if event is None:
        raise not_found("That event")
    community = await sh.store.read(lambda s: s.get(Community, event.community_id))
    context = {"event": event, "room_id": event.id, "join_token": join_token,
               "community": community}  # fmt: skip
    return sh.templates.TemplateResponse(request, "rooms/room.html", context)


async def room_page(request: Request) -> Response:
    event_id: int = request.path_params["event_id"]
    person = current_person(request)
    if person is None:
        return RedirectResponse(f"/sign-in?next=/events/{event_id}/room", status_code=303)
    sh = studyhall(request)
    entry = await sh.store.read(room_access.entry_for_person, event_id, person.id)
    if entry is None:
        raise UserError("Register for this event to join its room.", status=403)
    return await _page(request, event_id, None)


async def guest_room_page(request: Request) -> Response:
    sh = studyhall(request)
    token: str = request.path_params["token"]
    registration = await sh.store.read(room_access.guest_by_join_token, token)
    if registration is None or registration.status != "going":
        raise not_found("That join link")
    return await _page(request, registration.event_id, token)


async def ws_ticket(request: Request) -> Response:
    """
    summary: A single-use ticket (60 s) to open /ws without a session cookie
    description: Signed-in people send {}; guests send the token of their join link.
    tags: [rooms]
    requestBody:
      content:
        application/json:
          schema: {type: object, properties: {join_token: {type: string}}}
    responses:
      200: {description: '{"ticket": "…", "expires_in": 60}'}
      401: {description: Neither signed in nor a valid join token}
      503: {description: The bus is unavailable}
    """
    sh = studyhall(request)
    body = await read_input(request)
    token = body.get("join_token")
    person = current_person(request)
    if isinstance(token, str) and token:
        registration = await sh.store.read(room_access.guest_by_join_token, token[:100])
        if registration is None or registration.status != "going":
            raise UserError("That join link is not valid.", status=401, field="join_token")
        who = {"key": f"g{registration.id}", "person_id": None,
               "guest_registration": registration.id, "name": registration.guest_name}  # fmt: skip
    elif person is not None:
        who = {"key": f"p{person.id}", "person_id": person.id, "guest_registration": None,
               "name": person.display_name}  # fmt: skip
    else:
        raise UserError("Sign in, or send the token of your join link.", status=401)
    if sh.bus is None:
        raise UserError("Live rooms are not running.", status=503)
    ticket = secrets.token_urlsafe(24)
    ttl = sh.settings.limits.ws_ticket_ttl_s
    await sh.bus.set(TICKET_PREFIX + ticket, json.dumps(who).encode(), ttl_s=ttl)
    return JSONResponse({"ticket": ticket, "expires_in": ttl})


api_routes = [Route("/api/ws-ticket", ws_ticket, methods=["POST"])]
routes = [
    Route("/events/{event_id:int}/room", room_page),
    Route("/join/{token}/room", guest_room_page),
]
