"""A study group's own page: its members, its weekly meeting, its notes and chat.

A study group begins as a breakout group kept at the end of a round (`store/study_groups.py`).
Its notes and chat were written for its members, so the page is for them and for the
community's owners and moderators; to anyone else it does not exist (404), as a private
room's page would not.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.http.context import current_person, studyhall
from server.http.errors import not_found
from server.store import communities, study_groups
from server.store.events import MAX_ID


async def study_group_page(request: Request) -> Response:
    sh = studyhall(request)
    person = current_person(request)
    if person is None:
        path = quote(request.url.path, safe="/")
        return RedirectResponse(f"/sign-in?next={path}", status_code=303)
    study_group_id: int = request.path_params["study_group_id"]
    if not 0 < study_group_id <= MAX_ID:  # beyond what the id columns hold: none such
        raise not_found("That study group")
    found = await sh.store.read(study_groups.page, study_group_id)
    if found is None or found["community"].slug != request.path_params["slug"]:
        raise not_found("That study group")
    role = await sh.store.read(communities.role_of, found["community"].id, person.id)
    member = any(m["id"] == person.id for m in found["members"])
    if not member and role not in communities.MANAGERS:
        raise not_found("That study group")
    return sh.templates.TemplateResponse(request, "communities/study_group.html", found)


routes = [Route("/c/{slug}/study-groups/{study_group_id:int}", study_group_page)]
