"""Stage recordings after the session: the hosts list an event's files and download them.

The files live in the data directory of the process that recorded them
(`server.media.recording.folder_of`); only the event's hosts and co-hosts see them.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from server.http.context import current_person, studyhall
from server.http.errors import not_found
from server.media.recording import FILE_NAME, folder_of
from server.rooms.roles import HOSTS
from server.store import room_access

from .access import event_id_of


async def _folder(request: Request, person_id: int) -> Path:
    """The event's recordings folder, for its hosts; 404 for anyone else."""
    event_id = event_id_of(request)
    entry = await studyhall(request).store.read(room_access.entry_for_person, event_id, person_id)
    if entry is None or entry.role not in HOSTS:
        raise not_found("That event's recordings")
    return folder_of(studyhall(request).settings.data_dir, event_id)


async def recordings_page(request: Request) -> Response:
    person = current_person(request)
    if person is None:
        return RedirectResponse(f"/sign-in?next={request.url.path}", status_code=303)
    folder = await _folder(request, person.id)
    files = sorted(
        (p for p in folder.glob("*") if FILE_NAME.fullmatch(p.name)), key=lambda p: p.name
    )
    listed = [{"name": p.name, "kib": max(1, p.stat().st_size // 1024)} for p in files]
    return studyhall(request).templates.TemplateResponse(
        request,
        "events/recordings.html",
        {"event_id": event_id_of(request), "files": listed},
    )


async def recording_file(request: Request) -> Response:
    person = current_person(request)
    name: str = request.path_params["name"]
    if person is None or not FILE_NAME.fullmatch(name):
        raise not_found("That recording")
    path = await _folder(request, person.id) / name
    if not path.is_file():
        raise not_found("That recording")
    media = "video/webm" if name.endswith(".webm") else "video/x-matroska"
    return FileResponse(path, media_type=media, filename=name)


routes = [
    Route("/events/{event_id:int}/recordings", recordings_page),
    Route("/events/{event_id:int}/recordings/{name}", recording_file),
]
