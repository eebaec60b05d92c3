"""Who is in a person's breakout group right now, for relaying video call signals."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.store import breakouts
from server.store.breakout_tables import BreakoutSeat


async def call_members(session: AsyncSession, room_id: int, key: str) -> list[str] | None:
    """The member ids seated in the person's group of the room's running round; None when
    no round runs or the person sits in none (hosts visiting a group are not seated)."""
    found = await call_group(session, room_id, key)
    return found[1] if found is not None else None


async def call_group(session: AsyncSession, room_id: int, key: str) -> tuple[int, list[str]] | None:
    """The person's group of the room's running round and the member ids seated in it."""
    round_ = await breakouts.live_round(session, room_id)
    if round_ is None or round_.state != "open":
        return None
    seat = await session.get(BreakoutSeat, (round_.id, key))
    if seat is None:
        return None
    rows = await session.scalars(
        select(BreakoutSeat.member).where(
            BreakoutSeat.round_id == round_.id, BreakoutSeat.group_id == seat.group_id
        )
    )
    return seat.group_id, sorted(rows)
