from __future__ import annotations

from pathlib import Path

import pytest

from server.settings import SettingsError, load_settings


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {"STUDYHALL_DATA": str(tmp_path), **extra}


def test_defaults_are_the_embedded_server(tmp_path: Path) -> None:
    s = load_settings(_env(tmp_path))
    assert s.database_url.startswith("sqlite+aiosqlite:///") and s.redis_url is None
    assert s.public_url == "http://127.0.0.1:8000"
    assert set(s.allowed_origins) == {"http://127.0.0.1:8000", "http://localhost:8000"}
    assert len(s.secret_key) >= 32
    assert load_settings(_env(tmp_path)).secret_key == s.secret_key  # kept across restarts


def test_port_shapes_the_default_public_url(tmp_path: Path) -> None:
    s = load_settings(_env(tmp_path, PORT="9000", HOST="0.0.0.0"))
    assert s.public_url == "http://127.0.0.1:9000"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "mysql://x/y"),
        ("REDIS_URL", "http://nope"),
        ("PUBLIC_URL", "ftp://x"),
        ("ALLOWED_ORIGINS", "not a url"),
        ("ICE_SERVERS", "http://x"),
        ("ICE_SERVERS", "[{]"),
        ("WS_QUEUE", "many"),
        ("WS_QUEUE", "1"),
        ("SECRET_KEY", "short"),
        ("STUDYHALL_ENV", "staging"),
    ],
)
def test_a_bad_value_names_the_variable(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(SettingsError) as info:
        load_settings(_env(tmp_path, **{name: value}))
    assert str(info.value).startswith(name) and "\n" not in str(info.value)


def test_production_needs_a_secret_key(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        load_settings(_env(tmp_path, STUDYHALL_ENV="production"))
    ok = load_settings(_env(tmp_path, STUDYHALL_ENV="production", SECRET_KEY="k" * 40))
    assert ok.production and ok.secret_key == "k" * 40


def test_postgres_urls_use_asyncpg(tmp_path: Path) -> None:
    s = load_settings(_env(tmp_path, DATABASE_URL="postgres://u:p@db/studyhall"))
    assert s.database_url == "postgresql+asyncpg://u:p@db/studyhall"
    ice = load_settings(_env(tmp_path, ICE_SERVERS="stun:a:3478,turn:b:3478"))
    assert ice.ice_servers == ({"urls": "stun:a:3478"}, {"urls": "turn:b:3478"})


def test_media_host_addresses_and_offer_limit(tmp_path: Path) -> None:
    s = load_settings(
        _env(tmp_path, MEDIA_HOST_ADDRESSES="127.0.0.1, ::1", MEDIA_OFFERS_PER_10S="5")
    )
    assert s.media_host_addresses == ("127.0.0.1", "::1")
    assert s.limits.media_offers_per_10s == 5
    assert load_settings(_env(tmp_path)).media_host_addresses == ()
    with pytest.raises(SettingsError, match="MEDIA_HOST_ADDRESSES"):
        load_settings(_env(tmp_path, MEDIA_HOST_ADDRESSES="eth0"))
