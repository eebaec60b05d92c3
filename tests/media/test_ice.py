"""ICE servers from settings and coturn use-auth-secret credentials."""

from __future__ import annotations

import aioice.ice
import pytest

from server.media.ice import (
    MAX_TURN_TTL_S,
    ice_servers_for,
    rtc_configuration,
    turn_credentials,
    use_host_addresses,
)
from server.settings import load_settings

NOW = 1_700_000_000.7


def test_credentials_follow_coturns_scheme() -> None:
    creds = turn_credentials("north-wind", 42, now=NOW)
    assert creds.username == "1700003600:42"
    assert creds.expires_at == 1_700_003_600
    # printf '%s' 1700003600:42 | openssl dgst -sha1 -hmac north-wind -binary | base64
    assert creds.credential == "YlpCluhk1i66cE5bZO2tP7aZqpY="


def test_credentials_live_at_most_an_hour() -> None:
    assert turn_credentials("s", "ada", now=NOW, ttl_s=60).expires_at == int(NOW) + 60
    with pytest.raises(ValueError, match="1 to 3600 seconds"):
        turn_credentials("s", "ada", now=NOW, ttl_s=MAX_TURN_TTL_S + 1)
    with pytest.raises(ValueError, match="1 to 3600 seconds"):
        turn_credentials("s", "ada", now=NOW, ttl_s=0)
    with pytest.raises(ValueError, match="empty"):
        turn_credentials("", "ada", now=NOW)


def _settings(tmp_path: object, **env: str) -> tuple[tuple[dict[str, object], ...], str | None]:
    settings = load_settings({"STUDYHALL_DATA": str(tmp_path), "STUDYHALL_ENV": "test", **env})
    return settings.ice_servers, settings.turn_secret


def test_turn_urls_from_settings_get_per_person_credentials(tmp_path: object) -> None:
    servers, secret = _settings(
        tmp_path,
        ICE_SERVERS="stun:stun.example.org:3478, turn:turn.example.org:3478?transport=udp",
        TURN_SECRET="north-wind",
    )
    ada = ice_servers_for(servers, secret, "ada", now=NOW)
    bob = ice_servers_for(servers, secret, "bob", now=NOW)
    assert ada[0] == {"urls": "stun:stun.example.org:3478"}
    assert ada[1]["urls"] == "turn:turn.example.org:3478?transport=udp"
    assert ada[1]["username"] == "1700003600:ada"
    assert bob[1]["username"] == "1700003600:bob"
    assert ada[1]["credential"] != bob[1]["credential"]


def test_json_entries_keep_their_own_credentials(tmp_path: object) -> None:
    servers, secret = _settings(
        tmp_path,
        ICE_SERVERS='[{"urls": ["turn:a.example.org", "turns:a.example.org:5349"],'
        ' "username": "fixed", "credential": "pw"}, {"urls": "turn:b.example.org"}]',
        TURN_SECRET="north-wind",
    )
    fixed, minted = ice_servers_for(servers, secret, 7, now=NOW)
    assert fixed == {
        "urls": ["turn:a.example.org", "turns:a.example.org:5349"],
        "username": "fixed",
        "credential": "pw",
    }
    assert minted["username"] == "1700003600:7"


def test_turn_without_a_secret_is_left_out(tmp_path: object) -> None:
    servers, secret = _settings(tmp_path, ICE_SERVERS="stun:s.example.org,turn:t.example.org")
    assert secret is None
    assert ice_servers_for(servers, secret, "ada", now=NOW) == [{"urls": "stun:s.example.org"}]


def test_the_servers_own_configuration_is_never_aiortcs_default() -> None:
    # aiortc puts a public STUN host in when iceServers is None; an empty list stays empty.
    assert rtc_configuration([]).iceServers == []
    config = rtc_configuration([{"urls": "turn:t.example.org", "username": "u", "credential": "c"}])
    assert config.iceServers is not None
    assert [(s.urls, s.username, s.credential) for s in config.iceServers] == [
        ("turn:t.example.org", "u", "c")
    ]


def test_the_sfu_gathers_on_the_addresses_it_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    # Restored after the test: the package's loopback patch stays as it was.
    monkeypatch.setattr(aioice.ice, "get_host_addresses", aioice.ice.get_host_addresses)
    use_host_addresses(["192.0.2.7", "2001:db8::7"])
    assert aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=False) == ["192.0.2.7"]
    assert aioice.ice.get_host_addresses(use_ipv4=False, use_ipv6=True) == ["2001:db8::7"]
    assert aioice.ice.get_host_addresses(use_ipv4=True, use_ipv6=True) == [
        "192.0.2.7",
        "2001:db8::7",
    ]
