"""Each room's stage on this process's SFU: who publishes which tracks, who watches them.

A session has at most two peer connections with the SFU: `publish` (its camera, microphone,
screen) and `watch` (the stage's tracks). Both are always offered by the client and answered
here with every ICE candidate gathered (aiortc does not trickle its own). A new offer on a
connection replaces it with a fresh peer connection rather than renegotiating the old one:
aiortc's answerer cannot take back a sender, and a fresh connection keeps every step the one
the tests exercise, at the price of an ICE and DTLS handshake (well under a second) whenever
the stage's tracks change.

Stage membership (invited, on stage, removed, muted) is kept here too, with the media: the
stage lives in one process's SFU (the web process on the embedded default, one media node
with Redis), and `membership`/`restore` carry it to another node if that one dies.

Connections are keyed by their owner, an opaque string naming one socket (`Session.key`), so
a stage on a media node keeps them for sockets on any web worker.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
import time
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from aiortc import MediaStreamTrack, RTCPeerConnection
from aiortc.mediastreams import MediaStreamError

from server.live.recordings import Recordings
from server.media.ice import ice_servers_for, rtc_configuration, use_host_addresses
from server.media.negotiate import answer_offer, close_quietly, guard_interrupted_connects
from server.media.publication import Publication
from server.media.sdp import CheckedSdp
from server.rooms.roles import STAGE, is_staff
from server.rooms.stage_commands import LABEL_KINDS
from server.settings import Settings

log = logging.getLogger(__name__)

SENDING = ("sendonly", "sendrecv")
# Tracks are listed once their media flows; this only covers one that ends meanwhile.
TRACK_START_S = 0.5


@dataclass
class StageTrack:
    """One published track on the stage, as everyone sees it listed."""

    id: str
    member: str
    name: str
    label: str
    publication: Publication
    owner: str  # the publishing socket
    peer: RTCPeerConnection

    def view(self, muted: bool) -> dict[str, Any]:
        muted = muted and self.label == "microphone"
        return {"id": self.id, "member": self.member, "name": self.name, "label": self.label,
                "kind": self.publication.kind, "muted": muted}  # fmt: skip


@dataclass
class RoomStage:
    """A room's stage, or (with `group`) the call of one of its breakout groups: the same
    SFU, where everyone seated in the group publishes and watches the others."""

    room_id: int
    settings: Settings
    changed: Callable[[RoomStage], None]
    group: int | None = None
    members: set[str] = field(default_factory=set)  # of the group, as the last call saw it
    tracks: dict[str, StageTrack] = field(default_factory=dict)
    publishing: dict[str, RTCPeerConnection] = field(default_factory=dict)
    publisher_of: dict[str, str] = field(default_factory=dict)  # socket -> member
    watching: dict[str, RTCPeerConnection] = field(default_factory=dict)
    invited: set[str] = field(default_factory=set)
    guests: set[str] = field(default_factory=set)  # accepted an invitation
    revoked: set[str] = field(default_factory=set)  # removed by a host
    muted: set[str] = field(default_factory=set)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _tasks: set[asyncio.Future[None]] = field(default_factory=set)

    # --- membership ---------------------------------------------------------------------

    def may_publish(self, member: str, role: str) -> bool:
        return (role in STAGE and member not in self.revoked) or member in self.guests

    def on_stage(self) -> list[str]:
        """Who is on the stage now: publishing, or invited and accepted."""
        return sorted(set(self.publisher_of.values()) | self.guests)

    def view(self) -> dict[str, Any]:
        """The whole stage, as its staff see it; `seen_by` cuts it down for anyone else."""
        if self.group is not None:
            tracks = [t.view(False) for t in self.tracks.values()]
            return {"group": self.group, "members": sorted(self.members), "tracks": tracks}
        return {"tracks": [t.view(t.member in self.muted) for t in self.tracks.values()],
                "on_stage": self.on_stage(), "invited": sorted(self.invited),
                "muted": sorted(self.muted)}  # fmt: skip

    def membership(self) -> dict[str, list[str]]:
        """Who is invited, on the stage, removed and muted: what another node takes over."""
        return {"invited": sorted(self.invited), "guests": sorted(self.guests),
                "revoked": sorted(self.revoked), "muted": sorted(self.muted)}  # fmt: skip

    def restore(self, membership: dict[str, Any]) -> None:
        self.invited = set(membership.get("invited", []))
        self.guests = set(membership.get("guests", []))
        self.revoked = set(membership.get("revoked", []))
        self.muted = set(membership.get("muted", []))

    def invite(self, member: str) -> None:
        """A host invites someone to the stage; a removal before it is lifted."""
        self.invited.add(member)
        self.revoked.discard(member)
        self.changed(self)

    def answer_invitation(self, member: str, accept: bool) -> None:
        """The invited person accepts (they may publish from now on) or declines."""
        self.invited.discard(member)
        if accept:
            self.guests.add(member)
        self.changed(self)

    def set_muted(self, member: str, muted: bool) -> None:
        (self.muted.add if muted else self.muted.discard)(member)
        for track in self.tracks.values():
            if track.member == member and track.label == "microphone":
                self._pause(track, muted)
        self.changed(self)

    @staticmethod
    def _pause(track: StageTrack, muted: bool) -> None:
        if track.publication.source is not None:
            track.publication.source.paused = muted

    async def remove(self, member: str) -> None:
        """Off the stage: their connections close, their tracks end for everyone."""
        self.guests.discard(member)
        self.invited.discard(member)
        self.revoked.add(member)
        owners = [o for o, m in self.publisher_of.items() if m == member]
        for owner in owners:
            await self.leave(owner, "publish")
        self.changed(self)

    # --- connections --------------------------------------------------------------------

    def _peer(self) -> RTCPeerConnection:
        # The SFU's own peers use the STUN servers only: a TURN relay in front of the SFU
        # buys nothing, and with no entry at all aiortc would ask a public STUN host.
        servers = ice_servers_for(self.settings.ice_servers, None, "sfu", now=time.time())
        stun = [s for s in servers if _stun_only(s["urls"])]
        guard_interrupted_connects()
        return RTCPeerConnection(rtc_configuration(stun))

    async def publish(
        self, owner: str, member: str, name: str, offer: CheckedSdp, labels: dict[str, str]
    ) -> str:
        """Answer a publisher's offer; its tracks join the stage once they arrive."""
        await self.leave(owner, "publish")
        pc = self._peer()
        self.publishing[owner] = pc
        self.publisher_of[owner] = member
        added: list[StageTrack] = []

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            # Synchronously: forwarding takes the receiver over before it starts.
            mid = next((t.mid for t in pc.getTransceivers() if t.receiver.track is track), None)
            label = labels.get(mid or "", "camera" if track.kind == "video" else "microphone")
            stage_track = StageTrack(f"t{next(self._ids)}", member, name, label,
                                     Publication(pc, track, "forward"), owner, pc)  # fmt: skip
            if label == "microphone" and member in self.muted:
                self._pause(stage_track, True)
            added.append(stage_track)

        self._close_on_failure(pc, owner, "publish")
        try:
            answer = await answer_offer(pc, offer)
        except BaseException:
            self.publishing.pop(owner, None)
            self.publisher_of.pop(owner, None)
            await close_quietly(pc)
            raise
        for stage_track in added:
            self._spawn(self._list_while_live(stage_track))
        self.changed(self)
        return answer

    async def _list_while_live(self, track: StageTrack) -> None:
        """List a track once its media flows (so a watcher's offer never waits for it), and
        take it off the list when it ends."""
        publication = track.publication
        if publication.source is not None:
            started = asyncio.ensure_future(publication.source.started.wait())
            ended = asyncio.ensure_future(publication.ended.wait())
            await asyncio.wait({started, ended}, return_when=asyncio.FIRST_COMPLETED)
            started.cancel()
            ended.cancel()
        if publication.ended.is_set() or self.publishing.get(track.owner) is not track.peer:
            return
        self.tracks[track.id] = track
        self.changed(self)
        await publication.ended.wait()
        if self.tracks.pop(track.id, None) is not None:
            self.changed(self)

    def _close_on_failure(self, pc: RTCPeerConnection, owner: str, which: str) -> None:
        """A connection whose ICE failed (the person's network, or a web worker that died with
        their socket) is closed here, so nothing is kept for a peer that is gone."""

        @pc.on("connectionstatechange")
        def on_state() -> None:
            if pc.connectionState == "failed" and self.connection(owner, which) is pc:
                self._spawn(self.leave(owner, which))

    async def watch(
        self, owner: str, offer: CheckedSdp, but: str = ""
    ) -> tuple[str, dict[str, Any]]:
        """Answer a watcher's offer: each receiving section carries the next stage track of
        its kind (not the member `but`'s own). Returns the answer and which track each mid
        carries."""
        await self.leave(owner, "watch")
        pc = self._peer()
        self.watching[owner] = pc
        self._close_on_failure(pc, owner, "watch")
        waiting = {kind: deque(t for t in self.tracks.values()
                               if t.publication.kind == kind and t.member != but)
                   for kind in ("audio", "video")}  # fmt: skip
        carried: dict[str, Any] = {}
        try:
            for media in offer.description.media:
                if media.direction != "recvonly":
                    continue
                queue = waiting.get(media.kind, deque())
                while queue:
                    track = queue.popleft()
                    try:
                        await track.publication.add_to(pc, TRACK_START_S)
                    except (TimeoutError, ValueError, MediaStreamError):
                        continue  # not started, or ended meanwhile: offer the next one
                    carried[str(media.rtp.muxId)] = track.view(track.member in self.muted)
                    break
            answer = await answer_offer(pc, offer)
        except BaseException:
            self.watching.pop(owner, None)
            await close_quietly(pc)
            raise
        return answer, carried

    def connection(self, owner: str, which: str) -> RTCPeerConnection | None:
        return (self.publishing if which == "publish" else self.watching).get(owner)

    async def leave(self, owner: str, which: str | None = None) -> None:
        """Close a session's connections (one of them, or both)."""
        for kind, peers in (("publish", self.publishing), ("watch", self.watching)):
            if which in (None, kind):
                pc = peers.pop(owner, None)
                if kind == "publish":
                    self.publisher_of.pop(owner, None)
                if pc is not None:
                    await close_quietly(pc)
        if which in (None, "publish"):
            # The tracks end as their receivers stop; drop them from the list at once.
            gone = [t.id for t in self.tracks.values() if t.owner == owner]
            for track_id in gone:
                self.tracks.pop(track_id, None)
            if gone:
                self.changed(self)

    @property
    def empty(self) -> bool:
        """Nothing to keep: no connection, track, invitation, removal or mute."""
        kept = (self.publishing, self.watching, self.tracks, self.invited, self.guests,
                self.revoked, self.muted)  # fmt: skip
        return not any(kept)

    async def close(self) -> None:
        for owner in list(self.publishing) + list(self.watching):
            await self.leave(owner)
        for task in list(self._tasks):
            task.cancel()

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


