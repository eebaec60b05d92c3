"""The Bus: fan-out and shared ephemeral state between web workers.

The bus is never the source of truth; the store is. Pub/sub here is at-most-once: a
message can be lost (Redis restarting, a subscriber falling behind) and `publish` will not
say so. What the bus does promise is to *tell each subscriber when it may have lost
something*, through `on_reconnect`, so the caller re-reads the store. Callers treat a
delivered message as a fast hint and de-duplicate by their own sequence numbers.

Delivery is bounded in both implementations, so that one subscriber falling behind cannot
grow a worker's memory without limit:

- memory: every subscription has a bounded queue; a message that does not fit is dropped for
  that subscription only, counted, and `on_reconnect` follows the messages already queued;
- redis: the reader task calls callbacks inline, so the bound is Redis's own
  `client-output-buffer-limit pubsub`; past it the server drops the connection, the reader
  reconnects and every subscription on it gets `on_reconnect`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class BusUnavailable(Exception):
    """The shared state cannot be reached (Redis down). Callers decide: fail open or closed.

    Only the state operations raise it. `publish` and `subscribe` never do, because a lost
    message is already part of their contract and `on_reconnect` covers the gap.
    """


class Subscription(Protocol):
    """One local listener on one exact channel. Close it when the listener goes away."""

    @property
    def channel(self) -> str: ...

    async def close(self) -> None:
        """Stop delivery. Idempotent. The last local close unsubscribes upstream."""


class Bus(Protocol):
    @property
    def healthy(self) -> bool:
        """False while the shared connection is down; always True in memory."""

    async def publish(self, channel: str, payload: bytes) -> None:
        """Send bytes to every subscriber of `channel`, in any worker. At-most-once.

        Raises TypeError for anything but `bytes` (so memory and Redis agree on what a
        message is). Never raises because the connection is lost: it logs and returns.
        """

    async def subscribe(
        self,
        channel: str,
        on_message: Callable[[bytes], None],
        on_reconnect: Callable[[], None] | None = None,
    ) -> Subscription:
        """Listen on an exact channel (no patterns).

        Callbacks run in the event loop, must be cheap and must not block; a callback that
        raises is logged and does not stop delivery. Messages of one channel arrive in the
        order they were published by one publisher.

        When connected, the upstream subscription is active when this returns: anything
        published afterwards is delivered. When not (Redis down), this still returns at once
        and `on_reconnect` is called once the channel is live again. `on_reconnect` means
        "messages may have been lost; re-read the store now"; it is called after the channel
        is subscribed upstream again, so a re-read then misses nothing.
        """

    async def incr_window(self, key: str, window_s: float) -> int:
        """Fixed-window counter for rate limits across workers: the count in this window.

        The expiry is set by the first hit only, so the window does not slide.
        """

    async def set(
        self, key: str, value: bytes, ttl_s: float | None = None, only_if_absent: bool = False
    ) -> bool:
        """Store a value; False when `only_if_absent` and the key exists.

        Without `ttl_s` the key does not expire (a previous expiry is cleared, as in Redis).
        """

    async def get(self, key: str) -> bytes | None: ...

    async def take(self, key: str) -> bytes | None:
        """Get and delete atomically: exactly one of many concurrent takers gets the value."""

    async def delete(self, key: str) -> None: ...

    async def hash_set(
        self, key: str, field: str, value: bytes, ttl_s: float | None = None
    ) -> None:
        """Set one field of a hash (presence: room -> {member: info}).

        `ttl_s` refreshes the expiry of the whole key, so a worker that keeps writing keeps
        its entries alive and the entries of a dead worker vanish. Without it the key's
        expiry is left as it is.
        """

    async def hash_delete(self, key: str, *fields: str) -> None: ...

    async def hash_get_all(self, key: str) -> dict[str, bytes]: ...

    async def ping(self) -> bool:
        """True when the shared state answers now (readiness). Never raises."""

    async def close(self) -> None:
        """Stop delivery and release connections. Idempotent."""


def require_bytes(value: object, what: str) -> None:
    """Reject str and friends early: a str would be encoded silently by redis-py."""
    if not isinstance(value, bytes):
        raise TypeError(f"{what} must be bytes, not {type(value).__name__}")
