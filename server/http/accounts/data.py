"""A person's own data: download all of it as JSON, or delete the account.

Pages and the JSON API share the work below. Deleting asks for the password again (a
session left open on a shared computer must not be enough), and wrong passwords count as
failed sign-ins, so the check cannot be used to guess the password either.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated, Any

from pydantic import StringConstraints
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from server.http.context import current_person, require_person, studyhall
from server.http.errors import UserError
from server.http.events import room_record
from server.http.forms import Input, parse, parse_or_errors, read_input
from server.http.guard import SESSION_COOKIE
from server.store import account_deletion, accounts, personal_data
from server.store.tables import Person, utcnow


class AccountDeletion(Input):
    password: Annotated[str, StringConstraints(strip_whitespace=False, max_length=200)]


async def _export(request: Request) -> dict[str, Any]:
    sh = studyhall(request)
    person = require_person(request)
    found = await sh.store.read(personal_data.export, person.id, sh.settings.secret_key)
    if found is None:
        raise UserError("Sign in first.", status=401)
    return found


def _download(data: dict[str, Any], person: Person) -> Response:
    body = json.dumps(data, ensure_ascii=False, indent=2)
    name = f"studyhall-data-{person.id}-{utcnow():%Y%m%d}.json"
    return Response(
        body,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


async def _delete(request: Request, data: AccountDeletion) -> None:
    """Delete the signed-in person's account, end their sessions and send their sockets away;
    the response then clears the cookie (`_signed_out`)."""
    sh = studyhall(request)
    person = require_person(request)
    limit = sh.settings.limits.sign_in_attempts
    since = utcnow() - timedelta(seconds=sh.settings.limits.sign_in_window_s)
    key = personal_data.sign_in_key(person.email)
    if await sh.store.read(accounts.failed_sign_ins, key, since) >= limit:
        minutes = sh.settings.limits.sign_in_window_s // 60
        raise UserError(f"Too many wrong passwords. Try again in {minutes} minutes.", status=429)
    try:
        deleted = await sh.store.write(
            account_deletion.delete_account, person.id, data.password, sh.settings.secret_key
        )
    except account_deletion.WrongPassword:
        await sh.store.write(accounts.record_failed_sign_in, [key])
        raise UserError(
            "Wrong password: your account was not deleted.",
            status=403,
            code="bad_credentials",
            field="password",
        ) from None
    except account_deletion.OwnsCommunities as owned:
        raise UserError(
            f"You are the only owner of {', '.join(owned.names)}. Make another member an owner "
            "on the community's Members page (or leave ownership to a co-owner), then delete "
            "your account. Nothing was deleted.",
            status=409,
            code="owns_communities",
            field="password",
        ) from None
    await room_record.publish(request, deleted.logged)
    request.scope["state"]["person"] = None  # the page that answers shows no one signed in


def _signed_out(response: Response) -> Response:
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


async def data_download(request: Request) -> Response:
    if current_person(request) is None:
        return RedirectResponse("/sign-in?next=/profile", status_code=303)
    return _download(await _export(request), require_person(request))


async def delete_page(request: Request) -> Response:
    if current_person(request) is None:
        return RedirectResponse("/sign-in?next=/profile/delete", status_code=303)
    sh = studyhall(request)
    person = require_person(request)
    owned = await sh.store.read(account_deletion.sole_owner_of, person.id)
    context: dict[str, Any] = {"owned": owned, "values": {}, "errors": {}}
    if request.method == "POST":
        data, errors = parse_or_errors(AccountDeletion, await read_input(request))
        if data is not None:
            try:
                await _delete(request, data)
            except UserError as err:
                errors, status = {err.field or "password": err.message}, err.status
            else:
                page = sh.templates.TemplateResponse(request, "accounts/deleted.html", {})
                return _signed_out(page)
        else:
            status = 422
        context["errors"] = errors
        return sh.templates.TemplateResponse(
            request, "accounts/delete.html", context, status_code=status
        )
    return sh.templates.TemplateResponse(request, "accounts/delete.html", context)


async def my_data(request: Request) -> Response:
    """
    summary: Everything the store holds of the signed-in person, as one JSON document
    description: >
      Profile, interests, sessions (never their tokens), memberships, registrations, chat
      messages, questions, votes, poll answers, hands, reports filed, blocks, guidelines
      accepted, mutes and bans, waiting rooms, breakout seats and help requests, and the
      moderation actions they took. Other people appear by display name only.
    tags: [accounts]
    responses:
      200: {description: The person's data}
      401: {description: Not signed in}
    """
    return JSONResponse(await _export(request))


async def delete_me(request: Request) -> Response:
    """
    summary: Delete the signed-in account, confirmed with its password
    description: >
      Messages and questions stay, shown as from a deleted account; every copy of the name
      and the email goes; every session ends. Refused while the person is the only owner of
      a community.
    tags: [accounts]
    requestBody:
      content: {application/json: {schema: {$ref: "#/components/schemas/AccountDeletion"}}}
    responses:
      204: {description: Deleted; the session cookie is cleared}
      401: {description: Not signed in}
      403: {description: Wrong password (field password)}
      409: {description: The only owner of a community (code owns_communities)}
      429: {description: Too many wrong passwords}
    """
    await _delete(request, parse(AccountDeletion, await read_input(request)))
    return _signed_out(Response(status_code=204))


SCHEMAS = {"AccountDeletion": AccountDeletion}

api_routes = [
    Route("/api/me/data", my_data, methods=["GET"]),
    Route("/api/me", delete_me, methods=["DELETE"]),
]
routes = [
    Route("/profile/data.json", data_download),
    Route("/profile/delete", delete_page, methods=["GET", "POST"]),
]
