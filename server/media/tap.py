"""The two places where the SFU reaches inside aiortc 1.16, kept in one file.

aiortc has no public way to get a received track's encoded frames, nor to learn that a
remote peer asked one of our senders for a keyframe. Both exist inside it:

- `RTCRtpReceiver._handle_rtp_packet` depacketizes RTP, reassembles a whole encoded frame in
  its jitter buffer, then hands `(codec, JitterFrame)` to a decoder thread by calling
  `put()` on a `queue.Queue` kept in the name-mangled attribute `__decoder_queue`. The thread
  ends, and ends the track, when it gets `None` (receiver stopped, DTLS closed, RTCP BYE).
  Swapping that queue for `EncodedFrameQueue` before `receive()` starts the thread keeps
  everything upstream (SRTP, NACK, jitter buffer, the receiver's own PLIs on loss, RTCP
  reports) and the end-of-track path, and takes the frames out before any decoding: the
  decoder thread is still started but never gets a frame, so no decoder is ever created.
- `RTCRtpSender._handle_rtcp_packet` answers PLI and FIR by calling `self._send_keyframe()`,
  which only sets a flag for its encoder. A forwarding sender has no encoder to obey it, so
  the SFU wraps that method on each such sender instance to carry the request upstream.

`tests/media/test_aiortc_pin.py` checks these internals on the installed aiortc and fails
with a message naming this file if they move; pyproject pins aiortc to 1.16.x for the same
reason.
"""

from __future__ import annotations

import queue
from collections.abc import Callable
from typing import Any

from aiortc import RTCRtpReceiver, RTCRtpSender
from aiortc.jitterbuffer import JitterFrame
from aiortc.rtcrtpparameters import RTCRtpCodecParameters, RTCRtpReceiveParameters

DECODER_QUEUE = "_RTCRtpReceiver__decoder_queue"
DECODER_THREAD = "_RTCRtpReceiver__decoder_thread"

EncodedFrameSink = Callable[[RTCRtpCodecParameters, JitterFrame], None]


class AiortcChanged(RuntimeError):
    """The aiortc internals this module relies on are not what it was written against."""


class EncodedFrameQueue(queue.Queue[Any]):
    """Stands in for the receiver's decoder queue: frames go to `sink`, the end to the thread.

    `put()` is called on the event loop (from `_handle_rtp_packet`), so `sink` runs there too
    and may touch asyncio objects directly. Only the `None` sentinel is queued for the
    decoder thread, which then ends the track as it would have anyway.
    """

    def __init__(self, sink: EncodedFrameSink) -> None:
        super().__init__()
        self._sink = sink

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        if item is None:
            super().put(None, block, timeout)
            return
        codec, frame = item
        self._sink(codec, frame)


def tap_encoded_frames(receiver: RTCRtpReceiver, sink: EncodedFrameSink) -> None:
    """Route a receiver's reassembled encoded frames to `sink` instead of its decoder.

    Call it before the receiver starts (in the peer connection's "track" event, which aiortc
    emits from setRemoteDescription, before ICE and DTLS connect and `receive()` runs).
    """
    if not isinstance(getattr(receiver, DECODER_QUEUE, None), queue.Queue):
        raise AiortcChanged(f"RTCRtpReceiver has no {DECODER_QUEUE} queue: see server/media/tap.py")
    if getattr(receiver, DECODER_THREAD, "missing") is not None:
        raise AiortcChanged("tap_encoded_frames must run before the receiver starts")
    setattr(receiver, DECODER_QUEUE, EncodedFrameQueue(sink))


def on_keyframe_request(sender: RTCRtpSender, callback: Callable[[], None]) -> None:
    """Call `callback` whenever the remote peer sends PLI or FIR for this sender's stream."""
    original = getattr(sender, "_send_keyframe", None)
    if not callable(original):
        raise AiortcChanged("RTCRtpSender has no _send_keyframe: see server/media/tap.py")

    def send_keyframe() -> None:
        original()
        callback()

    # An instance attribute shadows the method for this sender only.
    sender._send_keyframe = send_keyframe  # type: ignore[method-assign]


async def send_picture_loss(receiver: RTCRtpReceiver, media_ssrc: int) -> None:
    """Ask the remote publisher for a keyframe (RTCP PLI, RFC 4585 section 6.3.1)."""
    send = getattr(receiver, "_send_rtcp_pli", None)
    if not callable(send):
        raise AiortcChanged("RTCRtpReceiver has no _send_rtcp_pli: see server/media/tap.py")
    await send(media_ssrc)


def on_receive(
    receiver: RTCRtpReceiver, callback: Callable[[RTCRtpReceiveParameters], None]
) -> None:
    """Call `callback` with the negotiated parameters when the receiver starts.

    They name the codec the publisher will send and its SSRC (for PLI) before the first
    packet arrives, which is what a subscriber joining early needs.
    """
    original = receiver.receive

    async def receive(parameters: RTCRtpReceiveParameters) -> None:
        callback(parameters)
        await original(parameters)

    receiver.receive = receive  # type: ignore[method-assign]
