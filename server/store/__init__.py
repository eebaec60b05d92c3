"""The store: the source of truth. SQLite by default, PostgreSQL with the same code."""

from server.store.db import Store

__all__ = ["Store"]
