"""The bare Starlette broadcast loop that `scripts/bench_fanout` measures Studyhall against.

Every socket is accepted; each text frame received is sent as is to every open socket, one
await after another. No rooms, sign-in, store, queues or batching: the floor for "relay a
chat line to N sockets" on this stack. Run: `uvicorn --app-dir scripts bench_reference_app:app`.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

sockets: set[WebSocket] = set()


async def relay(websocket: WebSocket) -> None:
    await websocket.accept()
    sockets.add(websocket)
    try:
        while True:
            text = await websocket.receive_text()
            for other in list(sockets):
                try:
                    await other.send_text(text)
                except (WebSocketDisconnect, RuntimeError, OSError):
                    sockets.discard(other)
    except WebSocketDisconnect:
        pass
    finally:
        sockets.discard(websocket)


async def health(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


app = Starlette(routes=[Route("/health", health), WebSocketRoute("/ws", relay)])
