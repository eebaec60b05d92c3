"""create_app(settings) -> Starlette: routes, static files, lifespan. Only wiring."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from server.bus import open_bus
from server.http import errors, health, openapi, rooms
from server.http.accounts import api as accounts_api
from server.http.accounts import data as accounts_data
from server.http.accounts import pages as accounts_pages
from server.http.communities import api as communities_api
from server.http.communities import mentorship as communities_mentorship
from server.http.communities import mentorship_api as communities_mentorship_api
from server.http.communities import moderation as communities_moderation
from server.http.communities import moderation_api as communities_moderation_api
from server.http.communities import pages as communities_pages
from server.http.communities import study_groups as communities_study_groups
from server.http.context import WEB, Studyhall, make_templates
from server.http.events import api as events_api
from server.http.events import exports as events_exports
from server.http.events import pages as events_pages
from server.http.events import qa as events_qa
from server.http.events import recordings as events_recordings
from server.http.guard import RequestGuard
from server.http.home import routes as home_routes
from server.live.endpoint import room_socket
from server.live.worker import LiveWorker
from server.settings import Settings, SettingsError, load_settings
from server.store import Store


def create_app(settings: Settings) -> Starlette:
    store = Store(settings.database_url)
    templates = make_templates()
    studyhall = Studyhall(settings=settings, store=store, templates=templates)

    api_routes: list[BaseRoute] = [
        *accounts_api.routes,
        *accounts_data.api_routes,
        *communities_api.routes,
        *communities_moderation_api.routes,
        *communities_study_groups.api_routes,
        *communities_mentorship_api.routes,
        *events_api.routes,
        *events_exports.api_routes,
        *rooms.api_routes,
    ]
    models: dict[str, type[BaseModel]] = {
        **accounts_api.SCHEMAS,
        **accounts_data.SCHEMAS,
        **communities_api.SCHEMAS,
        **communities_moderation_api.SCHEMAS,
        **communities_mentorship_api.SCHEMAS,
        **events_api.SCHEMAS,
    }
    schema = openapi.build_schema(api_routes, models)
    routes: list[BaseRoute] = [
        *health.routes,
        Route("/api/openapi.json", openapi.openapi_route(schema)),
        *api_routes,
        *home_routes,
        *accounts_pages.routes,
        *accounts_data.routes,
        *communities_pages.routes,
        *communities_moderation.routes,
        *communities_study_groups.routes,
        *communities_mentorship.routes,
        *events_pages.routes,
        *events_qa.routes,
        *events_exports.routes,
        *events_recordings.routes,
        *rooms.routes,
        WebSocketRoute("/ws", room_socket),
        Mount("/static", StaticFiles(directory=str(WEB / "static")), name="static"),
    ]

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        studyhall.bus = await open_bus(settings.redis_url)
        studyhall.live = LiveWorker(settings, store, studyhall.bus)
        await studyhall.live.start()
        try:
            yield
        finally:
            await studyhall.live.stop()
            await studyhall.bus.close()
            await store.close()

    app = Starlette(
        routes=routes,
        middleware=[Middleware(RequestGuard, studyhall=studyhall)],
        exception_handlers=errors.HANDLERS,
        lifespan=lifespan,
    )
    app.state.studyhall = studyhall
    app.state.templates = templates
    return app


def _app_from_environment() -> Any:
    try:
        return create_app(load_settings())
    except SettingsError as err:
        print(f"studyhall: {err}", file=sys.stderr)
        raise SystemExit(2) from None


def __getattr__(name: str) -> Any:
    # `uvicorn server.app:app` reads settings when it imports `app`, not when tests import us.
    if name == "app":
        return _app_from_environment()
    raise AttributeError(name)
