"""Events: pages and JSON API."""
