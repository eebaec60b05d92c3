"""A direct message on a room's bus channel reaches one member's sockets on this worker,
and leaves the room's ordered events alone."""

from __future__ import annotations

from dataclasses import dataclass, field

from server.live.hub import RoomHub, direct_payload


@dataclass(eq=False)
class Socket:
    member_id: str
    since: int = 0
    role: str = "attendee"
    pushed: list[str] = field(default_factory=list)

    def push(self, frame: str) -> None:
        self.pushed.append(frame)

    def close_when_sent(self, code: int) -> None:
        raise AssertionError("a direct message never closes a socket")


def test_a_direct_message_goes_to_every_socket_of_one_member_only() -> None:
    hub = RoomHub(12)
    hub.started(head=40, slow_mode=0)
    ada_tab, ada_other_tab, bo = Socket("m-ada", 40), Socket("m-ada", 40), Socket("m-bo", 40)
    for socket in (ada_tab, ada_other_tab, bo):
        assert hub.attach(socket)
    frame = '{"type":"group.signal","room":12,"from":"m-bo","signal":{"type":"bye"}}'
    hub.on_bus(direct_payload("m-ada", frame))
    assert ada_tab.pushed == [frame] and ada_other_tab.pushed == [frame]
    assert bo.pushed == []
    # Outside the log: no seq consumed, nothing waiting for the next tick.
    assert hub.delivered == 40 and hub.outbox == [] and hub.pending == {}


def test_a_direct_message_for_nobody_here_and_a_malformed_one_are_dropped() -> None:
    hub = RoomHub(12)
    hub.started(head=0, slow_mode=0)
    bo = Socket("m-bo")
    assert hub.attach(bo)
    hub.on_bus(direct_payload("m-ada", "{}"))
    hub.on_bus(b'{"d": "m-bo"}')  # no frame: logged and dropped
    assert bo.pushed == []
