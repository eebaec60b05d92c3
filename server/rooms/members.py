"""Who a person is inside one room: a member id, stable there and nowhere else."""

from __future__ import annotations

import hashlib
import hmac


def member_id(secret: str, room_id: int, key: str) -> str:
    """A person's id within one room: stable there, and neither an account id nor an email."""
    digest = hmac.new(secret.encode(), f"{room_id}:{key}".encode(), hashlib.sha256)
    return "m" + digest.hexdigest()[:11]


def email_digest(secret: str, email: str) -> str:
    """What a ban keeps of an email: enough to recognise it again, not to read it."""
    normal = email.strip().casefold()
    return hmac.new(secret.encode(), f"email:{normal}".encode(), hashlib.sha256).hexdigest()
