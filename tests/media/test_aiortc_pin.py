"""The aiortc internals server/media/tap.py relies on, checked on the installed aiortc.

If one of these fails after an aiortc upgrade, forwarding is broken even if everything else
passes: read server/media/tap.py, check the new receiver and sender code, and move the hook.
"""

from __future__ import annotations

import inspect
import queue

import aiortc
from aiortc import RTCConfiguration, RTCPeerConnection
from aiortc.rtcrtpreceiver import RTCRtpReceiver, decoder_worker
from aiortc.rtcrtpsender import RTCRtpSender

from server.media.tap import DECODER_QUEUE, DECODER_THREAD

HOOK = "server/media/tap.py hooks into aiortc internals that changed"


def test_the_pinned_version_is_installed() -> None:
    assert aiortc.__version__.startswith("1.16."), f"{HOOK}: aiortc {aiortc.__version__}"


async def test_the_receiver_hands_encoded_frames_to_a_queue_it_keeps() -> None:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    try:
        receiver = pc.addTransceiver("video", direction="recvonly").receiver
        assert isinstance(getattr(receiver, DECODER_QUEUE, None), queue.Queue), HOOK
        assert getattr(receiver, DECODER_THREAD, "missing") is None, HOOK
    finally:
        await pc.close()
    handle = inspect.getsource(RTCRtpReceiver._handle_rtp_packet)
    assert "self.__decoder_queue.put((codec, encoded_frame))" in handle, HOOK
    assert "self.__timestamp_mapper.map(" in handle, HOOK
    receive = inspect.getsource(RTCRtpReceiver.receive)
    assert "self.__decoder_queue" in receive and "decoder_worker" in receive, HOOK
    # The thread ends the track when it reads None, and only then.
    worker = inspect.getsource(decoder_worker)
    assert "if task is None:" in worker and "output_q.put(None)" in worker, HOOK
    assert callable(getattr(RTCRtpReceiver, "_send_rtcp_pli", None)), HOOK


def test_the_sender_packs_packets_and_reports_keyframe_requests() -> None:
    next_frame = inspect.getsource(RTCRtpSender._next_encoded_frame)
    assert "self.__encoder.pack(data)" in next_frame, HOOK
    rtcp = inspect.getsource(RTCRtpSender._handle_rtcp_packet)
    assert "RTCP_PSFB_PLI" in rtcp and "self._send_keyframe()" in rtcp, HOOK
