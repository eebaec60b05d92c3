"""A media node: the SFU of the rooms placed on it, answering web workers over the bus.

`studyhall media-node` runs one (the `media:` line of the Procfile). It announces itself
every `BEAT_S`, keeps its claim on each room it runs, answers the calls of
`server.live.stage_calls` from any web worker, and publishes every stage's view when it
changes. See `server.live.media_wire` for the keys and channels.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import socket
from typing import Any

from server.bus import Bus, BusUnavailable, Subscription
from server.live import media_wire as wire
from server.live.stage_calls import Caller, perform
from server.live.stage_media import Stages
from server.rooms.commands import CommandError
from server.settings import Settings

log = logging.getLogger(__name__)

MOVED = CommandError("moved", "This room's stage runs on another media node.")


class MediaNode:
    def __init__(self, settings: Settings, bus: Bus) -> None:
        self.bus = bus
        self.id = f"media-{socket.gethostname()[:16]}-{os.getpid()}-{secrets.token_hex(3)}"
        self.stages = Stages(settings, self._shown)
        self._views: asyncio.Queue[tuple[int, dict[str, Any], dict[str, Any] | None]]
        self._views = asyncio.Queue()
        self._requests: Subscription | None = None
        self._loops: list[asyncio.Task[None]] = []
        self._calls: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        channel = wire.requests_channel(self.id)
        self._requests = await self.bus.subscribe(channel, self._on_request)
        await self._beat()
        self._loops = [asyncio.create_task(self._beat_loop(), name="media-beat"),
                       asyncio.create_task(self._views_loop(), name="media-views")]  # fmt: skip
        log.info("media node %s is up", self.id)

    async def close(self) -> None:
        if self._requests is not None:
            await self._requests.close()
        for task in [*self._loops, *self._calls]:
            task.cancel()
        for task in self._loops:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        with contextlib.suppress(BusUnavailable):
            await self.bus.delete(wire.node_key(self.id))
            await self.bus.hash_delete(wire.NODES, self.id)
            for room_id in self.stages.held():
                await self._let_go(room_id)
        await self.stages.close()

    # --- calls -----------------------------------------------------------------------------

    def _on_request(self, payload: bytes) -> None:
        task = asyncio.create_task(self._answer(payload))
        self._calls.add(task)
        task.add_done_callback(self._calls.discard)

    async def _answer(self, payload: bytes) -> None:
        try:
            request = wire.load(payload)
            call_id, reply_to = str(request["id"]), str(request["reply"])
            room_id, op = int(request["room"]), str(request["op"])
            caller = Caller(**{k: str(v) for k, v in dict(request["caller"]).items()})
            args = dict(request.get("args") or {})
        except (ValueError, KeyError, TypeError):
            log.warning("a media request that is not one: %r", payload[:80])
            return
        try:
            await self._hold(room_id)
            reply = wire.dump({"id": call_id, "ok": await perform(self.stages, room_id, op,
                                                                    caller, args)})  # fmt: skip
        except CommandError as err:
            reply = wire.error_reply(call_id, err)
        except BusUnavailable:
            reply = wire.error_reply(call_id, CommandError("unavailable", "Try again."))
        except Exception:  # one bad call must not take the node's other rooms down
            log.exception("media call %s in room %s failed", op, room_id)
            reply = wire.error_reply(call_id, CommandError("unavailable", "Try again."))
        await self.bus.publish(reply_to, reply)

    async def _hold(self, room_id: int) -> None:
        """Run the room here only if it is placed here (or nowhere): a worker that found it
        on another node places it again."""
        if room_id in self.stages.held():
            return
        key = wire.room_key(room_id)
        claimed = await self.bus.get(key)
        if claimed is None and await self.bus.set(key, self.id.encode(), wire.ALIVE_S,
                                                  only_if_absent=True):  # fmt: skip
            claimed = self.id.encode()
        if claimed is None or claimed.decode() != self.id:
            raise MOVED
        kept = await self.bus.get(wire.membership_key(room_id))
        if room_id not in self.stages.rooms and kept is not None:
            self.stages.restore(room_id, json.loads(kept))

    # --- presence on the bus ------------------------------------------------------------------

    async def _beat(self) -> None:
        load = wire.dump({"rooms": len(self.stages.held())})
        await self.bus.set(wire.node_key(self.id), load, wire.ALIVE_S)
        await self.bus.hash_set(wire.NODES, self.id, b"")
        for room_id in self.stages.held():
            key = wire.room_key(room_id)
            claimed = await self.bus.get(key)
            if claimed is not None and claimed.decode() != self.id:
                # Placed elsewhere while this node could not beat: the other one runs it now.
                log.warning("room %s moved to %s; closing its stage here", room_id, claimed)
                await self.stages.let_go(room_id)
                continue
            await self.bus.set(key, self.id.encode(), wire.ALIVE_S)

    async def _beat_loop(self) -> None:
        while True:
            await asyncio.sleep(wire.BEAT_S)
            try:
                await self._beat()
            except BusUnavailable as err:
                log.warning("media node cannot reach the bus: %s", err)
            except Exception:  # the beat must outlive anything one room does
                log.exception("media node beat failed")

    async def _let_go(self, room_id: int) -> None:
        if await self.bus.get(wire.room_key(room_id)) == self.id.encode():
            await self.bus.delete(wire.room_key(room_id))

    # --- views -------------------------------------------------------------------------------

    def _shown(self, room_id: int, view: dict[str, Any]) -> None:
        kept = self.stages.kept(room_id) if "group" not in view else None
        self._views.put_nowait((room_id, view, kept))

    async def _views_loop(self) -> None:
        """One at a time, in the order the stages changed."""
        while True:
            room_id, view, kept = await self._views.get()
            try:
                await self.bus.publish(wire.views_channel(room_id), wire.dump(view))
                if kept is not None:
                    await self.bus.set(wire.membership_key(room_id), wire.dump(kept),
                                       wire.MEMBERSHIP_KEEP_S)  # fmt: skip
            except BusUnavailable:
                log.warning("room %s: the stage's membership could not be kept", room_id)
            except Exception:  # the loop must outlive one bad view
                log.exception("room %s: the stage's view could not be published", room_id)


async def run(settings: Settings) -> None:
    """Run a media node until SIGTERM or SIGINT."""
    import signal

    from server.bus import open_bus

    if not settings.redis_url:
        raise SystemExit("studyhall: a media node needs REDIS_URL (the web workers' bus)")
    bus = await open_bus(settings.redis_url)
    node = MediaNode(settings, bus)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await node.start()
    try:
        await stop.wait()
    finally:
        await node.close()
        await bus.close()
