"""Whatever a client sends: no traceback, an error frame or the right close code, and after a
user error the same socket still serves a valid command."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed

from server.rooms.commands import MODELS
from tests.live.support import Client, Seeded
from tests.servers import Server

OPS = sorted(MODELS)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=50),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
surrogates = st.sampled_from(['"\\ud800"', '"\\udfff x"', '"ok\\ud83d"'])


@st.composite
def commands(draw: st.DrawFn) -> str:
    """Mostly well-formed frames with known ops and wrong or odd fields."""
    op = draw(st.sampled_from([*OPS, "no.such.op"]))
    fields = draw(
        st.dictionaries(
            st.sampled_from(
                [
                    "room",
                    "since",
                    "client_id",
                    "body",
                    "reply_to",
                    "to_hosts",
                    "id",
                    "before",
                    "limit",
                    "member",
                    "reaction",
                    "seconds",
                    "extra",
                ]
            ),
            json_values,
            max_size=4,
        )
    )
    body = json.dumps({"op": op, "ref": draw(st.integers(10**7, 10**8)), **fields})
    if draw(st.booleans()) and body.endswith("}"):
        body = body[:-1] + f', "body": {draw(surrogates)}}}'
    return body


async def _expect_answer_or_close(client: Client, text: str) -> str:
    """Send one frame; 'answered' if a reply with its ref came, else the close code."""
    before = len(client.frames)
    await client.ws.send(text)
    try:
        reply = await client.send("ping")
    except (ConnectionClosed, TimeoutError):
        await client.ws.wait_closed()
        return f"closed {client.ws.close_code}"
    assert reply["type"] == "pong"  # the socket still serves a valid command
    answers = [f for f in client.frames[before:] if f.get("type") in ("ack", "error", "pong")]
    assert len(answers) >= 2, answers
    return "answered"


CASES: list[tuple[str | bytes, str]] = [
    ("not json", "closed 1003"),
    (b"\x00\x01binary", "closed 1003"),
    ("[" * 30_000, "closed 1003"),
    ("[" * 100_000, "closed 1009"),
    ("[1, 2]", "closed 1008"),
    ('"just a string"', "closed 1008"),
    ('{"op": "no.such.op", "ref": 1}', "closed 1008"),
    ('{"op": "ping"}', "closed 1008"),
    ('{"op": "ping", "ref": 1.5}', "closed 1008"),
    ('{"op": "ping", "ref": NaN}', "closed 1008"),
    ('{"op": "ping", "ref": "' + "r" * 65 + '"}', "closed 1008"),
    (json.dumps({"op": "ping", "ref": 1, "pad": "x" * 70_000}), "closed 1009"),
    ('{"op": "join", "ref": "raw", "room": 1' + "0" * 400 + "}", "answered"),
    ('{"op": "chat.send", "ref": "raw", "client_id": "a", "body": "\\ud800"}', "answered"),
    (
        '{"op": "chat.send", "ref": "raw", "client_id": "a", "body": '
        + "[" * 500
        + "]" * 500
        + "}",
        "answered",
    ),
    ('{"op": "react", "ref": "raw", "reaction": "fireworks"}', "answered"),
    ('{"op": "hand.next", "ref": "raw"}', "answered"),
]


async def test_each_kind_of_bad_frame(server: Server, room: Seeded) -> None:
    cookie = room.attendees[0].cookie
    for text, expected in CASES:
        client = await Client.open(server.url, cookie)
        await client.join(room.event_id)
        if isinstance(text, bytes):
            await client.ws.send(text)
            await client.ws.wait_closed()
            outcome = f"closed {client.ws.close_code}"
        else:
            outcome = await _expect_answer_or_close(client, text)
        assert outcome == expected, (text[:80], outcome)
        await client.close()
    assert "Traceback" not in server.log()


async def test_user_errors_carry_the_ref_and_keep_the_socket(server: Server, room: Seeded) -> None:
    client = await Client.open(server.url, room.attendees[0].cookie)
    await client.join(room.event_id)
    reply = await client.send("chat.send", client_id="x", body="   ")
    assert reply["type"] == "error" and reply["code"] == "invalid" and reply["field"] == "body"
    reply = await client.send("room.slow_mode", seconds=5)
    assert reply["type"] == "error" and reply["code"] == "forbidden"
    reply = await client.send("chat.send", client_id="y", body=7)
    assert reply["type"] == "error" and reply["field"] == "body"
    assert (await client.send("chat.send", client_id="z", body="fine"))["type"] == "ack"
    await client.close()


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(frames=st.lists(commands(), min_size=1, max_size=5))
def test_generated_frames(
    frames: list[str], server: Server, generated_room: dict[str, Any]
) -> None:
    import asyncio

    async def run() -> None:
        client = await Client.open(server.url, generated_room["cookie"])
        await client.join(generated_room["event_id"])
        for text in frames:
            outcome = await _expect_answer_or_close(client, text)
            assert outcome in ("answered", "closed 1008"), (text[:120], outcome)
            if outcome != "answered":
                client = await Client.open(server.url, generated_room["cookie"])
                await client.join(generated_room["event_id"])
        await client.close()

    asyncio.run(run())
    assert "Traceback" not in server.log()
