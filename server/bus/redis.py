"""The Redis bus: transport only. What a message means is the caller's business.

Traps of redis-py 8 this module is shaped around:

- the default `socket_timeout` is 5 s and a blocking read of 5 s or more races it, so every
  timeout is explicit and the listener never blocks on a read for more than `READ_POLL_S`;
- the default pool holds 100 connections and raises `MaxConnectionsError` instead of
  waiting, so commands go through a `BlockingConnectionPool` that waits a bounded time;
- pub/sub loses messages silently while Redis restarts and `publish()` raises nothing, so
  the listener owns its connection itself (not `PubSub`, which reconnects and resubscribes
  behind our back) and tells every subscription when a gap may have happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.connection import AbstractConnection
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from server.bus.base import BusUnavailable, require_bytes

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 1.0
COMMAND_TIMEOUT_S = 2.0
POOL_SIZE = 64
POOL_WAIT_S = 2.0
READ_POLL_S = 1.0
PING_EVERY_S = 5.0
PONG_WITHIN_S = 3.0
BACKOFF_MIN_S = 0.05
BACKOFF_MAX_S = 2.0

# INCR and PEXPIRE in one atomic step. The PTTL check also heals a counter left without
# expiry (say, written by hand), which would otherwise rate-limit its owner forever.
INCR_WINDOW_LUA = """
local n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return n
"""

_LOST = (RedisConnectionError, RedisTimeoutError, OSError)


def _ms(seconds: float) -> int:
    if seconds <= 0:
        raise ValueError("ttl must be positive")
    return max(1, round(seconds * 1000))


@contextlib.contextmanager
def _unavailable_on_loss() -> Iterator[None]:
    try:
        yield
    except _LOST as err:
        raise BusUnavailable(f"redis: {err}") from err


class RedisSubscription:
    def __init__(
        self,
        bus: RedisBus,
        channel: str,
        on_message: Callable[[bytes], None],
        on_reconnect: Callable[[], None] | None,
    ) -> None:
        self._bus = bus
        self._channel = channel
        self._on_message = on_message
        self._on_reconnect = on_reconnect
        self.closed = False
        self.gap = False

    @property
    def channel(self) -> str:
        return self._channel

    async def close(self) -> None:
        await self._bus._unsubscribe(self)

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


class RedisBus:
    """One command pool plus one listener connection per worker, whatever the channels."""

    def __init__(self, url: str) -> None:
        self._pool = BlockingConnectionPool.from_url(
            url,
            max_connections=POOL_SIZE,
            timeout=POOL_WAIT_S,
            socket_timeout=COMMAND_TIMEOUT_S,
            socket_connect_timeout=CONNECT_TIMEOUT_S,
            # No silent retries: a retried INCR or SET NX could apply twice. A pooled socket
            # that died with the server is replaced by the pool's own check before use.
            retry=Retry(NoBackoff(), 0),
            decode_responses=False,
            protocol=2,
        )
        self._client = Redis.from_pool(self._pool)
        self._incr_window = self._client.register_script(INCR_WINDOW_LUA)
        self._listener: AbstractConnection = self._pool.connection_class(
            **self._pool.connection_kwargs
        )
        self._conn: AbstractConnection | None = None  # the listener, once connected
        self._channels: dict[str, _Channel] = {}
        self._in_flight: dict[str, int] = {}  # SUBSCRIBEs sent but not acknowledged
        self._healthy = False
        self._backoff_s = BACKOFF_MIN_S
        self._publish_failing = False
        self._closed = False
        self._reader: asyncio.Task[None] | None = None

    @classmethod
    async def connect(cls, url: str) -> RedisBus:
        """Fail fast on a wrong URL or a Redis that is down at startup; recover after."""
        bus = cls(url)
        if not await bus.ping():
            await bus.close()
            raise BusUnavailable("redis does not answer at REDIS_URL")
        bus._reader = asyncio.create_task(bus._listen(), name="bus-redis-listener")
        deadline = time.monotonic() + CONNECT_TIMEOUT_S + COMMAND_TIMEOUT_S
        while not bus._healthy and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        return bus

    @property
    def healthy(self) -> bool:
        return self._healthy

    # -- pub/sub ----------------------------------------------------------------------

    async def publish(self, channel: str, payload: bytes) -> None:
        require_bytes(payload, "payload")
        try:
            await self._client.publish(channel, payload)
        except (RedisError, OSError) as err:
            # At-most-once by contract; warn once per outage rather than once per message.
            if not self._publish_failing:
                log.warning("bus publish lost (%s); subscribers will resync", err)
            self._publish_failing = True
        else:
            self._publish_failing = False

    async def subscribe(
        self,
        channel: str,
        on_message: Callable[[bytes], None],
        on_reconnect: Callable[[], None] | None = None,
    ) -> RedisSubscription:
        if self._closed:
            raise RuntimeError("bus is closed")
        sub = RedisSubscription(self, channel, on_message, on_reconnect)
        chan = self._channels.get(channel)
        if chan is None:
            chan = self._channels[channel] = _Channel()
            chan.subs.append(sub)
            if self._conn is not None:
                await self._send_subscribe(self._conn, [channel])
        else:
            chan.subs.append(sub)
        if self._conn is None:
            sub.gap = True  # the listener will resubscribe, then call on_reconnect
            return sub
        if not chan.confirmed:
            waiter = asyncio.get_running_loop().create_future()
            chan.waiters.append(waiter)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter, COMMAND_TIMEOUT_S)
            if not chan.confirmed:
                sub.gap = True  # told by on_reconnect whenever the channel gets live
        return sub

    async def _send_subscribe(self, conn: AbstractConnection, channels: list[str]) -> None:
        for channel in channels:
            self._in_flight[channel] = self._in_flight.get(channel, 0) + 1
        await self._send(conn, "SUBSCRIBE", *channels)

    async def _send(self, conn: AbstractConnection, *args: str) -> None:
        try:
            await conn.send_command(*args, check_health=False)
        except (RedisError, OSError) as err:
            # The send closed the socket, so the listener's read fails and it reconnects.
            log.warning("bus %s failed: %s", args[0], err)

    async def _unsubscribe(self, sub: RedisSubscription) -> None:
        if sub.closed:
            return
        sub.closed = True
        chan = self._channels.get(sub.channel)
        if chan is None:
            return
        chan.subs.remove(sub)
        if chan.subs:
            return
        del self._channels[sub.channel]
        chan.wake()
        if self._conn is not None:
            await self._send(self._conn, "UNSUBSCRIBE", sub.channel)

    # -- the listener -----------------------------------------------------------------

    async def _listen(self) -> None:
        while True:
            try:
                await self._listener.connect()
                await self._serve(self._listener)
            except _LOST as err:
                log.warning("bus listener lost redis: %s", err)
            except Exception:
                # A bug here must not silence the bus for good: log it and start over.
                log.exception("bus listener failed; reconnecting")
            finally:
                self._lost()
                await self._listener.disconnect(nowait=True)
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
                    # A half-open TCP connection (a partition, not a restart) never errors.
                    raise RedisTimeoutError("no PONG from redis")
                if now - last_heard > PING_EVERY_S and not ping_out:
                    await conn.send_command("PING", check_health=False)
                    ping_out = True
                continue
            last_heard = now
            if self._dispatch(reply):
                ping_out = False
                if not self._healthy:
                    self._healthy = True
                    self._backoff_s = BACKOFF_MIN_S

    def _dispatch(self, reply: Any) -> bool:
        """Route one reply of the listener connection; True when it is a PONG."""
        if not isinstance(reply, list):
            return reply == b"PONG"  # a PING before any SUBSCRIBE gets a plain answer
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
            return  # an older SUBSCRIBE of a closed-and-reopened channel; wait for ours
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
        self._healthy = False
        for chan in self._channels.values():
            chan.confirmed = False
            for sub in chan.subs:
                sub.gap = True
            chan.wake()

    # -- shared state -----------------------------------------------------------------

    async def incr_window(self, key: str, window_s: float) -> int:
        with _unavailable_on_loss():
            return int(await self._incr_window(keys=[key], args=[_ms(window_s)]))

    async def set(
        self, key: str, value: bytes, ttl_s: float | None = None, only_if_absent: bool = False
    ) -> bool:
        require_bytes(value, "value")
        px = None if ttl_s is None else _ms(ttl_s)
        with _unavailable_on_loss():
            return bool(await self._client.set(key, value, px=px, nx=only_if_absent))

    async def get(self, key: str) -> bytes | None:
        with _unavailable_on_loss():
            value: bytes | None = await self._client.get(key)
        return value

    async def take(self, key: str) -> bytes | None:
        with _unavailable_on_loss():
            value: bytes | None = await self._client.getdel(key)
        return value

    async def delete(self, key: str) -> None:
        with _unavailable_on_loss():
            await self._client.delete(key)

    async def hash_set(
        self, key: str, field: str, value: bytes, ttl_s: float | None = None
    ) -> None:
        require_bytes(value, "value")
        px = None if ttl_s is None else _ms(ttl_s)
        with _unavailable_on_loss():
            async with self._client.pipeline(transaction=True) as pipe:
                pipe.hset(key, field, value)
                if px is not None:
                    pipe.pexpire(key, px)
                await pipe.execute()

    async def hash_delete(self, key: str, *fields: str) -> None:
        if fields:
            with _unavailable_on_loss():
                await self._client.hdel(key, *fields)

    async def hash_get_all(self, key: str) -> dict[str, bytes]:
        with _unavailable_on_loss():
            raw: dict[bytes, bytes] = await self._client.hgetall(key)
        return {name.decode(): value for name, value in raw.items()}

    async def ping(self) -> bool:
        try:
            return bool(await self._client.ping())
        except (RedisError, OSError):
            return False

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader
        for chan in self._channels.values():
            for sub in chan.subs:
                sub.closed = True
            chan.wake()
        self._channels.clear()
        await self._listener.disconnect(nowait=True)
        await self._client.aclose()
