"""`studyhall demo`: a sample community to look at. Filled in once events exist."""

from __future__ import annotations

from server.settings import Settings


async def seed(settings: Settings) -> str:
    return "nothing to seed yet"
