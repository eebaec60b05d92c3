"""Placeholder: filled by the feature's own module."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
