"""The communities JSON API. Each docstring's YAML is this endpoint's part of /api/openapi.json."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.http.context import require_person, studyhall
from server.http.errors import not_found
from server.http.forms import parse, read_input
from server.store import communities
from server.store.tables import Community, Event

from . import pages
from .inputs import MAX_ID, CommunityEdit, Join, NewCommunity, Paging, RoleChange


def listing_json(community: Community, member_count: int) -> dict[str, Any]:
    return {
        "slug": community.slug,
        "name": community.name,
        "description": community.description,
        "join_policy": community.join_policy,
        "member_count": member_count,
        "url": f"/c/{community.slug}",
    }


def event_json(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "kind": event.kind,
        "title": event.title,
        "starts_at": event.starts_at.isoformat(),
        "ends_at": event.ends_at.isoformat(),
        "timezone": event.timezone,
        "url": f"/events/{event.id}",
    }


def member_json(member: communities.Member) -> dict[str, Any]:
    """A member as others see them: no email, whoever asks."""
    return {
        "person_id": member.person_id,
        "display_name": member.display_name,
        "role": member.role,
        "joined_at": member.joined_at.isoformat(),
    }


def detail_json(request: Request, view: communities.Overview) -> dict[str, Any]:
    c = view.community
    out = {
        **listing_json(c, view.member_count),
        "guidelines": c.guidelines,
        "guidelines_updated_at": c.guidelines_updated_at.isoformat(),
        "show_people": c.show_people,
        "created_at": c.created_at.isoformat(),
        "your_role": view.viewer_role,
        "upcoming_events": [event_json(e) for e in view.events],
        "study_groups": [event_json(e) for e in view.study_groups],
    }
    # The invite code admits people to an invite-only community: managers only.
    if view.viewer_role in communities.MANAGERS:
        out["invite_code"] = c.invite_code
        out["invite_url"] = pages.invite_url(request, c.slug, c.invite_code)
    return out


def _paging(request: Request) -> Paging:
    wanted = ("offset", "limit")
    return parse(Paging, {k: v for k, v in request.query_params.items() if k in wanted})


async def _optional_input(request: Request) -> dict[str, Any]:
    """Joining an open community needs no body at all; a body, if any, is read as usual."""
    if not await request.body():
        return {}
    return await read_input(request)


async def list_communities(request: Request) -> Response:
    """
    summary: Communities by name, with their number of members
    tags: [communities]
    parameters:
      - {name: offset, in: query, schema: {type: integer, minimum: 0, default: 0}}
      - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 200, default: 50}}
    responses:
      200: {description: "{communities: [...], offset, limit}"}
      422: {description: A paging parameter is invalid}
    """
    paging = _paging(request)
    listings = await studyhall(request).store.read(
        communities.list_communities, offset=paging.offset, limit=paging.limit
    )
    body = [listing_json(item.community, item.member_count) for item in listings]
    return JSONResponse({"communities": body, "offset": paging.offset, "limit": paging.limit})


async def create_community(request: Request) -> Response:
    """
    summary: Create a community; the creator becomes its owner
    tags: [communities]
    requestBody:
      content: {application/json: {schema: {$ref: "#/components/schemas/NewCommunity"}}}
    responses:
      201: {description: The new community}
      401: {description: Not signed in}
      409: {description: The slug is taken (field slug)}
      415: {description: The body is neither JSON nor a form}
      422: {description: A field is invalid}
    """
    person = require_person(request)
    data = parse(NewCommunity, await read_input(request))
    community = await pages.create(request, person, data)
    view = await studyhall(request).store.read(communities.overview, community.slug, person.id)
    assert view is not None
    return JSONResponse(detail_json(request, view), status_code=201)


async def show_community(request: Request) -> Response:
    """
    summary: A community with its upcoming events and study groups
    description: Owners and moderators also receive the invite code and link.
    tags: [communities]
    responses:
      200: {description: The community}
      404: {description: No such community}
    """
    return JSONResponse(detail_json(request, await pages.overview(request)))


async def edit_community(request: Request) -> Response:
    """
    summary: Edit a community (owners and moderators); fields left out stay as they are
    tags: [communities]
    requestBody:
      content: {application/json: {schema: {$ref: "#/components/schemas/CommunityEdit"}}}
    responses:
      200: {description: The community}
      401: {description: Not signed in}
      403: {description: Not an owner or moderator}
      404: {description: No such community}
      422: {description: A field is invalid}
    """
    person, community = await pages.managed(request)
    await pages.save(request, community, parse(CommunityEdit, await read_input(request)))
    view = await studyhall(request).store.read(communities.overview, community.slug, person.id)
    assert view is not None
    return JSONResponse(detail_json(request, view))


async def list_members(request: Request) -> Response:
    """
    summary: Members with their roles and display names (never emails)
    tags: [communities]
    parameters:
      - {name: offset, in: query, schema: {type: integer, minimum: 0, default: 0}}
      - {name: limit, in: query, schema: {type: integer, minimum: 1, maximum: 200, default: 50}}
    responses:
      200: {description: "{members: [{person_id, display_name, role, joined_at}], offset, limit}"}
      404: {description: No such community}
    """
    community = await pages.find(request)
    paging = _paging(request)
    members = await studyhall(request).store.read(
        communities.members_of, community.id, offset=paging.offset, limit=paging.limit
    )
    body = [member_json(m) for m in members]
    return JSONResponse({"members": body, "offset": paging.offset, "limit": paging.limit})


async def join_community(request: Request) -> Response:
    """
    summary: Join a community; an invite-only one needs its invite code
    tags: [communities]
    requestBody:
      required: false
      content: {application/json: {schema: {$ref: "#/components/schemas/Join"}}}
    responses:
      200: {description: A member already; the membership}
      201: {description: Joined; the membership}
      401: {description: Not signed in}
      403: {description: Invite-only and the invite code is missing or wrong (field invite_code)}
      404: {description: No such community}
    """
    person = require_person(request)
    community = await pages.find(request)
    data = parse(Join, await _optional_input(request))
    with pages.refusals():
        member, joined = await studyhall(request).store.write(
            communities.join, community.id, person.id, data.invite_code
        )
    return JSONResponse(member_json(member), status_code=201 if joined else 200)


async def leave_community(request: Request) -> Response:
    """
    summary: Leave a community
    tags: [communities]
    responses:
      204: {description: Left}
      401: {description: Not signed in}
      404: {description: No such community, or not a member}
      409: {description: The last owner cannot leave}
    """
    person = require_person(request)
    community = await pages.find(request)
    with pages.refusals():
        await studyhall(request).store.write(communities.leave, community.id, person.id)
    return Response(status_code=204)


async def change_role(request: Request) -> Response:
    """
    summary: Give a member a role (owners only)
    tags: [communities]
    requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/RoleChange"}}}}
    responses:
      200: {description: The membership}
      401: {description: Not signed in}
      403: {description: Not an owner}
      404: {description: No such community, or that person is not a member}
      409: {description: The last owner cannot be demoted}
      422: {description: Unknown role}
    """
    person = require_person(request)
    community = await pages.find(request)
    person_id: int = request.path_params["person_id"]
    if person_id > MAX_ID:
        raise not_found("That member")
    data = parse(RoleChange, await read_input(request))
    with pages.refusals():
        member = await studyhall(request).store.write(
            communities.change_role,
            community.id,
            actor_id=person.id,
            person_id=person_id,
            role=data.role,
        )
    return JSONResponse(member_json(member))


async def new_invite(request: Request) -> Response:
    """
    summary: Make a new invite code (owners and moderators); the old link stops working
    tags: [communities]
    responses:
      200: {description: "{invite_code, invite_url}"}
      401: {description: Not signed in}
      403: {description: Not an owner or moderator}
      404: {description: No such community}
    """
    _, community = await pages.managed(request)
    code = await studyhall(request).store.write(communities.new_invite_code, community.id)
    url = pages.invite_url(request, community.slug, code)
    return JSONResponse({"invite_code": code, "invite_url": url})


SCHEMAS: dict[str, type[BaseModel]] = {
    "NewCommunity": NewCommunity,
    "CommunityEdit": CommunityEdit,
    "Join": Join,
    "RoleChange": RoleChange,
}

_ONE = "/api/communities/{slug}"
routes = [
    Route("/api/communities", list_communities, methods=["GET"]),
    Route("/api/communities", create_community, methods=["POST"]),
    Route(_ONE, show_community, methods=["GET"]),
    Route(_ONE, edit_community, methods=["PATCH"]),
    Route(_ONE + "/members", list_members, methods=["GET"]),
    Route(_ONE + "/members", join_community, methods=["POST"]),
    Route(_ONE + "/members/me", leave_community, methods=["DELETE"]),
    Route(_ONE + "/members/{person_id:int}", change_role, methods=["PATCH"]),
    Route(_ONE + "/invite", new_invite, methods=["POST"]),
]
