"""Breakout assignment: every mode over many room shapes (hypothesis), and the host's moves."""

from __future__ import annotations

import random
from collections import Counter
from itertools import permutations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.rooms import breakouts
from server.rooms.breakouts import Group, Learner
from server.rooms.commands import CommandError

TOPICS = ("rust", "python", "sql")
LEVELS = ("beginner", "intermediate", "experienced")
RUNS = settings(max_examples=300, deadline=None)


@st.composite
def learners(draw: st.DrawFn, most: int = 40) -> list[Learner]:
    count = draw(st.integers(0, most))
    people = []
    for n in range(count):
        levels = draw(st.dictionaries(st.sampled_from(TOPICS), st.sampled_from(LEVELS), max_size=3))
        mentoring = draw(st.frozensets(st.sampled_from(TOPICS), max_size=2))
        # Past good pairs, with anyone in the room: every promise must hold whatever they are.
        past = draw(st.frozensets(st.integers(0, max(count - 1, 0)), max_size=2)) if count else ()
        worked_well = frozenset(f"m{k}" for k in past if k != n)
        people.append(Learner(f"m{n}", levels, mentoring, worked_well))
    return people


@st.composite
def groups(draw: st.DrawFn, people: int, most: int = 8) -> list[Group]:
    count = draw(st.integers(1, most))
    shaped = [
        Group(
            f"Group {n + 1}",
            draw(st.none() | st.sampled_from(TOPICS)),
            draw(st.none() | st.integers(1, 12)),
        )
        for n in range(count)
    ]
    # Enough seats in all: a room that cannot be seated is a separate, simple case below.
    seats = sum(g.capacity or people for g in shaped)
    if seats < people:
        last = shaped[-1]
        shaped[-1] = Group(last.name, last.topic, (last.capacity or 0) + people - seats)
    return shaped


@st.composite
def rooms(draw: st.DrawFn) -> tuple[list[Learner], list[Group], int]:
    people = draw(learners())
    return people, draw(groups(len(people))), draw(st.integers(0, 2**32))


def check_seating(
    seats: breakouts.Seating, people: list[Learner], shape: list[Group], *, balanced: bool = True
) -> None:
    seated = Counter(breakouts.everyone(seats))
    assert sorted(seated) == sorted(p.member for p in people), "everyone seated"
    assert all(n == 1 for n in seated.values()), "nobody in two groups"
    for group, members in zip(shape, seats, strict=True):
        assert group.capacity is None or len(members) <= group.capacity
    sizes = [len(g) for g in seats]
    for i, small in enumerate(sizes):
        for big in sizes:
            # A smaller group is only smaller by two or more when it is full.
            assert not balanced or big - small <= 1 or shape[i].capacity == small


@RUNS
@given(rooms(), st.sampled_from(["random", "interest", "mentor"]))
def test_every_mode_seats_everyone_once_within_capacity_and_balanced(
    room: tuple[list[Learner], list[Group], int], mode: breakouts.Mode
) -> None:
    people, shape, seed = room
    seats = breakouts.assign(mode, people, shape, random.Random(seed))
    check_seating(seats, people, shape)
    assert seats == breakouts.assign(mode, people, shape, random.Random(seed))


@RUNS
@given(rooms(), st.sampled_from(["self_select", "by_hand"]))
def test_chosen_groups_are_honoured_while_they_have_room(
    room: tuple[list[Learner], list[Group], int], mode: breakouts.Mode
) -> None:
    people, shape, seed = room
    rng = random.Random(seed)
    chosen = {p.member: g for p in people if (g := rng.randrange(len(shape) + 1)) < len(shape)}
    seats = breakouts.assign(mode, people, shape, random.Random(seed), chosen=chosen)
    check_seating(seats, people, shape, balanced=False)
    for g, (group, members) in enumerate(zip(shape, seats, strict=True)):
        wanted = [m for m, pick in chosen.items() if pick == g]
        got = [m for m in members if chosen.get(m) == g]
        # First come, first seated: the earliest picks, up to the group's capacity.
        assert got == wanted[: group.capacity] if group.capacity is not None else got == wanted


def can_give_each_group_a_mentor(
    people: list[Learner], shape: list[Group], counts: list[int]
) -> bool:
    """Brute force, independent of the module's matching: distinct mentors, one per group."""
    needy = [g for g, n in zip(shape, counts, strict=True) if n]
    return any(
        all(p.mentors(g.topic) for p, g in zip(pick, needy, strict=True))
        for pick in permutations(people, len(needy))
    )


@RUNS
@given(st.data())
def test_mentor_pairing_puts_a_mentor_in_every_group_when_the_room_allows(
    data: st.DataObject,
) -> None:
    people = data.draw(learners(most=7))
    shape = data.draw(groups(len(people), most=4))
    seats = breakouts.assign("mentor", people, shape, random.Random(data.draw(st.integers())))
    check_seating(seats, people, shape)
    counts = breakouts.seat_counts(len(people), shape)
    by_id = {p.member: p for p in people}
    guided = [
        any(by_id[m].mentors(g.topic) for m in members)
        for g, members in zip(shape, seats, strict=True)
        if members
    ]
    if can_give_each_group_a_mentor(people, shape, counts):
        assert all(guided)


