"""Mentor matching rules: who suits whom, waking hours in common, and the order of suggestions
(hypothesis over many communities)."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from server.community.mentor_match import (
    LEVELS,
    Ask,
    History,
    Profile,
    can_mentor,
    overlap_hours,
    requests_for,
    score,
    suggest_mentors,
)

TOPICS = ("rust", "python", "sql")
ZONES = (
    "UTC",
    "Europe/Paris",
    "America/New_York",
    "Asia/Tokyo",
    "Pacific/Auckland",
    "Asia/Kolkata",
    "America/Los_Angeles",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
)
# No zone above changes its clock within days of this date.
QUIET = date(2027, 1, 20)
RUNS = settings(max_examples=200, deadline=None)


@st.composite
def profiles(draw: st.DrawFn, person_id: int) -> Profile:
    levels = draw(st.dictionaries(st.sampled_from(TOPICS), st.sampled_from(LEVELS), max_size=3))
    mentoring = draw(st.frozensets(st.sampled_from(TOPICS), max_size=3))
    return Profile(person_id, f"P{person_id}", draw(st.sampled_from(ZONES)), levels, mentoring)


@st.composite
def communities(draw: st.DrawFn) -> tuple[Profile, list[Profile], History]:
    learner = draw(profiles(0))
    people = [draw(profiles(n)) for n in range(1, draw(st.integers(0, 12)) + 1)]
    ids = [p.id for p in [learner, *people]]
    pairs = draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=6))
    return learner, people, History(frozenset(frozenset(p) for p in pairs if p[0] != p[1]))


def test_waking_hours_in_common() -> None:
    assert overlap_hours("Europe/Paris", "Europe/Berlin", QUIET) == 14
    assert overlap_hours("Europe/Paris", "America/New_York", QUIET) == 8  # six hours apart
    # Twelve hours apart: each one's morning is the other's evening, two hours each side.
    assert overlap_hours("Europe/Paris", "Pacific/Auckland", QUIET) == 4
    assert overlap_hours("Europe/Paris", "Not/AZone", QUIET) == 13  # unknown counts as UTC


@RUNS
@given(st.sampled_from(ZONES), st.sampled_from(ZONES))
def test_waking_overlap_is_bounded_and_symmetric(a: str, b: str) -> None:
    hours = overlap_hours(a, b, QUIET)
    assert 0 <= hours <= 14
    assert hours == overlap_hours(b, a, QUIET)
    assert overlap_hours(a, a, QUIET) == 14


@RUNS
@given(communities(), st.sampled_from(TOPICS))
def test_suggestions_are_suitable_and_best_first(
    community: tuple[Profile, list[Profile], History], tag: str
) -> None:
    learner, people, history = community
    found = suggest_mentors(learner, tag, [learner, *people], history, QUIET)
    assert all(m.mentor.id != learner.id and tag in m.mentor.mentoring for m in found)
    assert {m.mentor.id for m in found} == {p.id for p in people if can_mentor(p, learner, tag)}
    assert [m.score for m in found] == sorted((m.score for m in found), reverse=True)
    for m in found:  # never someone behind the learner in the interest
        mine = LEVELS.index(learner.levels.get(tag, "beginner"))
        assert LEVELS.index(m.mentor.levels.get(tag, "beginner")) >= mine


@RUNS
@given(communities(), st.sampled_from(TOPICS), st.data())
def test_a_good_past_pair_never_ranks_lower(
    community: tuple[Profile, list[Profile], History], tag: str, data: st.DataObject
) -> None:
    learner, people, history = community
    found = suggest_mentors(learner, tag, people, history, QUIET)
    if not found:
        return
    chosen = data.draw(st.sampled_from(found)).mentor.id
    remembered = History(history.good | {frozenset((chosen, learner.id))})
    again = suggest_mentors(learner, tag, people, remembered, QUIET)
    before = [m.mentor.id for m in found].index(chosen)
    after = [m.mentor.id for m in again].index(chosen)
    assert after <= before
    # Other mentors keep their points: only the pair that worked well is lifted.
    points = {m.mentor.id: m.score for m in found}
    assert all(m.score == points[m.mentor.id] for m in again if m.mentor.id != chosen)


@RUNS
@given(communities(), st.sampled_from(TOPICS))
def test_both_sides_see_the_same_match(
    community: tuple[Profile, list[Profile], History], tag: str
) -> None:
    """A mentor's view of a request and the learner's view of that mentor agree."""
    learner, people, history = community
    suggested = {
        m.mentor.id: m.score for m in suggest_mentors(learner, tag, people, history, QUIET)
    }
    for mentor in people:
        seen = requests_for(mentor, [Ask(7, learner, tag)], history, QUIET)
        assert [m.score for _, m in seen] == (
            [suggested[mentor.id]] if mentor.id in suggested else []
        )


def test_reasons_read_as_words() -> None:
    learner = Profile(1, "Ada", "Europe/Paris", {"rust": "beginner", "sql": "beginner"})
    mentor = Profile(2, "Bo", "Europe/Berlin", {"rust": "experienced", "sql": "beginner"},
                     frozenset({"rust"}))  # fmt: skip
    match = score(mentor, learner, "rust", History(frozenset({frozenset((1, 2))})), QUIET)
    assert match.reasons == (
        "worked well together before",
        "experienced in rust",
        "14 waking hours in common",
        "1 good pairing",
        "also into sql",
    )
    assert match.score == 50 + 2 * 10 + 14 * 2 + 3 + 2


def test_who_may_mentor() -> None:
    learner = Profile(1, "Ada", levels={"rust": "intermediate"})
    assert not can_mentor(Profile(2, "Bo", levels={"rust": "experienced"}), learner, "rust")
    open_ = frozenset({"rust"})
    assert can_mentor(
        Profile(2, "Bo", levels={"rust": "experienced"}, mentoring=open_), learner, "rust"
    )
    assert not can_mentor(
        Profile(2, "Bo", levels={"rust": "intermediate"}, mentoring=open_), learner, "rust"
    )
    peer = Profile(1, "Ada", levels={"rust": "experienced"})
    assert can_mentor(
        Profile(2, "Bo", levels={"rust": "experienced"}, mentoring=open_), peer, "rust"
    )
    assert not can_mentor(
        Profile(1, "Ada", levels={"rust": "experienced"}, mentoring=open_), peer, "rust"
    )
