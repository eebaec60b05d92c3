from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Iterator

import pytest
import redis

from server.bus import Bus, open_bus
from server.bus.memory import DEFAULT_MAX_PENDING
from tests.bus import Flood
from tests.redis_server import RedisServer


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One Redis for the contract suite; tests keep apart by unique names, not by flushing."""
    with RedisServer() as server:
        yield server


@pytest.fixture(params=["memory", "redis"])
def bus_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture
async def bus(bus_kind: str, request: pytest.FixtureRequest) -> AsyncIterator[Bus]:
    url = None
    if bus_kind == "redis":
        url = request.getfixturevalue("redis_server").url
    opened = await open_bus(url)
    yield opened
    await opened.close()


@pytest.fixture
def names() -> Callable[[str], str]:
    """Unique channel and key names, so tests sharing one Redis never see each other."""
    run = uuid.uuid4().hex[:12]
    return lambda label: f"test:{run}:{label}"


@pytest.fixture
def flood(bus: Bus, bus_kind: str, request: pytest.FixtureRequest) -> Flood:
    """Make a subscriber fall behind: publish far more than it may buffer, loop blocked.

    memory: publishing never yields, so the subscriber's bounded queue overflows.
    redis: a synchronous client publishes 32 MiB while this event loop is stuck, so the
    listener cannot read and Redis cuts it at a (test-lowered) pubsub output buffer limit.
    """

    async def flood_memory(channel: str) -> int:
        count = DEFAULT_MAX_PENDING + 1_000
        for i in range(count):
            await bus.publish(channel, b"%d:" % i)
        return count

    async def flood_redis(channel: str) -> int:
        server: RedisServer = request.getfixturevalue("redis_server")
        count, padding = 2_000, b"x" * 16_384
        client = redis.Redis(port=server.port, socket_timeout=30)
        try:
            client.config_set("client-output-buffer-limit", "pubsub 64kb 32kb 1")
            pipe = client.pipeline(transaction=False)
            for i in range(count):
                pipe.publish(channel, b"%d:" % i + padding)
            pipe.execute()
        finally:
            client.config_set("client-output-buffer-limit", "pubsub 32mb 8mb 60")
            client.close()
        return count

    return flood_memory if bus_kind == "memory" else flood_redis
