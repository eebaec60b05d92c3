"""The WebSocket endpoint: every check happens before `accept()`.

A refused handshake gets an HTTP response through the WebSocket denial-response extension
(403, or 503 when the worker is full), never an accepted socket that is closed at once.
Starlette's CORS middleware does not cover WebSockets, so the Origin is checked here.
"""

from __future__ import annotations

import json
import logging

from starlette.responses import JSONResponse
from starlette.websockets import WebSocket

from server.http.context import studyhall
from server.http.errors import error_body
from server.http.guard import SESSION_COOKIE
from server.live.handlers import dispatcher, leave
from server.live.session import Session, Visitor

log = logging.getLogger(__name__)

TICKET_PREFIX = "ticket:"


async def _deny(websocket: WebSocket, status: int, code: str, message: str) -> None:
    await websocket.send_denial_response(
        JSONResponse(error_body(code, message), status_code=status)
    )


async def identify(websocket: WebSocket) -> Visitor | None:
    sh = studyhall(websocket)
    ticket = websocket.query_params.get("ticket")
    if ticket is not None:
        if not 16 <= len(ticket) <= 100 or sh.live is None:
            return None
        raw = await sh.live.bus.take(TICKET_PREFIX + ticket)
        if raw is None:
            return None
        data = json.loads(raw)
        return Visitor(data["key"], data["person_id"], data["guest_registration"], data["name"])
    person = await sh.person_for_session(websocket.cookies.get(SESSION_COOKIE))
    if person is None:
        return None
    return Visitor(f"p{person.id}", person.id, None, person.display_name)


async def room_socket(websocket: WebSocket) -> None:
    sh = studyhall(websocket)
    live = sh.live
    assert live is not None, "the live worker starts with the app"
    limits = sh.settings.limits
    origin = (websocket.headers.get("origin") or "").rstrip("/")
    if origin not in sh.settings.allowed_origins:
        await _deny(websocket, 403, "origin_not_allowed", "This origin may not open a socket.")
        return
    visitor = await identify(websocket)
    if visitor is None:
        await _deny(websocket, 403, "not_signed_in", "Sign in, or use a fresh ticket.")
        return
    if live.connections >= limits.ws_per_worker:
        await _deny(websocket, 503, "full", "This server is full; try again shortly.")
        return
    if live.per_person[visitor.key] >= limits.ws_per_person:
        await _deny(websocket, 403, "too_many_sockets", "Close another tab first.")
        return
    live.connections += 1
    live.per_person[visitor.key] += 1
    session = Session(websocket, visitor, limits.ws_queue)
    try:
        await websocket.accept()
        live.sessions.add(session)
        await session.run(dispatcher(live))
    finally:
        live.sessions.discard(session)
        live.connections -= 1
        live.per_person[visitor.key] -= 1
        if live.per_person[visitor.key] <= 0:
            del live.per_person[visitor.key]
        await leave(live, session, None)
