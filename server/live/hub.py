"""One room on one worker: its local sessions, in-order delivery, one bus subscription.

Events reach the hub from this worker's own commits and from the bus. Either may come out of
order or not at all (pub/sub is at-most-once), so the hub delivers strictly by `seq`: it
holds back what arrives early, and fills any gap from the store. Every tick it sends each
local session one frame with what is new, encoded once for all who see the same events.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter, deque
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from server.live.frames import Wired, encode, events_frame
from server.rooms.events import ALL, can_see
from server.rooms.moderation import CLOSE_BANNED, CLOSE_REMOVED
from server.rooms.reactions import Tally
from server.store.presence import Arrival

if TYPE_CHECKING:
    from server.bus import Subscription

log = logging.getLogger(__name__)

RECENT = 2048  # events kept in memory for joins and resumes; older ones come from the store
# How long a ban seen here also sends away a socket that joins after it (see `attach`): more
# than a join takes from the ban check at the door to the hub.
JOIN_RACE_S = 10.0
# Events that carry a whole count: a later one of the same id and audience makes an earlier
# one in the same frame useless, so a hundred votes in a tick send one count, not a hundred.
COUNTS = frozenset({"question.voted", "poll.results"})


class Listener(Protocol):
    """What the hub needs of a session."""

    since: int
    member_id: str
    role: str

    def push(self, frame: str) -> None: ...

    def close_when_sent(self, code: int) -> None: ...


class RoomHub:
    def __init__(self, room_id: int) -> None:
        self.room_id = room_id
        self.channel = f"room:{room_id}"
        self.sessions: set[Listener] = set()
        self.delivered = -1  # unknown until start() reads the store's head
        self.flushed = -1
        self.pending: dict[int, Wired] = {}
        self.outbox: list[Wired] = []
        self.recent: deque[Wired] = deque(maxlen=RECENT)
        self.gap_since: float | None = None
        self.needs_catch_up = False
        self.slow_mode = 0
        # Moderation as the room's log tells it: mutes running (member -> until), people to
        # send away once they have seen why, and sockets held in the waiting room.
        self.muted: dict[str, datetime] = {}
        self.sending_away: dict[str, int] = {}
        # The latest removal or ban of each member seen here: its event, and when.
        self.sent_away: dict[str, tuple[Wired, float]] = {}
        self.waiting: dict[str, set[Listener]] = {}
        self.reactions_heard = Tally()  # from every worker, through the bus
        self.reactions_made = Tally()  # on this worker, published once a second
        # Presence: local sockets per member, and what this worker has written to the store.
        self.local: Counter[str] = Counter()
        self.info: dict[str, Arrival] = {}
        self.stored: dict[str, Arrival] = {}
        self.subscription: Subscription | None = None
        self.stage_feed: Subscription | None = None  # the stage's views, from a media node
        self.idle_since: float | None = time.monotonic()

    async def unsubscribe(self) -> None:
        for subscription in (self.subscription, self.stage_feed):
            if subscription is not None:
                await subscription.close()

    def started(self, head: int, slow_mode: int) -> None:
        self.delivered = self.flushed = head
        self.slow_mode = slow_mode
        for seq in [s for s in self.pending if s <= head]:
            del self.pending[seq]
        self._advance()

    def on_bus(self, payload: bytes) -> None:
        try:
            message = json.loads(payload)
            if "e" in message:
                event = message["e"]
                self.offer(Wired(int(event["seq"]), str(message["a"]), event))
            elif "r" in message:
                self.reactions_heard.merge(message["r"])
            elif "d" in message:
                self.deliver_direct(str(message["d"]), str(message["f"]))
        except (ValueError, KeyError, TypeError):
            log.warning("dropped a malformed bus message on %s", self.channel)

    def deliver_direct(self, member: str, frame: str) -> None:
        """A frame for one member's sockets only, outside the room's log (call signals)."""
        for session in list(self.sessions):
            if session.member_id == member:
                session.push(frame)

    def on_reconnect(self) -> None:
        self.needs_catch_up = True

    def offer(self, wired: Wired) -> None:
        if self.delivered >= 0 and wired.seq <= self.delivered:
            return
        self.pending.setdefault(wired.seq, wired)
        if self.delivered >= 0:
            self._advance()

    def _advance(self) -> None:
        while self.delivered + 1 in self.pending:
            wired = self.pending.pop(self.delivered + 1)
            self.delivered = wired.seq
            self.outbox.append(wired)
            self.recent.append(wired)
            self._moderate(wired)
        if not self.pending:
            self.gap_since = None
        elif self.gap_since is None:
            self.gap_since = time.monotonic()

    def _moderate(self, wired: Wired) -> None:
        """Apply what a room event changes in this hub: settings, mutes, who must go."""
        event = wired.event
        kind, member = event.get("type"), str(event.get("member", ""))
        if kind == "room.updated":
            state = event["state"]
            if isinstance(state, dict):
                self.slow_mode = int(state.get("slow_mode", self.slow_mode))
        elif kind == "member.muted":
            self.muted[member] = datetime.fromisoformat(str(event["until"]))
        elif kind == "member.unmuted":
            self.muted.pop(member, None)
        elif kind in ("member.removed", "member.banned"):
            code = CLOSE_BANNED if kind == "member.banned" else CLOSE_REMOVED
            self.sending_away[member] = code
            self.sent_away[member] = (wired, time.monotonic())
            # Sockets held at the door get no room frames from `flush`: tell them here.
            for session in self.waiting.pop(member, set()):
                session.push(events_frame(self.room_id, [wired.text]))
                session.close_when_sent(code)
        elif kind == "door.waiting":
            admitted = event.get("admitted")
            for someone in admitted if isinstance(admitted, list) else []:
                for session in self.waiting.pop(str(someone), set()):
                    session.push(encode({"type": "admitted", "room": self.room_id}))

    def muted_until(self, member: str, now: datetime) -> datetime | None:
        until = self.muted.get(member)
        return until if until is not None and until > now else None

    def gap_older_than(self, seconds: float) -> bool:
        return self.gap_since is not None and time.monotonic() - self.gap_since > seconds

    def flush(self) -> None:
        """Send each session what is new since its own `since`, encoded once per audience."""
        if not self.outbox:
            return
        batch, self.outbox = _latest_counts(self.outbox), []
        first, last = batch[0].seq, batch[-1].seq
        everyone = all(w.audience == ALL for w in batch)
        shared: str | None = None
        frames: dict[tuple[int, ...], str] = {}
        for session in list(self.sessions):
            if everyone and session.since < first:
                if shared is None:
                    shared = events_frame(self.room_id, [w.text for w in batch])
                session.push(shared)
            else:
                picked = tuple(i for i, w in enumerate(batch) if self._sees(session, w))
                if picked:
                    if picked not in frames:
                        frames[picked] = events_frame(self.room_id, [batch[i].text for i in picked])
                    session.push(frames[picked])
            session.since = max(session.since, last)
        self.flushed = last
        if self.sending_away:
            away, self.sending_away = self.sending_away, {}
            for session in list(self.sessions):
                if session.member_id in away:
                    session.close_when_sent(away[session.member_id])

    def flush_reactions(self) -> None:
        if not self.reactions_heard:
            return
        frame = encode({"type": "reactions", "room": self.room_id,
                        "counts": self.reactions_heard.take()})  # fmt: skip
        for session in list(self.sessions):
            session.push(frame)

    @staticmethod
    def _sees(session: Listener, wired: Wired) -> bool:
        return wired.seq > session.since and can_see(wired.audience, session.member_id,
                                                     session.role)  # fmt: skip

    def attach(self, session: Listener) -> bool:
        """Add a session whose state is current up to `session.since`.

        Events already flushed to others after that point are sent to it from memory first.
        False when memory does not reach back that far: the caller reads the store, advances
        `since`, and tries again.
        """
        since = session.since
        if session.since < self.flushed:
            if not self.recent or self.recent[0].seq > session.since + 1:
                return False
            texts = [w.text for w in self.recent
                     if w.seq <= self.flushed and self._sees(session, w)]  # fmt: skip
            if texts:
                session.push(events_frame(self.room_id, texts))
            session.since = self.flushed
        self.sessions.add(session)
        self.idle_since = None
        self._send_away_late(session, since)
        return True

    def _send_away_late(self, session: Listener, since: int) -> None:
        """Close a session that comes in after its person was sent away from here.

        A join checks bans at the door, then takes a while (presence, snapshot) to get here;
        a removal or ban flushed meanwhile closed the person's other sockets, not this one.
        A removal after the session's `since` sends it away (it was just sent the event from
        `recent`); so does a ban seen here within `JOIN_RACE_S`, even one before `since`,
        which the close code alone tells of (the ban may have come after the door's check
        and before the snapshot; someone unbanned that quickly is sent away once, and
        rejoins).
        """
        found = self.sent_away.get(session.member_id)
        if found is None or found[0].seq > self.flushed:
            return  # not sent to anyone yet: the next flush sends it, then closes this too
        wired, seen_at = found
        banned = wired.event["type"] == "member.banned"
        recent = time.monotonic() - seen_at < JOIN_RACE_S
        if wired.seq > since or (banned and recent):
            session.close_when_sent(CLOSE_BANNED if banned else CLOSE_REMOVED)

    def detach(self, session: Listener) -> None:
        self.sessions.discard(session)
        if not self.sessions:
            self.idle_since = time.monotonic()

    def presence_changes(self) -> tuple[list[Arrival], list[str]]:
        """What this worker must tell the store: who arrived (or changed), who left."""
        arrivals = [a for m, a in self.info.items()
                    if self.local[m] > 0 and self.stored.get(m) != a]  # fmt: skip
        departures = [m for m in self.stored if self.local[m] <= 0]
        return arrivals, departures

    def presence_written(self, arrivals: list[Arrival], departures: list[str]) -> None:
        for a in arrivals:
            self.stored[a.member] = a
        for m in departures:
            self.stored.pop(m, None)
            if self.local[m] <= 0:
                self.local.pop(m, None)
                self.info.pop(m, None)


def direct_payload(member: str, frame: str) -> bytes:
    """A bus message for `deliver_direct` on every worker with the room."""
    return encode({"d": member, "f": frame}).encode()


def _latest_counts(batch: list[Wired]) -> list[Wired]:
    """The batch without counts that a later count of the same thing replaces."""
    seen: set[tuple[object, object, str]] = set()
    kept: list[Wired] = []
    for wired in reversed(batch):
        kind = wired.event.get("type")
        if kind in COUNTS:
            key = (kind, wired.event.get("id"), wired.audience)
            if key in seen:
                continue
            seen.add(key)
        kept.append(wired)
    kept.reverse()
    return kept
