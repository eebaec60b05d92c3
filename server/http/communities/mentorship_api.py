"""The mentorship JSON API: a member's board, asking, withdrawing, accepting or passing on a
request, a pair with its sessions, scheduling, feedback and ending the pair. Each docstring's
YAML is this endpoint's part of /api/openapi.json. Everything goes through the same helpers
as the pages.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.community.mentor_match import Match
from server.http.context import studyhall
from server.http.events.present import iso
from server.http.forms import parse, read_input
from server.store import mentor_pairs, mentorship
from server.store.mentor_pairs import PairView
from server.store.mentorship_tables import MentorshipRequest

from .mentorship import ask, end, feedback, id_of, member, pair_of, pass_on, schedule
from .mentorship_inputs import FeedbackIn, MentorRequestIn, SessionIn, refusals


def _match_json(match: Match, who: str) -> dict[str, Any]:
    person = match.mentor if who == "mentor" else match.learner
    return {who: {"person_id": person.id, "display_name": person.name},
            "score": match.score, "reasons": list(match.reasons)}  # fmt: skip


def request_json(asked: MentorshipRequest) -> dict[str, Any]:
    return {"id": asked.id, "tag": asked.tag, "note": asked.note, "status": asked.status,
            "created_at": iso(asked.created_at)}  # fmt: skip


def pair_json(view: PairView, slug: str) -> dict[str, Any]:
    pair = view.pair
    return {
        "id": pair.id, "tag": pair.tag, "note": view.note, "created_at": iso(pair.created_at),
        "mentor": {"person_id": pair.mentor_id, "display_name": view.mentor_name},
        "learner": {"person_id": pair.learner_id, "display_name": view.learner_name},
        "url": f"/c/{slug}/mentorship/pairs/{pair.id}",
        "ended_at": iso(pair.ended_at) if pair.ended_at else None, "ended_by": pair.ended_by,
        "sessions": [
            {"event_id": s.event.id, "title": s.event.title, "starts_at": iso(s.event.starts_at),
             "ends_at": iso(s.event.ends_at), "timezone": s.event.timezone,
             "weekly_count": s.event.weekly_count, "url": f"/events/{s.event.id}",
             "room_url": f"/events/{s.event.id}/room", "your_feedback": s.my_feedback}
            for s in view.sessions
        ],
    }  # fmt: skip


async def show_board(request: Request) -> Response:
    """
    summary: The signed-in member's mentorship in a community
    description: >
      Their open requests, each with suggested mentors best first; the open requests of others
      that suit them as a mentor, best first; and their pairs. Scores and reasons come from
      interest, level, waking hours in common and good past pairings.
    tags: [mentorship]
    responses:
      200:
        description: >
          {"mentoring": [tag], "requests": [{"id", "tag", "note", "status", "created_at",
          "suggested_mentors": [{"mentor", "score", "reasons"}]}], "requests_for_you": [{"id",
          "tag", "note", "status", "created_at", "learner", "score", "reasons"}], "pairs": [...]}
      401: {description: Not signed in}
      403: {description: Not a member of the community}
      404: {description: No such community}
    """
    person, community = await member(request)
    board = await studyhall(request).store.read(mentorship.board, community.id, person.id)
    return JSONResponse({
        "mentoring": sorted(board.mentoring),
        "requests": [{**request_json(m.request),
                      "suggested_mentors": [_match_json(x, "mentor") for x in m.mentors]}
                     for m in board.mine],
        "requests_for_you": [{**request_json(s.request), **_match_json(s.match, "learner")}
                             for s in board.suited],
        "pairs": [pair_json(p, community.slug) for p in board.pairs],
    })  # fmt: skip


async def create_request(request: Request) -> Response:
    """
    summary: Ask for a mentor in an interest, with a short note
    tags: [mentorship]
    requestBody:
      content: {application/json: {schema: {$ref: "#/components/schemas/MentorRequestIn"}}}
    responses:
      201: {description: The open request}
      401: {description: Not signed in}
      403: {description: Not a member of the community}
      409: {description: An open request in this interest exists already (field tag)}
      422: {description: A field is invalid}
    """
    person, community = await member(request)
    data = parse(MentorRequestIn, await read_input(request))
    return JSONResponse(request_json(await ask(request, community, person, data)), status_code=201)


async def withdraw_request(request: Request) -> Response:
    """
    summary: Withdraw your own open request
    tags: [mentorship]
    responses:
      200: {description: The withdrawn request}
      401: {description: Not signed in}
      404: {description: No such request of yours in this community}
      409: {description: The request is not open any more}
    """
    person, community = await member(request)
    request_id = id_of(request, "request_id", "That request")
    with refusals():
        asked = await studyhall(request).store.write(
            mentorship.withdraw, community.id, request_id, person.id
        )
    return JSONResponse(request_json(asked))


async def pass_on_request(request: Request) -> Response:
    """
    summary: Pass on someone's open request, as a mentor
    description: >
      The request leaves your requests_for_you, and you leave its suggested mentors. The
      learner is not told who passed. Passing twice is the same as once.
    tags: [mentorship]
    responses:
      200: {description: The request, still open for other mentors}
      401: {description: Not signed in}
      403: {description: Not a member of the community}
      404: {description: No such request in this community}
      409: {description: The request is not open any more}
      422: {description: It is your own request (withdraw it instead)}
    """
    return JSONResponse(request_json(await pass_on(request)))


async def accept_request(request: Request) -> Response:
    """
    summary: Accept an open request as its mentor; the two become a pair
    tags: [mentorship]
    responses:
      201: {description: The pair}
      401: {description: Not signed in}
      403: {description: Not a member, or not a mentor of this interest above the learner}
      404: {description: No such request in this community}
      409: {description: The request has a mentor already, or was withdrawn}
    """
    person, community = await member(request)
    request_id = id_of(request, "request_id", "That request")
    sh = studyhall(request)
    with refusals():
        pair = await sh.store.write(mentor_pairs.accept, community.id, request_id, person.id)
    view = await sh.store.read(mentor_pairs.pair_view, community.id, pair.id, person.id)
    assert view is not None
    return JSONResponse(pair_json(view, community.slug), status_code=201)


async def show_pair(request: Request) -> Response:
    """
    summary: A pair with its sessions (its two members only)
    tags: [mentorship]
    responses:
      200: {description: The pair}
      401: {description: Not signed in}
      404: {description: No such pair of yours in this community}
    """
    person, community = await member(request)
    return JSONResponse(pair_json(await pair_of(request, community, person), community.slug))


async def create_session(request: Request) -> Response:
    """
    summary: Schedule a session of the pair, a private study group with the two registered
    description: >
      `starts_at` is local to `timezone`. Only the two of them see the event and enter its room.
    tags: [mentorship]
    requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/SessionIn"}}}}
    responses:
      201: {description: The pair with the new session}
      401: {description: Not signed in}
      404: {description: No such pair of yours in this community}
      409: {description: The session would be over already}
      422: {description: A field is invalid}
    """
    person, community = await member(request)
    view = await pair_of(request, community, person)
    data = parse(SessionIn, await read_input(request))
    await schedule(request, view, person, data)
    return JSONResponse(
        pair_json(await pair_of(request, community, person), community.slug), status_code=201
    )


async def give_feedback(request: Request) -> Response:
    """
    summary: Say whether a session went well; when both say so, the pair counts as a good one
    tags: [mentorship]
    requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/FeedbackIn"}}}}
    responses:
      200: {description: The pair with your feedback on its sessions}
      401: {description: Not signed in}
      404: {description: No such session of your pair}
      409: {description: The session has not begun}
      422: {description: went_well is missing or not a boolean}
    """
    person, community = await member(request)
    await feedback(request, community, person)
    return JSONResponse(pair_json(await pair_of(request, community, person), community.slug))


async def end_pair(request: Request) -> Response:
    """
    summary: End the mentorship (either of the two)
    description: >
      No more sessions can be scheduled, and both lose their places at the sessions still to
      come. Past sessions and the feedback on them stay.
    tags: [mentorship]
    responses:
      200: {description: The pair, with ended_at and ended_by}
      401: {description: Not signed in}
      404: {description: No such pair of yours in this community}
      409: {description: The mentorship has ended already}
    """
    community, view = await end(request)
    return JSONResponse(pair_json(view, community.slug))


SCHEMAS: dict[str, type[BaseModel]] = {
    "MentorRequestIn": MentorRequestIn,
    "SessionIn": SessionIn,
    "FeedbackIn": FeedbackIn,
}

_BASE = "/api/communities/{slug}/mentorship"
_PAIR = _BASE + "/pairs/{pair_id:int}"
routes = [
    Route(_BASE, show_board, methods=["GET"]),
    Route(_BASE + "/requests", create_request, methods=["POST"]),
    Route(_BASE + "/requests/{request_id:int}", withdraw_request, methods=["DELETE"]),
    Route(_BASE + "/requests/{request_id:int}/accept", accept_request, methods=["POST"]),
    Route(_BASE + "/requests/{request_id:int}/pass", pass_on_request, methods=["POST"]),
    Route(_PAIR, show_pair, methods=["GET"]),
    Route(_PAIR + "/sessions", create_session, methods=["POST"]),
    Route(_PAIR + "/end", end_pair, methods=["POST"]),
    Route(_PAIR + "/sessions/{event_id:int}/feedback", give_feedback, methods=["PUT"]),
]
