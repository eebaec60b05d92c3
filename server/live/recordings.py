"""The stage recordings running in this process: at most one per room.

A recording is one more subscriber of the stage's tracks in this process's SFU
(`server.media.recording`): it follows the tracks as people come on and off the stage, each
change starting a new file. The worker calls `follow` whenever a stage changes and puts
`view` in every `stage.state` as `recording` (`{"by", "since"}` or null). The files are the
event's hosts' to download after the session (`server/http/events/recordings.py`).

On media nodes a recording outlives the node running it: `kept` goes on the bus with the
stage's membership, and the node that takes the room over `resume`s it, under a new name
from the moment it resumed (its files list after the first ones, and no name is written
twice), with the same `by` and `since` in the views.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from server.media.forward import EncodedSource
from server.media.recording import Recording, folder_of, name_for
from server.rooms.commands import CommandError
from server.rooms.events import stamp
from server.store.tables import utcnow

if TYPE_CHECKING:
    from server.live.stage_media import RoomStage

log = logging.getLogger(__name__)


def _sources(stage: RoomStage) -> list[EncodedSource]:
    """The tracks to record: a microphone a host muted sends nothing, so a segment that
    waited for its first frame would never begin; it leaves the file until unmuted."""
    found = (t.publication.source for t in stage.tracks.values())
    return [s for s in found if s is not None and not s.paused]


@dataclass
class Running:
    recording: Recording
    event_id: int
    by: str
    since: datetime
    # Changes of the stage are followed one at a time, in the order they happened.
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Recordings:
    """The stage recordings running in this process, one per room at most."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.running: dict[int, Running] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def view(self, room_id: int) -> dict[str, str] | None:
        running = self.running.get(room_id)
        return {"by": running.by, "since": stamp(running.since)} if running else None

    def kept(self, room_id: int) -> dict[str, str | int] | None:
        """What another node needs to resume the room's recording."""
        running = self.running.get(room_id)
        if running is None:
            return None
        return {"event": running.event_id, "by": running.by, "since": stamp(running.since)}

    async def start(self, stage: RoomStage, event_id: int, by: str) -> str:
        if stage.room_id in self.running:
            raise CommandError("conflict", "The stage is being recorded already.")
        running = self._run(stage.room_id, event_id, by, utcnow())
        async with running.lock:
            await running.recording.follow(_sources(stage))
        return running.recording.name

    def resume(self, room_id: int, kept: dict[str, str | int]) -> None:
        """Go on with a recording another node ran; it records the tracks as they are
        published here."""
        if room_id not in self.running:
            since = datetime.fromisoformat(str(kept["since"])).astimezone(UTC)
            self._run(room_id, int(kept["event"]), str(kept["by"]), since)

    def _run(self, room_id: int, event_id: int, by: str, since: datetime) -> Running:
        recording = Recording(folder_of(self.data_dir, event_id), name_for(utcnow()))
        running = self.running[room_id] = Running(recording, event_id, by, since)
        return running

    def follow(self, stage: RoomStage) -> None:
        """The stage changed: the recording takes its tracks as they are now."""
        running = self.running.get(stage.room_id)
        if running is not None:
            task = asyncio.create_task(self._follow(running, stage))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _follow(self, running: Running, stage: RoomStage) -> None:
        async with running.lock:
            try:
                await running.recording.follow(_sources(stage))
            except Exception:  # one bad segment must not end the recording nor the stage
                log.exception("recording room %s: could not follow the stage", stage.room_id)

    async def stop(self, room_id: int) -> list[str]:
        running = self.running.pop(room_id, None)
        if running is None:
            raise CommandError("conflict", "The stage is not being recorded.")
        async with running.lock:
            files = await running.recording.stop()
        return [f.name for f in files]

    async def close(self) -> None:
        for room_id in list(self.running):
            await self.stop(room_id)
