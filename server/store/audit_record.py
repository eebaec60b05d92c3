"""Writing the audit log: one record per moderator or host action, in the action's own
transaction. Nothing in the application updates or deletes a record."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server.store.moderation_tables import AuditRecord
from server.store.tables import utcnow


async def audit(
    session: AsyncSession,
    community_id: int,
    room_id: int | None,
    actor_key: str,
    action: str,
    subject_key: str | None = None,
    reason: str = "",
    **detail: Any,
) -> None:
    session.add(
        AuditRecord(
            community_id=community_id, room_id=room_id, actor_key=actor_key, action=action,
            subject_key=subject_key, reason=reason, detail=json.dumps(detail), at=utcnow(),
        )
    )  # fmt: skip
