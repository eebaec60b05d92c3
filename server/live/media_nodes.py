"""A web worker's way to the media nodes: placing rooms, asking, and following the stage.

A room's stage is placed on the least busy live node the first time anyone asks (see
`server.live.media_wire` for the keys), and every later call of any worker goes to that node.
Once a second the worker checks that the nodes of its rooms are alive; when one has died, it
asks for the room's stage again, which places it on another node (starting from the
membership the dead one kept on the bus), and shows the new view to its people. The view
names a new `epoch`, so their pages offer their connections again by themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import secrets
from typing import Any

from server.bus import Bus, BusUnavailable, Subscription
from server.live import media_wire as wire
from server.live.stage_calls import Args, Caller, Reply
from server.live.stage_service import Shown
from server.rooms.commands import CommandError

log = logging.getLogger(__name__)

# An offer waits for the node's ICE gathering; everything else is a dictionary lookup there.
OFFER_WAIT_S = 15.0
CALL_WAIT_S = 5.0
# How long a call waits for a dead node's claim on the room to expire.
CLAIM_WAIT_S = wire.ALIVE_S + 1.0
NOBODY = Caller("", "", "", "host")

GONE = CommandError("unavailable", "The stage's media server did not answer; try again.")
NO_NODE = CommandError("unavailable", "No media server is running, so the stage cannot start "
                       "now; try again in a moment.")  # fmt: skip


class Moved(Exception):
    """The node asked no longer runs the room: place it again."""


class MediaNodes:
    def __init__(self, bus: Bus, worker_id: str, shown: Shown) -> None:
        self.bus = bus
        self.worker_id = worker_id
        self._shown = shown
        self.placed: dict[int, str] = {}  # room -> node, as last found
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._replies: Subscription | None = None
        self._watch: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        channel = wire.replies_channel(self.worker_id)
        self._replies = await self.bus.subscribe(channel, self._on_reply)
        self._watch = asyncio.create_task(self._watch_nodes(), name="media-nodes")

    async def close(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        for task in list(self._tasks):
            task.cancel()
        if self._replies is not None:
            await self._replies.close()

    # --- calls ---------------------------------------------------------------------------

    async def call(self, room_id: int, op: str, caller: Caller, args: Args) -> Reply:
        for _ in range(3):
            node = await self._node_for(room_id)
            try:
                return await self._ask(node, room_id, op, caller, args)
            except Moved:
                self.placed.pop(room_id, None)
        raise GONE

    async def _ask(self, node: str, room_id: int, op: str, caller: Caller, args: Args) -> Reply:
        call_id = secrets.token_hex(8)
        answered = asyncio.get_running_loop().create_future()
        self._waiting[call_id] = answered
        request = {"id": call_id, "reply": wire.replies_channel(self.worker_id),
                   "room": room_id, "op": op, "caller": caller.wire(), "args": args}  # fmt: skip
        try:
            await self.bus.publish(wire.requests_channel(node), wire.dump(request))
            reply = await asyncio.wait_for(answered, OFFER_WAIT_S if op == "offer" else CALL_WAIT_S)
        except TimeoutError:
            self.placed.pop(room_id, None)  # look the node up again next time
            raise GONE from None
        finally:
            self._waiting.pop(call_id, None)
        if "error" in reply:
            error = wire.error_of(reply)
            if error.code == "moved":
                raise Moved
            raise error
        result = reply.get("ok")
        return result if isinstance(result, dict) else {}

    def _on_reply(self, payload: bytes) -> None:
        try:
            reply = wire.load(payload)
            waiting = self._waiting.get(str(reply["id"]))
        except (ValueError, KeyError):
            log.warning("a media reply that is not one: %r", payload[:80])
            return
        if waiting is not None and not waiting.done():
            waiting.set_result(reply)

    # --- placement -----------------------------------------------------------------------

    async def alive(self) -> dict[str, int]:
        """The live nodes, and how many stages each runs."""
        try:
            listed = await self.bus.hash_get_all(wire.NODES)
            found: dict[str, int] = {}
            for node in listed:
                raw = await self.bus.get(wire.node_key(node))
                if raw is not None:
                    found[node] = int(json.loads(raw).get("rooms", 0))
        except BusUnavailable:
            raise NO_NODE from None
        return found

    async def _node_for(self, room_id: int) -> str:
        node = self.placed.get(room_id)
        if node is not None:
            return node
        key = wire.room_key(room_id)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + CLAIM_WAIT_S
        try:
            while True:
                nodes = await self.alive()
                claimed = await self.bus.get(key)
                if claimed is not None and claimed.decode() in nodes:
                    node = claimed.decode()
                    break
                if not nodes:
                    raise NO_NODE
                if claimed is None:
                    node = min(nodes, key=lambda n: (nodes[n], random.random()))
                    if await self.bus.set(key, node.encode(), wire.ALIVE_S, only_if_absent=True):
                        break
                    continue  # someone placed it meanwhile: take theirs
                # A dead node's claim: it expires within ALIVE_S of its last beat.
                if loop.time() > deadline:
                    raise GONE
                await asyncio.sleep(0.25)
        except BusUnavailable:
            raise GONE from None
        self.placed[room_id] = node
        return node

    # --- views -----------------------------------------------------------------------------

    async def follow(self, room_id: int) -> Subscription | None:
        def on_view(payload: bytes) -> None:
            try:
                self._shown(room_id, wire.load(payload))
            except ValueError:
                log.warning("a stage view that is not one, room %s", room_id)

        def on_reconnect() -> None:
            self._spawn(self._show_again(room_id))  # views may have been lost meanwhile

        return await self.bus.subscribe(wire.views_channel(room_id), on_view, on_reconnect)

    async def _show_again(self, room_id: int) -> None:
        try:
            self._shown(room_id, await self.call(room_id, "state", NOBODY, {}))
        except CommandError as err:
            log.warning("room %s: the stage could not be shown again: %s", room_id, err.message)

    async def _watch_nodes(self) -> None:
        """Once a second: a room whose node died is placed again and shown to its people."""
        while True:
            await asyncio.sleep(wire.BEAT_S)
            if not self.placed:
                continue
            try:
                nodes = await self.alive()
            except CommandError:
                continue  # the bus is down: nothing can move now
            for room_id, node in list(self.placed.items()):
                if node not in nodes:
                    log.info("media node %s is gone; room %s moves", node, room_id)
                    self.placed.pop(room_id, None)
                    self._spawn(self._show_again(room_id))

    def _spawn(self, coro: Any) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
