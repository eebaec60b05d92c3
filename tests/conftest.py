"""Fixture factories shared by the whole suite: real databases and real servers."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from server.store import Store
from server.store.migrate import upgrade
from tests.clients import Visitor
from tests.databases import Postgres, Sqlite
from tests.servers import Server

_postgres_reason: list[str] = []


@pytest.fixture(scope="session")
async def postgres() -> AsyncIterator[Postgres | None]:
    pg = Postgres()
    if not await pg.start():
        if os.environ.get("STUDYHALL_REQUIRE_POSTGRES") == "1":
            pytest.fail(pg.reason)
        _postgres_reason.append(pg.reason)
        yield None
        return
    yield pg
    await pg.drop_all()


@pytest.fixture(scope="session")
async def sqlite(tmp_path_factory: pytest.TempPathFactory) -> Sqlite:
    db = Sqlite(tmp_path_factory.mktemp("sqlite"))
    await db.start()
    return db


@pytest.fixture(params=["sqlite", "postgresql"])
async def db_url(request: pytest.FixtureRequest, sqlite: Sqlite, postgres: Postgres | None) -> str:
    """A fresh, migrated database of each kind: the same store suite runs on both."""
    if request.param == "sqlite":
        return sqlite.fresh()
    if postgres is None:
        pytest.skip(_postgres_reason[0])
    return await postgres.fresh()


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[Store]:
    s = Store(db_url)
    yield s
    await s.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One real uvicorn process on the embedded default (SQLite), shared by HTTP tests."""
    data = tmp_path_factory.mktemp("server")
    upgrade(f"sqlite+aiosqlite:///{data / 'studyhall.db'}")
    srv = Server(data).start()
    yield srv
    srv.stop()


@pytest.fixture
async def visitor(server: Server) -> AsyncIterator[Visitor]:
    async with Visitor(server.url) as v:
        yield v


@pytest.fixture
def make_visitor(server: Server) -> Iterator[type[Visitor]]:
    yield Visitor


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _postgres_reason:
        terminalreporter.write_sep("=", "PostgreSQL not tested", yellow=True)
        terminalreporter.write_line(_postgres_reason[0])
        terminalreporter.write_line("The store suite ran on SQLite only.")


def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"
