"""Serving: HTTP only. Asks the release/store for data and the renderers for bytes."""
