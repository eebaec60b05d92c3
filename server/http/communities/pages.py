"""The community pages: directory, create, the community page, edit, join, leave, members.

The helpers at the top (finding a community, checking who manages it, turning the store's
refusals into errors) are shared with the JSON API, so both answer the same way.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.http.context import current_person, require_person, studyhall
from server.http.errors import UserError, forbidden, not_found
from server.http.forms import parse, parse_or_errors, read_input
from server.store import communities, study_groups
from server.store.tables import Community, Event, Person

from .inputs import CommunityEdit, MemberRoleForm, NewCommunity, Paging, is_slug

_REFUSALS: dict[type[communities.CommunityError], tuple[int, str, str, str | None]] = {
    communities.SlugTaken: (409, "slug_taken", "This slug is taken: choose another.", "slug"),
    communities.InviteRequired: (
        403,
        "invite_required",
        "This community is invite-only: ask one of its moderators for an invite link.",
        "invite_code",
    ),
    communities.WrongInviteCode: (
        403,
        "wrong_invite_code",
        "This invite code is not valid (any more) for this community.",
        "invite_code",
    ),
    communities.NotMember: (404, "not_member", "Not a member of this community.", None),
    communities.NotAllowed: (403, "forbidden", "Only owners can change roles.", None),
    communities.LastOwner: (
        409,
        "last_owner",
        "A community needs an owner: make another member an owner first.",
        None,
    ),
}


@contextmanager
def refusals() -> Iterator[None]:
    """Turn the store's refusals into the errors a person sees (a page or JSON)."""
    try:
        yield
    except communities.CommunityError as err:
        status, code, message, field = _REFUSALS[type(err)]
        raise UserError(message, status=status, code=code, field=field) from None


def slug_of(request: Request) -> str:
    slug: str = request.path_params["slug"]
    if not is_slug(slug):
        raise not_found("That community")
    return slug


async def find(request: Request) -> Community:
    community = await studyhall(request).store.read(communities.community_by_slug, slug_of(request))
    if community is None:
        raise not_found("That community")
    return community


async def overview(request: Request) -> communities.Overview:
    person = current_person(request)
    view = await studyhall(request).store.read(
        communities.overview, slug_of(request), person.id if person else None
    )
    if view is None:
        raise not_found("That community")
    return view


async def managed(request: Request) -> tuple[Person, Community]:
    """The signed-in person and the community they own or moderate; else 401, 404 or 403."""
    person = require_person(request)
    community = await find(request)
    role = await studyhall(request).store.read(communities.role_of, community.id, person.id)
    if role not in communities.MANAGERS:
        raise forbidden("Only the owners and moderators of this community can do that.")
    return person, community


async def create(request: Request, person: Person, data: NewCommunity) -> Community:
    with refusals():
        return await studyhall(request).store.write(
            communities.create_community,
            owner_id=person.id,
            slug=data.slug,
            name=data.name,
            description=data.description,
            guidelines=data.guidelines,
            join_policy=data.join_policy,
            show_people=data.show_people,
        )


async def save(request: Request, community: Community, data: CommunityEdit) -> Community:
    return await studyhall(request).store.write(
        communities.update_community,
        community.id,
        name=data.name,
        description=data.description,
        guidelines=data.guidelines,
        join_policy=data.join_policy,
        show_people=data.show_people,
    )


def invite_url(request: Request, slug: str, code: str) -> str:
    return f"{studyhall(request).settings.public_url}/c/{slug}/invite/{code}"


