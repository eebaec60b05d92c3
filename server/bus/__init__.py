"""Fan-out and shared ephemeral state between web workers, chosen by `REDIS_URL`.

The implementation is imported only when chosen, so the embedded default never imports
redis-py. See `server.bus.base` for the contract both implementations keep.
"""

from __future__ import annotations

from server.bus.base import Bus, BusUnavailable, Subscription

__all__ = ["Bus", "BusUnavailable", "Subscription", "open_bus"]


async def open_bus(url: str | None) -> Bus:
    """Memory when `url` is empty, Redis for redis:// and rediss://.

    Raises BusUnavailable when Redis does not answer at startup: a wrong URL should stop the
    worker with a clear message, not leave it serving rooms that silently never fan out.
    """
    if not url:
        from server.bus.memory import MemoryBus

        return MemoryBus()
    scheme = url.partition("://")[0].lower()
    if scheme in ("redis", "rediss"):
        from server.bus.redis import RedisBus

        return await RedisBus.connect(url)
    # Only the scheme: the rest of the URL may hold a password.
    raise ValueError(f"REDIS_URL must start with redis:// or rediss://, not {scheme!r}")
