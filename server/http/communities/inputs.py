"""What a person sends to create, edit and join a community, and to change a member's role."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from server.http.forms import Input, storable, unix_newlines

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Words that name pages or would read as one under /c/ or /communities/.
RESERVED_SLUGS = frozenset(
    {
        "new",
        "edit",
        "api",
        "static",
        "admin",
        "administrator",
        "root",
        "system",
        "settings",
        "c",
        "communities",
        "community",
        "events",
        "event",
        "people",
        "profile",
        "my",
        "me",
        "join",
        "leave",
        "invite",
        "members",
        "guidelines",
        "health",
        "ready",
        "login",
        "logout",
        "sign-in",
        "sign-up",
        "sign-out",
        "www",
        "help",
        "about",
        "support",
        "studyhall",
    }
)
MAX_ID = 2**31 - 1  # the largest id both databases' INTEGER columns hold


def _check_slug(value: str) -> str:
    slug = value.lower()
    if not 3 <= len(slug) <= 40:
        raise ValueError("a slug is 3 to 40 characters long")
    if not _SLUG.fullmatch(slug):
        raise ValueError(
            "use lowercase letters, digits and single hyphens, not at the start or the end"
        )
    if slug in RESERVED_SLUGS:
        raise ValueError(f"{slug!r} is reserved; choose another slug")
    return slug


def is_slug(value: str) -> bool:
    """Whether a path segment could be a community's slug: others need no database query."""
    return 3 <= len(value) <= 40 and _SLUG.fullmatch(value) is not None


Slug = Annotated[str, StringConstraints(max_length=200), AfterValidator(_check_slug)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=100), AfterValidator(storable)]
Description = Annotated[
    str,
    BeforeValidator(unix_newlines),
    StringConstraints(max_length=5_000),
    AfterValidator(storable),
]
Guidelines = Annotated[
    str,
    BeforeValidator(unix_newlines),
    StringConstraints(max_length=10_000),
    AfterValidator(storable),
]
JoinPolicy = Literal["open", "invite"]
Role = Literal["owner", "moderator", "member"]


class NewCommunity(Input):
    slug: Slug
    name: Name
    description: Description = ""
    guidelines: Guidelines = ""
    join_policy: JoinPolicy = "open"
    # Whether attendees see who else is in a room; staff always do. A form sends on or off.
    show_people: bool = True


class CommunityEdit(Input):
    """Fields left out stay as they are; the slug never changes, links depend on it."""

    name: Name | None = None
    description: Description | None = None
    guidelines: Guidelines | None = None
    join_policy: JoinPolicy | None = None
    show_people: bool | None = None


class Join(Input):
    invite_code: (
        Annotated[str, StringConstraints(max_length=100), AfterValidator(storable)] | None
    ) = None


class RoleChange(Input):
    role: Role


class MemberRoleForm(RoleChange):
    """The members page sends the person with the role; the API has them in the path."""

    person_id: Annotated[int, Field(ge=1, le=MAX_ID)]


class Paging(Input):
    offset: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    limit: Annotated[int, Field(ge=1, le=200)] = 50
