"""What every request handler reaches: settings, the store, templates, and who is asking."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.requests import HTTPConnection, Request
from starlette.templating import Jinja2Templates

from server.http.errors import UserError
from server.http.markdown import render_markdown
from server.settings import Settings
from server.store import Store, accounts
from server.store.tables import Person

if TYPE_CHECKING:
    from server.bus import Bus
    from server.live.worker import LiveWorker

WEB = Path(__file__).resolve().parent.parent.parent / "web"


@dataclass
class Studyhall:
    settings: Settings
    store: Store
    templates: Jinja2Templates
    # Set by the app's lifespan: the bus is opened, and the live worker started, there.
    bus: Bus | None = None
    live: LiveWorker | None = None

    async def person_for_session(self, token: str | None) -> Person | None:
        if not token or len(token) > 100:
            return None
        return await self.store.read(accounts.person_for_token, token)


def studyhall(conn: HTTPConnection) -> Studyhall:
    app_state: Any = conn.app.state
    result: Studyhall = app_state.studyhall
    return result


def current_person(conn: HTTPConnection) -> Person | None:
    person: Person | None = conn.scope.get("state", {}).get("person")
    return person


def require_person(conn: HTTPConnection) -> Person:
    person = current_person(conn)
    if person is None:
        raise UserError("Sign in first.", status=401)
    return person


def csrf_token(request: Request) -> str:
    token: str = request.scope.get("state", {}).get("csrf_token", "")
    return token


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(WEB / "templates"))
    env = templates.env
    env.globals["current_person"] = current_person
    env.globals["csrf_token"] = csrf_token
    env.filters["markdown"] = render_markdown
    return templates
