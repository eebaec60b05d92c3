"""Finding events and communities from a request, checking who manages them, and turning the
store's refusals into the errors a person sees. Shared by the pages and the JSON API, so both
answer the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from starlette.requests import Request

from server.http.communities.inputs import is_slug
from server.http.context import current_person, require_person, studyhall
from server.http.errors import UserError, forbidden, not_found
from server.store import communities, event_directory, registrations
from server.store.event_directory import EventDetails
from server.store.events import CANCELLED, MAX_ID, EventRefused
from server.store.tables import Community, Person

_STATUS = {"not_found": 404, "not_allowed": 403, "closed": 409, "conflict": 409, "invalid": 422}
_CODE = {"closed": "registration_closed", "conflict": "already_registered"}
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


@contextmanager
def refusals() -> Iterator[None]:
    try:
        yield
    except EventRefused as err:
        status = _STATUS[err.reason]
        raise UserError(
            err.message, status=status, code=_CODE.get(err.reason), field=err.field
        ) from None


def event_id_of(request: Request) -> int:
    event_id: int = request.path_params["event_id"]
    if not 0 < event_id <= MAX_ID:
        raise not_found("That event")
    return event_id


def token_of(request: Request, name: str = "token") -> str:
    """A join or feed token from the path; a malformed one is simply unknown."""
    token: str = request.path_params[name]
    if not _TOKEN.fullmatch(token):
        raise not_found("That link")
    return token


async def details(request: Request) -> EventDetails:
    """The event; a private one only for the people registered for it (404 to anyone else,
    so that its existence is not given away)."""
    sh = studyhall(request)
    found = await sh.store.read(event_directory.event_details, event_id_of(request))
    if found is None:
        raise not_found("That event")
    if found.event.private:
        person = current_person(request)
        mine = (
            await sh.store.read(registrations.registration_of, found.event.id, person.id)
            if person is not None
            else None
        )
        if mine is None or mine.status == CANCELLED:
            raise not_found("That event")
    return found


async def community(request: Request) -> Community:
    slug: str = request.path_params["slug"]
    found = (
        await studyhall(request).store.read(communities.community_by_slug, slug)
        if is_slug(slug)
        else None
    )
    if found is None:
        raise not_found("That community")
    return found


async def role(request: Request, community_id: int) -> str | None:
    person = current_person(request)
    if person is None:
        return None
    return await studyhall(request).store.read(communities.role_of, community_id, person.id)


async def is_manager(request: Request, community_id: int) -> bool:
    return await role(request, community_id) in communities.MANAGERS


async def require_manager(request: Request, community_id: int) -> Person:
    """401 when signed out, 403 unless an owner or moderator of the community."""
    person = require_person(request)
    if not await is_manager(request, community_id):
        raise forbidden("Only the community's owners and moderators can manage its events.")
    return person


def viewer_zone(request: Request) -> str:
    person = current_person(request)
    return person.timezone if person is not None else "UTC"


def join_url(request: Request, token: str) -> str:
    return f"{studyhall(request).settings.public_url}/join/{token}"
