"""The in-process bus: one worker, no Redis.

It is as strict as the Redis one so that code tested against it behaves the same in
production: payloads must be bytes, delivery is asynchronous (never inside `publish`),
every subscription's queue is bounded and drops on overflow, and keys expire on time.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from server.bus.base import require_bytes

log = logging.getLogger(__name__)

DEFAULT_MAX_PENDING = 10_000


class MemorySubscription:
    def __init__(
        self,
        bus: MemoryBus,
        channel: str,
        on_message: Callable[[bytes], None],
        on_reconnect: Callable[[], None] | None,
    ) -> None:
        self._bus = bus
        self._channel = channel
        self._on_message = on_message
        self._on_reconnect = on_reconnect
        self.pending: deque[bytes] = deque()
        self.closed = False
        self.gap = False
        self.dropped = 0
        """Messages lost to overflow, for this subscription, since it was opened."""

    @property
    def channel(self) -> str:
        return self._channel

    async def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.pending.clear()
            self._bus._remove(self)

    def deliver_pending(self) -> None:
        while self.pending and not self.closed:
            payload = self.pending.popleft()
            try:
                self._on_message(payload)
            except Exception:
                log.exception("bus subscriber on %r failed", self._channel)
        if self.gap and not self.closed:
            # After the messages that made it, so the re-read starts past them.
            self.gap = False
            if self._on_reconnect is not None:
                try:
                    self._on_reconnect()
                except Exception:
                    log.exception("bus on_reconnect on %r failed", self._channel)


@dataclass
class _Entry:
    value: bytes | dict[str, bytes]
    expires_at: float | None = None


class MemoryBus:
    """Everything lives in this process; `healthy` is always True."""

    def __init__(self, max_pending: int = DEFAULT_MAX_PENDING) -> None:
        if max_pending < 1:
            raise ValueError("max_pending must be at least 1")
        self.max_pending = max_pending
        self._channels: dict[str, list[MemorySubscription]] = {}
        self._ready: deque[MemorySubscription] = deque()
        self._drain_scheduled = False
        self._data: dict[str, _Entry] = {}
        # (expires_at, key): lets every operation purge what expired in O(log n), so keys
        # that are never read again (old rate-limit windows) do not pile up.
        self._expiries: list[tuple[float, str]] = []
        self._closed = False

    @property
    def healthy(self) -> bool:
        return True

    # -- pub/sub ----------------------------------------------------------------------

    async def publish(self, channel: str, payload: bytes) -> None:
        require_bytes(payload, "payload")
        if self._closed:
            return
        for sub in self._channels.get(channel, ()):
            if len(sub.pending) >= self.max_pending:
                sub.dropped += 1
                if not sub.gap:
                    sub.gap = True
                    log.warning("bus subscriber on %r is behind; dropping", channel)
                continue
            if not sub.pending:
                self._ready.append(sub)
            sub.pending.append(payload)
        if self._ready and not self._drain_scheduled:
            # Later, never inside publish: Redis cannot deliver synchronously either, so no
            # caller may come to rely on its callback having run when publish returns.
            self._drain_scheduled = True
            asyncio.get_running_loop().call_soon(self._drain)

    def _drain(self) -> None:
        self._drain_scheduled = False
        while self._ready:
            self._ready.popleft().deliver_pending()

    async def subscribe(
        self,
        channel: str,
        on_message: Callable[[bytes], None],
        on_reconnect: Callable[[], None] | None = None,
    ) -> MemorySubscription:
        if self._closed:
            raise RuntimeError("bus is closed")
        sub = MemorySubscription(self, channel, on_message, on_reconnect)
        self._channels.setdefault(channel, []).append(sub)
        return sub

    def _remove(self, sub: MemorySubscription) -> None:
        subs = self._channels.get(sub.channel)
        if subs is not None and sub in subs:
            subs.remove(sub)
            if not subs:
                del self._channels[sub.channel]

    # -- shared state -----------------------------------------------------------------

    def _purge(self) -> None:
        now = time.monotonic()
        while self._expiries and self._expiries[0][0] <= now:
            _, key = heapq.heappop(self._expiries)
            entry = self._data.get(key)
            # The heap may hold stale deadlines of keys rewritten since; check the live one.
            if entry is not None and entry.expires_at is not None and entry.expires_at <= now:
                del self._data[key]

    def _expire_in(self, key: str, entry: _Entry, ttl_s: float | None) -> None:
        if ttl_s is None:
            entry.expires_at = None
            return
        if ttl_s <= 0:
            raise ValueError("ttl must be positive")
        entry.expires_at = time.monotonic() + ttl_s
        heapq.heappush(self._expiries, (entry.expires_at, key))

    def _live(self, key: str) -> _Entry | None:
        self._purge()
        return self._data.get(key)

    async def incr_window(self, key: str, window_s: float) -> int:
        if window_s <= 0:
            raise ValueError("window must be positive")
        entry = self._live(key)
        if entry is None:
            entry = self._data[key] = _Entry(b"0")
        if not isinstance(entry.value, bytes):
            raise TypeError(f"key {key!r} holds a hash, not a counter")
        if entry.expires_at is None:
            self._expire_in(key, entry, window_s)
        count = int(entry.value) + 1
        entry.value = str(count).encode()
        return count

    async def set(
        self, key: str, value: bytes, ttl_s: float | None = None, only_if_absent: bool = False
    ) -> bool:
        require_bytes(value, "value")
        if only_if_absent and self._live(key) is not None:
            return False
        self._purge()
        entry = self._data[key] = _Entry(value)
        self._expire_in(key, entry, ttl_s)
        return True

    async def get(self, key: str) -> bytes | None:
        entry = self._live(key)
        if entry is None:
            return None
        if not isinstance(entry.value, bytes):
            raise TypeError(f"key {key!r} holds a hash")
        return entry.value

    async def take(self, key: str) -> bytes | None:
        value = await self.get(key)
        self._data.pop(key, None)
        return value

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    def _hash(self, key: str) -> dict[str, bytes] | None:
        entry = self._live(key)
        if entry is None:
            return None
        if not isinstance(entry.value, dict):
            raise TypeError(f"key {key!r} does not hold a hash")
        return entry.value

    async def hash_set(
        self, key: str, field: str, value: bytes, ttl_s: float | None = None
    ) -> None:
        require_bytes(value, "value")
        if self._hash(key) is None:
            self._data[key] = _Entry({})
        entry = self._data[key]
        assert isinstance(entry.value, dict)
        entry.value[field] = value
        if ttl_s is not None:
            self._expire_in(key, entry, ttl_s)

    async def hash_delete(self, key: str, *fields: str) -> None:
        fields_of = self._hash(key)
        if fields_of is None:
            return
        for field in fields:
            fields_of.pop(field, None)
        if not fields_of:
            # Redis deletes an empty hash, and with it the expiry; so do we.
            del self._data[key]

    async def hash_get_all(self, key: str) -> dict[str, bytes]:
        return dict(self._hash(key) or {})

    async def ping(self) -> bool:
        return not self._closed

    async def close(self) -> None:
        self._closed = True
        for subs in list(self._channels.values()):
            for sub in list(subs):
                await sub.close()
        self._ready.clear()
