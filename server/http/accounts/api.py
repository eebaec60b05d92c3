"""The accounts JSON API. Each docstring's YAML is this endpoint's part of /api/openapi.json."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from server.http.context import require_person, studyhall
from server.http.errors import not_found
from server.http.forms import parse, read_input
from server.store import accounts
from server.store.tables import Interest, Person

from . import signing
from .inputs import Profile, SignIn, SignUp
from .pages import save_profile


def public_person(person: Person, interests: list[Interest] | None = None) -> dict[str, Any]:
    """A person as others may see them: never the email."""
    out: dict[str, Any] = {
        "id": person.id,
        "display_name": person.display_name,
        "bio": person.bio,
        "timezone": person.timezone,
    }
    if interests is not None:
        out["interests"] = [
            {"tag": i.tag, "level": i.level, "open_to_mentoring": i.open_to_mentoring}
            for i in interests
        ]
    return out


async def _me(request: Request, person: Person, status: int = 200) -> JSONResponse:
    interests = await studyhall(request).store.read(accounts.interests_of, person.id)
    body = {**public_person(person, interests), "email": person.email}
    return JSONResponse(body, status_code=status)


async def create_account(request: Request) -> Response:
    """
    summary: Sign up; the response sets the session cookie
    tags: [accounts]
    requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/SignUp"}}}}
    responses:
      201: {description: The new account}
      409: {description: The email has an account already}
      422: {description: A field is invalid}
    """
    sh = studyhall(request)
    person, token = await signing.sign_up(sh, parse(SignUp, await read_input(request)))
    response = await _me(request, person, 201)
    signing.set_session_cookie(sh, response, token)
    return response


async def create_session(request: Request) -> Response:
    """
    summary: Sign in; the response sets the session cookie
    tags: [accounts]
    requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/SignIn"}}}}
    responses:
      200: {description: Signed in}
      401: {description: Wrong email or password}
      429: {description: Too many failed sign-ins}
    """
    sh = studyhall(request)
    person, token = await signing.sign_in(sh, request, parse(SignIn, await read_input(request)))
    response = await _me(request, person)
    signing.set_session_cookie(sh, response, token)
    return response


async def delete_session(request: Request) -> Response:
    """
    summary: Sign out
    tags: [accounts]
    responses:
      204: {description: Signed out}
    """
    response = Response(status_code=204)
    await signing.sign_out(studyhall(request), request, response)
    return response


async def me(request: Request) -> Response:
    """
    summary: The signed-in person, with their email and interests; PATCH edits the profile
    tags: [accounts]
    requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/Profile"}}}}
    responses:
      200: {description: The profile}
      401: {description: Not signed in}
    """
    person = require_person(request)
    if request.method == "PATCH":
        person = await save_profile(request, parse(Profile, await read_input(request)))
    return await _me(request, person)


async def person(request: Request) -> Response:
    """
    summary: A person's public profile (no email)
    tags: [accounts]
    responses:
      200: {description: The profile}
      404: {description: No such person}
    """
    sh = studyhall(request)
    found = await sh.store.read(accounts.person_by_id, request.path_params["person_id"])
    if found is None:
        raise not_found("That person")
    interests = await sh.store.read(accounts.interests_of, found.id)
    return JSONResponse(public_person(found, interests))


SCHEMAS: dict[str, type[BaseModel]] = {"SignUp": SignUp, "SignIn": SignIn, "Profile": Profile}

routes = [
    Route("/api/accounts", create_account, methods=["POST"]),
    Route("/api/session", create_session, methods=["POST"]),
    Route("/api/session", delete_session, methods=["DELETE"]),
    Route("/api/me", me, methods=["GET", "PATCH"]),
    Route("/api/people/{person_id:int}", person),
]
