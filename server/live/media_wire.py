"""How web workers and media nodes talk over the bus: its keys, channels and messages.

- `media:nodes` (hash) lists the nodes ever announced; a node is alive while its own key
  `media:node:{id}` (refreshed every `BEAT_S`, expiring after `ALIVE_S`) exists, and holds how
  many stages it runs, for placing the next room on the least busy one.
- `media:room:{room}` names the node that runs the room's stage: set once by whoever places
  the room (SET NX), refreshed by that node with the same expiry, so a dead node's rooms come
  free within `ALIVE_S`.
- `media:stage:{room}` keeps who is invited, on the stage, removed and muted, and the recording
  running, so the node that takes a room over after a death starts from them.
- Requests go to `media:to:{node}` and replies come back on the asking worker's own
  `media:reply:{worker}`, matched by id. A node publishes each stage's whole view, whenever
  it changes, on `stage:{room}`; every worker with people in the room shows it to them.

Pub/sub is at-most-once: a lost request or reply is a timeout, answered to the person as
"unavailable, try again", and a lost view is healed by the next change or a reconnect.
"""

from __future__ import annotations

import json
from typing import Any

from server.rooms.commands import CommandError

BEAT_S = 1.0
ALIVE_S = 3.0
MEMBERSHIP_KEEP_S = 12 * 3600.0

NODES = "media:nodes"


def node_key(node: str) -> str:
    return f"media:node:{node}"


def room_key(room_id: int) -> str:
    return f"media:room:{room_id}"


def membership_key(room_id: int) -> str:
    return f"media:stage:{room_id}"


def requests_channel(node: str) -> str:
    return f"media:to:{node}"


def replies_channel(worker: str) -> str:
    return f"media:reply:{worker}"


def views_channel(room_id: int) -> str:
    return f"stage:{room_id}"


def dump(message: dict[str, Any]) -> bytes:
    return json.dumps(message, separators=(",", ":")).encode()


def load(payload: bytes) -> dict[str, Any]:
    message = json.loads(payload)
    if not isinstance(message, dict):
        raise ValueError("a media message is a JSON object")
    return message


def error_reply(call_id: str, error: CommandError) -> bytes:
    fields = {"code": error.code, "message": error.message, "field": error.field,
              "retry_after": error.retry_after}  # fmt: skip
    return dump({"id": call_id, "error": fields})


def error_of(reply: dict[str, Any]) -> CommandError:
    fields = reply["error"]
    return CommandError(str(fields["code"]), str(fields["message"]), field=fields.get("field"),
                        retry_after=fields.get("retry_after"))  # fmt: skip
