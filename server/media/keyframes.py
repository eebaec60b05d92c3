"""Keyframes: telling one apart in an encoded frame, and asking a publisher for one.

A forwarded video stream can only be joined, or resumed after a dropped frame, at a keyframe:
every other frame refers to pictures the subscriber's decoder does not have.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

# A subscriber asks for a keyframe on join, on loss and whenever its decoder is lost; many
# subscribers at once would each cost the publisher a large frame. One request per interval
# reaches the publisher, and a request inside the interval is held to its end, not dropped,
# so the subscriber who asked still gets a picture within interval + one frame.
KEYFRAME_REQUEST_INTERVAL_S = 0.5


def is_keyframe(mime_type: str, data: bytes) -> bool:
    """Whether an encoded frame (as depacketized by aiortc) starts a new picture sequence."""
    kind = mime_type.lower()
    if kind == "video/vp8":
        # RFC 6386 section 9.1: bit 0 of the frame tag is 0 for a key frame.
        return len(data) >= 3 and data[0] & 0x01 == 0
    if kind == "video/h264":
        return _has_idr(data)
    # Audio frames stand alone.
    return True


def _has_idr(data: bytes) -> bool:
    # aiortc's depacketizer emits Annex B: each NAL unit after a 00 00 01 start code.
    # An IDR slice (type 5) is decodable alone; SPS (7) comes with it at a keyframe.
    start = data.find(b"\x00\x00\x01")
    while start != -1 and start + 3 < len(data):
        if data[start + 3] & 0x1F in (5, 7):
            return True
        start = data.find(b"\x00\x00\x01", start + 3)
    return False


class KeyframeRequests:
    """Rate-limits keyframe requests for one published track to one per interval."""

    def __init__(
        self,
        send: Callable[[], None],
        *,
        interval_s: float = KEYFRAME_REQUEST_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._send = send
        self._interval_s = interval_s
        self._clock = clock
        self._last: float | None = None
        self._held: asyncio.TimerHandle | None = None
        self.sent = 0
        self.asked = 0

    def ask(self) -> None:
        """Request a keyframe now, or at the end of the current interval if one just went."""
        self.asked += 1
        if self._held is not None:
            return
        now = self._clock()
        if self._last is None or now - self._last >= self._interval_s:
            self._fire()
            return
        delay = self._interval_s - (now - self._last)
        self._held = asyncio.get_running_loop().call_later(delay, self._fire)

    def _fire(self) -> None:
        self._held = None
        self._last = self._clock()
        self.sent += 1
        self._send()

    def close(self) -> None:
        if self._held is not None:
            self._held.cancel()
            self._held = None
