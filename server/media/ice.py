"""ICE servers for peers: STUN/TURN from settings, and short-lived TURN credentials.

`ICE_SERVERS` is parsed once by `server.settings` (a comma list of stun:/turn:/turns: URLs,
or a JSON list of RTCIceServer objects). TURN credentials follow coturn's REST API scheme
(`use-auth-secret` with `static-auth-secret=TURN_SECRET`): the username is
`<unix expiry>:<person id>` and the password is base64(HMAC-SHA1(secret, username)), so
coturn checks them with no call back to Studyhall, and they stop working at the expiry.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NotRequired, TypedDict

from aiortc import RTCConfiguration, RTCIceServer

# coturn's scheme has no revocation: a leaked credential lives until it expires, so keep it
# short. An hour covers a session; a client asks for fresh ones when it renegotiates.
MAX_TURN_TTL_S = 3600


class IceServer(TypedDict):
    """One entry of RTCConfiguration.iceServers, as a browser takes it."""

    urls: str | list[str]
    username: NotRequired[str]
    credential: NotRequired[str]


@dataclass(frozen=True)
class TurnCredentials:
    username: str
    credential: str
    expires_at: int


def turn_credentials(
    secret: str, person_id: str | int, *, now: float, ttl_s: int = MAX_TURN_TTL_S
) -> TurnCredentials:
    """Credentials for one person, valid for `ttl_s` seconds (at most an hour) from `now`."""
    if not secret:
        raise ValueError("TURN secret is empty")
    if not 0 < ttl_s <= MAX_TURN_TTL_S:
        raise ValueError(f"TURN credentials live 1 to {MAX_TURN_TTL_S} seconds, not {ttl_s}")
    expires_at = int(now) + ttl_s
    username = f"{expires_at}:{person_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return TurnCredentials(username, base64.b64encode(digest).decode("ascii"), expires_at)


def _urls(server: dict[str, object]) -> list[str]:
    urls = server.get("urls")
    if isinstance(urls, str):
        return [urls]
    if isinstance(urls, list):
        return [u for u in urls if isinstance(u, str)]
    return []


def ice_servers_for(
    servers: Sequence[dict[str, object]],
    turn_secret: str | None,
    person_id: str | int,
    *,
    now: float,
    ttl_s: int = MAX_TURN_TTL_S,
) -> list[IceServer]:
    """The iceServers list to send one person: TURN entries get that person's credentials.

    An entry that already carries a username and credential (configured as JSON) keeps
    them; a TURN entry without them gets minted credentials when TURN_SECRET is set, and is
    left out otherwise, since a TURN URL without credentials only fails allocations.
    """
    minted: TurnCredentials | None = None
    result: list[IceServer] = []
    for server in servers:
        urls = _urls(server)
        if not urls:
            continue
        entry: IceServer = {"urls": urls[0] if len(urls) == 1 else urls}
        username, credential = server.get("username"), server.get("credential")
        is_turn = any(u.startswith(("turn:", "turns:")) for u in urls)
        if isinstance(username, str) and isinstance(credential, str):
            entry["username"], entry["credential"] = username, credential
        elif is_turn:
            if not turn_secret:
                continue
            minted = minted or turn_credentials(turn_secret, person_id, now=now, ttl_s=ttl_s)
            entry["username"], entry["credential"] = minted.username, minted.credential
        result.append(entry)
    return result


def rtc_configuration(servers: Sequence[IceServer]) -> RTCConfiguration:
    """aiortc's configuration for the server's own peers.

    Always an explicit list: with none given aiortc falls back to a public STUN host, which a
    self-hosted server should not contact unasked (and which is unreachable offline).
    """
    return RTCConfiguration(
        iceServers=[
            RTCIceServer(urls=s["urls"], username=s.get("username"), credential=s.get("credential"))
            for s in servers
        ]
    )


def use_host_addresses(addresses: Sequence[str]) -> None:
    """Gather the SFU's host candidates on these addresses only, for this whole process.

    aioice lists every interface's address except loopback, and offers no option to choose;
    its one function that lists them is replaced. Set from `MEDIA_HOST_ADDRESSES`: a host
    with several interfaces (containers, VPNs) offers only the one peers can reach, and a
    server whose peers are on the same machine (the tests) offers 127.0.0.1.
    """
    import aioice.ice

    chosen = list(addresses)

    def host_addresses(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        return [a for a in chosen if (":" in a and use_ipv6) or (":" not in a and use_ipv4)]

    aioice.ice.get_host_addresses = host_addresses
