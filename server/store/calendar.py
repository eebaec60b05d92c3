"""When an event meets: one meeting, or a study group's weekly series, and when its room opens.

A study group meets at the same wall-clock time every week in its own time zone, so the
series is computed in local time: across a daylight-saving change the UTC hour moves and
the local hour stays, as it does in every calendar app for `RRULE:FREQ=WEEKLY`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

# The room opens a little early so hosts and attendees can check their camera and microphone.
ROOM_OPENS_BEFORE = timedelta(minutes=15)


class Scheduled(Protocol):
    """What the schedule needs of an event (an `Event` row has all of it)."""

    @property
    def starts_at(self) -> datetime: ...
    @property
    def ends_at(self) -> datetime: ...
    @property
    def timezone(self) -> str: ...
    @property
    def weekly_count(self) -> int | None: ...


def _week_later(moment: datetime, weeks: int, zone: ZoneInfo) -> datetime:
    local = moment.astimezone(zone).replace(tzinfo=None) + timedelta(weeks=weeks)
    return local.replace(tzinfo=zone).astimezone(UTC)


def meetings(
    starts_at: datetime, ends_at: datetime, timezone: str, weekly_count: int | None
) -> list[tuple[datetime, datetime]]:
    """Every meeting as (start, end) in UTC: one, or `weekly_count` weekly ones."""
    if not weekly_count or weekly_count <= 1:
        return [(starts_at, ends_at)]
    zone = ZoneInfo(timezone)
    return [
        (_week_later(starts_at, n, zone), _week_later(ends_at, n, zone))
        for n in range(weekly_count)
    ]


def series_end(
    starts_at: datetime, ends_at: datetime, timezone: str, weekly_count: int | None
) -> datetime:
    """When the last meeting ends."""
    return meetings(starts_at, ends_at, timezone, weekly_count)[-1][1]


def meetings_of(event: Scheduled) -> list[tuple[datetime, datetime]]:
    return meetings(event.starts_at, event.ends_at, event.timezone, event.weekly_count)


def next_meeting(event: Scheduled, now: datetime) -> tuple[datetime, datetime] | None:
    """The meeting under way or the next one; None once the last has ended."""
    for start, end in meetings_of(event):
        if end > now:
            return start, end
    return None


def room_is_open(event: Scheduled, now: datetime) -> bool:
    """From 15 minutes before a meeting starts until it ends."""
    meeting = next_meeting(event, now)
    return meeting is not None and meeting[0] - ROOM_OPENS_BEFORE <= now < meeting[1]
