"""Encoding frames for the wire. Each event is encoded once per worker, then reused."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from server.rooms.commands import CommandError
from server.rooms.events import Event


def encode(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


@dataclass
class Wired:
    """A room event with its audience, as it travels: decoded once, encoded once."""

    seq: int
    audience: str
    event: Event
    _text: str | None = field(default=None, repr=False)

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = encode(self.event)
        return self._text

    def bus_payload(self) -> bytes:
        return f'{{"a":{encode(self.audience)},"e":{self.text}}}'.encode()


def events_frame(room: int, texts: list[str]) -> str:
    return f'{{"type":"events","room":{room},"events":[{",".join(texts)}]}}'


def ack(ref: int | str, **fields: Any) -> str:
    return encode({"type": "ack", "ref": ref, **fields})


def error(ref: int | str | None, err: CommandError) -> str:
    frame: dict[str, Any] = {
        "type": "error",
        "ref": ref,
        "code": err.code,
        "message": err.message,
        "field": err.field,
    }
    if err.retry_after is not None:
        frame["retry_after"] = round(err.retry_after, 1)
    return encode({**err.extra, **frame})
