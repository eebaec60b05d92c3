"""Real databases for the tests: a fresh SQLite file, or a fresh PostgreSQL database.

PostgreSQL is found at TEST_POSTGRES_URL (default: the local server on 127.0.0.1:5432).
The schema is migrated once into a template database; each test gets a copy of it.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import asyncpg

from server.store.migrate import upgrade_async

ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _with_db(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


class Postgres:
    """Creates and drops the suite's own databases on a real PostgreSQL server."""

    def __init__(self) -> None:
        self.template = f"studyhall_tmpl_{secrets.token_hex(4)}"
        self.created: list[str] = []
        self.reason = ""

    async def start(self) -> bool:
        try:
            conn = await asyncpg.connect(ADMIN_URL, timeout=5)
        except (TimeoutError, OSError, asyncpg.PostgresError) as err:
            self.reason = f"PostgreSQL at {ADMIN_URL} cannot be reached: {err}"
            return False
        try:
            await conn.execute(f'CREATE DATABASE "{self.template}"')
        finally:
            await conn.close()
        await upgrade_async(self.url_for(self.template))
        return True

    def url_for(self, name: str) -> str:
        return _with_db(ADMIN_URL, name).replace("postgresql://", "postgresql+asyncpg://", 1)

    async def fresh(self) -> str:
        name = f"studyhall_t_{secrets.token_hex(6)}"
        conn = await asyncpg.connect(ADMIN_URL, timeout=5)
        try:
            await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        finally:
            await conn.close()
        self.created.append(name)
        return self.url_for(name)

    async def drop_all(self) -> None:
        conn = await asyncpg.connect(ADMIN_URL, timeout=5)
        try:
            for name in [*self.created, self.template]:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()


class Sqlite:
    """Migrates one template file, then copies it per test: quicker than migrating each time."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.template = folder / "template.db"
        self.count = 0

    async def start(self) -> None:
        await upgrade_async(f"sqlite+aiosqlite:///{self.template}")

    def fresh(self) -> str:
        self.count += 1
        target = self.folder / f"test{self.count}.db"
        target.write_bytes(self.template.read_bytes())
        return f"sqlite+aiosqlite:///{target}"
