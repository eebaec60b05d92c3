"""The Bus contract: every test here runs on the memory bus and on the Redis bus."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from server.bus import Bus, open_bus
from server.bus.memory import MemoryBus
from tests.bus import Flood, eventually

Names = Callable[[str], str]


async def test_a_published_message_reaches_the_subscriber(bus: Bus, names: Names) -> None:
    got: list[bytes] = []
    sub = await bus.subscribe(names("room"), got.append)
    assert sub.channel == names("room")
    await bus.publish(names("room"), b"hello \x00\xff")
    await eventually(lambda: got)
    assert got == [b"hello \x00\xff"]


async def test_delivery_is_never_inside_publish(bus: Bus, names: Names) -> None:
    got: list[bytes] = []
    await bus.subscribe(names("room"), got.append)
    await bus.publish(names("room"), b"one")
    # Whatever a callback does, it cannot run within the publisher's own call.
    assert got == []
    await eventually(lambda: got == [b"one"])


async def test_order_is_kept_per_channel(bus: Bus, names: Names) -> None:
    got: list[bytes] = []
    await bus.subscribe(names("room"), got.append)
    sent = [b"%d" % i for i in range(1_000)]
    for payload in sent:
        await bus.publish(names("room"), payload)
    await eventually(lambda: len(got) >= len(sent))
    assert got == sent


async def test_every_subscriber_of_a_channel_receives(bus: Bus, names: Names) -> None:
    first: list[bytes] = []
    second: list[bytes] = []
    other: list[bytes] = []
    await bus.subscribe(names("room"), first.append)
    await bus.subscribe(names("room"), second.append)
    await bus.subscribe(names("other"), other.append)
    await bus.publish(names("room"), b"both")
    await eventually(lambda: first and second)
    assert first == second == [b"both"]
    await bus.publish(names("other"), b"marker")
    await eventually(lambda: other)
    assert other == [b"marker"]  # and nothing of "room"


async def test_closing_stops_delivery_to_that_subscriber_only(bus: Bus, names: Names) -> None:
    kept: list[bytes] = []
    closed: list[bytes] = []
    await bus.subscribe(names("room"), kept.append)
    sub = await bus.subscribe(names("room"), closed.append)
    await sub.close()
    await sub.close()  # idempotent
    await bus.publish(names("room"), b"after close")
    await eventually(lambda: kept)
    assert closed == []


async def test_last_close_unsubscribes_and_resubscribing_works(bus: Bus, names: Names) -> None:
    old: list[bytes] = []
    sub = await bus.subscribe(names("room"), old.append)
    await sub.close()
    await bus.publish(names("room"), b"nobody listens")  # must not error
    await bus.publish(names("nobody-ever"), b"nobody listens")
    new: list[bytes] = []
    await bus.subscribe(names("room"), new.append)
    await bus.publish(names("room"), b"back")
    await eventually(lambda: new)
    assert new == [b"back"]
    assert old == []


async def test_a_failing_callback_does_not_stop_delivery(bus: Bus, names: Names) -> None:
    def explode(payload: bytes) -> None:
        raise RuntimeError("subscriber bug")

    got: list[bytes] = []
    await bus.subscribe(names("room"), explode)
    await bus.subscribe(names("room"), got.append)
    await bus.publish(names("room"), b"1")
    await bus.publish(names("room"), b"2")
    await eventually(lambda: len(got) == 2)


@pytest.mark.parametrize("payload", ["text", bytearray(b"x"), memoryview(b"x"), 7, None])
async def test_only_bytes_are_payloads(bus: Bus, names: Names, payload: object) -> None:
    with pytest.raises(TypeError):
        await bus.publish(names("room"), payload)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        await bus.set(names("key"), payload)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        await bus.hash_set(names("hash"), "field", payload)  # type: ignore[arg-type]


async def test_a_subscriber_that_falls_behind_is_told(bus: Bus, names: Names, flood: Flood) -> None:
    got: list[bytes] = []
    gaps: list[int] = []
    await bus.subscribe(names("room"), got.append, lambda: gaps.append(len(got)))
    sent = await flood(names("room"))
    await eventually(lambda: gaps)
    # The bound held: it did not buffer everything.
    assert 0 < len(got) < sent
    # What made it is in order, and the gap is signalled after it, not in the middle.
    indexes = [int(payload.split(b":")[0]) for payload in got]
    assert indexes == sorted(set(indexes))
    assert gaps == [len(got)]
    await bus.publish(names("room"), b"after")
    await eventually(lambda: got[-1] == b"after")


async def test_memory_counts_what_it_drops(names: Names) -> None:
    bus = MemoryBus(max_pending=10)
    got: list[bytes] = []
    sub = await bus.subscribe(names("room"), got.append)
    for i in range(25):
        await bus.publish(names("room"), b"%d" % i)
    await eventually(lambda: len(got) == 10)
    assert getattr(sub, "dropped", None) == 15
    await bus.close()


async def test_incr_window_counts_then_resets(bus: Bus, names: Names) -> None:
    assert [await bus.incr_window(names("long"), 30) for _ in range(3)] == [1, 2, 3]
    assert await bus.incr_window(names("other"), 30) == 1
    assert await bus.incr_window(names("short"), 0.2) == 1
    # Hitting every 20 ms must not keep a 200 ms window alive: the window is fixed.
    counts: list[int] = []

    async def hit() -> bool:
        counts.append(await bus.incr_window(names("short"), 0.2))
        return counts[-1] == 1

    deadline = asyncio.get_running_loop().time() + 10
    while not await hit():
        assert asyncio.get_running_loop().time() < deadline, counts
        await asyncio.sleep(0.02)
    assert max(counts) > 1


async def test_set_get_delete(bus: Bus, names: Names) -> None:
    assert await bus.get(names("key")) is None
    assert await bus.set(names("key"), b"v1") is True
    assert await bus.get(names("key")) == b"v1"
    assert await bus.set(names("key"), b"v2") is True
    assert await bus.get(names("key")) == b"v2"
    await bus.delete(names("key"))
    await bus.delete(names("key"))
    assert await bus.get(names("key")) is None


async def test_set_only_if_absent(bus: Bus, names: Names) -> None:
    assert await bus.set(names("lock"), b"first", only_if_absent=True) is True
    assert await bus.set(names("lock"), b"second", only_if_absent=True) is False
    assert await bus.get(names("lock")) == b"first"
    results = await asyncio.gather(
        *(bus.set(names("race"), b"%d" % i, only_if_absent=True) for i in range(20))
    )
    assert results.count(True) == 1


async def test_ttl_expires_and_plain_set_clears_it(bus: Bus, names: Names) -> None:
    await bus.set(names("short"), b"v", ttl_s=0.2)
    await bus.set(names("long"), b"v", ttl_s=30)
    await bus.set(names("cleared"), b"v", ttl_s=0.2)
    await bus.set(names("cleared"), b"w")
    assert await bus.get(names("long")) == b"v"
    deadline = asyncio.get_running_loop().time() + 10
    while await bus.get(names("short")) is not None:
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.02)
    assert await bus.set(names("short"), b"again", only_if_absent=True) is True
    await asyncio.sleep(0.1)  # past the expiry "cleared" had before its plain set
    assert await bus.get(names("cleared")) == b"w"
    assert await bus.get(names("long")) == b"v"


async def test_take_is_single_use_under_concurrency(bus: Bus, names: Names) -> None:
    await bus.set(names("ticket"), b"secret", ttl_s=30)
    taken = await asyncio.gather(*(bus.take(names("ticket")) for _ in range(50)))
    assert taken.count(b"secret") == 1
    assert taken.count(None) == 49
    assert await bus.get(names("ticket")) is None
    assert await bus.take(names("never")) is None


async def test_hash_fields(bus: Bus, names: Names) -> None:
    room = names("presence")
    assert await bus.hash_get_all(room) == {}
    await bus.hash_set(room, "ada", b"host", ttl_s=30)
    await bus.hash_set(room, "bob", b"attendee")
    await bus.hash_set(room, "bob", b"speaker")
    assert await bus.hash_get_all(room) == {"ada": b"host", "bob": b"speaker"}
    await bus.hash_delete(room, "ada", "nobody")
    await bus.hash_delete(room)
    assert await bus.hash_get_all(room) == {"bob": b"speaker"}
    await bus.hash_delete(room, "bob")
    assert await bus.hash_get_all(room) == {}


async def test_hash_ttl_expires_and_is_refreshed(bus: Bus, names: Names) -> None:
    await bus.hash_set(names("dead-worker"), "ghost", b"x", ttl_s=0.2)
    await bus.hash_set(names("live-worker"), "old", b"x", ttl_s=0.2)
    await bus.hash_set(names("live-worker"), "new", b"x", ttl_s=30)  # refreshes the key
    await bus.hash_set(names("no-ttl-given"), "a", b"x", ttl_s=0.2)
    await bus.hash_set(names("no-ttl-given"), "b", b"x")  # leaves the expiry alone
    deadline = asyncio.get_running_loop().time() + 10
    while await bus.hash_get_all(names("dead-worker")) or await bus.hash_get_all(
        names("no-ttl-given")
    ):
        assert asyncio.get_running_loop().time() < deadline
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.3)  # well past the first 0.2 s expiry of "live-worker"
    assert set(await bus.hash_get_all(names("live-worker"))) == {"old", "new"}


async def test_ping_and_health(bus: Bus) -> None:
    assert await bus.ping() is True
    assert bus.healthy is True


async def test_close_is_idempotent_and_stops_delivery(bus: Bus, names: Names) -> None:
    got: list[bytes] = []
    await bus.subscribe(names("room"), got.append)
    await bus.close()
    await bus.close()
    with pytest.raises(RuntimeError):
        await bus.subscribe(names("room"), got.append)
    assert got == []


async def test_open_bus_rejects_unknown_urls() -> None:
    with pytest.raises(ValueError, match="REDIS_URL"):
        await open_bus("memcached://localhost:11211")
    with pytest.raises(ValueError, match="REDIS_URL"):
        await open_bus("localhost:6379")
