"""The one pub/sub connection of a Redis bus, and the local subscriptions it feeds.

It does not use redis-py's `PubSub`: that class reconnects and resubscribes by itself
inside a read, so nobody learns that messages were lost meanwhile. Here the reader task
owns the connection: when it is lost it marks every subscription as having a gap,
reconnects with capped, jittered backoff, resubscribes every channel, and calls
`on_reconnect` for a channel only once Redis has acknowledged its SUBSCRIBE, so a store
re-read from that callback cannot miss anything.

Callbacks run inline in the reader. The bound on a subscriber falling behind is therefore
Redis's own `client-output-buffer-limit pubsub`: past it the server closes the connection,
and that is handled like any other loss.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio.connection import AbstractConnection
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

log = logging.getLogger(__name__)

READ_POLL_S = 1.0  # never block on a read long enough to race socket_timeout
PING_EVERY_S = 5.0
PONG_WITHIN_S = 3.0
BACKOFF_MIN_S = 0.05
BACKOFF_MAX_S = 2.0

LOST = (RedisConnectionError, RedisTimeoutError, OSError)


class RedisSubscription:
    def __init__(
        self,
        listener: RedisListener,
        channel: str,
        on_message: Callable[[bytes], None],
        on_reconnect: Callable[[], None] | None,
    ) -> None:
        self._listener = listener
        self._channel = channel
        self._on_message = on_message
        self._on_reconnect = on_reconnect
        self.closed = False
        self.gap = False

    @property
    def channel(self) -> str:
        return self._channel

    async def close(self) -> None:
        await self._listener.unsubscribe(self)

    def deliver(self, payload: bytes) -> None:
        if not self.closed:
            try:
                self._on_message(payload)
            except Exception:
                log.exception("bus subscriber on %r failed", self._channel)

    def resynced(self) -> None:
        self.gap = False
        if self._on_reconnect is not None and not self.closed:
            try:
                self._on_reconnect()
            except Exception:
                log.exception("bus on_reconnect on %r failed", self._channel)


@dataclass
class _Channel:
    subs: list[RedisSubscription] = field(default_factory=list)
    confirmed: bool = False  # SUBSCRIBE acknowledged on the current connection
    waiters: list[asyncio.Future[None]] = field(default_factory=list)

    def wake(self) -> None:
        for waiter in self.waiters:
            if not waiter.done():
                waiter.set_result(None)
        self.waiters.clear()


class RedisListener:
    def __init__(self, conn: AbstractConnection, confirm_within_s: float) -> None:
        self._idle_conn = conn
        self._confirm_within_s = confirm_within_s
        self._conn: AbstractConnection | None = None  # set while connected
        self._channels: dict[str, _Channel] = {}
        self._in_flight: dict[str, int] = {}  # SUBSCRIBEs sent, not yet acknowledged
        self._backoff_s = BACKOFF_MIN_S
        self.healthy = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._listen(), name="bus-redis-listener")

    async def subscribe(
        self,
        channel: str,
        on_message: Callable[[bytes], None],
        on_reconnect: Callable[[], None] | None,
    ) -> RedisSubscription:
        sub = RedisSubscription(self, channel, on_message, on_reconnect)
        chan = self._channels.get(channel)
        if chan is None:
            chan = self._channels[channel] = _Channel(subs=[sub])
            if self._conn is not None:
                await self._send_subscribe(self._conn, [channel])
        else:
            chan.subs.append(sub)
        if self._conn is None:
            sub.gap = True  # the reader resubscribes on reconnect, then calls on_reconnect
            return sub
        if not chan.confirmed:
            waiter = asyncio.get_running_loop().create_future()
            chan.waiters.append(waiter)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter, self._confirm_within_s)
            if not chan.confirmed:
                sub.gap = True  # told by on_reconnect whenever the channel is live
        return sub

    async def unsubscribe(self, sub: RedisSubscription) -> None:
        if sub.closed:
            return
        sub.closed = True
        chan = self._channels.get(sub.channel)
        if chan is None or sub not in chan.subs:
            return
        chan.subs.remove(sub)
        if chan.subs:
            return
        del self._channels[sub.channel]
        chan.wake()
        if self._conn is not None:
            await self._send(self._conn, "UNSUBSCRIBE", sub.channel)

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for chan in self._channels.values():
            for sub in chan.subs:
                sub.closed = True
            chan.wake()
        self._channels.clear()
        await self._idle_conn.disconnect(nowait=True)

    async def _send_subscribe(self, conn: AbstractConnection, channels: list[str]) -> None:
        for channel in channels:
            self._in_flight[channel] = self._in_flight.get(channel, 0) + 1
        await self._send(conn, "SUBSCRIBE", *channels)

    async def _send(self, conn: AbstractConnection, *args: str) -> None:
        try:
            await conn.send_command(*args, check_health=False)
        except (RedisError, OSError) as err:
            # The failed send closed the socket: the reader's next read fails and reconnects.
            log.warning("bus %s failed: %s", args[0], err)

    async def _listen(self) -> None:
        conn = self._idle_conn
        while True:
            try:
                await conn.connect()  # type: ignore[no-untyped-call]
                await self._serve(conn)
            except LOST as err:
                log.warning("bus listener lost redis: %s", err)
            except Exception:
                # A bug here must not silence the bus for good: log it and start over.
                log.exception("bus listener failed; reconnecting")
            finally:
                self._lost()
                await conn.disconnect(nowait=True)
            delay = self._backoff_s
            self._backoff_s = min(delay * 2, BACKOFF_MAX_S)
            # Jitter, so the workers of a fleet do not stampede a Redis that just came back.
            await asyncio.sleep(random.uniform(delay / 2, delay))

    async def _serve(self, conn: AbstractConnection) -> None:
        self._conn = conn
        self._in_flight = {}
        if self._channels:
            await self._send_subscribe(conn, list(self._channels))
        # Redis answers in order: this PONG proves every SUBSCRIBE above is in effect.
        await conn.send_command("PING", check_health=False)
        last_heard = time.monotonic()
        ping_out = True
        while True:
            reply = await conn.read_response(timeout=READ_POLL_S, disconnect_on_error=False)
            now = time.monotonic()
            if reply is None:
                if now - last_heard > PING_EVERY_S + PONG_WITHIN_S:
                    # A half-open connection (a partition, not a restart) never errors.
                    raise RedisTimeoutError("no PONG from redis")
                if now - last_heard > PING_EVERY_S and not ping_out:
                    await conn.send_command("PING", check_health=False)
                    ping_out = True
                continue
            last_heard = now
            if self._dispatch(reply):
                ping_out = False
                if not self.healthy.is_set():
                    self.healthy.set()
                    self._backoff_s = BACKOFF_MIN_S

    def _dispatch(self, reply: Any) -> bool:
        """Route one reply; True when it is a PONG."""
        if not isinstance(reply, list):
            return bool(reply == b"PONG")  # PING outside subscribed mode: a plain answer
        kind = reply[0]
        if kind == b"message":
            chan = self._channels.get(reply[1].decode())
            if chan is not None:
                for sub in list(chan.subs):
                    sub.deliver(reply[2])
        elif kind == b"subscribe":
            self._acknowledged(reply[1].decode())
        return bool(kind == b"pong")

    def _acknowledged(self, channel: str) -> None:
        left = self._in_flight.get(channel, 1) - 1
        if left > 0:
            # An older SUBSCRIBE of a channel closed and reopened since: wait for ours.
            self._in_flight[channel] = left
            return
        self._in_flight.pop(channel, None)
        chan = self._channels.get(channel)
        if chan is None:
            return
        chan.confirmed = True
        chan.wake()
        for sub in list(chan.subs):
            if sub.gap:
                sub.resynced()

    def _lost(self) -> None:
        self._conn = None
        self.healthy.clear()
        for chan in self._channels.values():
            chan.confirmed = False
            for sub in chan.subs:
                sub.gap = True
            chan.wake()
