"""Placeholder: filled by the feature's own module."""

from __future__ import annotations

from pydantic import BaseModel
from starlette.routing import BaseRoute

SCHEMAS: dict[str, type[BaseModel]] = {}
routes: list[BaseRoute] = []
