"""The pure room rules, without I/O."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.rooms import chat, hands
from server.rooms.commands import (
    ChatSend,
    CommandError,
    Join,
    ProtocolError,
    decode,
    parse,
)
from server.rooms.events import can_see, staff_and
from server.rooms.presence import Person, apply_diff, diff
from server.rooms.reactions import Tally
from server.rooms.roles import ALLOWED, ROLES, may


def test_decode_refuses_what_is_not_a_command() -> None:
    for text, code in [
        ("nope", 1003),
        ("[]", 1008),
        ('{"op": "x", "ref": 1}', 1008),
        ('{"op": "ping"}', 1008),
        ('{"op": "ping", "ref": true}', 1008),
    ]:
        with pytest.raises(ProtocolError) as info:
            decode(text)
        assert info.value.code == code


def test_parse_names_the_bad_field() -> None:
    with pytest.raises(CommandError) as info:
        parse(decode('{"op": "join", "ref": 1, "room": "12"}'))
    assert info.value.field == "room" and info.value.code == "invalid"
    with pytest.raises(CommandError) as info:
        parse(decode('{"op": "chat.send", "ref": 1, "client_id": "a", "body": "\\ud800"}'))
    assert info.value.field == "body"
    assert isinstance(parse(decode('{"op": "join", "ref": "a", "room": 3}')), Join)
    sent = parse(decode('{"op": "chat.send", "ref": 2, "client_id": "c", "body": "hi"}'))
    assert isinstance(sent, ChatSend) and sent.to_hosts is False


def test_permissions_table_covers_every_role() -> None:
    for op, roles in ALLOWED.items():
        for role in ROLES:
            assert may(role, op) == (role in roles)
    assert not may("attendee", "hand.next") and may("moderator", "room.slow_mode")
    assert not may("speaker", "room.slow_mode") and not may("host", "no.such.op")


def test_chat_rules() -> None:
    assert chat.clean_body("  hi  ") == "hi"
    for bad in ("", "   ", "x" * 2001):
        with pytest.raises(CommandError):
            chat.clean_body(bad)
    sent = datetime(2027, 1, 1, tzinfo=UTC)
    chat.check_edit("p1", "p1", sent, sent + timedelta(minutes=4))
    with pytest.raises(CommandError) as info:
        chat.check_edit("p1", "p1", sent, sent + timedelta(minutes=6))
    assert info.value.code == "edit_window_passed"
    with pytest.raises(CommandError):
        chat.check_edit("p1", "p2", sent, sent)
    chat.check_delete("p1", "p2", "moderator")
    with pytest.raises(CommandError):
        chat.check_delete("p1", "p2", "speaker")


def test_audiences() -> None:
    assert can_see("all", "m1", "attendee")
    assert not can_see("staff", "m1", "attendee") and can_see("staff", "m1", "co-host")
    assert can_see(staff_and("m1"), "m1", "attendee")
    assert not can_see(staff_and("m1"), "m2", "attendee")
    assert can_see(staff_and("m1", "m2"), "m2", "speaker")
    assert not can_see(staff_and("m1", "m2"), "m3", "speaker")
    assert not can_see("staff+m1", "staff", "attendee")


@given(st.lists(st.tuples(st.booleans(), st.sampled_from(["a", "b", "c", "d"]))))
def test_hand_queue_keeps_first_raise_order(moves: list[tuple[bool, str]]) -> None:
    queue: list[str] = []
    expected: list[str] = []
    for up, member in moves:
        queue = hands.raised(queue, member) if up else hands.lowered(queue, member)
        if up and member not in expected:
            expected.append(member)
        if not up and member in expected:
            expected.remove(member)
    assert queue == expected and len(set(queue)) == len(queue)


people = st.dictionaries(
    st.sampled_from(["m1", "m2", "m3", "m4", "m5"]),
    st.sampled_from(["attendee", "host"]),
)


@given(st.lists(people, min_size=1, max_size=8))
def test_snapshot_then_diffs_converge(views: list[dict[str, str]]) -> None:
    def room(view: dict[str, str]) -> dict[str, Person]:
        return {m: {"id": m, "name": m.upper(), "role": r} for m, r in view.items()}

    seen = room(views[0])
    for before, after in itertools.pairwise(views):
        joined, left = diff(room(before), room(after))
        seen = apply_diff(seen, joined, left)
        assert seen == room(after)


def test_tally_counts_and_resets() -> None:
    tally = Tally()
    for _ in range(1000):
        tally.add("clap")
    tally.add("fireworks")
    tally.merge({"heart": 2, "clap": True, "wow": -1})
    assert tally.take() == {"clap": 1000, "heart": 2}
    assert not tally and tally.take() == {}
