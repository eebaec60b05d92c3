"""Settings, read once from the environment into one frozen object (12-factor).

A bad value stops the start with one line that names the variable: `SettingsError`
carries that line, and the CLI prints it and exits.
"""

from __future__ import annotations

import ipaddress
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit


class SettingsError(ValueError):
    """A setting has a value the server cannot start with."""


@dataclass(frozen=True)
class Limits:
    """Caps the app enforces itself: uvicorn caps neither WebSocket frames nor sockets."""

    ws_max_frame: int = 64 * 1024
    ws_per_worker: int = 10_000
    ws_per_person: int = 8
    ws_queue: int = 256
    ws_ticket_ttl_s: int = 60
    resume_window: int = 1000
    sign_in_attempts: int = 10
    sign_in_window_s: int = 900
    chat_per_10s: int = 10
    # Each offer that passes the checks costs a peer connection (a DTLS key, ICE sockets).
    media_offers_per_10s: int = 30


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    redis_url: str | None
    secret_key: str
    public_url: str
    allowed_origins: tuple[str, ...]
    ice_servers: tuple[dict[str, object], ...]
    turn_secret: str | None
    production: bool
    limits: Limits = field(default_factory=Limits)
    # Addresses the SFU's peer connections offer as host candidates; empty: every
    # non-loopback interface (aioice's own choice).
    media_host_addresses: tuple[str, ...] = ()

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")

    @property
    def uses_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _url(name: str, value: str, schemes: tuple[str, ...]) -> str:
    parts = urlsplit(value)
    if parts.scheme not in schemes or not (parts.netloc or parts.path):
        raise SettingsError(f"{name}: expected a URL starting with {' or '.join(schemes)}")
    return value


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}: expected a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{name}: expected a number from {low} to {high}, got {value}")
    return value


def _database_url(env: Mapping[str, str], data_dir: Path) -> str:
    raw = env.get("DATABASE_URL", "").strip()
    if not raw:
        return f"sqlite+aiosqlite:///{data_dir / 'studyhall.db'}"
    scheme = raw.split("://", 1)[0]
    aliases = {
        "postgres": "postgresql+asyncpg",
        "postgresql": "postgresql+asyncpg",
        "postgresql+asyncpg": "postgresql+asyncpg",
        "sqlite": "sqlite+aiosqlite",
        "sqlite+aiosqlite": "sqlite+aiosqlite",
    }
    if "://" not in raw or scheme not in aliases:
        raise SettingsError(
            "DATABASE_URL: expected postgresql://user@host/db or sqlite:///path/to/file.db"
        )
    return aliases[scheme] + raw[len(scheme) :]


def _secret_key(env: Mapping[str, str], data_dir: Path, production: bool) -> str:
    raw = env.get("SECRET_KEY", "")
    if raw:
        if len(raw) < 32:
            raise SettingsError("SECRET_KEY: must be at least 32 characters")
        return raw
    if production:
        raise SettingsError("SECRET_KEY: required when STUDYHALL_ENV=production")
    # In development the key is generated once and kept, so sessions survive restarts.
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def _ice_servers(raw: str) -> tuple[dict[str, object], ...]:
    if not raw.strip():
        return ()
    if raw.lstrip().startswith("["):
        try:
            parsed = json.loads(raw)
        except json.JSONDecodeError:
            raise SettingsError("ICE_SERVERS: not valid JSON") from None
        if not isinstance(parsed, list) or not all(
            isinstance(s, dict) and "urls" in s for s in parsed
        ):
            raise SettingsError('ICE_SERVERS: expected a JSON list of {"urls": …} objects')
        return tuple(parsed)
    urls = [u.strip() for u in raw.split(",") if u.strip()]
    for u in urls:
        if not u.startswith(("stun:", "turn:", "turns:")):
            raise SettingsError(f"ICE_SERVERS: {u!r} is not a stun:, turn: or turns: URL")
    return tuple({"urls": u} for u in urls)


def _addresses(name: str, raw: str) -> tuple[str, ...]:
    found = tuple(a.strip() for a in raw.split(",") if a.strip())
    for address in found:
        try:
            ipaddress.ip_address(address)
        except ValueError:
            raise SettingsError(f"{name}: {address!r} is not an IP address") from None
    return found


def _local_url(env: Mapping[str, str]) -> str:
    """Where the server listens, when PUBLIC_URL does not say how people reach it."""
    host = env.get("HOST", "") or "127.0.0.1"
    if host in ("0.0.0.0", "::"):  # noqa: S104 - reading the bind address, not binding
        host = "127.0.0.1"
    return f"http://{host}:{env.get('PORT', '') or '8000'}"


def _same_site(public_url: str) -> tuple[str, ...]:
    """The public origin, and on a laptop its localhost/127.0.0.1 twin (browsers differ)."""
    parts = urlsplit(public_url)
    twins = {"127.0.0.1": "localhost", "localhost": "127.0.0.1"}
    if parts.hostname in twins:
        port = f":{parts.port}" if parts.port else ""
        return (public_url, f"{parts.scheme}://{twins[parts.hostname]}{port}")
    return (public_url,)


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    environment = env.get("STUDYHALL_ENV", "development")
    if environment not in ("development", "production", "test"):
        raise SettingsError("STUDYHALL_ENV: expected development, production or test")
    production = environment == "production"
    data_dir = Path(env.get("STUDYHALL_DATA", "") or "data").resolve()
    public_url = _url(
        "PUBLIC_URL", env.get("PUBLIC_URL", "") or _local_url(env), ("http", "https")
    ).rstrip("/")
    origins_raw = env.get("ALLOWED_ORIGINS", "")
    origins = tuple(o.strip().rstrip("/") for o in origins_raw.split(",") if o.strip())
    for origin in origins:
        _url("ALLOWED_ORIGINS", origin, ("http", "https"))
    redis_url = env.get("REDIS_URL", "").strip() or None
    if redis_url:
        _url("REDIS_URL", redis_url, ("redis", "rediss", "unix"))
    limits = Limits(
        ws_per_worker=_int(env, "WS_MAX_CONNECTIONS", Limits.ws_per_worker, 1, 1_000_000),
        ws_per_person=_int(env, "WS_MAX_PER_PERSON", Limits.ws_per_person, 1, 1000),
        ws_queue=_int(env, "WS_QUEUE", Limits.ws_queue, 8, 100_000),
        ws_ticket_ttl_s=_int(env, "WS_TICKET_TTL", Limits.ws_ticket_ttl_s, 1, 60),
        resume_window=_int(env, "RESUME_WINDOW", Limits.resume_window, 10, 1_000_000),
        sign_in_attempts=_int(env, "SIGN_IN_ATTEMPTS", Limits.sign_in_attempts, 1, 10_000),
        chat_per_10s=_int(env, "CHAT_PER_10S", Limits.chat_per_10s, 1, 10_000),
        media_offers_per_10s=_int(
            env, "MEDIA_OFFERS_PER_10S", Limits.media_offers_per_10s, 1, 10_000_000
        ),
    )
    return Settings(
        data_dir=data_dir,
        database_url=_database_url(env, data_dir),
        redis_url=redis_url,
        secret_key=_secret_key(env, data_dir, production),
        public_url=public_url,
        allowed_origins=origins or _same_site(public_url),
        ice_servers=_ice_servers(env.get("ICE_SERVERS", "")),
        turn_secret=env.get("TURN_SECRET") or None,
        production=production,
        limits=limits,
        media_host_addresses=_addresses(
            "MEDIA_HOST_ADDRESSES", env.get("MEDIA_HOST_ADDRESSES", "")
        ),
    )
