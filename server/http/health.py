"""/health answers while the process lives; /ready only when the store (and bus) answer."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from server.http.context import studyhall


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def ready(request: Request) -> JSONResponse:
    sh = studyhall(request)
    checks = {"store": await sh.store.ping()}
    if sh.bus is not None:
        checks["bus"] = sh.bus.healthy and await sh.bus.ping()
    ok = all(checks.values())
    return JSONResponse(
        {"status": "ready" if ok else "unavailable", **checks}, status_code=200 if ok else 503
    )


routes = [Route("/health", health), Route("/ready", ready)]
