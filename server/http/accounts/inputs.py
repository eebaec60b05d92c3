"""What a person sends to sign up, sign in and edit their profile."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, field_validator, model_validator

from server.http.forms import Email, Input, Tag, TimeZone

Name = Annotated[str, StringConstraints(min_length=1, max_length=80)]
Password = Annotated[str, StringConstraints(strip_whitespace=False, min_length=10, max_length=200)]
INTEREST_ROWS = 6  # empty rows the profile form offers at least
MAX_INTERESTS = 20


class SignUp(Input):
    email: Email
    password: Password
    display_name: Name
    timezone: TimeZone = "UTC"


class SignIn(Input):
    email: Annotated[str, StringConstraints(max_length=254)]
    password: Annotated[str, StringConstraints(strip_whitespace=False, max_length=200)]
    next: str = "/"


class InterestIn(Input):
    tag: Tag
    level: Literal["beginner", "intermediate", "experienced"] = "beginner"
    open_to_mentoring: bool = False


class Profile(Input):
    display_name: Name
    bio: Annotated[str, StringConstraints(max_length=500)] = ""
    timezone: TimeZone = "UTC"
    interests: list[InterestIn] = Field(default_factory=list, max_length=MAX_INTERESTS)

    @model_validator(mode="before")
    @classmethod
    def interests_from_form_rows(cls, data: Any) -> Any:
        """The page sends rows `interest_N_tag`, `interest_N_level`, `interest_N_mentor`."""
        if not isinstance(data, dict) or "interests" in data:
            return data
        rows = []
        rest = {k: v for k, v in data.items() if not k.startswith("interest_")}
        # Every row the page may send: a person with more interests than the blank rows
        # offered (set through the API) gets a row for each, and saving keeps them all.
        for n in range(MAX_INTERESTS):
            tag = str(data.get(f"interest_{n}_tag", "")).strip()
            if tag:
                rows.append(
                    {
                        "tag": tag,
                        "level": data.get(f"interest_{n}_level", "beginner"),
                        "open_to_mentoring": data.get(f"interest_{n}_mentor") == "on",
                    }
                )
        return {**rest, "interests": rows}

    @field_validator("interests")
    @classmethod
    def distinct_tags(cls, value: list[InterestIn]) -> list[InterestIn]:
        tags = [i.tag for i in value]
        if len(set(tags)) != len(tags):
            raise ValueError("each interest may be listed once")
        return value
