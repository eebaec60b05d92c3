from __future__ import annotations

import pytest

from tests.live.support import Seeded, seed
from tests.servers import Server


def db_url_of(server: Server) -> str:
    return f"sqlite+aiosqlite:///{server.data_dir / 'studyhall.db'}"


@pytest.fixture
async def room(server: Server) -> Seeded:
    return await seed(db_url_of(server))
