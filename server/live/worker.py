"""The live side of one web worker: its room hubs and the loops that keep them true.

- every tick (100 ms) each hub sends what is new to its sessions, one frame per socket;
- every second the worker asks the store for the head `seq` of its rooms and fills any gap
  that pub/sub left (a lost message, a Redis restart), and sends reactions;
- presence is written in batches, and a heartbeat lets the other workers remove the people
  of a worker that died.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from server.bus import Bus, BusUnavailable
from server.live.frames import Wired, encode
from server.live.hub import RoomHub
from server.live.media_nodes import MediaNodes
from server.live.stage_media import seen_by
from server.live.stage_service import LocalStages, StageService
from server.rooms.moderation import KEEP_DELETED
from server.rooms.roles import is_staff
from server.settings import Settings
from server.store import Store, breakouts, moderation, presence, rooms
from server.store.rooms import Logged
from server.store.tables import utcnow

log = logging.getLogger(__name__)

TICK_S = 0.1
CHECK_S = 1.0
GAP_WAIT_S = 0.2
HEARTBEAT_S = 5.0
DEAD_AFTER_S = 20.0
IDLE_HUB_S = 60.0
PURGE_EVERY_S = 3600.0


class LiveWorker:
    def __init__(self, settings: Settings, store: Store, bus: Bus) -> None:
        self.settings = settings
        self.store = store
        self.bus = bus
        self.id = f"{socket.gethostname()[:16]}-{os.getpid()}-{secrets.token_hex(3)}"
        self.hubs: dict[int, RoomHub] = {}
        self._hub_starting: dict[int, asyncio.Future[RoomHub]] = {}
        self.connections = 0
        self.per_person: Counter[str] = Counter()
        self.sessions: set[object] = set()
        self._dirty: set[int] = set()
        self._presence_wake = asyncio.Event()
        self._presence_done: list[asyncio.Future[None]] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._local_limits: Counter[str] = Counter()
        self._local_window = 0.0
        self._purged_at = -PURGE_EVERY_S
        # Each room's stage: in this process's SFU, or with Redis on the media nodes.
        self.media: StageService = (
            MediaNodes(bus, self.id, self.show_stage)
            if settings.redis_url
            else LocalStages(settings, self.show_stage)
        )

    async def start(self) -> None:
        await self.media.start()
        await self.store.write(presence.beat, self.id)
        for loop in (self._tick_loop, self._check_loop, self._presence_loop, self._heartbeat_loop):
            self._tasks.append(asyncio.create_task(self._forever(loop), name=loop.__name__))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for hub in self.hubs.values():
            await hub.unsubscribe()
        await self.media.close()  # recordings end, then the SFU's peer connections close
        try:
            for logged in await self.store.write(presence.remove_workers, [self.id]):
                await self.publish(logged)
        except Exception:  # shutting down: the survivors' sweep removes us anyway
            log.warning("could not remove this worker's presence", exc_info=True)

    async def _forever(self, loop: Callable[[], Awaitable[None]]) -> None:
        while True:
            try:
                await loop()
            except asyncio.CancelledError:
                raise
            except Exception:  # a loop must outlive a store or bus hiccup
                log.exception("live loop %s failed; restarting it", loop.__name__)
                await asyncio.sleep(1)

    # --- hubs -------------------------------------------------------------------------

    async def hub(self, room_id: int) -> RoomHub:
        hub = self.hubs.get(room_id)
        if hub is not None:
            return hub
        starting = self._hub_starting.get(room_id)
        if starting is not None:
            return await asyncio.shield(starting)
        future: asyncio.Future[RoomHub] = asyncio.get_running_loop().create_future()
        self._hub_starting[room_id] = future
        try:
            hub = RoomHub(room_id)
            # Subscribe before reading the head, so nothing falls between the two.
            hub.subscription = await self.bus.subscribe(hub.channel, hub.on_bus, hub.on_reconnect)
            hub.stage_feed = await self.media.follow(room_id)
            head, slow_mode = await self.store.read(rooms.room_head, room_id)
            # Read after the head: a mute committed since is in the log after it, so either
            # this read or the log brings it.
            hub.muted = await self.store.read(moderation.mutes, room_id)
            hub.started(head, slow_mode)
            self.hubs[room_id] = hub
            future.set_result(hub)
            return hub
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: waiters get it through shield
            if hub is not None:  # the hub is dropped: so are its channels
                with contextlib.suppress(Exception):
                    await hub.unsubscribe()
            raise
        finally:
            del self._hub_starting[room_id]

    def show_stage(self, room_id: int, view: dict[str, Any]) -> None:
        """Tell the room's sockets here what is on the stage now, or a breakout group's
        members what is in their group's call (ephemeral, no seq)."""
        hub = self.hubs.get(room_id)
        if hub is None:
            return
        if "group" in view:  # a breakout group's call: its members' business only
            members = set(view["members"])
            frame = encode({"type": "group.media", "room": room_id, "group": view["group"],
                            "tracks": view["tracks"], "epoch": view["epoch"]})  # fmt: skip
            for session in list(hub.sessions):
                if session.member_id in members:
                    session.push(frame)
            return
        head = {"type": "stage.state", "room": room_id}
        # Encoded once for the staff and once for everyone else; an invitee gets their own.
        staff = encode({**head, **view})
        others = encode({**head, **seen_by(view, "", "")})
        invited = set(view.get("invited", []))
        for session in list(hub.sessions):
            if is_staff(session.role):
                session.push(staff)
            elif session.member_id in invited:
                session.push(encode({**head, **seen_by(view, session.member_id, "")}))
            else:
                session.push(others)

    async def publish(self, logged: Logged) -> None:
        """Deliver a committed event here at once, and to the other workers by the bus."""
        wired = Wired(int(logged.event["seq"]), logged.audience, logged.event)
        room_id = int(logged.event["room"])
        hub = self.hubs.get(room_id)
        if hub is not None:
            hub.offer(wired)
        await self.bus.publish(f"room:{room_id}", wired.bus_payload())

    async def catch_up(self, hub: RoomHub) -> None:
        hub.needs_catch_up = False
        for logged in await self.store.read(rooms.events_since, hub.room_id, hub.delivered):
            hub.offer(Wired(int(logged.event["seq"]), logged.audience, logged.event))

    # --- presence -----------------------------------------------------------------------

    async def enter(self, hub: RoomHub, arrival: presence.Arrival) -> None:
        """Count a socket of this member in; returns once the store holds their presence."""
        hub.local[arrival.member] += 1
        hub.info[arrival.member] = arrival
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._presence_done.append(done)
        self._mark(hub)
        try:
            await done
        except BaseException:
            # The join failed (the store) or was cancelled (the socket went): it never set
            # session.room_id, so no leave() will count this socket out. Do it here, or the
            # member stays present for as long as this worker lives.
            self.leave(hub, arrival.member)
            raise

    def leave(self, hub: RoomHub, member: str) -> None:
        hub.local[member] -= 1
        self._mark(hub)

    def _mark(self, hub: RoomHub) -> None:
        self._dirty.add(hub.room_id)
        self._presence_wake.set()

    async def _presence_loop(self) -> None:
        await self._presence_wake.wait()
        self._presence_wake.clear()
        await asyncio.sleep(0.02)  # let a burst of joins share one transaction per room
        dirty, self._dirty = self._dirty, set()
        waiters, self._presence_done = self._presence_done, []
        try:
            for room_id in sorted(dirty):
                hub = self.hubs.get(room_id)
                if hub is None:
                    continue
                arrivals, departures = hub.presence_changes()
                if not arrivals and not departures:
                    continue
                logged = await self.store.write(
                    presence.move, room_id, self.id, arrivals, departures
                )
                hub.presence_written(arrivals, departures)
                if logged:
                    await self.publish(logged)
        except Exception as exc:
            self._dirty |= dirty
            for waiter in waiters:
                if not waiter.done():
                    waiter.set_exception(exc)
            self._presence_wake.set()
            raise
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    async def _heartbeat_loop(self) -> None:
        await asyncio.sleep(HEARTBEAT_S)
        if not await self.store.write(presence.beat, self.id):
            # Others took us for dead and swept our presence: write it again.
            for hub in self.hubs.values():
                hub.stored.clear()
                self._mark(hub)
        cutoff = utcnow() - timedelta(seconds=DEAD_AFTER_S)
        for logged in await self.store.write(presence.sweep, cutoff):
            await self.publish(logged)
        if time.monotonic() - self._purged_at >= PURGE_EVERY_S:
            self._purged_at = time.monotonic()
            # Any worker may do it: emptying what is already empty changes nothing.
            await self.store.write(moderation.purge_deleted, utcnow() - KEEP_DELETED)

    # --- delivery ----------------------------------------------------------------------

    async def _tick_loop(self) -> None:
        ticks = 0
        while True:
            await asyncio.sleep(TICK_S)
            ticks += 1
            for hub in list(self.hubs.values()):
                hub.flush()
                if ticks % 10 == 0:
                    hub.flush_reactions()

    async def _check_loop(self) -> None:
        await asyncio.sleep(CHECK_S)
        now = time.monotonic()
        for hub in list(self.hubs.values()):
            if hub.reactions_made:
                payload = encode({"r": hub.reactions_made.take()}).encode()
                await self.bus.publish(hub.channel, payload)
            if hub.idle_since is not None and now - hub.idle_since > IDLE_HUB_S \
                    and not hub.local:  # fmt: skip
                del self.hubs[hub.room_id]
                await hub.unsubscribe()
        active = [h for h in self.hubs.values() if h.sessions]
        if not active:
            return
        await self._breakout_clocks([h.room_id for h in active])
        heads = await self.store.read(rooms.heads, [h.room_id for h in active])
        for hub in active:
            behind = heads.get(hub.room_id, 0) > hub.delivered
            if hub.needs_catch_up or hub.gap_older_than(GAP_WAIT_S) or behind:
                await self.catch_up(hub)

    # --- limits --------------------------------------------------------------------------

    async def _breakout_clocks(self, room_ids: list[int]) -> None:
        """Warn or close the rounds that are due; any worker with the room may, and the
        store's lock makes the first one do it and the others find nothing left to do."""
        now = utcnow()
        for room_id in await self.store.read(breakouts.due, room_ids, now):
            for logged in await self.store.write(breakouts.tick, room_id, now):
                await self.publish(logged)

    async def over_limit(self, key: str, limit: int, window_s: float) -> bool:
        """A fixed-window rate limit shared by all workers; local while the bus is down."""
        try:
            return await self.bus.incr_window(f"limit:{key}", window_s) > limit
        except BusUnavailable:
            now = time.monotonic()
            if now - self._local_window > window_s:
                self._local_limits.clear()
                self._local_window = now
            self._local_limits[key] += 1
            return self._local_limits[key] > limit
