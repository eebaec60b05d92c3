"""Video call signals across two real workers on Redis: a member on one worker reaches the
other member of their group on the other worker, and only them; TURN credentials go to
people in a running group small enough to call."""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path

from tests.databases import Postgres
from tests.live.cluster import Cluster, sqlite_url
from tests.live.group_call_support import CANDIDATE, OFFER_SDP, joined, run_groups, signals
from tests.live.support import me, ok

A, B = 0, 1
TURN_SECRET = "a-turn-secret-for-tests"
ICE = "stun:stun.example.org:3478,turn:turn.example.org:3478"


async def test_a_signal_crosses_workers_to_its_one_recipient(
    tmp_path: Path, postgres: Postgres | None
) -> None:
    db_url = await postgres.fresh() if postgres is not None else await sqlite_url(tmp_path / "db")
    env = {"ICE_SERVERS": ICE, "TURN_SECRET": TURN_SECRET}
    cluster = await Cluster.start(tmp_path, db_url, attendees=4, env=env)
    try:
        people, room = cluster.people, cluster.event_id
        host = await joined(cluster.url(A), cluster.room_host, room)
        ada = await joined(cluster.url(A), people[0], room)
        bo = await joined(cluster.url(B), people[1], room)
        bo_tab = await joined(cluster.url(A), people[1], room)  # the same person, another tab
        cy = await joined(cluster.url(B), people[2], room)
        await run_groups(host, [[ada, bo], [cy]], watcher=bo)
        late = await joined(cluster.url(B), people[3], room)

        await ok(ada, "group.signal", to=me(bo), signal={"type": "offer", "sdp": OFFER_SDP})
        await ok(ada, "group.signal", to=me(bo), signal={"type": "candidate",
                                                          "candidate": CANDIDATE})  # fmt: skip
        for tab in (bo, bo_tab):  # every socket of the recipient, on either worker
            await tab.wait_for(lambda t=tab: len(signals(t)) == 2, 20)  # type: ignore[misc]
            assert [s["signal"]["type"] for s in signals(tab)] == ["offer", "candidate"]
            assert all(s["from"] == me(ada) for s in signals(tab))
        await ok(bo, "group.signal", to=me(ada), signal={"type": "answer", "sdp": OFFER_SDP})
        await ada.wait_for(lambda: len(signals(ada)) == 1, 20)
        assert signals(ada)[0]["from"] == me(bo)

        said = await ok(ada, "chat.send", client_id="after", body="hello")
        for other in (host, cy, late):
            await other.wait_for(lambda o=other: o.last_seq() >= said["seq"], 20)  # type: ignore[misc]
            assert signals(other) == []

        called = await ok(ada, "group.ice_servers")
        stun, turn = called["ice_servers"]
        assert stun == {"urls": "stun:stun.example.org:3478"}
        assert turn["urls"] == "turn:turn.example.org:3478"
        expiry, who = turn["username"].split(":")
        assert int(expiry) == called["expires_at"] and who == f"p{people[0].person_id}"
        digest = hmac.new(TURN_SECRET.encode(), turn["username"].encode(), hashlib.sha1)
        assert turn["credential"] == base64.b64encode(digest.digest()).decode()
        for outside in (late, host):  # not seated: STUN only
            reply = await ok(outside, "group.ice_servers")
            assert reply["ice_servers"] == [{"urls": "stun:stun.example.org:3478"}]
        for c in (host, ada, bo, bo_tab, cy, late):
            await c.close()
    finally:
        await cluster.close()