class Stages:
    """This process's SFU: one stage per room, made when first used, closed at shutdown, and
    the recordings of them. `shown` hears a stage's whole view whenever it changes."""

    def __init__(self, settings: Settings, shown: Callable[[int, dict[str, Any]], None]) -> None:
        self.settings = settings
        # Names this SFU in every view, telling nothing of the host: a client that sees it
        # change (the room's stage moved to another media node) offers its connections again.
        self.epoch = secrets.token_hex(6)
        self._shown = shown
        self.rooms: dict[int, RoomStage] = {}
        self.groups: dict[tuple[int, int], RoomStage] = {}  # (room, group) -> its call
        self.recordings = Recordings(settings.data_dir)
        if settings.media_host_addresses:
            use_host_addresses(settings.media_host_addresses)

    def of(self, room_id: int) -> RoomStage:
        stage = self.rooms.get(room_id)
        if stage is None:
            stage = self.rooms[room_id] = RoomStage(room_id, self.settings, self._changed)
        return stage

    def group(self, room_id: int, group: int, members: list[str]) -> RoomStage:
        """A breakout group's call; `members` are who sit in the group now."""
        stage = self.groups.get((room_id, group))
        if stage is None:
            stage = RoomStage(room_id, self.settings, self._changed, group=group)
            self.groups[room_id, group] = stage
        stage.members = set(members)
        return stage

    def of_room(self, room_id: int) -> list[RoomStage]:
        """The room's stage and its groups' calls, as far as they exist here."""
        found = [g for (room, _), g in self.groups.items() if room == room_id]
        return [self.rooms[room_id], *found] if room_id in self.rooms else found

    def held(self) -> set[int]:
        """The rooms with anything here."""
        return set(self.rooms) | {room for room, _ in self.groups}

    def view(self, stage: RoomStage) -> dict[str, Any]:
        """The whole stage, whether it records, and where it runs."""
        if stage.group is not None:
            return {**stage.view(), "epoch": self.epoch}
        recording = self.recordings.view(stage.room_id)
        return {**stage.view(), "recording": recording, "epoch": self.epoch}

    def _changed(self, stage: RoomStage) -> None:
        if stage.group is None:  # a recording is of the stage, never of a group's call
            self.recordings.follow(stage)
        self._shown(stage.room_id, self.view(stage))

    def kept(self, room_id: int) -> dict[str, Any] | None:
        """What the node that takes the room over after this one starts from: the stage's
        membership and the recording running."""
        stage = self.rooms.get(room_id)
        if stage is None:
            return None
        return {**stage.membership(), "recording": self.recordings.kept(room_id)}

    def restore(self, room_id: int, kept: dict[str, Any]) -> None:
        self.of(room_id).restore(kept)
        if kept.get("recording"):
            self.recordings.resume(room_id, kept["recording"])

    def forget_if_empty(self, room_id: int) -> None:
        stage = self.rooms.get(room_id)
        if stage is not None and stage.empty and room_id not in self.recordings.running:
            del self.rooms[room_id]
        for key, call in list(self.groups.items()):
            if key[0] == room_id and call.empty:
                del self.groups[key]

    async def let_go(self, room_id: int) -> None:
        """Close everything of the room here (it runs elsewhere now)."""
        if room_id in self.recordings.running:
            await self.recordings.stop(room_id)
        for stage in self.of_room(room_id):
            await stage.close()
        self.rooms.pop(room_id, None)
        for key in [k for k in self.groups if k[0] == room_id]:
            del self.groups[key]

    async def close(self) -> None:
        await self.recordings.close()  # its files end before the peers they record
        for stage in [*self.rooms.values(), *self.groups.values()]:
            await stage.close()
        self.rooms.clear()
        self.groups.clear()


