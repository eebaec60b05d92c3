"""Communities: pages and JSON API."""
