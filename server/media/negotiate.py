"""Applying checked SDP to a peer connection, with aiortc's failures turned into SdpError.

`check_sdp` refuses what aiortc is known to choke on, but setRemoteDescription and
createAnswer go on to validate state and negotiate codecs and may still raise (ValueError,
AttributeError, OperationError, InvalidStateError…) on an input no check foresaw. The room
socket answers those the same way: an error frame, not a traceback.
"""

from __future__ import annotations

import contextlib
import logging

from aiortc import RTCPeerConnection, RTCSessionDescription

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
