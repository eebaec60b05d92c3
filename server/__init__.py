"""Studyhall: a self-hosted server for live learning events."""
