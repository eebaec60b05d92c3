"""Where a web worker's stage calls go: its own SFU, or the room's media node over the bus.

On the embedded default the stage runs in the web process (`LocalStages`). With `REDIS_URL`
it runs on media nodes (`server.live.media_nodes`), so that a publisher and a watcher on two
workers meet on one SFU. Both answer the same calls (`server.live.stage_calls`) with the
same replies and refusals; only the transport differs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from server.bus import Subscription
from server.live.stage_calls import Args, Caller, Reply, perform
from server.live.stage_media import Stages
from server.settings import Settings

Shown = Callable[[int, dict[str, Any]], None]


class StageService(Protocol):
    async def start(self) -> None: ...

    async def call(self, room_id: int, op: str, caller: Caller, args: Args) -> Reply:
        """Run one stage op of `caller`'s; a refusal raises `CommandError`."""

    async def follow(self, room_id: int) -> Subscription | None:
        """Hear the room's stage views (for `Shown`) while the subscription is open."""

    async def close(self) -> None: ...


class LocalStages:
    """The embedded default: every room's stage in this process's own SFU."""

    def __init__(self, settings: Settings, shown: Shown) -> None:
        self.stages = Stages(settings, shown)

    async def start(self) -> None:
        pass

    async def call(self, room_id: int, op: str, caller: Caller, args: Args) -> Reply:
        return await perform(self.stages, room_id, op, caller, args)

    async def follow(self, room_id: int) -> Subscription | None:
        return None  # the stages here call `shown` themselves

    async def close(self) -> None:
        await self.stages.close()
