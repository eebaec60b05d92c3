"""/api/openapi.json: paths from each endpoint's docstring, schemas from the input models."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute
from starlette.schemas import SchemaGenerator

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "example": "invalid"},
                "message": {"type": "string", "example": "title: Field required"},
                "field": {"type": ["string", "null"], "example": "title"},
            },
        }
    },
}


def build_schema(routes: list[BaseRoute], models: dict[str, type[BaseModel]]) -> dict[str, Any]:
    generator = SchemaGenerator(
        {
            "openapi": "3.1.0",
            "info": {
                "title": "Studyhall API",
                "version": "0.1.0",
                "description": (
                    "JSON API of Studyhall. State-changing calls need the session cookie and "
                    "the X-CSRF-Token header equal to the studyhall_csrf cookie. Errors are "
                    '{"error": {"code", "message", "field"}} with a 4xx status.'
                ),
            },
        }
    )
    api_routes = [r for r in routes if getattr(r, "path", "").startswith("/api/")]
    schema = generator.get_schema(api_routes)
    components: dict[str, Any] = {"Error": ERROR_SCHEMA}
    for name, model in models.items():
        definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(definition.pop("$defs", {}))
        components[name] = definition
    schema["components"] = {"schemas": components}
    return schema


def openapi_route(schema: dict[str, Any]) -> Any:
    async def openapi(request: Request) -> JSONResponse:
        """
        summary: This document
        tags: [meta]
        responses: {200: {description: The OpenAPI document}}
        """
        return JSONResponse(schema)

    return openapi
