"""Service-layer errors that views map to HTTP statuses."""

from __future__ import annotations


class NotFound(LookupError):
    """The thing does not exist, or the caller may not see it (both give 404)."""


class Forbidden(PermissionError):
    """The caller's role may use the endpoint but not on this object."""


class Conflict(Exception):
    """The request conflicts with the current state (duplicate, wrong state)."""
