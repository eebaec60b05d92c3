"""How events look from outside: times in a zone, JSON bodies, and the values of the edit form.

JSON times are UTC with a `Z`; the `local_` fields repeat them as the event's wall-clock time
in its own zone, which is also the shape the create and edit inputs take.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response

from server.http.context import studyhall
from server.store.calendar import next_meeting, room_is_open
from server.store.event_directory import EventDetails, Speaker
from server.store.registrations import Attendee
from server.store.tables import Community, Event, Registration

from .inputs import KIND_NAMES


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def local_iso(moment: datetime, zone: str) -> str:
    """The wall-clock time in `zone`, as `<input type="datetime-local">` shows it."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


def when(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%a %d %b %Y, %H:%M")


def span(start: datetime, end: datetime, zone: str) -> str:
    """`Fri 15 Jan 2027, 18:00–19:30`, the end's date left out when it is the same day."""
    tz = ZoneInfo(zone)
    a, b = start.astimezone(tz), end.astimezone(tz)
    tail = b.strftime("%H:%M") if a.date() == b.date() else when(b, zone)
    return f"{when(a, zone)}–{tail}"


def seats_left(event: Event) -> int | None:
    return None if event.capacity is None else max(0, event.capacity - event.going_count)


def _speakers(speakers: list[Speaker]) -> list[dict[str, Any]]:
    return [{"id": s.id, "display_name": s.display_name} for s in speakers]


def summary_json(event: Event, community: Community, tags: list[str]) -> dict[str, Any]:
    """An event as the directory lists it."""
    return {
        "id": event.id,
        "kind": event.kind,
        "title": event.title,
        "community": {"slug": community.slug, "name": community.name},
        "starts_at": iso(event.starts_at),
        "ends_at": iso(event.ends_at),
        "series_ends_at": iso(event.series_ends_at),
        "timezone": event.timezone,
        "local_starts_at": local_iso(event.starts_at, event.timezone),
        "local_ends_at": local_iso(event.ends_at, event.timezone),
        "attendance": event.attendance,
        "weekly_count": event.weekly_count,
        "capacity": event.capacity,
        "going_count": event.going_count,
        "seats_left": seats_left(event),
        "tags": tags,
        "url": f"/events/{event.id}",
        "ics_url": f"/events/{event.id}.ics",
    }


def event_json(
    details: EventDetails, now: datetime, attendees: list[Attendee] | None = None
) -> dict[str, Any]:
    """One event in full; `attendees` (with emails) only for the community's managers."""
    event = details.event
    meeting = next_meeting(event, now)
    out = {
        **summary_json(event, details.community, details.tags),
        "description": event.description,
        "venue": event.venue,
        "address": event.address,
        "waitlist_count": details.waitlist_count,
        "speakers": _speakers(details.speakers),
        "agenda": [
            {
                "title": a.title,
                "starts_at": iso(a.starts_at),
                "ends_at": iso(a.ends_at),
                "speakers": _speakers(a.speakers),
            }
            for a in details.agenda
        ],
        "next_meeting": None if meeting is None else {"starts_at": iso(meeting[0])},
        "registration_open": now < event.series_ends_at,
        "room_open": room_is_open(event, now),
        "room_url": f"/events/{event.id}/room",
    }
    if attendees is not None:
        out["attendees"] = [
            {
                "name": a.name,
                "email": a.email,
                "status": a.status,
                "guest": a.person_id is None,
                "queued_at": iso(a.queued_at),
            }
            for a in attendees
        ]
    return out


def registration_json(registration: Registration, position: int | None) -> dict[str, Any]:
    return {
        "id": registration.id,
        "event_id": registration.event_id,
        "status": registration.status,
        "waitlist_position": position,
        "queued_at": iso(registration.queued_at),
    }


def values_of(details: EventDetails) -> dict[str, Any]:
    """The event as input: what the edit form shows and what a PATCH is laid over."""
    event, zone = details.event, details.event.timezone
    return {
        "kind": event.kind,
        "title": event.title,
        "description": event.description,
        "timezone": zone,
        "starts_at": local_iso(event.starts_at, zone),
        "ends_at": local_iso(event.ends_at, zone),
        "capacity": event.capacity,
        "attendance": event.attendance if event.kind == "meetup" else None,
        "venue": event.venue,
        "address": event.address,
        "weekly_count": event.weekly_count,
        "tags": list(details.tags),
        "speaker_ids": [s.id for s in details.speakers],
        "agenda": [
            {
                "title": a.title,
                "starts_at": local_iso(a.starts_at, zone),
                "ends_at": local_iso(a.ends_at, zone),
                "speaker_ids": [s.id for s in a.speakers],
            }
            for a in details.agenda
        ],
    }


def form_values(values: dict[str, Any]) -> dict[str, Any]:
    """Input-shaped values flattened the way the form's fields are named."""
    out = {k: v for k, v in values.items() if k != "agenda"}
    out["tags"] = ", ".join(values.get("tags") or [])
    out["capacity"] = "" if values.get("capacity") is None else values["capacity"]
    out["weekly_count"] = "" if values.get("weekly_count") is None else values["weekly_count"]
    out["attendance"] = values.get("attendance") or "online"
    out["speaker_ids"] = [str(p) for p in values.get("speaker_ids") or []]
    for n, item in enumerate(values.get("agenda") or []):
        for name in ("title", "starts_at", "ends_at"):
            out[f"agenda_{n}_{name}"] = item[name]
        out[f"agenda_{n}_speaker_ids"] = [str(p) for p in item["speaker_ids"]]
    return out


# Messages shown after a redirect, chosen by a fixed key: the query string never carries text.
NOTICES = {
    "created": "The event is created.",
    "saved": "Your changes are saved.",
    "going": "You are registered: see you there!",
    "waitlisted": "The event is full: you are on the waitlist and move up as seats free.",
    "cancelled": "Your registration is cancelled.",
    "registered": "You are registered. Keep the link of this page: it is your way in.",
    "answered": "Your answer is saved: the person who asked sees it here.",
    "poll_saved": "The draft poll is saved: launch it from the room when the time comes.",
}


def helpers() -> dict[str, Any]:
    """What every event template formats times and kinds with."""
    return {"when": when, "span": span, "kinds": KIND_NAMES}


def page(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    notice = NOTICES.get(request.query_params.get("done", ""))
    return studyhall(request).templates.TemplateResponse(
        request, name, {**helpers(), "notice": notice, **context}, status_code=status
    )
