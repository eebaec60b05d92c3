"""Tests of server.bus: one contract suite run on every implementation, plus Redis restarts."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

# Makes a subscriber of the channel fall behind; returns how many messages it published.
Flood = Callable[[str], Awaitable[int]]


async def eventually(condition: Callable[[], object], within_s: float = 10.0) -> None:
    """Wait until `condition()` is truthy; fail after a generous deadline, never on speed."""
    deadline = time.monotonic() + within_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition still false after {within_s} s")
        await asyncio.sleep(0.01)