def when(event: Event) -> str:
    """An event's start in its own time zone, as the host announced it."""
    try:
        zone = zoneinfo.ZoneInfo(event.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    start = event.starts_at.astimezone(zone)
    return f"{start:%a %d %b %Y, %H:%M} ({zone.key})"


def _page(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    return studyhall(request).templates.TemplateResponse(request, name, context, status_code=status)


def _sign_in_first(path: str) -> Response:
    return RedirectResponse(f"/sign-in?next={quote(path, safe='/')}", status_code=303)


def _back(community: Community, path: str = "", query: str = "") -> Response:
    return RedirectResponse(f"/c/{community.slug}{path}{query}", status_code=303)


async def directory_page(request: Request) -> Response:
    listings = await studyhall(request).store.read(communities.list_communities, limit=200)
    return _page(request, "communities/directory.html", listings=listings)


async def new_page(request: Request) -> Response:
    person = current_person(request)
    if person is None:
        return _sign_in_first(request.url.path)
    if request.method == "GET":
        return _page(request, "communities/new.html", values={}, errors={})
    values = await read_input(request)
    data, errors = parse_or_errors(NewCommunity, values)
    status = 422
    if data is not None:
        try:
            community = await create(request, person, data)
        except UserError as err:
            errors, status = {err.field or "body": err.message}, err.status
        else:
            return _back(community)
    return _page(request, "communities/new.html", status, values=values, errors=errors)


async def community_page(request: Request) -> Response:
    view = await overview(request)
    is_manager = view.viewer_role in communities.MANAGERS
    kept: list[dict[str, Any]] = []
    if view.viewer_role is not None:  # a member: the groups kept from breakouts
        kept = await studyhall(request).store.read(study_groups.of_community, view.community.id)
    return _page(
        request,
        "communities/community.html",
        view=view,
        community=view.community,
        is_manager=is_manager,
        kept_groups=kept,
        invite_url=invite_url(request, view.community.slug, view.community.invite_code)
        if is_manager
        else "",
        when=when,
    )


def _edit_values(community: Community) -> dict[str, Any]:
    return {
        "name": community.name,
        "description": community.description,
        "guidelines": community.guidelines,
        "join_policy": community.join_policy,
        "show_people": "on" if community.show_people else "off",
    }


async def edit_page(request: Request) -> Response:
    if current_person(request) is None:
        return _sign_in_first(request.url.path)
    _, community = await managed(request)
    url = invite_url(request, community.slug, community.invite_code)
    context: dict[str, Any] = {"community": community, "invite_url": url}
    if request.method == "GET":
        values = _edit_values(community)
        return _page(request, "communities/edit.html", values=values, errors={}, **context)
    values = await read_input(request)
    # The edit page's second form makes a new invite link; it sends only this field.
    if values.get("action") == "new_invite_code":
        await studyhall(request).store.write(communities.new_invite_code, community.id)
        return _back(community, "/edit", "?invite=new")
    data, errors = parse_or_errors(CommunityEdit, values)
    if data is None:
        return _page(request, "communities/edit.html", 422, values=values, errors=errors, **context)
    await save(request, community, data)
    return _back(community, "", "?saved=1")


async def join_page(request: Request) -> Response:
    community = await find(request)
    person = current_person(request)
    if person is None:
        return _sign_in_first(f"/c/{community.slug}")
    with refusals():
        await studyhall(request).store.write(communities.join, community.id, person.id)
    return _back(community, "", "?joined=1")


async def leave_page(request: Request) -> Response:
    community = await find(request)
    person = current_person(request)
    if person is None:
        return _sign_in_first(f"/c/{community.slug}")
    with refusals():
        await studyhall(request).store.write(communities.leave, community.id, person.id)
    return _back(community, "", "?left=1")


async def invite_page(request: Request) -> Response:
    community = await find(request)
    code: str = request.path_params["code"]
    if not communities.invite_matches(community, code):
        raise not_found("That invite link")
    person = current_person(request)
    if request.method == "GET":
        role = None
        if person is not None:
            sh = studyhall(request)
            role = await sh.store.read(communities.role_of, community.id, person.id)
        return _page(request, "communities/invite.html", community=community, role=role)
    if person is None:
        return _sign_in_first(request.url.path)
    with refusals():
        await studyhall(request).store.write(communities.join, community.id, person.id, code)
    return _back(community, "", "?joined=1")


async def _change_role(request: Request, community: Community) -> Response:
    person = current_person(request)
    if person is None:
        return _sign_in_first(request.url.path)
    form = parse(MemberRoleForm, await read_input(request))
    with refusals():
        await studyhall(request).store.write(
            communities.change_role,
            community.id,
            actor_id=person.id,
            person_id=form.person_id,
            role=form.role,
        )
    return _back(community, "/members", "?saved=1")


async def members_page(request: Request) -> Response:
    community = await find(request)
    if request.method == "POST":
        return await _change_role(request, community)
    sh = studyhall(request)
    paging = parse(Paging, {k: v for k, v in request.query_params.items() if k == "offset"})
    limit = 200
    members = await sh.store.read(
        communities.members_of, community.id, offset=paging.offset, limit=limit
    )
    viewer = current_person(request)
    role = None
    if viewer is not None:
        role = await sh.store.read(communities.role_of, community.id, viewer.id)
    total = await sh.store.read(communities.member_count, community.id)
    return _page(
        request,
        "communities/members.html",
        community=community,
        members=members,
        total=total,
        can_change=role == "owner",
        roles=communities.ROLES,
        offset=paging.offset,
        limit=limit,
    )


async def guidelines_page(request: Request) -> Response:
    return _page(request, "communities/guidelines.html", community=await find(request))


routes = [
    Route("/communities", directory_page),
    Route("/communities/new", new_page, methods=["GET", "POST"]),
    Route("/c/{slug}", community_page),
    Route("/c/{slug}/edit", edit_page, methods=["GET", "POST"]),
    Route("/c/{slug}/join", join_page, methods=["POST"]),
    Route("/c/{slug}/leave", leave_page, methods=["POST"]),
    Route("/c/{slug}/invite/{code}", invite_page, methods=["GET", "POST"]),
    Route("/c/{slug}/members", members_page, methods=["GET", "POST"]),
    Route("/c/{slug}/guidelines", guidelines_page),
]
