"""Reading input the same way for pages (forms) and the JSON API, and the shared field types.

One pydantic model per kind of input validates both; a page re-renders its form with the
errors next to the fields, the API answers the first error as JSON.
"""

from __future__ import annotations

import json
import re
import zoneinfo
from functools import cache
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    StringConstraints,
    ValidationError,
    field_validator,
)
from starlette.requests import Request

from server.http.errors import UserError, field_errors

M = TypeVar("M", bound=BaseModel)

_TAG = re.compile(r"^[a-z0-9][a-z0-9+#.\- ]{0,39}$")


def storable(value: str) -> str:
    """Text any database can store: PostgreSQL refuses NUL, and no driver takes a lone
    surrogate. Refused here, such input is a 422 naming the field, not a failure in the store."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("must be valid Unicode text") from None
    return value


def unix_newlines(value: Any) -> Any:
    """Browsers send textarea lines ending in CRLF; count and store them as one character."""
    return value.replace("\r\n", "\n") if isinstance(value, str) else value


class Input(BaseModel):
    """Base of every input model: unknown fields are refused, strings are trimmed, and text
    that no database can store (NUL, lone surrogates) is refused with the field named."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def storable_text(cls, value: Any) -> Any:
        return storable(value) if isinstance(value, str) else value


@cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _check_timezone(value: str) -> str:
    if value not in _zones():
        raise ValueError(f"unknown time zone {value!r}; use a name like Europe/Paris or UTC")
    return value


def _check_tag(value: str) -> str:
    tag = " ".join(value.lower().split())
    if not _TAG.match(tag):
        raise ValueError("a tag is 1 to 40 letters, digits, spaces or + # . -")
    return tag


TimeZone = Annotated[str, StringConstraints(max_length=64), AfterValidator(_check_timezone)]
Tag = Annotated[str, StringConstraints(max_length=40), AfterValidator(_check_tag)]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]


def split_tags(value: Any) -> Any:
    """A form sends tags as one comma-separated string; the API sends a list."""
    if isinstance(value, str):
        return [t for t in (p.strip() for p in value.split(",")) if t]
    return value


async def read_input(request: Request) -> dict[str, Any]:
    """The body as a dict, from JSON or a urlencoded form; anything else is a 4xx."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/json":
        try:
            data = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise UserError("The body is not valid JSON.", status=400) from None
        if not isinstance(data, dict):
            raise UserError("The body must be a JSON object.", status=400)
        return data
    if ctype == "application/x-www-form-urlencoded":
        form = await request.form()
        out: dict[str, Any] = {}
        for key in form:
            if key == "csrf_token":
                continue
            values = form.getlist(key)
            out[key] = values if len(values) > 1 else values[0]
        return out
    raise UserError(
        "Send application/json or a form (application/x-www-form-urlencoded).", status=415
    )


def parse(model: type[M], data: dict[str, Any]) -> M:
    """Validate; a ValidationError becomes a 422 through the app's error handler."""
    return model.model_validate(data)


def parse_or_errors(model: type[M], data: dict[str, Any]) -> tuple[M | None, dict[str, str]]:
    try:
        return model.model_validate(data), {}
    except ValidationError as exc:
        return None, field_errors(exc)
