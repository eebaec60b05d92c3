"""Sign-in, sign-up and sign-out, shared by the pages and the API."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from server.http.context import Studyhall
from server.http.errors import UserError
from server.http.guard import SESSION_COOKIE
from server.store import accounts
from server.store.accounts import SESSION_DAYS
from server.store.tables import Person, utcnow

from .inputs import SignIn, SignUp


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def sign_up(sh: Studyhall, data: SignUp) -> tuple[Person, str]:
    async def create(session: AsyncSession) -> tuple[Person, str]:
        person = await accounts.create_person(
            session,
            email=data.email,
            password=data.password,
            display_name=data.display_name,
            timezone=data.timezone,
        )
        return person, await accounts.start_session(session, person.id)

    try:
        return await sh.store.write(create)
    except accounts.EmailTaken:
        raise UserError(
            "An account with this email exists already: sign in instead.",
            status=409,
            code="email_taken",
            field="email",
        ) from None


async def sign_in(sh: Studyhall, request: Request, data: SignIn) -> tuple[Person, str]:
    """Check the password; failures are counted per email and per address across workers."""
    limit = sh.settings.limits.sign_in_attempts
    window = timedelta(seconds=sh.settings.limits.sign_in_window_s)
    since = utcnow() - window
    keys = [f"email:{accounts.normalize_email(data.email)}", f"ip:{_client(request)}"]
    email_fails = await sh.store.read(accounts.failed_sign_ins, keys[0], since)
    ip_fails = await sh.store.read(accounts.failed_sign_ins, keys[1], since)
    if email_fails >= limit or ip_fails >= limit * 5:
        minutes = sh.settings.limits.sign_in_window_s // 60
        raise UserError(f"Too many failed sign-ins. Try again in {minutes} minutes.", status=429)
    person = await sh.store.read(accounts.check_password, data.email, data.password)
    if person is None:
        await sh.store.write(accounts.record_failed_sign_in, keys)
        raise UserError(
            "Wrong email or password.", status=401, code="bad_credentials", field="password"
        )
    token = await sh.store.write(accounts.start_session, person.id)
    return person, token


async def sign_out(sh: Studyhall, request: Request, response: Response) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await sh.store.write(accounts.end_session, token)
    response.delete_cookie(SESSION_COOKIE, path="/")


def set_session_cookie(sh: Studyhall, response: Response, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_DAYS * 86400,
        path="/",
        httponly=True,
        samesite="lax",
        secure=sh.settings.secure_cookies,
    )


def safe_next(target: str) -> str:
    """Only same-site paths: never an open redirect."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"
