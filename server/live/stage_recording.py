"""`stage.record` and `stage.record_stop`: a host records the stage (`live/recordings.py`,
where the stage's media runs); its start and end are room events, and every `stage.state`
says whether it runs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from server.live.acting import hub_of, publish
from server.live.frames import ack
from server.live.session import Session
from server.live.stage import call
from server.live.worker import LiveWorker
from server.rooms import commands as c
from server.rooms import stage_commands as s
from server.rooms.events import ALL
from server.store import rooms


async def record(live: LiveWorker, session: Session, cmd: s.StageRecord) -> str | None:
    hub = hub_of(live, session)
    if cmd.op == "stage.record":
        reply = await call(live, session, "record", event=hub.room_id)
    else:
        reply = await call(live, session, "record_stop")
    logged = await live.store.write(
        lambda db: rooms.append(db, hub.room_id, ALL, "stage.recording",
                                on=cmd.op == "stage.record", by=session.member_id)
    )  # fmt: skip
    return ack(cmd.ref, seq=await publish(live, logged), **reply)


HANDLERS: dict[type[c.Command], Callable[[LiveWorker, Session, Any], Awaitable[str | None]]] = {
    s.StageRecord: record,
}
