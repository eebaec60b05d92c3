"""The community moderation page: the report queue, the bans in force and the audit log,
for the community's owners and moderators only.

Resolving a report and lifting a ban go through the same store changes as the room's
socket (`store/reports.py`, `store/moderation.py`), which write the audit record with the
act; a resolved report's `report.handled` reaches the reporter's open room as the socket's
handlers send it. The audit log is only read here: no route changes or deletes a record.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal
from urllib.parse import quote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, StringConstraints
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from server.http.context import current_person, require_person, studyhall
from server.http.errors import UserError, forbidden, not_found
from server.http.events import room_record
from server.http.events.access import viewer_zone
from server.http.events.exports import csv_file
from server.http.events.present import iso
from server.http.forms import Input, parse, parse_or_errors, read_input
from server.rooms import moderation as rules
from server.rooms.commands import CommandError
from server.store import audit_log, communities, moderation, reports
from server.store.rooms import Speaker
from server.store.tables import Community, Person

from . import pages
from .inputs import MAX_ID

# How each act reads in the log; an act not listed here reads as its name.
ACTIONS = {
    "mute": "Muted",
    "unmute": "Lifted a mute",
    "remove": "Removed from the room",
    "ban": "Banned from the community",
    "unban": "Lifted a ban",
    "lock": "Locked the room",
    "unlock": "Unlocked the room",
    "waiting_room_on": "Turned the waiting room on",
    "waiting_room_off": "Turned the waiting room off",
    "admit": "Let in from the waiting room",
    "delete_message": "Deleted a message",
    "restore_message": "Restored a message",
    "hide_question": "Hid a question",
    "restore_question": "Restored a question",
    "slow_mode": "Set slow mode",
    "report_actioned": "Handled a report",
    "report_dismissed": "Dismissed a report",
}
KINDS = {"message": "Message", "question": "Question", "name": "Display name", "person": "Person"}
DONE = {
    "report_actioned": "The report is marked handled; the person who filed it was told.",
    "report_dismissed": "The report is dismissed; the person who filed it was told.",
    "unbanned": "The ban is lifted: that person may join the community's rooms again.",
}
# Owners co-host every room of their community, moderators moderate (store/room_access.py).
ROOM_ROLES = {"owner": "co-host", "moderator": "moderator"}
# A refusal of the store shown on the page: the report or ban is gone, or the form is wrong.
_STATUS = {"not_found": 404, "conflict": 409, "invalid": 422}
RECORD_FIELDS = (
    "id", "at", "room", "actor", "actor_name", "action", "subject", "subject_name", "reason",
    "detail",
)  # fmt: skip


class ResolveForm(Input):
    outcome: Literal["actioned", "dismissed"]
    note: Annotated[str, StringConstraints(max_length=rules.MAX_REASON * 2)] = ""


class AuditPaging(Input):
    before: Annotated[int, Field(ge=1, le=MAX_ID)] | None = None
    limit: Annotated[int, Field(ge=1, le=200)] = audit_log.PAGE


@dataclass(frozen=True)
class Staff:
    person: Person
    community: Community
    role: str  # owner or moderator

    def speaker(self) -> Speaker:
        return Speaker(f"p{self.person.id}", "", self.person.display_name,
                       ROOM_ROLES[self.role])  # fmt: skip


async def staff(request: Request) -> Staff:
    """The signed-in owner or moderator and their community; else 401, 404 or 403."""
    person = require_person(request)
    community = await pages.find(request)
    role = await studyhall(request).store.read(communities.role_of, community.id, person.id)
    if role not in communities.MANAGERS:
        raise forbidden("Only the owners and moderators of this community can moderate it.")
    return Staff(person, community, role)


def record_json(entry: audit_log.Entry) -> dict[str, Any]:
    """One audit record as exported: person keys (pseudonymous once an account is gone) and
    the names they have now."""
    return {
        "id": entry.id, "at": iso(entry.at), "room": entry.room_id, "actor": entry.actor_key,
        "actor_name": entry.actor_name, "action": entry.action, "subject": entry.subject_key,
        "subject_name": entry.subject_name, "reason": entry.reason, "detail": entry.detail,
    }  # fmt: skip


def describe(entry: audit_log.Entry, zone: str) -> str:
    """The particulars of an act in words: how long, which message, which report."""
    d = entry.detail
    parts: list[str] = []
    if isinstance(d.get("until"), str):
        try:
            until = datetime.fromisoformat(d["until"].replace("Z", "+00:00"))
        except ValueError:  # written by the server, so never; but a page must not fail on it
            parts.append(f"until {d['until']}")
        else:
            parts.append(f"until {local(until, zone)}")
    if "seconds" in d:
        parts.append(f"one message per {d['seconds']} s" if d["seconds"] else "off")
    for key, word in (("message", "message"), ("question", "question"), ("report", "report"),
                      ("ban", "ban")):  # fmt: skip
        if key in d:
            parts.append(f"{word} #{d[key]}")
    if "count" in d:
        parts.append(f"{d['count']} {'person' if d['count'] == 1 else 'people'}")
    return ", ".join(parts)


def local(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%d %b %Y, %H:%M")


def _zone(request: Request) -> str:
    """The viewer's time zone for the page's times; UTC if theirs is not known here."""
    zone = viewer_zone(request)
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return zone


def _page_url(community: Community, query: str = "", anchor: str = "") -> str:
    return f"/c/{community.slug}/moderation{query}{anchor}"


async def _render(
    request: Request, who: Staff, status: int = 200, *, before: int | None = None,
    problem: str | None = None, report_errors: dict[int, str] | None = None,
    notes: dict[int, str] | None = None,
) -> Response:  # fmt: skip
    view = await studyhall(request).store.read_consistent(
        audit_log.overview, who.community.id, before=before
    )
    zone = _zone(request)
    done = DONE.get(request.query_params.get("done", ""))
    context = {
        "community": who.community, "view": view, "actions": ACTIONS, "kinds": KINDS,
        "zone": zone, "local": local, "describe": describe, "before": before,
        "done": None if problem else done, "problem": problem,
        "report_errors": report_errors or {}, "notes": notes or {},
        "queue_limit": audit_log.QUEUE,
    }  # fmt: skip
    templates = studyhall(request).templates
    return templates.TemplateResponse(
        request, "communities/moderation.html", context, status_code=status
    )


def _refused(err: CommandError) -> tuple[int, str]:
    return _STATUS.get(err.code, 422), err.message[:1].upper() + err.message[1:]


async def moderation_page(request: Request) -> Response:
    if current_person(request) is None:
        path = quote(request.url.path, safe="/")
        return RedirectResponse(f"/sign-in?next={path}", status_code=303)
    who = await staff(request)
    wanted = {k: v for k, v in request.query_params.items() if k == "before"}
    return await _render(request, who, before=parse(AuditPaging, wanted).before)


def path_id(request: Request, name: str, what: str) -> int:
    found: int = request.path_params[name]
    if not 0 < found <= MAX_ID:
        raise not_found(what)
    return found


async def resolve_report(request: Request) -> Response:
    who = await staff(request)
    report_id = path_id(request, "report_id", "That report")
    values = await read_input(request)
    data, errors = parse_or_errors(ResolveForm, values)
    note = str(values.get("note", ""))
    if data is None:
        message = next(iter(errors.values()))
        return await _render(request, who, 422, report_errors={report_id: message},
                             notes={report_id: note})  # fmt: skip
    try:
        logged = await studyhall(request).store.write(
            reports.resolve, who.community.id, who.speaker(), report_id, data.outcome,
            rules.clean_reason(data.note),
        )  # fmt: skip
    except CommandError as err:
        status, message = _refused(err)
        if err.code == "invalid":
            return await _render(request, who, status, report_errors={report_id: message},
                                 notes={report_id: note})  # fmt: skip
        return await _render(request, who, status, problem=message)
    if logged is not None:
        await room_record.publish(request, [logged])
    query = f"?done=report_{data.outcome}"
    return RedirectResponse(_page_url(who.community, query, "#reports"), status_code=303)


async def undo_ban(request: Request) -> Response:
    who = await staff(request)
    ban_id = path_id(request, "ban_id", "That ban")
    try:
        await studyhall(request).store.write(
            moderation.unban, who.community.id, who.speaker().key, ban_id
        )
    except CommandError as err:
        status, message = _refused(err)
        return await _render(request, who, status, problem=message)
    return RedirectResponse(_page_url(who.community, "?done=unbanned", "#bans"), status_code=303)


async def _every_record(request: Request) -> tuple[Staff, list[dict[str, Any]]]:
    who = await staff(request)
    found = await studyhall(request).store.read_consistent(audit_log.every_record, who.community.id)
    return who, [record_json(e) for e in found]


async def audit_csv(request: Request) -> Response:
    who, rows = await _every_record(request)
    cells = (
        [json.dumps(row[f]) if f == "detail" else row[f] for f in RECORD_FIELDS] for row in rows
    )
    return csv_file(f"{who.community.slug}-audit-log.csv", RECORD_FIELDS, cells)


async def audit_json(request: Request) -> Response:
    who, rows = await _every_record(request)
    disposition = f'attachment; filename="{who.community.slug}-audit-log.json"'
    return JSONResponse(
        {"community": who.community.slug, "records": rows},
        headers={"Content-Disposition": disposition},
    )


def user_error(err: CommandError) -> UserError:
    status, message = _refused(err)
    return UserError(message, status=status, field=err.field)


_HERE = "/c/{slug}/moderation"
routes = [
    Route(_HERE, moderation_page),
    Route(_HERE + "/reports/{report_id:int}", resolve_report, methods=["POST"]),
    Route(_HERE + "/bans/{ban_id:int}/undo", undo_ban, methods=["POST"]),
    Route(_HERE + "/audit.csv", audit_csv),
    Route(_HERE + "/audit.json", audit_json),
]
