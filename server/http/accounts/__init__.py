"""Signing up, in and out, and a person's profile: pages and JSON API."""
