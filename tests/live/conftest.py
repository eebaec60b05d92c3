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


# --- multi-worker clusters (tests/live/cluster.py) ------------------------------------------
# Two real workers on one database (PostgreSQL when reachable, else one SQLite file) and one
# real Redis, started afresh for each test, since these tests kill and restart their parts.
# Imports stay in this section so that it is an append-only block of the file.

from collections.abc import AsyncIterator  # noqa: E402
from pathlib import Path  # noqa: E402

from tests.databases import Postgres  # noqa: E402
from tests.live.cluster import Cluster, sqlite_url  # noqa: E402


@pytest.fixture
async def cluster(tmp_path: Path, postgres: Postgres | None) -> AsyncIterator[Cluster]:
    db_url = await postgres.fresh() if postgres is not None else await sqlite_url(tmp_path / "db")
    started = await Cluster.start(tmp_path, db_url)
    try:
        yield started
    finally:
        await started.close()
