"""What a member sends to ask for a mentor, schedule a pair's session and say how it went;
and the mentorship refusals as the errors a person sees (pages and API alike)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import BeforeValidator, Field, StringConstraints

from server.http.errors import UserError
from server.http.events.access import refusals as event_refusals
from server.http.events.inputs import LocalDateTime, Title
from server.http.forms import Input, Tag, TimeZone, unix_newlines
from server.store.events import EventInput
from server.store.mentor_pairs import MAX_WEEKS
from server.store.mentor_profiles import MentorshipRefused
from server.store.mentorship import MAX_NOTE

_STATUS = {"not_found": 404, "not_allowed": 403, "closed": 409, "conflict": 409, "invalid": 422}

Note = Annotated[str, BeforeValidator(unix_newlines), StringConstraints(max_length=MAX_NOTE)]


class MentorRequestIn(Input):
    tag: Tag
    note: Note = ""


class SessionIn(Input):
    """A pair's session: its local start in `timezone`, its length, how many weeks it repeats."""

    title: Title = "Mentorship session"
    starts_at: LocalDateTime
    minutes: Annotated[int, Field(ge=15, le=240)] = 60
    timezone: TimeZone = "UTC"
    weeks: Annotated[int, Field(ge=1, le=MAX_WEEKS)] = 1

    def to_store(self, tag: str) -> EventInput:
        starts = self.starts_at.replace(tzinfo=ZoneInfo(self.timezone)).astimezone(UTC)
        return EventInput(
            kind="study_group",
            title=self.title,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=self.minutes),
            timezone=self.timezone,
            weekly_count=self.weeks,
            tags=(tag,),
        )


class FeedbackIn(Input):
    went_well: bool


@contextmanager
def refusals() -> Iterator[None]:
    """The store's mentorship and event refusals as errors with a status and a field."""
    with event_refusals():
        try:
            yield
        except MentorshipRefused as err:
            raise UserError(err.message, status=_STATUS[err.reason], field=err.field) from None
