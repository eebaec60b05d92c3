"""A community's mentorship pages: ask for a mentor, see suggested mentors and the requests
you could take, accept one or pass on it, and a pair's own page where the two schedule
sessions, say how each went and may end the mentorship. The JSON API (`mentorship_api.py`)
calls the same helpers."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.http.context import current_person, require_person, studyhall
from server.http.errors import UserError, forbidden, not_found
from server.http.forms import parse, parse_or_errors, read_input
from server.store import communities, mentor_pairs, mentorship
from server.store.events import MAX_ID
from server.store.mentor_pairs import PairView
from server.store.mentorship_tables import MentorshipRequest
from server.store.tables import Community, Event, Person, utcnow

from . import pages
from .mentorship_inputs import FeedbackIn, MentorRequestIn, SessionIn, refusals


def id_of(request: Request, name: str, what: str) -> int:
    value: int = request.path_params[name]
    if not 0 < value <= MAX_ID:
        raise not_found(what)
    return value


async def member(request: Request) -> tuple[Person, Community]:
    """The signed-in member and their community; 401, 404, or 403 for a non-member."""
    person = require_person(request)
    community = await pages.find(request)
    role = await studyhall(request).store.read(communities.role_of, community.id, person.id)
    if role is None:
        raise forbidden(f"Join {community.name} to take part in its mentorship.")
    return person, community


async def pair_of(request: Request, community: Community, person: Person) -> PairView:
    pair_id = id_of(request, "pair_id", "That mentorship")
    view = await studyhall(request).store.read(
        mentor_pairs.pair_view, community.id, pair_id, person.id
    )
    if view is None:
        raise not_found("That mentorship")
    return view


async def ask(
    request: Request, community: Community, person: Person, data: MentorRequestIn
) -> MentorshipRequest:
    with refusals():
        return await studyhall(request).store.write(
            mentorship.ask, community.id, person.id, data.tag, data.note
        )


async def schedule(request: Request, view: PairView, person: Person, data: SessionIn) -> Event:
    with refusals():
        return await studyhall(request).store.write(
            mentor_pairs.schedule, view.pair.community_id, view.pair.id, person.id,
            data.to_store(view.pair.tag),
        )  # fmt: skip


def _page(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    return studyhall(request).templates.TemplateResponse(request, name, context, status_code=status)


def _signed_in_or_redirect(request: Request) -> Response | None:
    if current_person(request) is None:
        path = quote(request.url.path, safe="/")
        return RedirectResponse(f"/sign-in?next={path}", status_code=303)
    return None


async def _board(
    request: Request,
    person: Person,
    community: Community,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    board = await studyhall(request).store.read(mentorship.board, community.id, person.id)
    return _page(request, "communities/mentorship.html", status, community=community,
                 board=board, person=person, values=values or {}, errors=errors or {},
                 when=pages.when)  # fmt: skip


async def board_page(request: Request) -> Response:
    if (redirect := _signed_in_or_redirect(request)) is not None:
        return redirect
    person = require_person(request)
    community = await pages.find(request)
    role = await studyhall(request).store.read(communities.role_of, community.id, person.id)
    if role is None:
        return _page(request, "communities/mentorship.html", community=community, board=None,
                     person=person, values={}, errors={})  # fmt: skip
    return await _board(request, person, community)


async def ask_page(request: Request) -> Response:
    person, community = await member(request)
    values = await read_input(request)
    data, errors = parse_or_errors(MentorRequestIn, values)
    status = 422
    if data is not None:
        try:
            await ask(request, community, person, data)
        except UserError as err:
            errors, status = {err.field or "body": err.message}, err.status
        else:
            return RedirectResponse(f"/c/{community.slug}/mentorship?asked=1", status_code=303)
    return await _board(request, person, community, values=values, errors=errors, status=status)


async def withdraw_page(request: Request) -> Response:
    person, community = await member(request)
    request_id = id_of(request, "request_id", "That request")
    with refusals():
        await studyhall(request).store.write(
            mentorship.withdraw, community.id, request_id, person.id
        )
    return RedirectResponse(f"/c/{community.slug}/mentorship?withdrawn=1", status_code=303)


async def pass_on(request: Request) -> MentorshipRequest:
    person, community = await member(request)
    request_id = id_of(request, "request_id", "That request")
    with refusals():
        return await studyhall(request).store.write(
            mentorship.pass_on, community.id, request_id, person.id
        )


async def pass_page(request: Request) -> Response:
    await pass_on(request)
    return RedirectResponse(f"/c/{pages.slug_of(request)}/mentorship?passed=1", status_code=303)


async def accept_page(request: Request) -> Response:
    person, community = await member(request)
    request_id = id_of(request, "request_id", "That request")
    with refusals():
        pair = await studyhall(request).store.write(
            mentor_pairs.accept, community.id, request_id, person.id
        )
    return RedirectResponse(f"/c/{community.slug}/mentorship/pairs/{pair.id}?accepted=1",
                            status_code=303)  # fmt: skip


def _session_defaults(view: PairView, person: Person) -> dict[str, Any]:
    partner = view.partner_of(person.id)
    return {"title": f"{view.pair.tag} with {partner}"[:200], "minutes": "60", "weeks": "1",
            "timezone": person.timezone}  # fmt: skip


def _pair_page(
    request: Request,
    view: PairView,
    person: Person,
    community: Community,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Response:
    return _page(request, "communities/pair.html", status, view=view, person=person,
                 community=community, values=values, errors=errors,
                 when=pages.when, now=utcnow())  # fmt: skip


async def pair_page(request: Request) -> Response:
    if (redirect := _signed_in_or_redirect(request)) is not None:
        return redirect
    person = require_person(request)
    community = await pages.find(request)
    view = await pair_of(request, community, person)
    return _pair_page(request, view, person, community, _session_defaults(view, person), {})


async def schedule_page(request: Request) -> Response:
    person = require_person(request)
    community = await pages.find(request)
    view = await pair_of(request, community, person)
    values = await read_input(request)
    data, errors = parse_or_errors(SessionIn, values)
    status = 422
    if data is not None:
        try:
            await schedule(request, view, person, data)
        except UserError as err:
            errors, status = {err.field or "body": err.message}, err.status
        else:
            url = f"/c/{community.slug}/mentorship/pairs/{view.pair.id}?scheduled=1"
            return RedirectResponse(url, status_code=303)
    return _pair_page(request, view, person, community, values, errors, status)


async def feedback(request: Request, community: Community, person: Person) -> PairView:
    """Record the person's word on one session of their pair; the pair, read again."""
    view = await pair_of(request, community, person)
    event_id = id_of(request, "event_id", "That session")
    if event_id not in [s.event.id for s in view.sessions]:
        raise not_found("That session")
    data = parse(FeedbackIn, await read_input(request))
    with refusals():
        await studyhall(request).store.write(
            mentor_pairs.give_feedback, community.id, event_id, person.id, data.went_well
        )
    return view


