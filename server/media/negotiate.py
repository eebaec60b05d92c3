"""Applying checked SDP to a peer connection, with aiortc's failures turned into SdpError.

`check_sdp` refuses what aiortc is known to choke on, but setRemoteDescription and
createAnswer go on to validate state and negotiate codecs and may still raise (ValueError,
AttributeError, OperationError, InvalidStateError…) on an input no check foresaw. The room
socket answers those the same way: an error frame, not a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.exceptions import InvalidStateError

from server.media.sdp import CheckedSdp, SdpError

logger = logging.getLogger(__name__)


async def answer_offer(pc: RTCPeerConnection, offer: CheckedSdp) -> str:
    """Apply a checked offer and return the answer's SDP; SdpError if aiortc refuses it.

    After an SdpError the connection is in no known state: close it (`close_quietly`).
    """
    try:
        await pc.setRemoteDescription(RTCSessionDescription(offer.sdp, "offer"))
        await pc.setLocalDescription(await pc.createAnswer())
    except Exception as exc:
        logger.info("offer refused by aiortc: %r", exc)
        raise SdpError(f"the offer could not be applied ({type(exc).__name__})") from None
    return str(pc.localDescription.sdp)


async def apply_answer(pc: RTCPeerConnection, answer: CheckedSdp) -> None:
    """Apply a checked answer to an offer the SFU made; SdpError if aiortc refuses it."""
    try:
        await pc.setRemoteDescription(RTCSessionDescription(answer.sdp, "answer"))
    except Exception as exc:
        logger.info("answer refused by aiortc: %r", exc)
        raise SdpError(f"the answer could not be applied ({type(exc).__name__})") from None


async def close_quietly(pc: RTCPeerConnection) -> None:
    # aiortc 1.16's close() itself raises AttributeError on a connection whose remote
    # description failed half way (a transceiver left without a transport).
    with contextlib.suppress(Exception):
        await pc.close()


def _interrupted_connect(context: dict[str, Any]) -> bool:
    task = context.get("future")
    if not isinstance(task, asyncio.Task) or not isinstance(context.get("exception"),
                                                            InvalidStateError):  # fmt: skip
        return False
    return str(getattr(task.get_coro(), "__qualname__", "")) == "RTCPeerConnection.__connect"


Handler = Callable[[asyncio.AbstractEventLoop, dict[str, Any]], object]


class _ConnectGuard:
    """The loop's exception handler while guarded: the interrupted connects, then `previous`."""

    def __init__(self, previous: Handler | None) -> None:
        self.previous = previous

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if _interrupted_connect(context):
            logger.info("a connection closed while it was connecting: %s", context["exception"])
        elif self.previous is not None:
            self.previous(loop, context)
        else:
            loop.default_exception_handler(context)


def guard_interrupted_connects() -> None:
    """Log on one line, for this event loop, a connection closed while aiortc connected it.

    aiortc 1.16 starts each connection's ICE and DTLS in a task nobody awaits
    (`RTCPeerConnection.__connect`). Closed while that task runs between two transports, the
    task raises InvalidStateError ("RTCIceTransport is closed"), which asyncio reports with a
    traceback as never retrieved. For an SFU that is ordinary (a client replaces its offer
    at once), so it is logged as such; anything else goes on to the loop's handler as before.
    """
    loop = asyncio.get_running_loop()
    current = loop.get_exception_handler()
    if not isinstance(current, _ConnectGuard):
        loop.set_exception_handler(_ConnectGuard(current))
