from __future__ import annotations

import pytest

from tests.live.support import Seeded, seed
from tests.servers import Server


def db_url_of(server: Server) -> str:
    return f"sqlite+aiosqlite:///{server.data_dir / 'studyhall.db'}"


@pytest.fixture
async def room(server: Server) -> Seeded:
    return await seed(db_url_of(server))


@pytest.fixture(scope="module")
def generated_room(server: Server) -> dict[str, object]:
    """A room for hypothesis tests, which run their own event loop per example."""
    import asyncio

    seeded = asyncio.run(seed(db_url_of(server), attendees=1))
    return {"cookie": seeded.attendees[0].cookie, "event_id": seeded.event_id}
