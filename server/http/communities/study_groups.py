"""A study group kept from a breakout: its page, and its shared notes saved without loss.

The group's members and the community's owners and moderators see everything: members,
notes, the chat the group had in its breakout, and its weekly meeting. Other members of the
community see who is in it and when it meets, so they can ask to join; everyone else sees
nothing (404). A notes form carries a digest of the text it showed: a save on top of
someone else's newer save is refused with both texts on the page, never lost.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, StringConstraints
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from server.http.context import current_person, require_person, studyhall
from server.http.errors import UserError, not_found
from server.http.forms import Input, parse_or_errors, read_input, unix_newlines
from server.store import communities, study_groups
from server.store.events import MAX_ID
from server.store.tables import Person

from .pages import find

MAX_NOTES = 60_000  # as in a breakout group's notes


class NotesForm(Input):
    notes: Annotated[
        str, BeforeValidator(unix_newlines), StringConstraints(max_length=MAX_NOTES)
    ] = ""
    seen: Annotated[str, StringConstraints(min_length=1, max_length=64)]


async def _found(request: Request, person: Person) -> tuple[dict[str, Any], bool]:
    """The group's page data and whether this person sees all of it; 404 if nothing."""
    sh = studyhall(request)
    community = await find(request)
    group_id: int = request.path_params["group_id"]
    if not 0 < group_id <= MAX_ID:  # beyond what the id columns hold: none such
        raise not_found("That study group")
    page = await sh.store.read(study_groups.page, group_id)
    if page is None or page["group"].community_id != community.id:
        raise not_found("That study group")
    role = await sh.store.read(communities.role_of, community.id, person.id)
    if role is None:
        raise not_found("That study group")
    member = any(m["id"] == person.id for m in page["members"])
    return page, member or role in communities.MANAGERS


def _render(
    request: Request, page: dict[str, Any], full: bool, status: int = 200, **extra: Any
) -> Response:
    context = {
        **page,
        "full": full,
        "digest": study_groups.notes_digest(page["group"].notes),
        "errors": {},
        "mine": None,
        **extra,
    }
    return studyhall(request).templates.TemplateResponse(
        request, "communities/study_group.html", context, status_code=status
    )


async def study_group_page(request: Request) -> Response:
    person = current_person(request)
    if person is None:
        return RedirectResponse(f"/sign-in?next={request.url.path}", status_code=303)
    page, full = await _found(request, person)
    if request.method == "GET":
        return _render(request, page, full, saved=request.query_params.get("saved") == "1")
    if not full:
        raise UserError("Only the group's members can edit its notes.", status=403)
    data, errors = parse_or_errors(NotesForm, await read_input(request))
    if data is None:
        values = await read_input(request)
        return _render(request, page, full, 422, errors=errors, mine=values.get("notes", ""))
    try:
        await studyhall(request).store.write(
            study_groups.save_notes, page["group"].id, data.seen, data.notes
        )
    except study_groups.NotesChanged as changed:
        page["group"].notes = changed.current  # shown as it stands now, beside theirs
        message = (
            "Someone saved the notes while you were editing. Their version is below; yours is "
            "kept in the box: merge them and save again."
        )
        return _render(request, page, full, 409, errors={"notes": message}, mine=data.notes)
    return RedirectResponse(f"{request.url.path}?saved=1", status_code=303)


async def study_group_json(request: Request) -> Response:
    """
    summary: A study group kept from a breakout
    description: >
      Members, topic and weekly meeting for any member of the community; the notes and the
      chat from its breakout only for the group's members and the community's moderators.
    tags: [communities]
    responses:
      200: {description: The study group}
      401: {description: Not signed in}
      404: {description: No such group, or not a member of the community}
    """
    page, full = await _found(request, require_person(request))
    group, meeting = page["group"], page["meeting"]
    body: dict[str, Any] = {
        "id": group.id,
        "name": group.name,
        "topic": group.topic,
        "members": page["members"],
        "meeting": {"event": meeting.id, "title": meeting.title} if meeting else None,
    }
    if full:
        body |= {"notes": group.notes, "chat": page["chat"]}
    return JSONResponse(body)


routes = [
    Route("/c/{slug}/study-groups/{group_id:int}", study_group_page, methods=["GET", "POST"]),
]
api_routes = [
    Route("/api/communities/{slug}/study-groups/{group_id:int}", study_group_json),
]
