"""Video call signaling in breakout groups, over the real server and real sockets.

Members of one running group of up to four relay offers, answers and candidates to each
other, and nobody else hears them; everyone else is refused with an error frame and keeps
their socket; signals never enter the room's log.
"""

from __future__ import annotations

import asyncio
from typing import Any

from server.rooms.group_calls import MAX_CANDIDATE_BYTES, SIGNALS_PER_10S
from tests.live.conftest import db_url_of
from tests.live.group_call_support import (
    ANSWER_SDP,
    CANDIDATE,
    OFFER_SDP,
    joined,
    run_groups,
    signals,
)
from tests.live.support import me, ok, seed
from tests.servers import Server


async def test_members_of_a_group_relay_signals_to_each_other_and_nobody_else(
    server: Server,
) -> None:
    room = await seed(db_url_of(server), attendees=4)
    host = await joined(server.url, room.host, room.event_id)
    ada, bo, cy = [await joined(server.url, a, room.event_id) for a in room.attendees[:3]]
    await run_groups(host, [[ada, bo], [cy]], watcher=ada)
    # Someone who came in after the round opened sits in no group.
    late = await joined(server.url, room.attendees[3], room.event_id)

    sent = await ok(ada, "group.signal", to=me(bo), signal={"type": "offer", "sdp": OFFER_SDP})
    assert "seq" not in sent  # never in the room's log
    await ok(ada, "group.signal", to=me(bo), signal={"type": "candidate", "candidate": CANDIDATE})
    await bo.wait_for(lambda: len(signals(bo)) == 2)
    offer, candidate = signals(bo)
    assert offer == {"type": "group.signal", "room": room.event_id, "from": me(ada),
                     "signal": {"type": "offer", "sdp": OFFER_SDP}}  # fmt: skip
    assert candidate["from"] == me(ada)
    assert candidate["signal"] == {"type": "candidate", "candidate": CANDIDATE}

    await ok(bo, "group.signal", to=me(ada), signal={"type": "answer", "sdp": ANSWER_SDP})
    end = {"candidate": "", "sdpMid": "0", "sdpMLineIndex": 0}
    await ok(bo, "group.signal", to=me(ada), signal={"type": "candidate", "candidate": end})
    await ok(bo, "group.signal", to=me(ada), signal={"type": "hello"})
    await ok(bo, "group.signal", to=me(ada), signal={"type": "bye"})
    await ada.wait_for(lambda: len(signals(ada)) == 4)
    assert [s["signal"]["type"] for s in signals(ada)] == ["answer", "candidate", "hello", "bye"]
    assert signals(ada)[0]["signal"]["sdp"] == ANSWER_SDP
    assert all(s["from"] == me(bo) for s in signals(ada))

    # A chat message after the signals: once the others have it, they had every frame
    # before it, and no signal among them.
    said = await ok(ada, "chat.send", client_id="after-signals", body="Can you see me?")
    for other in (host, cy, late):
        await other.wait_for(lambda o=other: o.last_seq() >= said["seq"])  # type: ignore[misc]
        assert signals(other) == []
    everyone = (host, ada, bo, cy, late)
    assert not [e for c in everyone for e in c.events() if "signal" in e["type"]]
    assert len(signals(bo)) == 2 and len(signals(ada)) == 4
    for c in everyone:
        await c.close()


