"""Who could mentor whom in a community, and in what order to suggest them. No I/O here.

A mentor suits a learner's request in an interest when they marked themselves open to
mentoring it and know it better than the learner does (or are experienced in it: two
experienced people may still pair up). Suitable mentors are ranked by points, so that no one
reason hides all the others:

- worked well together before (both said a session went well): 50, which puts a good past
  pair ahead of any stranger;
- each level the mentor is ahead of the learner: 10;
- each waking hour (08:00 to 22:00 local) the two share on the day: 2, up to 28;
- the mentor's good pairings with anyone: 3 each, counted up to 5;
- each other interest they share: 2, counted up to 3.

The same score orders a learner's suggested mentors and a mentor's suitable requests, so both
sides see the same match as equally good. Ties go to the name, then the id, so pages are stable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LEVELS = ("beginner", "intermediate", "experienced")
WAKING = (time(8), time(22))
TOGETHER, PER_LEVEL, PER_HOUR, PER_GOOD, PER_SHARED = 50, 10, 2, 3, 2
MOST_GOOD, MOST_SHARED = 5, 3


@dataclass(frozen=True)
class Profile:
    """What matching needs of a person: their zone, their interests, what they mentor."""

    id: int
    name: str
    timezone: str = "UTC"
    levels: Mapping[str, str] = field(default_factory=dict)  # interest tag -> level
    mentoring: frozenset[str] = frozenset()  # tags they are open to mentoring


@dataclass(frozen=True)
class History:
    """Past pairings: the pairs of people who worked well together, as sets of two ids."""

    good: frozenset[frozenset[int]] = frozenset()

    def together(self, a: int, b: int) -> bool:
        return frozenset((a, b)) in self.good

    def good_count(self, person: int) -> int:
        return sum(1 for pair in self.good if person in pair)


@dataclass(frozen=True)
class Ask:
    """An open request: a learner asks for a mentor in one interest."""

    id: int
    learner: Profile
    tag: str


@dataclass(frozen=True)
class Match:
    mentor: Profile
    learner: Profile
    tag: str
    score: int
    reasons: tuple[str, ...]


def rank(level: str | None) -> int:
    return LEVELS.index(level) if level in LEVELS else 0


def can_mentor(mentor: Profile, learner: Profile, tag: str) -> bool:
    if mentor.id == learner.id or tag not in mentor.mentoring:
        return False
    ahead = rank(mentor.levels.get(tag)), rank(learner.levels.get(tag))
    return ahead[0] > ahead[1] or ahead[0] == len(LEVELS) - 1


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _waking(zone: ZoneInfo, day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, WAKING[0], zone).astimezone(UTC)
    return start, datetime.combine(day, WAKING[1], zone).astimezone(UTC)


def overlap_hours(zone_a: str, zone_b: str, on: date) -> int:
    """Whole waking hours `a`'s day `on` shares with `b`'s days around it (0 to 14)."""
    a_start, a_end = _waking(_zone(zone_a), on)
    shared = timedelta()
    for shift in (-1, 0, 1):
        b_start, b_end = _waking(_zone(zone_b), on + timedelta(days=shift))
        shared += max(timedelta(), min(a_end, b_end) - max(a_start, b_start))
    return int(shared.total_seconds() // 3600)


def score(mentor: Profile, learner: Profile, tag: str, history: History, on: date) -> Match:
    """The points of this pairing and the reasons, in the words a person reads."""
    points, reasons = 0, []
    if history.together(mentor.id, learner.id):
        points += TOGETHER
        reasons.append("worked well together before")
    level = mentor.levels.get(tag, LEVELS[0])
    points += PER_LEVEL * max(0, rank(level) - rank(learner.levels.get(tag)))
    reasons.append(f"{level} in {tag}")
    hours = overlap_hours(learner.timezone, mentor.timezone, on)
    points += PER_HOUR * hours
    reasons.append(f"{hours} waking hours in common" if hours else "time zones far apart")
    good = history.good_count(mentor.id)
    if good:
        points += PER_GOOD * min(good, MOST_GOOD)
        reasons.append(f"{good} good pairing{'s' if good != 1 else ''}")
    shared = (set(mentor.levels) & set(learner.levels)) - {tag}
    if shared:
        points += PER_SHARED * min(len(shared), MOST_SHARED)
        reasons.append("also into " + ", ".join(sorted(shared)[:MOST_SHARED]))
    return Match(mentor, learner, tag, points, tuple(reasons))


def suggest_mentors(
    learner: Profile, tag: str, people: Iterable[Profile], history: History, on: date
) -> list[Match]:
    """The people who could mentor `learner` in `tag`, best first."""
    found = [score(m, learner, tag, history, on) for m in people if can_mentor(m, learner, tag)]
    return sorted(found, key=lambda m: (-m.score, m.mentor.name.lower(), m.mentor.id))


def requests_for(
    mentor: Profile, asks: Iterable[Ask], history: History, on: date
) -> list[tuple[Ask, Match]]:
    """The open requests `mentor` suits, best first."""
    found = [
        (ask, score(mentor, ask.learner, ask.tag, history, on))
        for ask in asks
        if can_mentor(mentor, ask.learner, ask.tag)
    ]
    return sorted(found, key=lambda f: (-f[1].score, f[0].learner.name.lower(), f[0].id))
