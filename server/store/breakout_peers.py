"""Who a person may reach peer to peer: the members of their own group in the open round."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.store.breakout_tables import BreakoutSeat
from server.store.breakouts import seat_of


async def group_members(session: AsyncSession, room_id: int, key: str) -> list[str]:
    """Member ids of the person's group (themselves included), or [] when not seated."""
    seat = await seat_of(session, room_id, key)
    if seat is None:
        return []
    round_id, group_id = seat
    rows = await session.scalars(
        select(BreakoutSeat.member).where(
            BreakoutSeat.round_id == round_id, BreakoutSeat.group_id == group_id
        )
    )
    return sorted(rows)