async def test_people_outside_the_group_are_refused_and_keep_their_socket(
    server: Server,
) -> None:
    room = await seed(db_url_of(server), attendees=4)
    host = await joined(server.url, room.host, room.event_id)
    ada, bo, cy = [await joined(server.url, a, room.event_id) for a in room.attendees[:3]]
    before = await ada.send("group.signal", to=me(bo), signal={"type": "bye"})
    assert before["type"] == "error" and before["code"] == "forbidden"  # no round runs yet
    await run_groups(host, [[ada, bo], [cy]], watcher=ada)
    late = await joined(server.url, room.attendees[3], room.event_id)

    refusals = [
        (cy, me(ada), "to"),  # another group
        (late, me(ada), None),  # not seated
        (host, me(ada), None),  # hosts run the groups and sit in none
        (ada, me(ada), "to"),  # oneself
        (ada, "m00000000000", "to"),  # nobody here
    ]
    for sender, to, field in refusals:
        refused = await sender.send("group.signal", to=to, signal={"type": "bye"})
        assert refused["type"] == "error" and refused["code"] == "forbidden", refused
        assert refused["field"] == field
        assert (await sender.send("ping"))["type"] == "pong"  # the socket stays open

    shapes = [
        {"type": "offer"},  # no sdp
        {"type": "offer", "sdp": "hello"},  # not SDP
        {"type": "answer", "sdp": "v=0\r\ns=-\r\n"},  # no media section
        {"type": "offer", "sdp": OFFER_SDP + "m=text 9 RTP/AVP 0\r\n"},  # a kind not called
        {"type": "offer", "sdp": "v=0\r\n" + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n" * 9},
        {"type": "candidate", "candidate": {"candidate": "a" * (MAX_CANDIDATE_BYTES + 1)}},
        {"type": "candidate"},
        {"type": "bye", "sdp": OFFER_SDP},
        {"type": "wave"},
    ]
    for shape in shapes:
        refused = await ada.send("group.signal", to=me(bo), signal=shape)
        assert refused["type"] == "error" and refused["code"] == "invalid", (shape, refused)
        assert str(refused["field"]).startswith("signal")
    assert (await ada.send("ping"))["type"] == "pong"

    await ok(host, "breakout.close")
    await bo.wait_for(lambda: any(e["type"] == "breakout.closed" for e in bo.events()))
    after = await ada.send("group.signal", to=me(bo), signal={"type": "bye"})
    assert after["type"] == "error" and after["code"] == "forbidden"
    await asyncio.sleep(0.5)  # anything wrongly relayed would have arrived by now
    assert signals(bo) == [] and signals(cy) == [] and signals(ada) == []
    for c in (host, ada, bo, cy, late):
        await c.close()


async def test_a_group_of_five_is_told_its_video_goes_through_the_server(server: Server) -> None:
    room = await seed(db_url_of(server), attendees=5)
    host = await joined(server.url, room.host, room.event_id)
    five = [await joined(server.url, a, room.event_id) for a in room.attendees]
    await run_groups(host, [five], watcher=five[0])
    refused = await five[0].send("group.signal", to=me(five[1]), signal={"type": "bye"})
    assert refused["type"] == "error" and refused["code"] == "too_many", refused
    assert "through the server" in refused["message"]
    assert (await five[0].send("ping"))["type"] == "pong"
    assert signals(five[1]) == []
    for c in (host, *five):
        await c.close()


async def test_ice_servers_answer_everyone_in_the_room(server: Server) -> None:
    room = await seed(db_url_of(server), attendees=1)
    ada = await joined(server.url, room.attendees[0], room.event_id)
    # This server has no ICE_SERVERS configured: an empty list, which browsers take as is
    # (host candidates only: enough on one network). TURN credentials: tests/live cluster.
    reply = await ok(ada, "group.ice_servers")
    assert reply["ice_servers"] == [] and reply["expires_at"] > 0
    await ada.close()


async def test_a_muted_person_cannot_start_or_answer_a_call(server: Server) -> None:
    room = await seed(db_url_of(server), attendees=2)
    host = await joined(server.url, room.host, room.event_id)
    ada, bo = [await joined(server.url, a, room.event_id) for a in room.attendees]
    await run_groups(host, [[ada, bo]], watcher=ada)
    await ok(host, "mod.mute", member=me(ada), minutes=10, reason="Cool down")
    await ada.wait_for(lambda: any(e["type"] == "member.muted" for e in ada.events()))
    calling: list[dict[str, str]] = [
        {"type": "hello"},
        {"type": "offer", "sdp": OFFER_SDP},
        {"type": "answer", "sdp": OFFER_SDP},
    ]
    for shape in calling:
        refused = await ada.send("group.signal", to=me(bo), signal=shape)
        assert refused["type"] == "error" and refused["code"] == "muted", refused
    await ok(ada, "group.signal", to=me(bo), signal={"type": "bye"})  # hanging up still works
    await ok(bo, "group.signal", to=me(ada), signal={"type": "hello"})  # bo is not muted
    await bo.wait_for(lambda: len(signals(bo)) == 1)
    assert signals(bo)[0]["signal"] == {"type": "bye"}
    for c in (host, ada, bo):
        await c.close()


async def test_signals_are_rate_limited_per_person(server: Server) -> None:
    room = await seed(db_url_of(server), attendees=2)
    host = await joined(server.url, room.host, room.event_id)
    ada, bo = [await joined(server.url, a, room.event_id) for a in room.attendees]
    await run_groups(host, [[ada, bo]], watcher=ada)
    # The window is fixed, not sliding: within two windows' worth the limit must bite.
    refused: dict[str, Any] | None = None
    for _ in range(2 * SIGNALS_PER_10S + 1):
        reply = await ada.send("group.signal", to=me(bo), signal={"type": "bye"})
        if reply["type"] == "error":
            refused = reply
            break
    assert refused is not None, "never rate limited"
    assert refused["code"] == "rate_limited" and refused["retry_after"] > 0
    assert (await ada.send("ping"))["type"] == "pong"
    for c in (host, ada, bo):
        await c.close()