def seen_by(view: dict[str, Any], member: str, role: str) -> dict[str, Any]:
    """What `member` sees of a stage's view: invitations are the staff's business and the
    invitee's own."""
    if is_staff(role):
        return view
    return {**view, "invited": [m for m in view["invited"] if m == member]}


def _stun_only(urls: str | list[str]) -> bool:
    listed = [urls] if isinstance(urls, str) else urls
    return all(u.startswith(("stun:", "stuns:")) for u in listed)


def sending_mids(offer: CheckedSdp) -> dict[str, str]:
    """mid -> kind of each section of an offer that sends media."""
    return {str(m.rtp.muxId): m.kind for m in offer.description.media
            if m.direction in SENDING}  # fmt: skip


def label_error(sending: dict[str, str], labels: dict[str, str]) -> str | None:
    """Why the track labels do not fit the offer's sending sections, or None."""
    for mid, kind in sending.items():
        label = labels.get(mid)
        if label is None:
            return f"tracks: say what media section {mid} sends (camera, microphone or screen)"
        if LABEL_KINDS[label] != kind:
            return f"tracks: {label} is not {kind} (media section {mid})"
    extra = sorted(set(labels) - set(sending))
    if extra:
        return f"tracks: media section {extra[0][:32]} sends nothing"
    return None
