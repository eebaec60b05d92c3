"""Breakout study groups: who goes into which group, by each of the host's modes.

No I/O here. A host names the groups (each with an optional topic and capacity) and picks a
mode; `assign` seats everyone present. Every mode keeps the same three promises, which the
hypothesis tests check over many room shapes:

- everyone is in exactly one group, and no group holds more than its capacity;
- sizes are balanced: two groups differ by at most one person unless a capacity stops it
  (except where people chose their group, or the host did: there choice wins);
- in mentor pairing, every group gets someone experienced in its topic or open to mentoring
  it, whenever the room has enough such people to give each group its own.

Mentor pairing also prefers, once the mentors sit, to seat a person with someone they worked
well with before (their mentor, usually: both said a mentorship session went well), where that
group has a seat left.

Sizes are chosen first (`seat_counts`) and people are placed into those seats after, so the
balance holds whatever a mode prefers; a preference only decides who sits where.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, get_args

from server.rooms.commands import CommandError

Mode = Literal["random", "by_hand", "self_select", "interest", "mentor"]
MODES: tuple[Mode, ...] = get_args(Mode)
MAX_GROUPS = 100
MAX_NAME = 80
# Groups: index -> the member ids seated there, in the order they were seated.
Seating = list[list[str]]
# The groups a person would like, best first.
Wishes = Callable[["Learner"], list[int]]


@dataclass(frozen=True)
class Learner:
    """What a breakout needs to know of a person: their interests and what they mentor."""

    member: str
    levels: Mapping[str, str] = field(default_factory=dict)  # interest tag -> level
    mentoring: frozenset[str] = frozenset()  # tags they are open to mentoring
    worked_well_with: frozenset[str] = frozenset()  # members they paired well with before

    def mentors(self, topic: str | None) -> bool:
        """Whether this person can guide a group on `topic` (any topic when there is none)."""
        if topic is None:
            return bool(self.mentoring) or "experienced" in self.levels.values()
        return topic in self.mentoring or self.levels.get(topic) == "experienced"


@dataclass(frozen=True)
class Group:
    name: str
    topic: str | None = None
    capacity: int | None = None  # None: as many as balance gives it


def mode_of(name: str) -> Mode:
    found = next((m for m in MODES if m == name), None)
    if found is None:
        raise CommandError("invalid", f"mode: one of {', '.join(MODES)}", field="mode")
    return found


def check_groups(groups: Sequence[Group]) -> None:
    if not 1 <= len(groups) <= MAX_GROUPS:
        raise CommandError("invalid", f"groups: 1 to {MAX_GROUPS}", field="groups")
    for group in groups:
        if not group.name.strip() or len(group.name) > MAX_NAME:
            raise CommandError("invalid", f"name: 1 to {MAX_NAME} characters", field="name")
        if group.capacity is not None and group.capacity < 1:
            raise CommandError("invalid", "capacity: at least 1", field="capacity")


def seat_counts(people: int, groups: Sequence[Group]) -> list[int]:
    """How many sit in each group: as even as the capacities allow, earlier groups first."""
    room = sum(g.capacity for g in groups if g.capacity is not None)
    if all(g.capacity is not None for g in groups) and room < people:
        raise CommandError(
            "invalid", f"The groups seat {room} people; {people} are here.", field="capacity"
        )
    counts = [0] * len(groups)
    for _ in range(people):
        open_ = [i for i, g in enumerate(groups) if g.capacity is None or counts[i] < g.capacity]
        smallest = min(open_, key=lambda i: (counts[i], i))
        counts[smallest] += 1
    return counts


def assign(
    mode: Mode,
    people: Sequence[Learner],
    groups: Sequence[Group],
    rng: random.Random,
    *,
    chosen: Mapping[str, int] | None = None,
) -> Seating:
    """Seat everyone. `chosen` holds, in the order they were made, the picks of people
    (self-select) or of the host (by hand); other modes ignore it."""
    check_groups(groups)
    if len({p.member for p in people}) != len(people):
        raise CommandError("invalid", "Each person is seated once.", field="members")
    order = list(people)
    rng.shuffle(order)
    counts = seat_counts(len(order), groups)
    if mode in ("self_select", "by_hand"):
        return _seat_chosen(order, groups, chosen or {})
    seats: Seating = [[] for _ in groups]
    if mode == "mentor":
        _seat_mentors(order, groups, counts, seats)
    elif mode == "interest":
        _seat_by_wish(order, counts, seats, lambda p: _topics_of(p, groups))
    _seat_rest(order, counts, seats)
    return seats


def _seat_chosen(
    order: list[Learner], groups: Sequence[Group], chosen: Mapping[str, int]
) -> Seating:
    """Picks first, in the order they were made, while the group has room; then the others
    where most room is left. Here balance gives way to what people chose."""
    seats: Seating = [[] for _ in groups]

    def has_room(i: int) -> bool:
        capacity = groups[i].capacity
        return capacity is None or len(seats[i]) < capacity

    here = {p.member for p in order}
    for member, group in chosen.items():
        if member in here and 0 <= group < len(groups) and has_room(group):
            seats[group].append(member)
    taken = _seated(seats)
    for person in order:
        if person.member not in taken:
            best = min(
                (i for i in range(len(groups)) if has_room(i)), key=lambda i: (len(seats[i]), i)
            )
            seats[best].append(person.member)
    return seats


def _topics_of(person: Learner, groups: Sequence[Group]) -> list[int]:
    return [i for i, g in enumerate(groups) if g.topic is not None and g.topic in person.levels]


def _seated(seats: Seating) -> set[str]:
    return {m for group in seats for m in group}


def _seat_by_wish(
    order: list[Learner],
    counts: list[int],
    seats: Seating,
    wishes: Wishes,
) -> None:
    """Each person, in turn, into the emptiest of the groups they wish for that has a seat."""
    taken = _seated(seats)
    for person in order:
        if person.member in taken:
            continue
        free = [i for i in wishes(person) if len(seats[i]) < counts[i]]
        if free:
            best = min(free, key=lambda i: (len(seats[i]) / counts[i], i))
            seats[best].append(person.member)
            taken.add(person.member)


def _seat_rest(order: list[Learner], counts: list[int], seats: Seating) -> None:
    taken = _seated(seats)
    for person in order:
        if person.member not in taken:
            best = min(
                (i for i in range(len(seats)) if len(seats[i]) < counts[i]),
                key=lambda i: (len(seats[i]) / counts[i], i),
            )
            seats[best].append(person.member)


def _seat_mentors(
    order: list[Learner], groups: Sequence[Group], counts: list[int], seats: Seating
) -> None:
    """First one mentor for each group (a matching, so that no group goes without when the
    room could give each its own), then the other mentors spread evenly, then everyone else."""
    able = [
        [p for p in order if p.mentors(g.topic)] if counts[i] else [] for i, g in enumerate(groups)
    ]
    for group, mentor in _match(able).items():
        seats[group].append(mentor.member)
    mentor_ids = {p.member for options in able for p in options}

    def guided(i: int) -> int:
        return sum(1 for m in seats[i] if m in mentor_ids)

    taken = _seated(seats)
    for person in (p for p in order if p.member in mentor_ids and p.member not in taken):
        free = [
            i for i, g in enumerate(groups) if len(seats[i]) < counts[i] and person.mentors(g.topic)
        ]
        if free:
            seats[min(free, key=lambda i: (guided(i), len(seats[i]), i))].append(person.member)
    # The others: with someone they worked well with before (seated mentors first), else with
    # people who share their interest, where a seat is free. Only free seats are taken, so the
    # sizes and the mentors placed above stay as they are.
    rest = [p for p in order if p.member not in mentor_ids]
    _seat_by_wish(rest, counts, seats, lambda p: _groups_with(p.worked_well_with, seats))
    _seat_by_wish(rest, counts, seats, lambda p: _topics_of(p, groups))


def _groups_with(members: frozenset[str], seats: Seating) -> list[int]:
    return [i for i, group in enumerate(seats) if members.intersection(group)]


def _match(able: list[list[Learner]]) -> dict[int, Learner]:
    """Group -> a distinct mentor, as many groups as possible (augmenting paths)."""
    owner: dict[str, int] = {}
    by_id = {p.member: p for options in able for p in options}

    def place(group: int, seen: set[str]) -> bool:
        for person in able[group]:
            if person.member in seen:
                continue
            seen.add(person.member)
            holder = owner.get(person.member)
            if holder is None or place(holder, seen):
                owner[person.member] = group
                return True
        return False

    for group in range(len(able)):
        place(group, set())
    return {group: by_id[member] for member, group in owner.items()}


def move(seats: Seating, member: str, to: int, groups: Sequence[Group]) -> Seating:
    """A host moves a person into another group (by hand, or while the groups run)."""
    if not 0 <= to < len(seats):
        raise CommandError("not_found", "No such group.", field="group")
    capacity = groups[to].capacity
    if member in seats[to]:
        return seats
    if capacity is not None and len(seats[to]) >= capacity:
        raise CommandError("conflict", f"{groups[to].name} is full.", field="group")
    moved = [[m for m in group if m != member] for group in seats]
    moved[to].append(member)
    return moved


def group_of(seats: Seating, member: str) -> int | None:
    return next((i for i, group in enumerate(seats) if member in group), None)


def everyone(seats: Iterable[list[str]]) -> list[str]:
    return [m for group in seats for m in group]
