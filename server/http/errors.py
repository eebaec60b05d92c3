"""Errors a person can cause, and how every error is shown: JSON under /api, a page elsewhere.

No input a client can send produces a 500: handlers raise `UserError` for anything a person
can fix, and the catch-all handler logs the rest without showing internals.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

log = logging.getLogger(__name__)

_CODES = {
    400: "bad_request",
    401: "not_signed_in",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "rate_limited",
}


class UserError(Exception):
    """Something the person can fix; shown to them as it is."""

    def __init__(
        self, message: str, *, status: int = 422, code: str | None = None, field: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code or _CODES.get(status, "error")
        self.field = field


def not_found(what: str = "That page") -> UserError:
    return UserError(f"{what} does not exist.", status=404)


def forbidden(message: str = "You are not allowed to do that.") -> UserError:
    return UserError(message, status=403)


def field_errors(exc: ValidationError) -> dict[str, str]:
    """pydantic's errors as {field: message}, the first message per field."""
    out: dict[str, str] = {}
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "body"
        message = err["msg"]
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        out.setdefault(loc, message[:1].upper() + message[1:])
    return out


def first_error(exc: ValidationError) -> UserError:
    errors = field_errors(exc)
    name, message = next(iter(errors.items()))
    return UserError(f"{name}: {message}", field=name)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path.endswith(".json")


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "field": field}}


def render_error(
    request: Request, status: int, code: str, message: str, field: str | None
) -> Response:
    if _wants_json(request):
        return JSONResponse(error_body(code, message, field), status_code=status)
    templates = getattr(request.app.state, "templates", None)
    if templates is None:
        return HTMLResponse(f"<h1>{status}</h1>", status_code=status)
    response: Response = templates.TemplateResponse(
        request, "error.html", {"status": status, "message": message}, status_code=status
    )
    return response


async def on_user_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, UserError)
    return render_error(request, exc.status, exc.code, exc.message, exc.field)


async def on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ValidationError)
    err = first_error(exc)
    return render_error(request, err.status, err.code, err.message, err.field)


async def on_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        message = "That page does not exist."
    elif exc.status_code == 405:
        message = "That method is not allowed here."
    else:
        message = str(exc.detail)
    code = _CODES.get(exc.status_code, "error")
    return render_error(request, exc.status_code, code, message, None)


async def on_unexpected(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path)
    return render_error(request, 500, "internal", "Something went wrong on our side.", None)


HANDLERS: dict[Any, Any] = {
    UserError: on_user_error,
    ValidationError: on_validation_error,
    HTTPException: on_http_error,
    Exception: on_unexpected,
}
