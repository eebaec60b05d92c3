"""One session per socket: a reader, one bounded outbound queue drained by one writer.

Nobody but the writer task sends on the socket. Everything else (acks, errors, room frames
from the hub) is `push`ed onto the queue; a client that stops reading fills it and is closed
with 1013, so one slow reader never slows the room. It resumes later by `seq`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.websockets import WebSocket, WebSocketDisconnect

from server.live.frames import error
from server.rooms.commands import (
    CLOSE_GOING_AWAY,
    CLOSE_NOT_JSON,
    CLOSE_SLOW_CLIENT,
    CLOSE_TOO_BIG,
    Command,
    CommandError,
    ProtocolError,
    decode,
    parse,
)

log = logging.getLogger(__name__)

IDLE_S = 75.0
# Queued after a session's last frames: the writer closes the socket once they are sent.
_CLOSE_HERE = "\x00close"
UNAVAILABLE = CommandError("unavailable", "That did not work just now; try again.")
MAX_FRAME = 64 * 1024


@dataclass(frozen=True)
class Visitor:
    """Who opened the socket: a person with an account, or a guest by their registration."""

    key: str
    person_id: int | None
    guest_registration: int | None
    name: str


class Session:
    def __init__(self, websocket: WebSocket, visitor: Visitor, queue_size: int) -> None:
        self.websocket = websocket
        self.visitor = visitor
        # Names this socket to the stage's media, which may run on another process; whether
        # it ever offered media there (only then is there anything to close when it goes).
        self.socket_id = secrets.token_hex(8)
        self.offered_media = False
        self.queue: asyncio.Queue[str] = asyncio.Queue(maxsize=queue_size)
        self._closing: int | None = None
        self._close_code = CLOSE_GOING_AWAY
        self._stop = asyncio.Event()
        # Set once the session has joined a room (see handlers.join).
        self.room_id: int | None = None
        self.community_id = 0
        # A room whose waiting room holds this session until a host lets the person in.
        self.waiting_in: int | None = None
        self.member_id = ""
        self.name = visitor.name
        self.role = "attendee"
        self.since = 0

    def push(self, frame: str) -> None:
        if self._closing is not None:
            return
        try:
            self.queue.put_nowait(frame)
        except asyncio.QueueFull:
            log.warning("closing a slow client: %d frames waited to be sent", self.queue.qsize())
            self.close(CLOSE_SLOW_CLIENT)

    def close(self, code: int) -> None:
        if self._closing is None:
            self._closing = code
            self._stop.set()

    def close_when_sent(self, code: int) -> None:
        """Close once the frames already queued (the reason, say) have gone out."""
        self._close_code = code
        try:
            self.queue.put_nowait(_CLOSE_HERE)
        except asyncio.QueueFull:
            self.close(code)

    async def run(self, handle: HandleFrame) -> None:
        writer = asyncio.create_task(self._write())
        reader = asyncio.create_task(self._read(handle))
        stopper = asyncio.create_task(self._stop.wait())
        try:
            await asyncio.wait({writer, reader, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (writer, reader, stopper):
                task.cancel()
            for task in (writer, reader, stopper):
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
        if self._closing is not None:
            with contextlib.suppress(Exception):
                await self.websocket.close(self._closing)

    async def _write(self) -> None:
        send = self.websocket.send_text
        while True:
            frame = await self.queue.get()
            if frame is _CLOSE_HERE:
                self.close(self._close_code)
                return
            try:
                await send(frame)
            except (WebSocketDisconnect, RuntimeError, OSError):
                return

    async def _read(self, handle: HandleFrame) -> None:
        receive = self.websocket.receive
        while True:
            try:
                async with asyncio.timeout(IDLE_S):
                    message = await receive()
            except TimeoutError:
                self.close(CLOSE_GOING_AWAY)
                return
            if message["type"] == "websocket.disconnect":
                return
            text = message.get("text")
            if text is None:
                self.close(CLOSE_NOT_JSON)  # binary frames are not part of the protocol
                return
            if len(text) > MAX_FRAME:
                self.close(CLOSE_TOO_BIG)
                return
            try:
                frame = decode(text)
            except ProtocolError as exc:
                self.close(exc.code)
                return
            ref = frame["ref"]
            try:
                reply = await handle(self, parse(frame))
            except CommandError as exc:
                self.push(error(ref, exc))
                continue
            except Exception:  # the store or bus failed: say so, keep the socket
                log.exception("command %s failed", frame["op"])
                self.push(error(ref, UNAVAILABLE))
                continue
            if reply is not None:
                self.push(reply)


# The dispatcher: a command in, the ack frame to send (or None when it pushed its own) out.
HandleFrame = Callable[[Session, Command], Awaitable[str | None]]
