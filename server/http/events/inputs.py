"""What a manager sends to create or edit an event, a guest to register, anyone to filter.

Times arrive as the event's local wall-clock time (`2027-01-15T18:00`, what
`<input type="datetime-local">` sends) plus the event's `timezone`; `EventIn.to_store`
turns them into UTC. Rules between fields are field validators reading the fields declared
before them, so each error names the field a person has to fix.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from server.http.forms import Input, Tag, TimeZone, split_tags, storable, unix_newlines
from server.store.events import MAX_ID, AgendaInput, EventInput

AGENDA_ROWS = 6
MAX_LENGTH = timedelta(days=14)
# Far enough for any real plan, near enough that no conversion to UTC can overflow.
YEARS = (2000, 2100)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
DATE_HINT = "use a date and time like 2027-01-15T18:00"

Kind = Literal["webinar", "workshop", "conference", "study_group", "meetup"]
Attendance = Literal["online", "in_person", "hybrid"]
KIND_NAMES = {
    "webinar": "Webinar",
    "workshop": "Workshop",
    "conference": "Conference",
    "study_group": "Study group",
    "meetup": "Meetup",
}


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _id_list(value: Any) -> Any:
    """Checkboxes send one value or several; an API client may also send "3,5"."""
    if isinstance(value, str):
        return [p for p in (s.strip() for s in value.split(",")) if p]
    return value


def _local_datetime(value: Any) -> Any:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"not a date and time: {DATE_HINT}") from None
    else:
        raise ValueError(DATE_HINT)
    if parsed.tzinfo is not None:
        raise ValueError("give the local time without an offset; the time zone is its own field")
    if not YEARS[0] <= parsed.year <= YEARS[1]:
        raise ValueError(f"the year must be from {YEARS[0]} to {YEARS[1]}")
    return parsed.replace(second=0, microsecond=0)


def _date_in_range(value: date | None) -> date | None:
    if value is not None and not YEARS[0] <= value.year <= YEARS[1]:
        raise ValueError(f"the year must be from {YEARS[0]} to {YEARS[1]}")
    return value


LocalDateTime = Annotated[datetime, BeforeValidator(_local_datetime)]
PersonId = Annotated[int, Field(ge=1, le=MAX_ID)]
PersonIds = Annotated[list[PersonId], BeforeValidator(_id_list), Field(max_length=20)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=200), AfterValidator(storable)]
Venue = Annotated[str, StringConstraints(max_length=200), AfterValidator(storable)]
Address = Annotated[str, StringConstraints(max_length=300), AfterValidator(storable)]
GuestName = Annotated[str, StringConstraints(min_length=1, max_length=80), AfterValidator(storable)]
Description = Annotated[
    str,
    BeforeValidator(unix_newlines),
    StringConstraints(max_length=20_000),
    AfterValidator(storable),
]


def _utc(local: datetime, zone: str) -> datetime:
    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


class AgendaItemIn(Input):
    title: Title
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    speaker_ids: PersonIds = Field(default_factory=list)

    @field_validator("ends_at")
    @classmethod
    def after_start(cls, value: datetime, info: ValidationInfo) -> datetime:
        start = info.data.get("starts_at")
        if start is not None and value <= start:
            raise ValueError("a session must end after it starts")
        return value


class EventIn(Input):
    kind: Kind
    title: Title
    description: Description = ""
    timezone: TimeZone
    starts_at: LocalDateTime
    ends_at: LocalDateTime
    capacity: Annotated[
        Annotated[int, Field(ge=1, le=100_000)] | None, BeforeValidator(_blank_is_none)
    ] = None
    attendance: Attendance | None = Field(default=None, validate_default=True)
    venue: Venue = Field(default="", validate_default=True)
    address: Address = Field(default="", validate_default=True)
    weekly_count: Annotated[
        Annotated[int, Field(ge=1, le=52)] | None, BeforeValidator(_blank_is_none)
    ] = Field(default=None, validate_default=True)
    tags: Annotated[list[Tag], BeforeValidator(split_tags), Field(max_length=10)] = Field(
        default_factory=list
    )
    speaker_ids: PersonIds = Field(default_factory=list)
    agenda: list[AgendaItemIn] = Field(default_factory=list, max_length=50)

    @model_validator(mode="before")
    @classmethod
    def agenda_from_form_rows(cls, data: Any) -> Any:
        """The form sends rows `agenda_N_title`, `…_starts_at`, `…_ends_at`, `…_speaker_ids`."""
        if not isinstance(data, dict) or "agenda" in data:
            return data
        rows = []
        rest = {k: v for k, v in data.items() if not k.startswith("agenda_")}
        for n in range(AGENDA_ROWS):
            row = {
                name: data.get(f"agenda_{n}_{name}", "")
                for name in ("title", "starts_at", "ends_at", "speaker_ids")
            }
            if any(isinstance(v, list) or str(v).strip() for v in row.values()):
                rows.append(row)
        return {**rest, "agenda": rows}

    @field_validator("ends_at")
    @classmethod
    def within_two_weeks(cls, value: datetime, info: ValidationInfo) -> datetime:
        start = info.data.get("starts_at")
        if start is not None and value <= start:
            raise ValueError("the end must be after the start")
        if start is not None and value - start > MAX_LENGTH:
            raise ValueError("an event lasts at most 14 days; a study group repeats weekly")
        return value

    @field_validator("attendance")
    @classmethod
    def meetups_meet_in_person(cls, value: str | None, info: ValidationInfo) -> str:
        if info.data.get("kind") == "meetup":
            if value not in ("in_person", "hybrid"):
                raise ValueError("a meetup is in person or hybrid")
            return value
        if value not in (None, "online"):
            raise ValueError("only a meetup is in person or hybrid")
        return "online"

    @field_validator("venue", "address")
    @classmethod
    def only_meetups_have_a_place(cls, value: str, info: ValidationInfo) -> str:
        what = "a venue" if info.field_name == "venue" else "an address"
        if info.data.get("kind") == "meetup" and not value:
            raise ValueError(f"a meetup needs {what}")
        if info.data.get("kind") not in (None, "meetup") and value:
            raise ValueError(f"only a meetup has {what}")
        return value

    @field_validator("weekly_count")
    @classmethod
    def study_groups_repeat(cls, value: int | None, info: ValidationInfo) -> int | None:
        if info.data.get("kind") == "study_group" and value is None:
            raise ValueError("a study group needs its number of weekly meetings, 1 to 52")
        if info.data.get("kind") not in (None, "study_group") and value is not None:
            raise ValueError("only a study group repeats weekly")
        return value

    @field_validator("agenda")
    @classmethod
    def conference_agenda(cls, value: list[AgendaItemIn], info: ValidationInfo) -> Any:
        if value and info.data.get("kind") not in (None, "conference"):
            raise ValueError("only a conference has an agenda")
        start, end = info.data.get("starts_at"), info.data.get("ends_at")
        if start is None or end is None:
            return value
        for n, item in enumerate(value, 1):
            if not start <= item.starts_at < item.ends_at <= end:
                raise ValueError(f"session {n} must start and end within the event")
        return value

    def to_store(self) -> EventInput:
        zone = self.timezone
        return EventInput(
            kind=self.kind,
            title=self.title,
            description=self.description,
            starts_at=_utc(self.starts_at, zone),
            ends_at=_utc(self.ends_at, zone),
            timezone=zone,
            capacity=self.capacity,
            attendance=self.attendance or "online",
            venue=self.venue,
            address=self.address,
            weekly_count=self.weekly_count,
            tags=tuple(self.tags),
            speaker_ids=tuple(self.speaker_ids),
            agenda=tuple(
                AgendaInput(
                    a.title, _utc(a.starts_at, zone), _utc(a.ends_at, zone), tuple(a.speaker_ids)
                )
                for a in self.agenda
            ),
        )


def _email(value: str) -> str:
    if not _EMAIL.fullmatch(value):
        raise ValueError("enter an email address like name@example.org")
    return storable(value)


class GuestIn(Input):
    name: GuestName
    email: Annotated[str, StringConstraints(max_length=254), AfterValidator(_email)]


class DirectoryFilter(BaseModel):
    """The directory's query string. Unknown parameters (a tracker's, say) are ignored."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, populate_by_name=True)

    tag: Annotated[Tag | None, BeforeValidator(_blank_is_none)] = None
    kind: Annotated[Kind | None, BeforeValidator(_blank_is_none)] = None
    starts_from: Annotated[
        date | None, BeforeValidator(_blank_is_none), AfterValidator(_date_in_range)
    ] = Field(default=None, alias="from")
    to: Annotated[date | None, BeforeValidator(_blank_is_none), AfterValidator(_date_in_range)] = (
        None
    )
    community: Annotated[str | None, BeforeValidator(_blank_is_none)] = Field(
        default=None, max_length=40
    )
    page: Annotated[int, Field(ge=1, le=1000)] = 1

    @field_validator("to")
    @classmethod
    def not_before_from(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("starts_from")
        if value is not None and start is not None and value < start:
            raise ValueError("the last day must not be before the first")
        return value
