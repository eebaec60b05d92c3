"""What the event page shows of its room: the questions and polls, each viewer seeing what
the room's own rules (`rooms/qa.py`, `rooms/polls.py`) let them see there.

A viewer's role is their live role in the room; anyone without one (signed out, or not
registered) sees what an attendee sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from server.http.context import current_person, studyhall
from server.rooms import polls as poll_rules
from server.rooms import qa
from server.rooms.members import member_id
from server.rooms.roles import HOSTS, STAFF, STAGE
from server.store import qa_archive, room_access
from server.store.rooms import Logged, Speaker
from server.store.tables import Person

# The states in which the stage may still give (or change) a written answer.
ANSWERABLE: frozenset[str] = frozenset(qa.MOVES["qa.answered"])
# Exports: the Q&A to the room's staff, polls and quiz scores to hosts and co-hosts.
QA_EXPORTERS: frozenset[str] = STAFF
POLL_EXPORTERS: frozenset[str] = HOSTS

QUESTION_STATES = {
    "pending": "Waiting for screening",
    "open": "Open",
    "answering": "Being answered",
    "answered": "Answered",
    "dismissed": "Dismissed",
}
REASONS = {
    "dismissed": "Dismissed",
    "hidden": "Hidden by the moderators",
    "withdrawn": "Withdrawn",
    "merged": "Merged",
}
POLL_KINDS = {
    "single": "Single choice",
    "multiple": "Multiple choice",
    "rating": "Rating, 1 to 5",
    "word_cloud": "Word cloud",
    "quiz": "Quiz",
}
POLL_STATES = {"draft": "Draft", "live": "Live", "closed": "Closed"}


@dataclass(frozen=True)
class Viewer:
    """Who is looking, as the room knows them: member id ("" when signed out) and role."""

    person: Person | None
    member: str
    role: str

    @property
    def stage(self) -> bool:
        return self.role in STAGE

    def speaker(self) -> Speaker:
        assert self.person is not None
        return Speaker(f"p{self.person.id}", self.member, self.person.display_name, self.role)


async def viewer(request: Request, event_id: int) -> Viewer:
    person = current_person(request)
    if person is None:
        return Viewer(None, "", "attendee")
    sh = studyhall(request)
    entry = await sh.store.read(room_access.entry_for_person, event_id, person.id)
    member = member_id(sh.settings.secret_key, event_id, f"p{person.id}")
    return Viewer(person, member, entry.role if entry is not None else "attendee")


def shown_polls(record: qa_archive.RoomRecord, who: Viewer) -> list[poll_rules.PollView]:
    """All polls to the stage, drafts included; to everyone else the closed, revealed ones."""
    out = []
    for poll in record.polls:
        if not who.stage and not (poll.state == "closed" and poll.revealed):
            continue
        seen = poll_rules.view(poll, who.member, who.role)
        if seen is not None:
            out.append(seen)
    return out


async def context(request: Request, event_id: int) -> dict[str, Any]:
    """The event page's part about its room."""
    who = await viewer(request, event_id)
    record = await studyhall(request).store.read_consistent(qa_archive.room_record, event_id)
    seen = qa.view(record.board, who.member, who.role)["questions"]
    return {
        "viewer": who,
        # Dismissed questions left the queue for good; their authors find them under "Your
        # questions", the staff in the export.
        "questions": [q for q in seen if q["state"] != "dismissed"],
        "polls": shown_polls(record, who),
        "answerable": ANSWERABLE,
        "export_qa": who.role in QA_EXPORTERS,
        "export_polls": who.role in POLL_EXPORTERS,
        "question_states": QUESTION_STATES,
        "reasons": REASONS,
        "poll_kinds": POLL_KINDS,
        "poll_states": POLL_STATES,
        "tally": tally,
        "describe": describe,
    }


def tally(kind: str, options: list[str], results: poll_rules.Results) -> list[tuple[str, int]]:
    """A poll's results as (answer, people) rows: per option, per rating, or per word."""
    if kind == "word_cloud":
        return [(w["word"], w["count"]) for w in results["words"]]
    if kind == "rating":
        return [(str(r), c) for r, c in zip(poll_rules.RATINGS, results["counts"], strict=True)]
    return list(zip(options, results["counts"], strict=True))


def describe(kind: str, options: list[str], value: int | list[int] | str) -> str:
    """One person's answer in words: the option(s) chosen, the rating, or the word."""
    if isinstance(value, str) or kind == "rating":
        return str(value)
    chosen = value if isinstance(value, list) else [value]
    return "; ".join(options[i] for i in chosen if 0 <= i < len(options))


async def publish(request: Request, logged: list[Logged]) -> None:
    """Send the events of a committed change to the open rooms, in order, as the socket's
    handlers do; a room that misses one (the bus down) catches up from the log."""
    live = studyhall(request).live
    if live is None:
        return
    for each in logged:
        await live.publish(each)
