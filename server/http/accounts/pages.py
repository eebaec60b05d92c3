"""The account pages: sign up, sign in, sign out, edit your profile, see someone's profile."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from server.http.context import current_person, require_person, studyhall
from server.http.errors import UserError, not_found
from server.http.forms import parse_or_errors, read_input
from server.store import accounts
from server.store.tables import Person

from . import signing
from .inputs import INTEREST_ROWS, MAX_INTERESTS, Profile, SignIn, SignUp


def _page(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    return studyhall(request).templates.TemplateResponse(request, name, context, status_code=status)


async def sign_up_page(request: Request) -> Response:
    sh = studyhall(request)
    if request.method == "GET":
        return _page(request, "accounts/sign_up.html", values={}, errors={})
    values = await read_input(request)
    data, errors = parse_or_errors(SignUp, values)
    if data is not None:
        try:
            _, token = await signing.sign_up(sh, data)
        except UserError as err:
            errors = {err.field or "email": err.message}
        else:
            response = RedirectResponse("/profile?welcome=1", status_code=303)
            signing.set_session_cookie(sh, response, token)
            return response
    values.pop("password", None)
    return _page(request, "accounts/sign_up.html", 422, values=values, errors=errors)


async def sign_in_page(request: Request) -> Response:
    sh = studyhall(request)
    if request.method == "GET":
        values = {"next": signing.safe_next(request.query_params.get("next", "/"))}
        return _page(request, "accounts/sign_in.html", values=values, errors={})
    values = await read_input(request)
    data, errors = parse_or_errors(SignIn, values)
    if data is not None:
        try:
            _, token = await signing.sign_in(sh, request, data)
        except UserError as err:
            errors = {err.field or "email": err.message}
            status = err.status
        else:
            response = RedirectResponse(signing.safe_next(data.next), status_code=303)
            signing.set_session_cookie(sh, response, token)
            return response
    else:
        status = 422
    values.pop("password", None)
    return _page(request, "accounts/sign_in.html", status, values=values, errors=errors)


async def sign_out_page(request: Request) -> Response:
    response = RedirectResponse("/", status_code=303)
    await signing.sign_out(studyhall(request), request, response)
    return response


def _profile_values(person: Person, interests: list[Any]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "display_name": person.display_name,
        "bio": person.bio,
        "timezone": person.timezone,
    }
    for n, interest in enumerate(interests[:MAX_INTERESTS]):
        values[f"interest_{n}_tag"] = interest.tag
        values[f"interest_{n}_level"] = interest.level
        values[f"interest_{n}_mentor"] = "on" if interest.open_to_mentoring else ""
    return values


def _rows(values: dict[str, Any]) -> range:
    """A row for each interest given, plus two blank ones (at least INTEREST_ROWS in all)."""
    filled = [n for n in range(MAX_INTERESTS) if str(values.get(f"interest_{n}_tag", "")).strip()]
    return range(min(MAX_INTERESTS, max(INTEREST_ROWS, (max(filled) + 3) if filled else 0)))


async def profile_page(request: Request) -> Response:
    if current_person(request) is None:
        return RedirectResponse("/sign-in?next=/profile", status_code=303)
    sh = studyhall(request)
    person = require_person(request)
    if request.method == "GET":
        interests = await sh.store.read(accounts.interests_of, person.id)
        values = _profile_values(person, interests)
        welcome = request.query_params.get("welcome") == "1"
        return _page(request, "accounts/profile.html", values=values, errors={},
                     welcome=welcome, rows=_rows(values))  # fmt: skip
    values = await read_input(request)
    data, errors = parse_or_errors(Profile, values)
    if data is None:
        return _page(request, "accounts/profile.html", 422, values=values, errors=errors,
                     rows=_rows(values))  # fmt: skip
    await save_profile(request, data)
    return RedirectResponse("/profile?saved=1", status_code=303)


async def save_profile(request: Request, data: Profile) -> Person:
    person = require_person(request)
    return await studyhall(request).store.write(
        accounts.update_profile,
        person.id,
        display_name=data.display_name,
        bio=data.bio,
        timezone=data.timezone,
        interests=[
            accounts.InterestInput(i.tag, i.level, i.open_to_mentoring) for i in data.interests
        ],
    )


async def person_page(request: Request) -> Response:
    sh = studyhall(request)
    person_id = request.path_params["person_id"]
    person = await sh.store.read(accounts.person_by_id, person_id)
    if person is None:
        raise not_found("That person")
    interests = await sh.store.read(accounts.interests_of, person.id)
    return _page(request, "accounts/person.html", person=person, interests=interests)


routes = [
    Route("/sign-up", sign_up_page, methods=["GET", "POST"]),
    Route("/sign-in", sign_in_page, methods=["GET", "POST"]),
    Route("/sign-out", sign_out_page, methods=["POST"]),
    Route("/profile", profile_page, methods=["GET", "POST"]),
    Route("/people/{person_id:int}", person_page),
]