async def feedback_page(request: Request) -> Response:
    person = require_person(request)
    community = await pages.find(request)
    view = await feedback(request, community, person)
    url = f"/c/{community.slug}/mentorship/pairs/{view.pair.id}?thanks=1"
    return RedirectResponse(url, status_code=303)


async def end(request: Request) -> tuple[Community, PairView]:
    """One of the two ends their pair; the pair, read again."""
    person, community = await member(request)
    view = await pair_of(request, community, person)
    with refusals():
        await studyhall(request).store.write(
            mentor_pairs.end, community.id, view.pair.id, person.id
        )
    return community, await pair_of(request, community, person)


async def end_page(request: Request) -> Response:
    community, view = await end(request)
    url = f"/c/{community.slug}/mentorship/pairs/{view.pair.id}?ended=1"
    return RedirectResponse(url, status_code=303)


async def old_address(request: Request) -> Response:
    """/communities/{slug}/mentorship, as some links spell it, leads to the page."""
    return RedirectResponse(f"/c/{pages.slug_of(request)}/mentorship", status_code=308)


_BASE = "/c/{slug}/mentorship"
routes = [
    Route(_BASE, board_page),
    Route("/communities/{slug}/mentorship", old_address),
    Route(_BASE + "/requests", ask_page, methods=["POST"]),
    Route(_BASE + "/requests/{request_id:int}/withdraw", withdraw_page, methods=["POST"]),
    Route(_BASE + "/requests/{request_id:int}/accept", accept_page, methods=["POST"]),
    Route(_BASE + "/requests/{request_id:int}/pass", pass_page, methods=["POST"]),
    Route(_BASE + "/pairs/{pair_id:int}", pair_page),
    Route(_BASE + "/pairs/{pair_id:int}/sessions", schedule_page, methods=["POST"]),
    Route(_BASE + "/pairs/{pair_id:int}/end", end_page, methods=["POST"]),
    Route(
        _BASE + "/pairs/{pair_id:int}/sessions/{event_id:int}/feedback",
        feedback_page,
        methods=["POST"],
    ),
]
