"""The home page: what Studyhall is, and the next events of every community."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.http.context import studyhall
from server.http.events.pages import home_context


async def home(request: Request) -> Response:
    context = await home_context(request)
    return studyhall(request).templates.TemplateResponse(request, "home.html", context)


routes = [Route("/", home)]
