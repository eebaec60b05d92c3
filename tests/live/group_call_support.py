"""Breakout groups seated by hand for the video call tests, over real sockets."""

from __future__ import annotations

from typing import Any

from tests.live.support import Client, Someone, me, ok

# An offer as a browser writes one, cut short: the server checks shape, it does not parse.
OFFER_SDP = (
    "v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:96 VP8/90000\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=rtpmap:111 opus/48000/2\r\n"
)
ANSWER_SDP = OFFER_SDP.replace("4611731400430051336", "7023452098450012345")
CANDIDATE = {
    "candidate": "candidate:1 1 udp 2122260223 192.0.2.10 50000 typ host",
    "sdpMid": "0",
    "sdpMLineIndex": 0,
}


async def joined(base_url: str, someone: Someone, room: int) -> Client:
    client = await Client.open(base_url, someone.cookie)
    assert (await client.join(room))["type"] == "ack"
    await client.wait_for(lambda: any(f["type"] == "snapshot" for f in client.frames), 30)
    return client


async def run_groups(host: Client, groups: list[list[Client]], watcher: Client) -> list[int]:
    """Plan one group per list, seat its people by hand, open the round; the group ids."""
    planned = await ok(host, "breakout.plan", mode="by_hand", minutes=30,
                       groups=[{"name": f"Group {n + 1}"} for n in range(len(groups))])  # fmt: skip
    await watcher.wait_for(lambda: _planned(watcher, planned["round"]) is not None, 20)
    ids = [g["id"] for g in _planned(watcher, planned["round"]) or []]
    for group_id, people in zip(ids, groups, strict=True):
        for person in people:
            await ok(host, "breakout.move", group=group_id, member=me(person))
    await ok(host, "breakout.open")
    await watcher.wait_for(lambda: any(e["type"] == "breakout.opened" for e in watcher.events()))
    return ids


def _planned(client: Client, round_id: int) -> list[dict[str, Any]] | None:
    for e in client.events():
        if e["type"] == "breakout.planned" and e["round"]["id"] == round_id:
            return list(e["round"]["groups"])
    return None


def signals(client: Client) -> list[dict[str, Any]]:
    """The call signals this socket received, in order."""
    return [f for f in client.frames if f.get("type") == "group.signal"]
