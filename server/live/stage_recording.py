"""`stage.record` and `stage.record_stop`: a host records the stage (`live/recordings.py`);
its start and end are room events, and every `stage.state` says whether it runs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from server.live.acting import hub_of, publish
from server.live.frames import ack
from server.live.session import Session
from server.live.worker import LiveWorker
from server.rooms import commands as c
from server.rooms import stage_commands as s
from server.rooms.events import ALL
from server.store import rooms


async def record(live: LiveWorker, session: Session, cmd: s.StageRecord) -> str | None:
    hub = hub_of(live, session)
    stage = live.stages.of(hub.room_id)
    if cmd.op == "stage.record":
        name = await live.recordings.start(stage, hub.room_id, session.name)
        files: list[str] = []
    else:
        files = await live.recordings.stop(hub.room_id)
        name = None
    stage.changed(stage)  # everyone's stage.state says whether it records
    logged = await live.store.write(
        lambda db: rooms.append(db, hub.room_id, ALL, "stage.recording",
                                on=cmd.op == "stage.record", by=session.member_id)
    )  # fmt: skip
    reply: dict[str, Any] = {"seq": await publish(live, logged)}
    return ack(cmd.ref, **reply, **({"recording": name} if name else {"files": files}))


HANDLERS: dict[type[c.Command], Callable[[LiveWorker, Session, Any], Awaitable[str | None]]] = {
    s.StageRecord: record,
}
