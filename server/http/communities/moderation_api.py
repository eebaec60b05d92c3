"""The community moderation JSON API: the report queue, the bans in force and the audit log,
for the community's owners and moderators. Each docstring's YAML is this endpoint's part of
/api/openapi.json. The audit log is read-only here as on the page.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.http.context import studyhall
from server.http.events import room_record
from server.http.events.present import iso
from server.http.forms import parse, read_input
from server.rooms import moderation as rules
from server.rooms.commands import CommandError
from server.store import audit_log, moderation, reports

from .moderation import AuditPaging, ResolveForm, path_id, record_json, staff, user_error


def report_json(report: reports.ReportView, rooms: dict[int, str]) -> dict[str, Any]:
    """An open report as its moderators see it: never who filed it."""
    room = report.room_id
    return {
        "id": report.id, "kind": report.kind, "item": report.subject_id,
        "name": report.subject_name, "excerpt": report.excerpt, "reason": report.reason,
        "at": iso(report.created_at), "room": room,
        "room_title": rooms.get(room) if room is not None else None,
    }  # fmt: skip


def ban_json(ban: audit_log.BanInForce) -> dict[str, Any]:
    return {
        "id": ban.id, "person": ban.person_key, "name": ban.name, "reason": ban.reason,
        "by": ban.by_key, "by_name": ban.by_name, "at": iso(ban.created_at),
    }  # fmt: skip


async def list_audit(request: Request) -> Response:
    """
    summary: The community's audit log, newest first (owners and moderators)
    description: >
      Every moderator and host action, one record each. Page backwards with `before`, the
      `next_before` of the previous answer. Records cannot be changed or deleted.
    tags: [moderation]
    parameters:
      - {name: before, in: query, schema: {type: integer, minimum: 1}}
      - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 200, default: 50}}
    responses:
      200:
        description: >
          {"records": [{"id", "at", "room", "actor", "actor_name", "action", "subject",
          "subject_name", "reason", "detail"}], "next_before": id or null}
      401: {description: Not signed in}
      403: {description: Not an owner or moderator}
      404: {description: No such community}
      422: {description: A paging parameter is invalid}
    """
    who = await staff(request)
    wanted = ("before", "limit")
    paging = parse(AuditPaging, {k: v for k, v in request.query_params.items() if k in wanted})
    found, more = await studyhall(request).store.read(
        audit_log.records, who.community.id, before=paging.before, limit=paging.limit
    )
    next_before = found[-1].id if more and found else None
    return JSONResponse({"records": [record_json(e) for e in found], "next_before": next_before})


async def list_reports(request: Request) -> Response:
    """
    summary: The community's open reports, oldest first (owners and moderators)
    description: Who filed a report is never shown.
    tags: [moderation]
    responses:
      200:
        description: >
          {"reports": [{"id", "kind", "item", "name", "excerpt", "reason", "at", "room",
          "room_title"}]}
      401: {description: Not signed in}
      403: {description: Not an owner or moderator}
      404: {description: No such community}
    """
    who = await staff(request)
    found, rooms = await studyhall(request).store.read(audit_log.open_reports, who.community.id)
    return JSONResponse({"reports": [report_json(r, rooms) for r in found]})


async def resolve_report(request: Request) -> Response:
    """
    summary: Resolve an open report as actioned or dismissed (owners and moderators)
    description: The person who filed it is told it was handled (`report.handled`), not how.
    tags: [moderation]
    requestBody:
      content: {application/json: {schema: {$ref: "#/components/schemas/ResolveReport"}}}
    responses:
      204: {description: Resolved}
      401: {description: Not signed in}
      403: {description: Not an owner or moderator}
      404: {description: No such report in this community}
      409: {description: The report was handled already}
      422: {description: A field is invalid}
    """
    who = await staff(request)
    report_id = path_id(request, "report_id", "That report")
    data = parse(ResolveForm, await read_input(request))
    try:
        logged = await studyhall(request).store.write(
            reports.resolve, who.community.id, who.speaker(), report_id, data.outcome,
            rules.clean_reason(data.note),
        )  # fmt: skip
    except CommandError as err:
        raise user_error(err) from None
    if logged is not None:
        await room_record.publish(request, [logged])
    return Response(status_code=204)


async def list_bans(request: Request) -> Response:
    """
    summary: Who is banned from the community, newest first (owners and moderators)
    tags: [moderation]
    responses:
      200: {description: '{"bans": [{"id", "person", "name", "reason", "by", "by_name", "at"}]}'}
      401: {description: Not signed in}
      403: {description: Not an owner or moderator}
      404: {description: No such community}
    """
    who = await staff(request)
    found = await studyhall(request).store.read(audit_log.bans_in_force, who.community.id)
    return JSONResponse({"bans": [ban_json(b) for b in found]})


async def lift_ban(request: Request) -> Response:
    """
    summary: Lift a ban (owners and moderators); the lifting is audited
    tags: [moderation]
    responses:
      204: {description: Lifted}
      401: {description: Not signed in}
      403: {description: Not an owner or moderator}
      404: {description: No such ban in force in this community}
    """
    who = await staff(request)
    ban_id = path_id(request, "ban_id", "That ban")
    try:
        await studyhall(request).store.write(
            moderation.unban, who.community.id, who.speaker().key, ban_id
        )
    except CommandError as err:
        raise user_error(err) from None
    return Response(status_code=204)


SCHEMAS: dict[str, type[BaseModel]] = {"ResolveReport": ResolveForm}

_ONE = "/api/communities/{slug}"
routes = [
    Route(_ONE + "/audit", list_audit, methods=["GET"]),
    Route(_ONE + "/reports", list_reports, methods=["GET"]),
    Route(_ONE + "/reports/{report_id:int}", resolve_report, methods=["POST"]),
    Route(_ONE + "/bans", list_bans, methods=["GET"]),
    Route(_ONE + "/bans/{ban_id:int}", lift_ban, methods=["DELETE"]),
]
