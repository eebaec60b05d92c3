"""Redis goes away and comes back on the same port: the bus recovers by itself, says when
it was down, tells every subscription that it may have missed messages, and never hangs."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field

import pytest

from server.bus import Bus, BusUnavailable, Subscription, open_bus
from tests.bus import eventually
from tests.redis_server import RedisServer, free_port

# Generous: the listener's backoff is capped at 2 s; anything near 10 s is a hang.
PROMPT_S = 5.0


@pytest.fixture
def redis_process() -> Iterator[RedisServer]:
    with RedisServer() as started:
        yield started


@pytest.fixture
async def bus(redis_process: RedisServer) -> AsyncIterator[Bus]:
    opened = await open_bus(redis_process.url)
    yield opened
    await asyncio.wait_for(opened.close(), PROMPT_S)


@dataclass
class Listener:
    got: list[bytes] = field(default_factory=list)
    resyncs: int = 0

    def on_message(self, payload: bytes) -> None:
        self.got.append(payload)

    def on_reconnect(self) -> None:
        self.resyncs += 1

    async def attach(self, bus: Bus, channel: str) -> Subscription:
        return await bus.subscribe(channel, self.on_message, self.on_reconnect)


def resynced(room: Listener, times: int, joiner: Listener) -> Callable[[], bool]:
    return lambda: room.resyncs == times and joiner.resyncs == 1


async def delivered(bus: Bus, listener: Listener, channel: str, payload: bytes) -> None:
    """Publish until it arrives once: right after a resync one publish must be enough."""
    await asyncio.wait_for(bus.publish(channel, payload), PROMPT_S)
    await eventually(lambda: payload in listener.got)


async def test_recovers_after_a_restart_without_help(redis_process: RedisServer, bus: Bus) -> None:
    room = Listener()
    await room.attach(bus, "room:1")
    await delivered(bus, room, "room:1", b"before")
    assert bus.healthy and room.resyncs == 0

    redis_process.stop()
    await eventually(lambda: not bus.healthy)
    redis_process.start()
    await eventually(lambda: bus.healthy and room.resyncs == 1)
    await delivered(bus, room, "room:1", b"after")
    assert await bus.ping() is True


@pytest.mark.parametrize("how", ["stop", "kill"])
async def test_five_restarts_with_outages_up_to_three_seconds(
    redis_process: RedisServer, bus: Bus, how: str
) -> None:
    room = Listener()
    await room.attach(bus, "room:1")
    for round_, outage_s in enumerate([0.3, 0.8, 1.5, 2.2, 3.0], start=1):
        getattr(redis_process, how)()
        await eventually(lambda: not bus.healthy)

        # While Redis is down nothing hangs: publish shrugs, state raises, ping says no.
        started = time.monotonic()
        await asyncio.wait_for(bus.publish("room:1", b"lost"), PROMPT_S)
        with pytest.raises(BusUnavailable):
            await asyncio.wait_for(bus.incr_window("limit", 10), PROMPT_S)
        with pytest.raises(BusUnavailable):
            await asyncio.wait_for(bus.take("ticket"), PROMPT_S)
        assert await asyncio.wait_for(bus.ping(), PROMPT_S) is False
        # A room joined during the outage is live, and told to resync, once Redis is back.
        joiner = Listener()
        joined = await asyncio.wait_for(joiner.attach(bus, f"room:join-{round_}"), PROMPT_S)
        await asyncio.sleep(max(0.0, outage_s - (time.monotonic() - started)))

        redis_process.start()
        await eventually(lambda: bus.healthy)
        await eventually(resynced(room, round_, joiner))
        await delivered(bus, room, "room:1", b"after %d" % round_)
        await delivered(bus, joiner, f"room:join-{round_}", b"welcome")
        await joined.close()
    assert b"lost" not in room.got


async def test_state_works_as_soon_as_redis_answers(redis_process: RedisServer, bus: Bus) -> None:
    # Warm the pool and the script cache, so the restart leaves stale sockets and no script.
    await asyncio.gather(*(bus.incr_window(f"warm:{i}", 30) for i in range(10)))
    redis_process.restart()
    assert await bus.incr_window("limit", 30) == 1  # the data went with the old process
    assert await bus.set("ticket", b"t", ttl_s=30) is True
    assert await bus.take("ticket") == b"t"
    await bus.hash_set("presence", "ada", b"host", ttl_s=30)
    assert await bus.hash_get_all("presence") == {"ada": b"host"}


async def test_two_workers_resync_after_a_restart(redis_process: RedisServer, bus: Bus) -> None:
    other = await open_bus(redis_process.url)
    try:
        here, there = Listener(), Listener()
        await here.attach(bus, "room:1")
        await there.attach(other, "room:1")
        await delivered(bus, there, "room:1", b"across")

        redis_process.kill()
        await eventually(lambda: not bus.healthy and not other.healthy)
        redis_process.start()
        await eventually(lambda: here.resyncs == 1 and there.resyncs == 1)
        await delivered(other, here, "room:1", b"back across")
        await eventually(lambda: b"back across" in there.got)
    finally:
        await other.close()


async def test_open_bus_fails_fast_when_redis_is_down() -> None:
    with pytest.raises(BusUnavailable):
        await asyncio.wait_for(open_bus(f"redis://127.0.0.1:{free_port()}/0"), PROMPT_S)


async def test_closing_during_an_outage_does_not_hang(redis_process: RedisServer) -> None:
    bus = await open_bus(redis_process.url)
    await Listener().attach(bus, "room:1")
    redis_process.kill()
    await eventually(lambda: not bus.healthy)
    await asyncio.wait_for(bus.close(), PROMPT_S)
