"""A breakout group's call through the SFU (for groups larger than peer to peer carries):
aiortc peers of a group of five publish and watch each other over the room socket; people in
another group, and people seated nowhere, neither hear of the call nor get its media."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.live.conftest import db_url_of
from tests.live.group_call_support import joined, run_groups
from tests.live.support import Client, me, ok, seed
from tests.media.peers import wait_for
from tests.media.stage_peers import offer_to_publish, offer_to_watch
from tests.servers import Server


def group_media(client: Client) -> list[dict[str, Any]]:
    return [f for f in client.frames if f.get("type") == "group.media"]


def listed(client: Client) -> list[dict[str, Any]]:
    """The tracks of the group's call as the latest `group.media` frame listed them."""
    frames = group_media(client)
    return list(frames[-1]["tracks"]) if frames else []


async def test_a_group_of_five_calls_through_the_sfu_and_only_its_members_take_part(
    stage_server: Server,
) -> None:
    room = await seed(db_url_of(stage_server), attendees=6)
    url, event = stage_server.url, room.event_id
    host = await joined(url, room.host, event)
    five = [await joined(url, p, event) for p in room.attendees[:5]]
    other = await joined(url, room.attendees[5], event)
    ada, bo = five[0], five[1]
    await run_groups(host, [five, [other]], watcher=ada)
    publishing = await offer_to_publish(ada, group=True)
    assert publishing.reply["type"] == "ack", publishing.reply
    try:
        for member in five:  # everyone in the group hears of Ada's tracks, Ada included
            await member.wait_for(lambda m=member: len(listed(m)) == 2, 20)  # type: ignore[misc]
        assert {t["member"] for t in listed(bo)} == {me(ada)}
        assert {t["label"] for t in listed(bo)} == {"camera", "microphone"}
        # The stage did not change, and nobody outside the group heard of the call.
        said = await ok(host, "chat.send", client_id="after", body="still here")
        for outside in (host, other):
            await outside.wait_for(lambda o=outside: o.last_seq() >= said["seq"], 20)  # type: ignore[misc]
            assert group_media(outside) == []
        assert not any(f.get("type") == "stage.state" for f in bo.frames)
        asked = await ok(bo, "group.media")
        assert [t["id"] for t in asked["tracks"]] == [t["id"] for t in listed(bo)]

        watching = [await offer_to_watch(m, group=True) for m in five[1:]]
        try:
            for n, each in enumerate(watching):
                r = each.received
                await wait_for(lambda r=r: r.frames["video"] >= 30 and r.frames["audio"] >= 50,  # type: ignore[misc]
                               20, f"Ada's video and audio at group member {n + 2}")  # fmt: skip
            # One's own tracks are not sent back: Ada's watch offer is answered empty.
            own = await offer_to_watch(ada, group=True)
            assert own.reply["tracks"] == {}
            await own.pc.close()
            # Someone in another group, or in none, gets the call of their own group or none.
            elsewhere = await offer_to_watch(other, group=True)
            assert elsewhere.reply["tracks"] == {}
            await elsewhere.pc.close()
            refused = await host.send("media.offer", sdp=publishing.pc.localDescription.sdp,
                                      group=True)  # fmt: skip
            assert refused["type"] == "error" and refused["code"] == "forbidden", refused

            # Ada hangs up: her tracks end for the group, and its list empties.
            await ok(ada, "media.leave", group=True)
            await bo.wait_for(lambda: listed(bo) == [], 10)
            async with asyncio.timeout(5):
                await watching[0].received.ended["video"].wait()
        finally:
            for each in watching:
                await each.pc.close()
    finally:
        await publishing.pc.close()
        for c in (host, *five, other):
            await c.close()
