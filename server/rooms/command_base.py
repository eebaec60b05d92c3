"""What every command shares: the two kinds of failure, the field types, the base model.

Two kinds of failure, as the protocol says: `ProtocolError` closes the socket with a code;
`CommandError` is answered with an error frame and the socket stays open.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt, StrictStr

CLOSE_NOT_JSON = 1003
CLOSE_POLICY = 1008
CLOSE_TOO_BIG = 1009
CLOSE_SLOW_CLIENT = 1013
CLOSE_GOING_AWAY = 1001


class ProtocolError(Exception):
    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class CommandError(Exception):
    """A user error: answered with an error frame carrying the command's ref."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        field: str | None = None,
        retry_after: float | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.retry_after = retry_after
        # More for the client to act on, sent in the error frame (such as the current text
        # that a refused save of shared notes must be redone on).
        self.extra = extra or {}


def _no_surrogates(value: str) -> str:
    # JSON may escape lone surrogates ("\ud800"); they cannot be stored or sent as UTF-8.
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("text must be valid Unicode") from None
    return value


Text = Annotated[StrictStr, AfterValidator(_no_surrogates)]
Ref = StrictInt | Annotated[StrictStr, Field(max_length=64)]
Id = Annotated[StrictInt, Field(ge=1, le=2**53)]
Member = Annotated[StrictStr, Field(min_length=1, max_length=16)]


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    op: str
    ref: Ref
