"""The Store: one async SQLAlchemy engine over SQLite (default) or PostgreSQL.

Query functions elsewhere in this package take an `AsyncSession` first; callers run them
through `Store.read` or `Store.write`, which own the transaction. `write` retries the
transient failures of both databases (SQLite's lock, PostgreSQL's serialization failures and
deadlocks), so a person never sees "database is locked".
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

_WRITE_ATTEMPTS = 8


def _sqlite_engine(url: str, immediate: bool) -> AsyncEngine:
    engine = create_async_engine(url, connect_args={"timeout": 30}, pool_size=5, max_overflow=5)

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so that BEGIN is ours to emit.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(conn: Any) -> None:
        # A writer takes the write lock up front: a deferred transaction that reads and
        # then writes can fail with SQLITE_BUSY at once, whatever the busy timeout.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _is_transient(exc: DBAPIError) -> bool:
    message = str(exc.orig).lower()
    if "database is locked" in message or "database table is locked" in message:
        return True
    code = getattr(exc.orig, "sqlstate", None) or getattr(exc.orig, "pgcode", None)
    return code in ("40001", "40P01")


class Store:
    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self._read_engine = _sqlite_engine(url, immediate=False)
            self._write_engine = _sqlite_engine(url, immediate=True)
            # One writer at a time in this process; busy_timeout covers other processes.
            self._write_lock: asyncio.Lock | None = asyncio.Lock()
        else:
            engine = create_async_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)
            self._read_engine = self._write_engine = engine
            self._write_lock = None
        self._reader = async_sessionmaker(self._read_engine, expire_on_commit=False)
        self._writer = async_sessionmaker(self._write_engine, expire_on_commit=False)

    async def read(
        self, fn: Callable[Concatenate[AsyncSession, P], Awaitable[T]], *a: P.args, **k: P.kwargs
    ) -> T:
        async with self._reader() as session:
            return await fn(session, *a, **k)

    async def read_consistent(
        self, fn: Callable[Concatenate[AsyncSession, P], Awaitable[T]], *a: P.args, **k: P.kwargs
    ) -> T:
        """Like `read`, but every statement sees the same snapshot (a room at one `seq`)."""
        async with self._reader() as session, session.begin():
            if not self.is_sqlite:
                # Procuring the connection inside begin() sets the level for this transaction
                # only; procuring it before begin() autobegins, and begin() then raises.
                await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            return await fn(session, *a, **k)

    async def write(
        self, fn: Callable[Concatenate[AsyncSession, P], Awaitable[T]], *a: P.args, **k: P.kwargs
    ) -> T:
        """Run `fn` in one transaction and commit; retried whole on a transient failure."""
        for attempt in range(_WRITE_ATTEMPTS):
            try:
                if self._write_lock is None:
                    return await self._write_once(fn, *a, **k)
                async with self._write_lock:
                    return await self._write_once(fn, *a, **k)
            except (OperationalError, DBAPIError) as exc:
                if not _is_transient(exc) or attempt == _WRITE_ATTEMPTS - 1:
                    raise
                log.info("transient store failure, retrying: %s", exc.orig)
                await asyncio.sleep(min(0.5, 0.01 * 2**attempt) * (0.5 + random.random()))
        raise AssertionError("unreachable")

    async def _write_once(
        self, fn: Callable[Concatenate[AsyncSession, P], Awaitable[T]], *a: P.args, **k: P.kwargs
    ) -> T:
        async with self._writer() as session, session.begin():
            return await fn(session, *a, **k)

    async def ping(self) -> bool:
        try:
            async with self._read_engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            return True
        except Exception:  # any failure means "not ready"; the reason goes to the log
            log.warning("store ping failed", exc_info=True)
            return False

    async def close(self) -> None:
        await self._read_engine.dispose()
        if self._write_engine is not self._read_engine:
            await self._write_engine.dispose()
