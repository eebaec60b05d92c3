"""The Redis bus: transport only. What a message means is the caller's business.

Traps of redis-py 8 this module is shaped around:

- the default `socket_timeout` is 5 s and a blocking read of 5 s or more races it, so every
  timeout here is explicit, and the listener never blocks on a read longer than 1 s;
- the default pool holds 100 connections and raises `MaxConnectionsError` instead of
  waiting, so commands go through a `BlockingConnectionPool` that waits a bounded time;
- pub/sub loses messages silently while Redis restarts and `publish()` raises nothing, so
  pub/sub goes through `RedisListener`, which tells subscribers when a gap may have happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterator

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from server.bus.base import BusUnavailable, require_bytes
from server.bus.redis_listener import LOST, RedisListener, RedisSubscription

log = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 1.0
COMMAND_TIMEOUT_S = 2.0
POOL_SIZE = 64
POOL_WAIT_S = 2.0

# INCR and PEXPIRE in one atomic step. The PTTL check also heals a counter left without
# expiry (say, written by hand), which would otherwise rate-limit its owner forever.
INCR_WINDOW_LUA = """
local n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return n
"""


def _ms(seconds: float) -> int:
    if seconds <= 0:
        raise ValueError("ttl must be positive")
    return max(1, round(seconds * 1000))


def _bytes_or_none(value: bytes | str | None) -> bytes | None:
    assert not isinstance(value, str), "the pool is built with decode_responses=False"
    return value


@contextlib.contextmanager
def _unavailable_on_loss() -> Iterator[None]:
    try:
        yield
    except LOST as err:
        raise BusUnavailable(f"redis: {err}") from err


class RedisBus:
    """A command pool plus one pub/sub connection per worker, however many channels."""

    def __init__(self, url: str) -> None:
        self._pool = BlockingConnectionPool.from_url(
            url,
            max_connections=POOL_SIZE,
            timeout=POOL_WAIT_S,
            socket_timeout=COMMAND_TIMEOUT_S,
            socket_connect_timeout=CONNECT_TIMEOUT_S,
            # One retry, on connection errors only: it replaces a pooled socket that Redis
            # closed (a restart) before the loop noticed. A command whose reply is lost
            # mid-flight may then apply twice; the operations here tolerate that (counters
            # get stricter, SET NX and GETDEL fail closed). Timeouts are never retried.
            retry=Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
            decode_responses=False,
            protocol=2,
        )
        self._client = Redis.from_pool(self._pool)
        self._incr_window = self._client.register_script(INCR_WINDOW_LUA)
        # The listener retries on its own schedule (backoff), never inside a call.
        listener_conn = self._pool.connection_class(
            **{**self._pool.connection_kwargs, "retry": Retry(NoBackoff(), 0)}
        )
        self._listener = RedisListener(listener_conn, confirm_within_s=COMMAND_TIMEOUT_S)
        self._publish_failing = False
        self._closed = False

    @classmethod
    async def connect(cls, url: str) -> RedisBus:
        """Fail fast on a wrong URL or a Redis that is down at startup; recover after."""
        bus = cls(url)
        try:
            await bus._client.ping()
        except (RedisError, OSError) as err:
            await bus.close()
            raise BusUnavailable(f"redis at REDIS_URL: {err}") from err
        bus._listener.start()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(bus._listener.healthy.wait(), COMMAND_TIMEOUT_S)
        return bus

    @property
    def healthy(self) -> bool:
        return self._listener.healthy.is_set()

    async def publish(self, channel: str, payload: bytes) -> None:
        require_bytes(payload, "payload")
        if self._closed:
            return
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
        return await self._listener.subscribe(channel, on_message, on_reconnect)

    async def incr_window(self, key: str, window_s: float) -> int:
        window_ms = _ms(window_s)
        with _unavailable_on_loss():
            return int(await self._incr_window(keys=[key], args=[window_ms]))

    async def set(
        self, key: str, value: bytes, ttl_s: float | None = None, only_if_absent: bool = False
    ) -> bool:
        require_bytes(value, "value")
        px = None if ttl_s is None else _ms(ttl_s)
        with _unavailable_on_loss():
            return bool(await self._client.set(key, value, px=px, nx=only_if_absent))

    async def get(self, key: str) -> bytes | None:
        with _unavailable_on_loss():
            return _bytes_or_none(await self._client.get(key))

    async def take(self, key: str) -> bytes | None:
        with _unavailable_on_loss():
            return _bytes_or_none(await self._client.getdel(key))

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
        if fields:  # HDEL wants at least one field
            with _unavailable_on_loss():
                await self._client.hdel(key, *fields)

    async def hash_get_all(self, key: str) -> dict[str, bytes]:
        with _unavailable_on_loss():
            raw = await self._client.hgetall(key)
        result: dict[str, bytes] = {}
        for name, value in raw.items():
            assert isinstance(name, bytes) and isinstance(value, bytes)
            result[name.decode()] = value
        return result

    async def ping(self) -> bool:
        try:
            return bool(await self._client.ping())
        except (RedisError, OSError):
            return False

    async def close(self) -> None:
        if not self._closed:
            self._closed = True
            await self._listener.close()
            await self._client.aclose()
