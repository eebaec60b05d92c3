"""The home page."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from server.http.context import studyhall


async def home(request: Request) -> Response:
    return studyhall(request).templates.TemplateResponse(request, "home.html", {})


routes = [Route("/", home)]
