"""Reactions: a small fixed set, counted and sent at most once a second."""

from __future__ import annotations

from collections import Counter

REACTIONS: tuple[str, ...] = ("clap", "heart", "laugh", "wow", "thumbs_up", "question")


class Tally:
    """Counts reactions until they are taken; taking resets."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()

    def add(self, reaction: str, n: int = 1) -> None:
        if reaction in REACTIONS and n > 0:
            self._counts[reaction] += n

    def merge(self, counts: dict[str, int]) -> None:
        for reaction, n in counts.items():
            if isinstance(n, int) and not isinstance(n, bool):
                self.add(reaction, min(n, 1_000_000))

    def take(self) -> dict[str, int]:
        counts = dict(self._counts)
        self._counts.clear()
        return counts

    def __bool__(self) -> bool:
        return bool(self._counts)