@RUNS
@given(st.integers(1, 60), st.integers(1, 12), st.integers(0, 60), st.integers())
def test_mentors_on_one_topic_spread_evenly(
    people: int, group_count: int, mentor_count: int, seed: int
) -> None:
    mentors = min(mentor_count, people)
    room = [
        Learner(f"m{n}", {"rust": "experienced" if n < mentors else "beginner"})
        for n in range(people)
    ]
    shape = [Group(f"G{n}", "rust") for n in range(group_count)]
    seats = breakouts.assign("mentor", room, shape, random.Random(seed))
    check_seating(seats, room, shape)
    per_group = [sum(1 for m in g if int(m[1:]) < mentors) for g in seats if g]
    assert max(per_group) - min(per_group) <= 1
    if mentors >= len(per_group):
        assert min(per_group) >= 1


@RUNS
@given(st.data())
def test_mentor_pairing_seats_people_with_a_mentor_they_worked_well_with(
    data: st.DataObject,
) -> None:
    """Whenever the seats a mentor's group has left after the mentors are enough for all who
    worked well with that mentor before, all of them sit with that mentor."""
    topic = data.draw(st.none() | st.sampled_from(TOPICS))
    mentors = [
        Learner(f"t{n}", {t: "experienced" for t in TOPICS})
        for n in range(data.draw(st.integers(0, 6)))
    ]
    people = [
        Learner(
            f"m{n}",
            {"rust": "beginner"},
            worked_well_with=frozenset(
                data.draw(st.sampled_from([[], *([[m.member] for m in mentors])]))
            ),
        )
        for n in range(data.draw(st.integers(0, 20)))
    ]
    room = mentors + people
    shape = data.draw(groups(len(room), most=5))
    shape = [Group(g.name, topic, g.capacity) for g in shape]
    seats = breakouts.assign("mentor", room, shape, random.Random(data.draw(st.integers())))
    check_seating(seats, room, shape)
    mentor_ids = {m.member for m in mentors}
    for members in seats:
        wanting = [p.member for p in people if p.worked_well_with & set(members)]
        free = len(members) - len(mentor_ids & set(members))
        if len(wanting) <= free:
            assert set(wanting) <= set(members)


def test_self_select_honours_each_pick_while_the_group_has_room() -> None:
    people = [Learner(f"m{n}") for n in range(6)]
    shape = [Group("Traits", capacity=3), Group("Macros", capacity=3)]
    chosen = {"m0": 0, "m1": 0, "m2": 0, "m3": 0, "m4": 1}  # four want Traits; m5 picks none
    seats = breakouts.assign("self_select", people, shape, random.Random(1), chosen=chosen)
    assert seats[0] == ["m0", "m1", "m2"]  # first come, first seated; m3 goes to Macros
    assert sorted(seats[1]) == ["m3", "m4", "m5"]


def test_interest_mode_seats_people_with_their_topic() -> None:
    people = [
        Learner("ada", {"rust": "beginner"}),
        Learner("bo", {"sql": "beginner"}),
        Learner("cy", {"rust": "intermediate"}),
        Learner("di", {"sql": "experienced"}),
    ]
    shape = [Group("Rust", "rust"), Group("SQL", "sql")]
    seats = breakouts.assign("interest", people, shape, random.Random(7))
    assert sorted(seats[0]) == ["ada", "cy"] and sorted(seats[1]) == ["bo", "di"]


def test_a_room_too_big_for_the_seats_is_refused() -> None:
    with pytest.raises(CommandError) as refused:
        shape = [Group("A", capacity=2), Group("B", capacity=2)]
        breakouts.assign("random", [Learner(f"m{n}") for n in range(5)], shape, random.Random(0))
    assert refused.value.field == "capacity" and "seat 4 people; 5" in refused.value.message


@pytest.mark.parametrize(
    ("shape", "field"),
    [([], "groups"), ([Group(" ")], "name"), ([Group("A", capacity=0)], "capacity")],
)
def test_bad_groups_are_refused_by_field(shape: list[Group], field: str) -> None:
    with pytest.raises(CommandError) as refused:
        breakouts.check_groups(shape)
    assert refused.value.field == field


def test_an_unknown_mode_names_the_modes() -> None:
    with pytest.raises(CommandError, match="random, by_hand, self_select, interest, mentor"):
        breakouts.mode_of("alphabetical")


@RUNS
@given(rooms(), st.lists(st.tuples(st.integers(0, 39), st.integers(0, 8)), max_size=30))
def test_moves_keep_everyone_once_and_respect_capacity(
    room: tuple[list[Learner], list[Group], int], moves: list[tuple[int, int]]
) -> None:
    people, shape, seed = room
    seats = breakouts.assign("random", people, shape, random.Random(seed))
    for who, to in moves:
        if who >= len(people):
            continue
        member = people[who].member
        try:
            seats = breakouts.move(seats, member, to, shape)
        except CommandError as refused:
            full = to < len(shape) and shape[to].capacity == len(seats[to])
            assert refused.code == ("conflict" if full else "not_found")
            continue
        assert breakouts.group_of(seats, member) == to
    seated = Counter(breakouts.everyone(seats))
    assert sorted(seated) == sorted(p.member for p in people)
    assert all(n == 1 for n in seated.values())
    for group, members in zip(shape, seats, strict=True):
        assert group.capacity is None or len(members) <= group.capacity
