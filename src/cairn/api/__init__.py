"""The HTTP API: cases and consent over HTTP, described by an OpenAPI document.

Endpoints (``endpoints/``) are thin: they authenticate a personal API token (``tokens``),
look objects up through the apps' access functions and act through their services, exactly
as the pages do. Nothing here reads a model directly (tests/test_access_lint.py), except the
token store itself.
"""
