"""Real aiortc peers on loopback for the media tests."""

from __future__ import annotations

from collections.abc import Iterator

import aioice.ice
import pytest


def loopback_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
    return ["127.0.0.1"] if use_ipv4 else []


@pytest.fixture(autouse=True, scope="package")
def loopback_ice() -> Iterator[None]:
    """ICE host candidates on 127.0.0.1 only, for the peers of this test run.

    aioice gathers host candidates from every interface except loopback and offers no option
    to include it (`aioice.ice.get_host_addresses` skips 127.0.0.1 by design: a loopback
    candidate is useless between machines). Every peer here runs on this machine, and the
    tests must not depend on whatever other interfaces it has, so the one function that lists
    the addresses is replaced for the tests of this package. Nothing else in aioice or aiortc
    is touched: connectivity checks, DTLS and SRTP run as they would between hosts. The
    peers are also built with `RTCConfiguration(iceServers=[])`, since aiortc's default STUN
    server is a public host this machine cannot reach.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(aioice.ice, "get_host_addresses", loopback_addresses)
        yield


# --- the stage over a real server (tests/media/stage_peers.py) -------------------------------

from tests.servers import Server  # noqa: E402


@pytest.fixture(scope="package")
def stage_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One real uvicorn process whose SFU gathers ICE on 127.0.0.1, for the stage tests."""
    from tests.media.stage_peers import stage_server as start

    yield from start(tmp_path_factory.mktemp("stage"))
